"""The local KuCoin's more order operations (DESIGN 3d): test creates, alter, the dead-man
switch (Set / Get DCP), partial cancel and OCO pairs, answered with adapters/kucoin/sim.py's
helpers over the engine and its side books (unified.sim.order_ops, unified.sim.oco,
unified.sim.triggers)."""

from __future__ import annotations

from typing import Any

from adapters.kucoin import sim_orders
from adapters.kucoin.sim import CLIENT_OID, _create_fields, _int_param, _lookup, fail, ok, s
from adapters.kucoin.sim_orders import decimal_field as _decimal_field
from unified.convert import to_ms as ms
from unified.models import OrderType, Side
from unified.sim import order_ops as ops
from unified.sim import triggers
from unified.sim.book import EngineError
from unified.sim.server import Handler, SimRequest, SimResponse, SimVenue


def place_test(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/v1/hf/orders/test: checked like a create, never matched nor queryable; the
    answer of the plain create ({orderId, clientOid})."""
    assert req.account is not None
    body = req.json()
    coid, side, kind, _, symbol, _, _ = _create_fields(sim, body)
    order_id = ops.dry_run(
        sim.engine, req.account, symbol, side, kind,
        amount=_decimal_field(body, "size"), price=_decimal_field(body, "price"),
        cost=_decimal_field(body, "funds"), client_id=coid)
    return ok({"orderId": order_id, "clientOid": coid or ""})


def alter(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/v1/hf/orders/alter: cancel + a new order; {newOrderId, clientOid}."""
    assert req.account is not None
    body = req.json()
    if not isinstance(body, dict) or not body.get("symbol"):
        raise EngineError("invalid", "symbol is required")
    price, size = _decimal_field(body, "newPrice"), _decimal_field(body, "newSize")
    if price is None and size is None:
        raise EngineError("invalid", "newPrice or newSize is required")
    try:
        old = (sim.engine.get(req.account, str(body["orderId"])) if body.get("orderId")
               else sim.engine.get_by_client_id(req.account, str(body.get("clientOid"))))
        new = ops.replace(sim.engine, req.account, old.id, price, size)
        sim_orders.keep(sim.engine, new.id, sim_orders.shown(sim.engine, old.id))
    except EngineError as error:
        if error.kind in ("not_found", "not_cancelable"):
            return fail("400100", "order_not_exist_or_not_allow_to_cancel")
        raise
    return ok({"newOrderId": new.id, "clientOid": old.client_id or ""})


def dead_cancel(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/v1/hf/orders/dead-cancel-all: timeout -1 or 5..86400 s; up to 50 symbols
    (venue symbols, comma separated; none: every pair). The account's switch (one: the last
    setting wins, re-armed from now; -1 clears it), fired by the venue's due work
    (unified.sim.triggers) once its clock reaches triggerTime."""
    assert req.account is not None
    body = req.json()
    timeout = body.get("timeout") if isinstance(body, dict) else None
    if isinstance(timeout, bool) or not isinstance(timeout, int) or not (
            timeout == -1 or 5 <= timeout <= 86400):
        raise EngineError("invalid", "timeout must be -1 or between 5 and 86400")
    names = [x for x in str(body.get("symbols") or "").split(",") if x]
    if len(names) > 50:
        raise EngineError("invalid", "symbols supports up to 50 trading pairs")
    wanted = tuple(sim.unified_symbol(name) for name in names)
    if timeout == -1:
        triggers.disarm(sim.engine, req.account)
        return ok({})
    switch = triggers.arm(sim.engine, req.account, timeout, wanted)
    return ok({"currentTime": int(sim.now().timestamp()),
               "triggerTime": int((switch.fires_at + sim.skew).timestamp())})


def dead_cancel_query(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/hf/orders/dead-cancel-all/query: the account's switch; data {} when it is
    not set ("If the data is empty, it means that DCP is not set"), as after it fired."""
    assert req.account is not None
    switch = triggers.switch_of(sim.engine, req.account)
    if switch is None:
        return ok({})
    return ok({"timeout": switch.timeout,
               "symbols": ",".join(sim.venue_symbol(x) for x in switch.symbols),
               "currentTime": int(sim.now().timestamp()),
               "triggerTime": int((switch.fires_at + sim.skew).timestamp())})


def cancel_partial(sim: SimVenue, req: SimRequest) -> SimResponse:
    """DELETE /api/v1/hf/orders/cancel/{orderId}?symbol=&cancelSize=: the open order's size
    reduced by cancelSize in place ("will not change the queue order"; what it no longer needs
    held is released); cancelSize equal to all that is unfilled cancels the order. A positive
    size on the amount step below that, else the invalid-parameter error (400100)."""
    assert req.account is not None
    try:
        order = _lookup(sim, req, by_client=False)
        if not order.is_open or order.type is not OrderType.LIMIT:
            raise EngineError("not_cancelable", f"order {order.id} cannot be modified")
    except EngineError as error:
        if error.kind in ("not_found", "not_cancelable"):
            return fail("400100", "order_not_exist_or_not_allow_to_cancel")
        raise
    size = _decimal_field(dict(req.query), "cancelSize")
    step = sim.engine.market(order.symbol).amount_increment
    if size is None or size <= 0 or size % step != 0 or size > order.remaining:
        raise EngineError("invalid", "cancelSize must be positive, a multiple of "
                                     f"{s(step)} and at most the order's remaining size")
    if size == order.remaining:
        sim.engine.cancel(req.account, order.id)
    else:
        assert order.amount is not None  # a limit order
        ops.amend(sim.engine, req.account, order.id, order.amount - size)
    return ok({"orderId": order.id, "cancelSize": s(size)})


def _oco(sim: SimVenue, p: ops.SimOco, legs: bool) -> dict[str, Any]:
    """A pair; with legs, as the details answer lists them (see unified.sim.oco): leg 0 the
    limit order at price (stopPrice = price, as KuCoin shows it) and its amount, leg 1 the
    stop at stopPrice for limitPrice, sized for what the limit leg left unfilled."""
    out: dict[str, Any] = {"orderId": p.id, "symbol": sim.venue_symbol(p.symbol),
                           "clientOid": p.client_id, "orderTime": ms(p.created_at),
                           "status": p.status}
    if legs:
        book = ops.oco_book(sim.engine)
        out["orders"] = [
            {"id": p.leg_ids[0], "symbol": out["symbol"], "side": p.side.value,
             "price": s(p.price), "stopPrice": s(p.price), "size": s(book.limit_leg(p).amount),
             "status": p.leg_status[0]},
            {"id": p.leg_ids[1], "symbol": out["symbol"], "side": p.side.value,
             "price": s(p.limit_price), "stopPrice": s(p.stop_price), "size": s(book.stop_size(p)),
             "status": p.leg_status[1]},
        ]
    return out


def oco_place(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/v3/oco/order: clientOid, side, symbol, price, size, stopPrice, limitPrice
    all required; {orderId}. The limit leg is placed (it holds funds), the stop leg armed."""
    assert req.account is not None
    body = req.json()
    if not isinstance(body, dict):
        raise EngineError("invalid", "body must be an object")
    coid = body.get("clientOid")
    if not isinstance(coid, str) or not CLIENT_OID.match(coid):
        raise EngineError("invalid", "clientOid is invalid")
    try:
        side = Side(body.get("side"))
    except ValueError:
        raise EngineError("invalid", "side is invalid") from None
    fields = {name: _decimal_field(body, wire) for name, wire in (
        ("price", "price"), ("size", "size"), ("stop_price", "stopPrice"),
        ("limit_price", "limitPrice"))}
    if any(v is None for v in fields.values()):
        raise EngineError("invalid", "price, size, stopPrice and limitPrice are required")
    pair = ops.oco_book(sim.engine).place(
        req.account, sim.unified_symbol(str(body.get("symbol"))), side, client_id=coid,
        **{k: v for k, v in fields.items() if v is not None})
    return ok({"orderId": pair.id})


def _oco_missing(error: EngineError) -> SimResponse:
    if error.kind in ("not_found", "not_cancelable"):
        return fail("400100", "order_not_exist_or_not_allow_to_cancel")
    raise error


def _oco_cancel(sim: SimVenue, req: SimRequest, by_client: bool) -> SimResponse:
    assert req.account is not None
    try:
        _, canceled = ops.oco_book(sim.engine).cancel(req.account, req.match["id"], by_client)
    except EngineError as error:
        return _oco_missing(error)
    return ok({"cancelledOrderIds": canceled})


def oco_cancel(sim: SimVenue, req: SimRequest) -> SimResponse:
    """DELETE /api/v3/oco/order/{orderId}: {cancelledOrderIds}: the legs it canceled (both
    while the pair is NEW; the stop leg, whose order it cancels, once TRIGGERED)."""
    return _oco_cancel(sim, req, by_client=False)


def oco_cancel_by_client_oid(sim: SimVenue, req: SimRequest) -> SimResponse:
    """DELETE /api/v3/oco/client-order/{clientOid}: as the cancel by id."""
    return _oco_cancel(sim, req, by_client=True)


def oco_details(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v3/oco/order/details/{orderId}: the pair and its legs."""
    assert req.account is not None
    try:
        return ok(_oco(sim, ops.oco_book(sim.engine).get(req.account, req.match["id"]), True))
    except EngineError as error:
        return _oco_missing(error)


def oco_by_client_oid(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v3/oco/client-order/{clientOid}: the pair, no legs."""
    assert req.account is not None
    try:
        pair = ops.oco_book(sim.engine).get(req.account, req.match["id"], by_client=True)
    except EngineError as error:
        return _oco_missing(error)
    return ok(_oco(sim, pair, False))


def oco_list(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v3/oco/orders: pages of pairs (currentPage from 1, pageSize 10 to 500)."""
    assert req.account is not None
    raw = req.query.get("symbol")
    symbol = sim.unified_symbol(raw) if raw else None
    page = _int_param(req, "currentPage", 1, 1, 10**9)
    size = _int_param(req, "pageSize", 50, 10, 500)
    pairs = ops.oco_book(sim.engine).listed(req.account, symbol)
    total_pages = max(1, -(-len(pairs) // size))
    items = pairs[(page - 1) * size:page * size]
    return ok({"currentPage": page, "pageSize": size, "totalNum": len(pairs),
               "totalPage": total_pages, "items": [_oco(sim, p, False) for p in items]})



HANDLERS: dict[str, Handler] = {
    "edit_order": alter,
    "cancel_all_orders_after": dead_cancel,
    "fetch_cancel_all_orders_after": dead_cancel_query,
    "cancel_order_partial": cancel_partial,
    "create_order_test": place_test,
    "create_oco_order": oco_place,
    "cancel_oco_order": oco_cancel,
    "cancel_oco_order_by_client_id": oco_cancel_by_client_oid,
    "fetch_oco_order": oco_details,
    "fetch_oco_order_by_client_id": oco_by_client_oid,
    "fetch_oco_orders": oco_list,
}
