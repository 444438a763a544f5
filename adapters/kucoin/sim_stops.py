"""The local KuCoin's stop orders (/api/v1/stop-order), over the engine's StopBook
(unified.sim.stops: waiting outside the book with funds held, fired by trades).

As KuCoin answers (adapters/kucoin/stop_codec.py has the facts and their sources): ids like
"vs8hoo8q2ceshiue003b67c0"; details with prices written to 20 places and null for what does
not apply; status NEW while waiting, TRIGGERED once placed (the order then rests under the
same id); the list holds the waiting ones only (currentPage pages); by client id a list;
a stop canceled, or never placed, is "order not exist" (400100), as the ordinary orders word
it. `stop` is `entry` or `loss` ("Stop order type invalid" otherwise); left out, it is read
from where the stop lies against the last trade (above: entry). Spot only: another tradeType
is refused.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.kucoin.sim import CLIENT_OID, _int_param, _param, fail, ok
from adapters.kucoin.sim_orders import decimal_field
from unified.convert import to_ms as ms
from unified.models import OrderType, Side, TimeInForce, Trigger
from unified.sim.book import EngineError
from unified.sim.server import Handler, SimRequest, SimResponse, SimVenue
from unified.sim.stops import CANCELLED, SimStop, stop_book

TRIGGERS = {"entry": Trigger.ABOVE, "loss": Trigger.BELOW}
WORDS = {v: k for k, v in TRIGGERS.items()}
MISSING = ("400100", "order_not_exist_or_not_allow_to_cancel")


def _wide(value: Decimal | None) -> str | None:
    """A number as the stop endpoints write it: 20 places ("0.01000000000000000000")."""
    return None if value is None else f"{value:.20f}"


def _detail(sim: SimVenue, stop: SimStop) -> dict[str, Any]:
    market = sim.engine.market(stop.symbol)
    return {
        "id": stop.id, "symbol": sim.venue_symbol(stop.symbol), "userId": "sim-user",
        "status": stop.status, "type": stop.type.value,
        "side": stop.side.value, "price": _wide(stop.price), "size": _wide(stop.amount),
        "funds": _wide(stop.cost), "stp": None, "timeInForce": stop.time_in_force.value,
        "cancelAfter": -1, "postOnly": stop.post_only, "hidden": False, "iceberg": False,
        "visibleSize": None, "channel": "API", "clientOid": stop.client_id or "",
        "remark": None, "tags": None, "orderTime": ms(stop.created_at) * 1_000_000,
        "domainId": "kucoin", "tradeSource": "USER", "tradeType": "TRADE",
        "feeCurrency": market.quote, "takerFeeRate": _wide(market.taker_fee),
        "makerFeeRate": _wide(market.maker_fee), "createdAt": ms(stop.created_at),
        "stop": WORDS[stop.trigger],
        "stopTriggerTime": ms(stop.triggered_at) if stop.triggered_at else None,
        "stopPrice": _wide(stop.stop_price),
    }


def _trigger(sim: SimVenue, symbol: str, body: dict[str, Any], stop_price: Decimal) -> Trigger:
    word = body.get("stop")
    if word is None:
        tape = sim.engine.trades[symbol]
        return Trigger.ABOVE if not tape or stop_price >= tape[-1].price else Trigger.BELOW
    if word not in TRIGGERS:
        raise EngineError("invalid", "Stop order type invalid.")
    return TRIGGERS[word]


def place(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/v1/stop-order: the ordinary fields plus stopPrice (and stop); {orderId}."""
    assert req.account is not None
    body = req.json()
    if not isinstance(body, dict):
        raise EngineError("invalid", "body must be an object")
    if body.get("tradeType", "TRADE") != "TRADE":
        raise EngineError("invalid", "only spot (TRADE) stop orders are served here")
    coid = body.get("clientOid")
    if coid is not None and (not isinstance(coid, str) or not CLIENT_OID.match(coid)):
        raise EngineError("invalid", "clientOid is invalid")
    try:
        side, kind = Side(body.get("side")), OrderType(body.get("type"))
        tif = TimeInForce(body.get("timeInForce", "GTC"))
    except ValueError:
        raise EngineError("invalid", "side, type or timeInForce is invalid") from None
    stop_price = decimal_field(body, "stopPrice")
    if stop_price is None:
        raise EngineError("invalid", "stopPrice is required")
    symbol = sim.unified_symbol(str(body.get("symbol")))
    book = stop_book(sim.engine)
    stop = book.place(
        req.account, symbol, side, kind, id=f"vs{len(book.stops) + 1:022x}",
        stop_price=stop_price, trigger=_trigger(sim, symbol, body, stop_price),
        amount=decimal_field(body, "size"), price=decimal_field(body, "price"),
        cost=decimal_field(body, "funds"), time_in_force=tif,
        post_only=body.get("postOnly") is True, client_id=coid)
    return ok({"orderId": stop.id})


