"""KuCoin futures orders and fills <-> unified (stop orders included: one id space).

Facts from kucoin-openapi/rest/api/openapi-futures-order.json and its examples:
- Add Order takes clientOid, side, symbol, type, leverage, `size` (a positive integer of
  lots), price and timeInForce (GTC | IOC) for limit orders, postOnly, reduceOnly, closeOrder;
  a stop order is the same request with `stop` up|down, `stopPrice` and `stopPriceType`
  TP | IP | MP (last trade, index, mark). The answer names the order ({orderId, clientOid}).
- an order reports `status` open | done with isActive, cancelExist, size, filledSize
  (contracts), filledValue / dealValue (quote), avgDealPrice; `stop` "" on ordinary orders.
  The state: open -> OPEN or PARTIALLY_FILLED by filledSize; done with filledSize == size ->
  FILLED, with less -> CANCELED (spec table [status]).
- cancels answer {cancelledOrderIds: [...]} by id and for cancel-all, {clientOid} by client id.
- fills: size in contracts, value in quote, fee with feeCurrency and feeRate, tradeTime in ns.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from adapters.kucoin_futures.symbols import unified_currency, unified_symbol
from unified.convert import decimal_text as num
from unified.convert import from_ms, from_ns, structure
from unified.derivative_models import StopPriceType
from unified.errors import ConfigurationError, DecodeError, OrderNotFound
from unified.models import Fee, Fill, Order, OrderType, Trigger
from unified.venue import Context, PlacedOrder, RequestParts

STOP_WORDS = {Trigger.ABOVE: "up", Trigger.BELOW: "down"}
STOP_PRICE_TYPES = {StopPriceType.LAST: "TP", StopPriceType.INDEX: "IP",
                    StopPriceType.MARK: "MP"}
ZERO = Decimal(0)
LONG_MAX = 2**63 - 1


@attrs.frozen
class FuturesOrder:
    id: str
    symbol: str
    type: str
    side: str
    status: str
    size: Decimal
    createdAt: int
    price: Decimal | None = None
    filledSize: Decimal | None = None
    dealSize: Decimal | None = None
    filledValue: Decimal | None = None
    dealValue: Decimal | None = None
    avgDealPrice: Decimal | None = None
    stop: str | None = None
    stopPrice: Decimal | None = None
    timeInForce: str | None = None
    postOnly: bool | None = None
    clientOid: str | None = None
    isActive: bool | None = None
    updatedAt: int | None = None


@attrs.frozen
class Placed:
    orderId: str
    clientOid: str | None = None


@attrs.frozen
class Canceled:
    cancelledOrderIds: list[str] | None = None
    clientOid: str | None = None


@attrs.frozen
class FuturesFill:
    tradeId: str
    orderId: str
    symbol: str
    side: str
    price: Decimal
    size: Decimal
    value: Decimal
    tradeTime: int
    liquidity: str | None = None
    fee: Decimal | None = None
    feeRate: Decimal | None = None
    feeCurrency: str | None = None


# ---------------------------------------------------------------- encoders


def lots(amount: Decimal) -> int:
    """`size` is a whole number of contracts (the core checks the step before sending)."""
    if amount != amount.to_integral_value() or amount <= 0:
        raise ConfigurationError(f"a contract order's amount is a whole number of lots, got "
                                 f"{amount}")
    if amount > LONG_MAX:  # the venue reads `size` as a 64-bit integer
        raise ConfigurationError(f"a contract order's amount is at most {LONG_MAX} lots")
    return int(amount)


def order_body(ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
    tables = ctx.tables
    body: dict[str, Any] = {
        "clientOid": args["client_order_id"],
        "side": tables.sides.encode(args["side"]),
        "symbol": args["symbol"],
        "type": tables.order_types.encode(args["type"]),
    }
    if args.get("leverage") is not None:
        body["leverage"] = num(args["leverage"])
    body["size"] = lots(args["amount"])
    if args["type"] is OrderType.LIMIT:
        body["price"] = num(args["price"])
        if args.get("time_in_force") is not None:
            body["timeInForce"] = tables.time_in_force.encode(args["time_in_force"])
        if args.get("post_only"):
            body["postOnly"] = True
    if args.get("reduce_only"):
        body["reduceOnly"] = True
    if args.get("close_order"):
        body["closeOrder"] = True
    return body


def encode_create(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(body=order_body(ctx, args))


def encode_stop(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """The same Add Order, with the trigger: `stopPriceType` TP (last trade) unless told."""
    body = order_body(ctx, args)
    kind = args.get("stop_price_type")
    body.update({"stop": STOP_WORDS[args["trigger"]], "stopPrice": num(args["stop_price"]),
                 "stopPriceType": STOP_PRICE_TYPES[kind] if kind is not None else "TP"})
    return RequestParts(body=body)


def id_path(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """/api/v1/orders/{id}: the id names the order on its own."""
    return RequestParts(path_params={"id": args["id"]})


def client_id_path(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """Cancel Order By ClientOid: the clientOid in the path, the symbol required."""
    return RequestParts(path_params={"id": args["id"]}, query=[("symbol", args["symbol"])])


def client_id_query(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(query=[("clientOid", args["id"])])


def _window(args: Mapping[str, Any]) -> list[tuple[str, str]]:
    query = []
    if args.get("since_ms") is not None:
        query.append(("startAt", str(args["since_ms"])))
    if args.get("until_ms") is not None:
        query.append(("endAt", str(args["until_ms"])))
    return query


def encode_open(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(query=[("status", "active"), ("symbol", args["symbol"])])


def encode_closed(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(query=[("status", "done"), ("symbol", args["symbol"]), *_window(args)])


def encode_fills(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(query=[("symbol", args["symbol"]), *_window(args)])


def market_query(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """One contract's (a symbol) or every contract's (market None) stop orders / cancel-all."""
    return RequestParts(query=[("symbol", args["symbol"])] if args.get("market") else [])


# ---------------------------------------------------------------- decoders


def decode_placed(ctx: Context, data: Any) -> PlacedOrder:
    p = structure(data, Placed)
    return PlacedOrder(id=p.orderId, client_order_id=p.clientOid or None)


def decode_canceled(ctx: Context, data: Any) -> PlacedOrder:
    """By id: {cancelledOrderIds: [id]}; by client id: {clientOid}."""
    c = structure(data, Canceled)
    ref = c.cancelledOrderIds[0] if c.cancelledOrderIds else c.clientOid
    if not ref:
        raise OrderNotFound("the cancel named no order", venue=ctx.venue, raw=data)
    return PlacedOrder(id=ref)


def decode_cancel_all(ctx: Context, data: Any) -> list[str]:
    return list(structure(data, Canceled).cancelledOrderIds or ())


def order_state(o: FuturesOrder, filled: Decimal) -> str:
    """Name the state from status and sizes; the spec's status table gives its meaning."""
    if o.status == "open":
        return "active-dealt" if filled > 0 else "active"
    if o.status == "done":
        return "done-filled" if filled > 0 and filled >= o.size else "done-canceled"
    raise DecodeError(f"order {o.id}: unknown status {o.status!r}")


