"""The local KuCoin futures' stop orders: Add Order with `stop` up | down, `stopPrice` and
`stopPriceType` TP | MP | IP (the last trade, the mark or the index price reaching it).

A stop order waits outside the book, holding nothing (its margin is held once it is placed),
listed by GET /api/v1/stopOrders and found by the ordinary lookups and cancels (one id
space). At each due run (before and after every request) a waiting stop whose price source
has reached its stop price is placed as the ordinary order of its body, under its own id; if
the book refuses it then (margin, nothing left to reduce), it ends canceled.
"""

from __future__ import annotations

import weakref
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from adapters.kucoin_futures.sim import ok, param, s, unified_of, venue_id
from adapters.kucoin_futures.sim_trading import (
    CLIENT_OID,
    book_of,
    decimal_field,
    pages,
    place_order,
)
from unified.convert import to_ms as ms
from unified.sim.book import Engine, EngineError
from unified.sim.derivatives import derivatives_book
from unified.sim.server import Handler, SimRequest, SimResponse, SimVenue
from unified.sim.triggers import due_work

WAITING, TRIGGERED, CANCELED = "waiting", "triggered", "canceled"
PRICE_TYPES = ("TP", "MP", "IP")


@attrs.define
class FuturesStop:
    id: str
    account: str
    symbol: str
    body: dict[str, Any]  # the Add Order body, placed as it is at the trigger
    up: bool
    stop_price: Decimal
    price_type: str
    created_at: datetime
    tape_mark: int
    status: str = WAITING

    def reached(self, price: Decimal) -> bool:
        return price >= self.stop_price if self.up else price <= self.stop_price


class Stops:
    def __init__(self, engine: Engine) -> None:
        self.by_id: dict[str, FuturesStop] = {}
        due_work(engine).add("futures_stops", _due)


_STOPS: weakref.WeakKeyDictionary[Engine, Stops] = weakref.WeakKeyDictionary()


def stops_of(engine: Engine) -> Stops:
    found = _STOPS.get(engine)
    if found is None:
        found = _STOPS[engine] = Stops(engine)
    return found


def place(sim: SimVenue, account: str, body: dict[str, Any]) -> SimResponse:
    engine = sim.engine
    if body.get("stop") not in ("up", "down"):
        raise EngineError("invalid", "stop must be up or down")
    price_type = body.get("stopPriceType") or "TP"
    if price_type not in PRICE_TYPES:
        raise EngineError("invalid", "stopPriceType must be TP, MP or IP")
    symbol = unified_of(str(body.get("symbol")))
    stop_price = decimal_field(body, "stopPrice")
    step = book_of(sim).spec(symbol).price_increment
    if stop_price is None or stop_price <= 0 or stop_price % step:
        raise EngineError("invalid", f"stopPrice must be a positive multiple of {step}")
    coid = body.get("clientOid")
    if not isinstance(coid, str) or not CLIENT_OID.match(coid):
        raise EngineError("invalid", "clientOid is invalid")
    if (account, coid) in engine.by_client_id or find(sim, account, coid, True) is not None:
        raise EngineError("duplicate_client_id", f"clientOid {coid} already used")
    stop = FuturesStop(engine.order_id(next(engine._seq)), account, symbol, dict(body),
                       body["stop"] == "up", stop_price, price_type, engine.clock.now(),
                       len(engine.trades[symbol]))
    stops_of(engine).by_id[stop.id] = stop
    return ok({"orderId": stop.id, "clientOid": coid})


def find(sim: SimVenue, account: str, ref: str, by_client: bool) -> FuturesStop | None:
    for stop in stops_of(sim.engine).by_id.values():
        if stop.account == account and stop.status != TRIGGERED and (
                stop.body.get("clientOid") == ref if by_client else stop.id == ref):
            return stop
    return None


def cancel(sim: SimVenue, account: str, ref: str, by_client: bool) -> FuturesStop:
    stop = find(sim, account, ref, by_client)
    if stop is None or stop.status != WAITING:
        raise EngineError("not_found", f"order {ref} does not exist")
    stop.status = CANCELED
    return stop