def _found(sim: SimVenue, req: SimRequest, by_client: bool) -> SimStop | None:
    assert req.account is not None
    ref = _param(req, "clientOid") if by_client else req.match["id"]
    try:
        return stop_book(sim.engine).get(req.account, ref, by_client)
    except EngineError:
        return None


def get(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/stop-order/{orderId}: the detail (NEW or TRIGGERED)."""
    stop = _found(sim, req, by_client=False)
    if stop is None or stop.status == CANCELLED:
        return fail(*MISSING)
    return ok(_detail(sim, stop))


def get_by_client_oid(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/stop-order/queryOrderByClientOid?clientOid=&symbol=: a list of details."""
    stop = _found(sim, req, by_client=True)
    return ok([] if stop is None or stop.status == CANCELLED else [_detail(sim, stop)])


def _cancel(sim: SimVenue, req: SimRequest, by_client: bool) -> SimStop | None:
    assert req.account is not None
    stop = _found(sim, req, by_client)
    if stop is None:
        return None
    try:
        return stop_book(sim.engine).cancel(req.account, stop.id)
    except EngineError:  # triggered (an ordinary order now) or canceled already
        return None


def cancel(sim: SimVenue, req: SimRequest) -> SimResponse:
    """DELETE /api/v1/stop-order/{orderId}: {cancelledOrderIds}."""
    stop = _cancel(sim, req, by_client=False)
    return fail(*MISSING) if stop is None else ok({"cancelledOrderIds": [stop.id]})


def cancel_by_client_oid(sim: SimVenue, req: SimRequest) -> SimResponse:
    """DELETE /api/v1/stop-order/cancelOrderByClientOid?symbol=&clientOid=."""
    stop = _cancel(sim, req, by_client=True)
    if stop is None:
        return fail(*MISSING)
    return ok({"cancelledOrderId": stop.id, "clientOid": stop.client_id})


def _market(sim: SimVenue, req: SimRequest) -> str | None:
    if req.query.get("tradeType", "TRADE") != "TRADE":
        raise EngineError("invalid", "only spot (TRADE) stop orders are served here")
    raw = req.query.get("symbol")
    return sim.unified_symbol(raw) if raw else None


def cancel_all(sim: SimVenue, req: SimRequest) -> SimResponse:
    """DELETE /api/v1/stop-order/cancel?symbol=&tradeType=&orderIds=: the waiting ones (of a
    market, or those named) canceled; {cancelledOrderIds}."""
    assert req.account is not None
    book, symbol = stop_book(sim.engine), _market(sim, req)
    named = {x for x in req.query.get("orderIds", "").split(",") if x}
    done = [book.cancel(req.account, s.id).id for s in book.waiting(req.account, symbol)
            if not named or s.id in named]
    return ok({"cancelledOrderIds": done})


def waiting(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/stop-order: pages of the waiting stop orders, newest first (currentPage
    from 1, pageSize 10 to 500)."""
    assert req.account is not None
    stops = stop_book(sim.engine).waiting(req.account, _market(sim, req))
    page = _int_param(req, "currentPage", 1, 1, 10**9)
    size = _int_param(req, "pageSize", 50, 10, 500)
    items = stops[(page - 1) * size:page * size]
    return ok({"currentPage": page, "pageSize": size, "totalNum": len(stops),
               "totalPage": max(1, -(-len(stops) // size)),
               "items": [_detail(sim, s) for s in items]})


HANDLERS: dict[str, Handler] = {
    "create_stop_order": place,
    "fetch_stop_order": get,
    "fetch_stop_order_by_client_id": get_by_client_oid,
    "cancel_stop_order": cancel,
    "cancel_stop_order_by_client_id": cancel_by_client_oid,
    "cancel_all_stop_orders": cancel_all,
    "iter_open_stop_orders": waiting,
}
