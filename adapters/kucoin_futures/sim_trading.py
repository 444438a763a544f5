"""The local KuCoin futures' orders and fills over the neutral derivatives book (amounts in
contracts, money in the settle currency; positions and the account: sim_account.py).

Wire facts (openapi-futures-order.json, -positions.json, openapi-account-account.json and
their examples): Add Order takes clientOid, side, symbol, type, leverage, size (whole lots),
price, timeInForce GTC | IOC, postOnly, reduceOnly, closeOrder (side, size and leverage may
then be left out: the whole position is closed); orders report status open | done; lists
page by currentPage / pageSize (newest first); the ledger pages by offset with hasMore.
"""

from __future__ import annotations

import re
import weakref
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.kucoin_futures.sim import (
    code_of,
    fail,
    ms_param,
    ns,
    ok,
    param,
    s,
    spec_of,
    unified_of,
    venue_id,
)
from unified.convert import to_ms as ms
from unified.models import OrderStatus, OrderType, Side, TimeInForce
from unified.sim.book import Engine, EngineError, SimOrder
from unified.sim.derivatives import DerivativesBook, derivatives_book
from unified.sim.positions import ContractFill
from unified.sim.records import ZERO
from unified.sim.server import Handler, SimRequest, SimResponse, SimVenue

CLIENT_OID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
PAGE_MAX = 1000
LONG_MAX = 2**63 - 1  # `size` is an integer field: beyond it the venue cannot read it
class State:
    """What the venue keeps beside the book: each order's closeOrder flag, auto-deposit
    switches, the bizNo of each margin deposit (so that none is applied twice)."""

    def __init__(self) -> None:
        self.close_orders: set[str] = set()
        self.auto_deposit: dict[tuple[str, str], bool] = {}
        self.deposits: set[tuple[str, str]] = set()


_STATES: weakref.WeakKeyDictionary[Engine, State] = weakref.WeakKeyDictionary()


def state_of(engine: Engine) -> State:
    return _STATES.setdefault(engine, State())


def book_of(sim: SimVenue) -> DerivativesBook:
    return derivatives_book(sim.engine)


def decimal_field(body: dict[str, Any], name: str) -> Decimal | None:
    raw = body.get(name)
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise EngineError("invalid", f"{name} is invalid")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise EngineError("invalid", f"{name} is invalid") from None
    if not value.is_finite():
        raise EngineError("invalid", f"{name} is invalid")
    return value


def flag(body: dict[str, Any], name: str) -> bool:
    raw = body.get(name, False)
    if not isinstance(raw, bool):
        raise EngineError("invalid", f"{name} must be true or false")
    return raw