def stop_json(sim: SimVenue, stop: FuturesStop) -> dict[str, Any]:
    body = stop.body
    waiting = stop.status == WAITING
    return {
        "id": stop.id, "symbol": venue_id(stop.symbol), "type": body.get("type", "limit"),
        "side": body.get("side"), "price": str(body.get("price") or "0"),
        "size": int(decimal_field(body, "size") or 0), "value": "0", "dealValue": "0",
        "dealSize": 0, "stp": "", "stop": body["stop"], "stopPriceType": stop.price_type,
        "stopTriggered": False, "stopPrice": s(stop.stop_price),
        "timeInForce": body.get("timeInForce") or "GTC",
        "postOnly": bool(body.get("postOnly")), "hidden": False, "iceberg": False,
        "leverage": str(body.get("leverage") or "1"), "forceHold": False,
        "closeOrder": bool(body.get("closeOrder")), "visibleSize": 0,
        "clientOid": body.get("clientOid") or "", "remark": None, "tags": "",
        "isActive": waiting, "cancelExist": stop.status == CANCELED,
        "createdAt": ms(stop.created_at), "updatedAt": ms(stop.created_at), "endAt": None,
        "orderTime": ms(stop.created_at) * 1_000_000, "settleCurrency": "",
        "marginMode": "ISOLATED", "avgDealPrice": "0", "filledSize": 0, "filledValue": "0",
        "status": "open" if waiting else "done", "reduceOnly": bool(body.get("reduceOnly")),
    }


def list_stops(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/stopOrders[?symbol=]: the waiting stop orders, newest first, paged."""
    assert req.account is not None
    symbol = unified_of(req.query["symbol"]) if req.query.get("symbol") else None
    rows = [x for x in reversed(stops_of(sim.engine).by_id.values())
            if x.account == req.account and x.status == WAITING
            and (symbol is None or x.symbol == symbol)]
    return ok(pages(req, [stop_json(sim, x) for x in rows]))


def cancel_stops(sim: SimVenue, req: SimRequest) -> SimResponse:
    """DELETE /api/v1/stopOrders[?symbol=]: every waiting stop order (of the contract)."""
    assert req.account is not None
    symbol = unified_of(param(req, "symbol")) if req.query.get("symbol") else None
    ids = []
    for stop in stops_of(sim.engine).by_id.values():
        if stop.account == req.account and stop.status == WAITING \
                and (symbol is None or stop.symbol == symbol):
            stop.status = CANCELED
            ids.append(stop.id)
    return ok({"cancelledOrderIds": ids})


# ---------------------------------------------------------------- due work


def _price_reached(engine: Engine, stop: FuturesStop) -> bool:
    book = derivatives_book(engine)
    if stop.price_type == "MP":
        return stop.reached(book.mark(stop.symbol))
    if stop.price_type == "IP":
        return stop.reached(book.index(stop.symbol))
    tape = engine.trades[stop.symbol]
    hit = any(stop.reached(t.price) for t in tape[stop.tape_mark:])
    stop.tape_mark = len(tape)
    return hit


def _due(engine: Engine) -> bool:
    stops = _STOPS.get(engine)
    if stops is None:
        return False
    changed = False
    for stop in list(stops.by_id.values()):
        if stop.status != WAITING or not _price_reached(engine, stop):
            continue
        changed = True
        body = {k: v for k, v in stop.body.items()
                if k not in ("stop", "stopPrice", "stopPriceType")}
        try:
            place_order(engine, stop.account, body, id=stop.id)
        except EngineError:  # refused now (margin, nothing left to reduce): it ends here
            stop.status = CANCELED
            continue
        stop.status = TRIGGERED
    return changed


HANDLERS: dict[str, Handler] = {
    "iter_open_stop_orders": list_stops, "cancel_all_stop_orders": cancel_stops,
}
