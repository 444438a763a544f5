"""The local KuCoin's margin HF orders (/api/v3/hf/margin/...), REST: the margin system,
apart from spot (a spot lookup does not know a margin order, nor the reverse).

As the WebSocket side (adapters/kucoin/sim_wsapi.py, margin.order), the local venue lends
nothing: a margin order is placed against the trade account with the spot order's checks
(isIsolated, autoBorrow, autoRepay must be booleans), nothing is borrowed (borrowSize "0",
loanApplyId ""), and it shows tradeType MARGIN_TRADE or MARGIN_ISOLATED_TRADE. Answers are
the spot HF endpoints' shapes (the margin examples under kucoin-openapi/examples/ show the
same fields); the open list and the cancel-all take symbol and tradeType.
"""

from __future__ import annotations

from adapters.kucoin import sim as rest
from adapters.kucoin import sim_orders
from unified.sim.book import EngineError, SimOrder
from unified.sim.server import Handler, SimRequest, SimResponse, SimVenue


def place(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/v3/hf/margin/order: {orderId, clientOid, borrowSize, loanApplyId}."""
    assert req.account is not None
    body = req.json()
    if not isinstance(body, dict):
        raise EngineError("invalid", "body must be an object")
    isolated = sim_orders.flag(body, "isIsolated")
    sim_orders.flag(body, "autoBorrow")
    sim_orders.flag(body, "autoRepay")
    order = rest.place_order(sim, req.account, body,
                             tradeType=sim_orders.MARGIN[1 if isolated else 0])
    return rest.ok({"orderId": order.id, "clientOid": order.client_id or "",
                    "borrowSize": "0", "loanApplyId": ""})


def get(sim: SimVenue, req: SimRequest) -> SimResponse:
    return rest.ok(rest._order(sim, rest._lookup(sim, req, by_client=False, margin=True)))


def get_by_client_oid(sim: SimVenue, req: SimRequest) -> SimResponse:
    return rest.ok(rest._order(sim, rest._lookup(sim, req, by_client=True, margin=True)))


def cancel(sim: SimVenue, req: SimRequest) -> SimResponse:
    """DELETE /api/v3/hf/margin/orders/{orderId}?symbol=: {orderId}."""
    return rest._cancel(sim, req, by_client=False, margin=True)


def cancel_by_client_oid(sim: SimVenue, req: SimRequest) -> SimResponse:
    """DELETE /api/v3/hf/margin/orders/client-order/{clientOid}?symbol=: {clientOid}."""
    return rest._cancel(sim, req, by_client=True, margin=True)


def _mode_open(sim: SimVenue, req: SimRequest) -> list[SimOrder]:
    """The open margin orders of the symbol and tradeType asked (both required)."""
    assert req.account is not None
    symbol = sim.unified_symbol(rest._param(req, "symbol"))
    trade_type = rest._param(req, "tradeType")
    if trade_type not in sim_orders.MARGIN:
        raise EngineError("invalid", "tradeType must be MARGIN_TRADE or MARGIN_ISOLATED_TRADE")
    return [o for o in sim.engine.open_orders(req.account, symbol)
            if sim_orders.shown(sim.engine, o.id)["tradeType"] == trade_type]


def active(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v3/hf/margin/orders/active?symbol=&tradeType=: a plain list."""
    return rest.ok([rest._order(sim, o) for o in _mode_open(sim, req)])


def cancel_all(sim: SimVenue, req: SimRequest) -> SimResponse:
    """DELETE /api/v3/hf/margin/orders?symbol=&tradeType=: "success"."""
    assert req.account is not None
    for o in _mode_open(sim, req):
        sim.engine.cancel(req.account, o.id)
    return rest.ok("success")


HANDLERS: dict[str, Handler] = {
    "create_margin_order": place,
    "fetch_margin_order": get,
    "fetch_margin_order_by_client_id": get_by_client_oid,
    "cancel_margin_order": cancel,
    "cancel_margin_order_by_client_id": cancel_by_client_oid,
    "cancel_all_margin_orders": cancel_all,
    "iter_open_margin_orders": active,
}