def pages(req: SimRequest, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """currentPage / pageSize paging (1-based; pageSize default 50, at most 1000)."""
    page = int_param(req, "currentPage", 1, 1, 10**9)
    size = int_param(req, "pageSize", 50, 1, PAGE_MAX)
    total_pages = (len(rows) + size - 1) // size
    return {"currentPage": page, "pageSize": size, "totalNum": len(rows),
            "totalPage": total_pages, "items": rows[(page - 1) * size: page * size]}


def int_param(req: SimRequest, name: str, default: int, low: int, high: int) -> int:
    raw = req.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise EngineError("invalid", f"{name} should be between {low} and {high}")
    return int(raw)


# ---------------------------------------------------------------- orders


def order_json(sim: SimVenue, o: SimOrder) -> dict[str, Any]:
    book = book_of(sim)
    spec = spec_of(sim, o.symbol)
    meta = book.orders.get(o.id)
    filled_value = sum((f.value for f in book.contract_fills if f.order_id == o.id), ZERO)
    value = spec.value(o.amount, o.price) if o.price is not None and o.amount else ZERO
    done_at = ms(o.updated_at) if not o.is_open else None
    return {
        "id": o.id, "symbol": venue_id(o.symbol), "type": o.type.value, "side": o.side.value,
        "price": s(o.price) if o.price is not None else "0", "size": int(o.amount or 0),
        "value": s(value), "dealValue": s(filled_value), "dealSize": int(o.filled),
        "stp": "", "stop": "", "stopPriceType": "", "stopTriggered": False, "stopPrice": None,
        "timeInForce": o.time_in_force.value, "postOnly": o.post_only, "hidden": False,
        "iceberg": False, "leverage": s(meta.leverage) if meta else "1", "forceHold": False,
        "closeOrder": o.id in state_of(sim.engine).close_orders, "visibleSize": 0,
        "clientOid": o.client_id or "", "remark": None, "tags": "", "isActive": o.is_open,
        "cancelExist": o.status is OrderStatus.CANCELED, "createdAt": ms(o.created_at),
        "updatedAt": ms(o.updated_at), "endAt": done_at, "orderTime": ns(o.created_at),
        "settleCurrency": code_of(spec.settle), "marginMode": "ISOLATED",
        "avgDealPrice": s(o.filled_cost / o.filled) if o.filled else "0",
        "filledSize": int(o.filled), "filledValue": s(filled_value),
        "status": "open" if o.is_open else "done",
        "reduceOnly": bool(meta and meta.reduce_only),
    }


def _side(body: dict[str, Any]) -> Side:
    try:
        return Side(body.get("side"))
    except ValueError:
        raise EngineError("invalid", "side is invalid") from None


def _closing(engine: Engine, account: str, symbol: str, side: Side | None
             ) -> tuple[Side, Decimal]:
    """A closeOrder's side and size: the whole position, the other way."""
    position = derivatives_book(engine).position(account, symbol)
    if position is None:
        raise EngineError("nothing_to_close", "no open position to close")
    closing = Side.SELL if position.contracts > 0 else Side.BUY
    if side is not None and side is not closing:
        raise EngineError("invalid", "side does not close the position")
    return closing, position.size


def place_order(engine: Engine, account: str, body: Any, id: str | None = None) -> SimOrder:
    """One order from an Add Order body (a triggered stop order's body too, under its id)."""
    if not isinstance(body, dict):
        raise EngineError("invalid", "body must be an object")
    coid = body.get("clientOid")
    if not isinstance(coid, str) or not CLIENT_OID.match(coid):
        raise EngineError("invalid", "clientOid is invalid")
    symbol = unified_of(str(body.get("symbol")))
    try:
        kind = OrderType(body.get("type", "limit"))
        tif = TimeInForce(body.get("timeInForce") or "GTC")
    except ValueError:
        raise EngineError("invalid", "type or timeInForce is invalid") from None
    close, reduce_only = flag(body, "closeOrder"), flag(body, "reduceOnly")
    size = decimal_field(body, "size")
    if close:
        side, size = _closing(engine, account, symbol,
                              _side(body) if body.get("side") else None)
        reduce_only = True
    else:
        side = _side(body)
    if size is None or size <= 0 or size != size.to_integral_value():
        raise EngineError("invalid", "size must be a positive whole number of lots")
    if size > LONG_MAX:
        raise EngineError("invalid", "size is not a readable integer")
    if tif not in (TimeInForce.GTC, TimeInForce.IOC):
        raise EngineError("invalid", "timeInForce must be GTC or IOC")
    book = derivatives_book(engine)
    if reduce_only:
        position = book.position(account, symbol)
        if position is None or (position.contracts > 0) == (side is Side.BUY):
            raise EngineError("nothing_to_close", "no position that this order reduces")
    leverage = decimal_field(body, "leverage")
    if leverage is None and not reduce_only:
        raise EngineError("invalid", "leverage is required")
    order = book.place(
        account, symbol, side, kind, size,
        decimal_field(body, "price") if kind is OrderType.LIMIT else None,
        leverage=leverage, reduce_only=reduce_only, client_id=coid, time_in_force=tif,
        post_only=flag(body, "postOnly"), id=id)
    if close:
        state_of(engine).close_orders.add(order.id)
    return order


def place(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/v1/orders: an order, or a stop order when the body names `stop`."""
    from adapters.kucoin_futures import sim_stops

    assert req.account is not None
    body = req.json()
    if isinstance(body, dict) and body.get("stop"):
        return sim_stops.place(sim, req.account, body)
    order = place_order(sim.engine, req.account, body)
    return ok({"orderId": order.id, "clientOid": order.client_id or ""})


def _find(sim: SimVenue, account: str, ref: str, by_client: bool) -> SimOrder | None:
    engine = sim.engine
    try:
        return engine.get_by_client_id(account, ref) if by_client else engine.get(account, ref)
    except EngineError:
        return None


def _cancel(sim: SimVenue, account: str, ref: str, by_client: bool) -> None:
    """An order or a waiting stop order, by id or clientOid (one id space)."""
    from adapters.kucoin_futures import sim_stops

    order = _find(sim, account, ref, by_client)
    if order is None:
        sim_stops.cancel(sim, account, ref, by_client)
    else:
        book_of(sim).cancel(account, order.id)


def cancel(sim: SimVenue, req: SimRequest) -> SimResponse:
    """DELETE /api/v1/orders/{id}."""
    assert req.account is not None
    _cancel(sim, req.account, req.match["id"], by_client=False)
    return ok({"cancelledOrderIds": [req.match["id"]]})


def cancel_by_client_oid(sim: SimVenue, req: SimRequest) -> SimResponse:
    """DELETE /api/v1/orders/client-order/{clientOid}?symbol=."""
    assert req.account is not None
    unified_of(param(req, "symbol"))
    _cancel(sim, req.account, req.match["id"], by_client=True)
    return ok({"clientOid": req.match["id"]})


def cancel_all(sim: SimVenue, req: SimRequest) -> SimResponse:
    """DELETE /api/v3/orders[?symbol=]: every open ordinary order (stop orders: stopOrders)."""
    assert req.account is not None
    symbol = unified_of(req.query["symbol"]) if req.query.get("symbol") else None
    ids = []
    for o in sim.engine.open_orders(req.account, symbol):
        book_of(sim).cancel(req.account, o.id)
        ids.append(o.id)
    return ok({"cancelledOrderIds": ids})


def get_order(sim: SimVenue, req: SimRequest) -> SimResponse:
    return _lookup(sim, req, req.match["id"], by_client=False)


def get_order_by_client_oid(sim: SimVenue, req: SimRequest) -> SimResponse:
    return _lookup(sim, req, param(req, "clientOid"), by_client=True)


def _lookup(sim: SimVenue, req: SimRequest, ref: str, by_client: bool) -> SimResponse:
    from adapters.kucoin_futures import sim_stops

    assert req.account is not None
    order = _find(sim, req.account, ref, by_client)
    if order is not None:
        return ok(order_json(sim, order))
    stop = sim_stops.find(sim, req.account, ref, by_client)
    if stop is None and by_client:
        return ok(None)  # an unknown clientOid: data null
    if stop is None:
        return fail("100001", "error.getOrder.orderNotExist")
    return ok(sim_stops.stop_json(sim, stop))


def list_orders(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/orders?status=active|done[&symbol][&side][&type][&startAt][&endAt]."""
    assert req.account is not None
    status = req.query.get("status", "active")
    if status not in ("active", "done"):
        raise EngineError("invalid", "status must be active or done")
    symbol = unified_of(req.query["symbol"]) if req.query.get("symbol") else None
    engine = sim.engine
    rows = engine.open_orders(req.account, symbol) if status == "active" \
        else engine.closed_orders(req.account, symbol)
    start, end = ms_param(req, "startAt"), ms_param(req, "endAt")
    side, kind = req.query.get("side"), req.query.get("type")
    kept = [o for o in rows if (start is None or o.created_at >= start)
            and (end is None or o.created_at <= end)
            and (side is None or o.side.value == side) and (kind is None or o.type.value == kind)]
    kept.sort(key=lambda o: o.seq, reverse=True)
    return ok(pages(req, [order_json(sim, o) for o in kept]))


# ---------------------------------------------------------------- fills


def fill_json(sim: SimVenue, f: ContractFill) -> dict[str, Any]:
    spec = spec_of(sim, f.symbol)
    settle = code_of(spec.settle)
    open_fee = f.fee if f.opened else ZERO
    return {
        "symbol": venue_id(f.symbol), "tradeId": str(f.trade_id), "orderId": f.order_id,
        "side": f.side.value, "liquidity": f.liquidity.value, "forceTaker": False,
        "price": s(f.price), "size": int(f.contracts), "value": s(f.value),
        "openFeePay": s(open_fee), "closeFeePay": s(f.fee - open_fee), "stop": "",
        "feeRate": s(f.fee_rate), "fixFee": "0", "feeCurrency": settle, "subTradeType": None,
        "marginMode": "ISOLATED", "openFeeTaxPay": "0", "closeFeeTaxPay": "0",
        "displayType": sim.engine.orders[f.order_id].type.value, "fee": s(f.fee),
        "settleCurrency": settle, "orderType": sim.engine.orders[f.order_id].type.value,
        "tradeType": "trade", "tradeTime": ns(f.at), "createdAt": ms(f.at),
    }


def fills(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/fills[?orderId][&symbol][&startAt][&endAt]: newest first, paged."""
    assert req.account is not None
    symbol = unified_of(req.query["symbol"]) if req.query.get("symbol") else None
    start, end = ms_param(req, "startAt"), ms_param(req, "endAt")
    order_id = req.query.get("orderId")
    rows = [f for f in book_of(sim).fills(req.account, symbol)
            if (start is None or f.at >= start) and (end is None or f.at <= end)
            and (not order_id or f.order_id == order_id)]
    return ok(pages(req, [fill_json(sim, f) for f in rows]))


HANDLERS: dict[str, Handler] = {
    "create_order": place, "create_stop_order": place, "cancel_order": cancel,
    "cancel_order_by_client_id": cancel_by_client_oid, "cancel_all_orders": cancel_all,
    "fetch_order": get_order, "fetch_order_by_client_id": get_order_by_client_oid,
    "fetch_open_orders": list_orders, "iter_closed_orders": list_orders,
    "iter_my_trades": fills,
}