def decode_order(ctx: Context, data: Any) -> Order:
    if data is None:  # a lookup by clientOid of an order the venue does not know
        raise OrderNotFound("no such order", venue=ctx.venue, raw=data)
    o = structure(data, FuturesOrder)
    tables = ctx.tables
    order_type = tables.order_types.decode(o.type)
    filled = o.filledSize if o.filledSize is not None else (o.dealSize or ZERO)
    cost = o.filledValue if o.filledValue is not None else (o.dealValue or ZERO)
    amount = o.size if o.size > 0 else None
    stop = o.stop or None
    if stop is not None and stop not in ("up", "down"):
        raise DecodeError(f"order {o.id}: unknown stop {o.stop!r}")
    if stop is not None and (o.stopPrice is None or o.stopPrice <= 0):
        raise DecodeError(f"stop order {o.id}: stopPrice {o.stopPrice} is not a price")
    return Order(
        id=o.id, client_order_id=o.clientOid or None, symbol=unified_symbol(ctx, o.symbol),
        side=tables.sides.decode(o.side), type=order_type,
        status=tables.status.decode(order_state(o, filled)),
        price=o.price if order_type is OrderType.LIMIT and o.price else None,
        amount=amount, filled=filled,
        remaining=max(amount - filled, ZERO) if amount is not None else None,
        average=o.avgDealPrice if o.avgDealPrice and filled > 0 else None, cost=cost,
        fee=None,  # orders do not report their fees: the fills do
        time_in_force=tables.time_in_force.decode(o.timeInForce) if o.timeInForce else None,
        post_only=bool(o.postOnly), created_at=from_ms(o.createdAt),
        updated_at=from_ms(o.updatedAt) if o.updatedAt else None, raw=data,
        stop_price=o.stopPrice if stop is not None else None,
    )


def decode_fill(ctx: Context, data: Any) -> Fill:
    f = structure(data, FuturesFill)
    fee = None
    if f.fee is not None and f.feeCurrency:
        fee = Fee(cost=f.fee, currency=unified_currency(ctx, f.feeCurrency), rate=f.feeRate)
    return Fill(
        id=f.tradeId, order_id=f.orderId, symbol=unified_symbol(ctx, f.symbol),
        side=ctx.tables.sides.decode(f.side), price=f.price, amount=f.size, cost=f.value,
        fee=fee,
        liquidity=ctx.tables.liquidity.decode(f.liquidity) if f.liquidity else None,
        timestamp=from_ns(f.tradeTime), raw=data,
    )
