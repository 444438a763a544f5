"""KuCoin spot stop orders (/api/v1/stop-order) <-> unified (unified.stops).

Facts from KuCoin's files (kucoin-openapi/rest/api/openapi-spot-order.json, the classic REST
reference, examples under adapters/kucoin/examples/*stop_order*):
- placing takes the ordinary order fields plus `stopPrice` and `stop`: `entry` fires when the
  price rises to it (Trigger.ABOVE), `loss` when it falls to it (Trigger.BELOW); `tradeType`
  TRADE for spot. The answer names the order only ({orderId}).
- a stop order's detail is the ordinary fields plus stop, stopPrice, stopTriggerTime; its
  status is NEW (waiting) or TRIGGERED (spec table [stop_status]); it reports no fills (a
  triggered stop is an ordinary order under the same id from then on).
- by client id the detail comes as a list (empty: no such order); cancels answer
  {cancelledOrderIds: [...]} by id and {cancelledOrderId, clientOid} by client id.
- stop order ids in the venue's answers look like "vs8hoo8q2ceshiue003b67c0".
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from adapters.kucoin.codec import order_body
from unified.convert import decimal_text as num
from unified.convert import from_ms, structure
from unified.errors import DecodeError, OrderNotFound
from unified.models import Order, OrderType, Trigger
from unified.venue import Context, PlacedOrder, ReportedState, RequestParts

STOP_WORDS = {Trigger.ABOVE: "entry", Trigger.BELOW: "loss"}
ZERO = Decimal(0)


@attrs.frozen
class StopOrder:
    """One stop order as GET /api/v1/stop-order/{orderId} (and the list's items) answer it."""

    id: str
    symbol: str
    status: str
    type: str
    side: str
    createdAt: int
    stopPrice: Decimal
    stop: str | None = None
    price: Decimal | None = None
    size: Decimal | None = None
    funds: Decimal | None = None
    clientOid: str | None = None
    timeInForce: str | None = None
    postOnly: bool | None = None
    stopTriggerTime: int | None = None


@attrs.frozen
class StopPlaced:
    orderId: str


@attrs.frozen
class StopCanceled:
    cancelledOrderIds: list[str] | None = None
    cancelledOrderId: str | None = None


def encode_stop(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    body = order_body(ctx, args)
    body.update({"stopPrice": num(args["stop_price"]), "stop": STOP_WORDS[args["trigger"]],
                 "tradeType": "TRADE"})
    return RequestParts(body=body)


def stop_id_ref(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(path_params={"id": args["id"]})


def stop_client_ref(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(query=[("clientOid", args["id"]), ("symbol", args["symbol"])])


def stop_market_query(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """The stop orders of one market (or of all: no symbol), spot only."""
    query = [("tradeType", "TRADE")]
    if args.get("market") is not None:
        query.insert(0, ("symbol", args["symbol"]))
    return RequestParts(query=query)


def decode_stop_placed(ctx: Context, data: Any) -> PlacedOrder:
    return PlacedOrder(id=structure(data, StopPlaced).orderId)


def decode_stop_canceled(ctx: Context, data: Any) -> ReportedState:
    """The stop is gone once the cancel is taken: nothing of it was filled (it never rested)."""
    c = structure(data, StopCanceled)
    ids = c.cancelledOrderIds if c.cancelledOrderIds is not None else (
        [c.cancelledOrderId] if c.cancelledOrderId else [])
    if not ids:
        raise OrderNotFound("the stop cancel named no order", venue=ctx.venue, raw=data)
    status = ctx.tables.status.decode("done-canceled")
    return ReportedState(id=ids[0], status=status, filled=ZERO, raw=data)


def decode_stop_cancel_all(ctx: Context, data: Any) -> list[str]:
    return list(structure(data, StopCanceled).cancelledOrderIds or ())


def decode_stop_order(ctx: Context, data: Any) -> Order:
    s = structure(data, StopOrder)
    tables = ctx.tables
    order_type = tables.order_types.decode(s.type)
    amount = s.size if s.size else None
    price = s.price if order_type is OrderType.LIMIT and s.price else None
    if s.stopPrice <= 0:
        raise DecodeError(f"stop order {s.id}: stopPrice {s.stopPrice} is not a price")
    return Order(
        id=s.id, client_order_id=s.clientOid or None, symbol=ctx.unified_symbol(s.symbol),
        side=tables.sides.decode(s.side), type=order_type,
        status=tables.stop_status.decode(s.status), price=price, amount=amount, filled=ZERO,
        remaining=amount, average=None, cost=ZERO, fee=None,
        time_in_force=tables.time_in_force.decode(s.timeInForce) if s.timeInForce else None,
        post_only=bool(s.postOnly), created_at=from_ms(s.createdAt),
        updated_at=from_ms(s.stopTriggerTime) if s.stopTriggerTime else None, raw=data,
        stop_price=s.stopPrice,
    )


def decode_stop_by_id(ctx: Context, data: Any) -> Order:
    """Get Stop Order By OrderId: data null when no stop order has that id (the lookup after
    fetch_order's in OrderLookup, which goes on only past OrderNotFound)."""
    if data is None:
        raise OrderNotFound("no stop order with that id", venue=ctx.venue, raw=data)
    return decode_stop_order(ctx, data)


def decode_stop_by_client(ctx: Context, data: Any) -> Order:
    """Get Stop Order By ClientOid answers a list: its one item, else no such order."""
    if data is None or data == []:
        raise OrderNotFound("no stop order with that client id", venue=ctx.venue, raw=data)
    if not isinstance(data, list):
        raise DecodeError(f"stop order by clientOid: expected a list, got {type(data).__name__}")
    return decode_stop_order(ctx, data[0])
