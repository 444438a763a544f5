"""The venue's due work around a WebSocket order request (sim.order_api), as around a REST one:
a dead-man switch that has come due fires before the request acts, and a stop that the
request's trade reaches fires before its answer is sent."""

from __future__ import annotations

from decimal import Decimal

from unified.models import OrderStatus, OrderType, Side
from unified.sim import triggers
from unified.sim.oco import TRIGGERED, oco_book
from unified.sim.server import USER

from ..conftest import run
from ..sim_ws.test_kucoin_order_api import ask, limit, session, still

D = Decimal


def test_a_due_switch_fires_before_a_websocket_order() -> None:
    async def go() -> None:
        async with still() as (sim, clock, http), session(sim, http) as ws:
            old = sim.engine.place(USER, "BTC/USDT", Side.BUY, OrderType.LIMIT,
                                   amount=D("0.01"), price=D("20000"))
            triggers.arm(sim.engine, USER, 5, ("BTC/USDT",))
            clock.advance(5)
            answer = await ask(ws, "spot.order", limit(price="21000", coid="after"))
            assert answer["code"] == "200000"
            assert old.status is OrderStatus.CANCELED  # fired first
            assert sim.engine.orders[answer["data"]["orderId"]].is_open  # placed after it
    run(go())


def test_a_websocket_trade_through_a_stop_fires_it_before_the_answer() -> None:
    async def go() -> None:
        async with still() as (sim, _, http), session(sim, http) as ws:
            bid = sim.engine.depth("BTC/USDT", 1)[0][0][0]
            pair = oco_book(sim.engine).place(
                USER, "BTC/USDT", Side.SELL, price=D("33000"), size=D("0.001"),
                stop_price=bid, limit_price=D("30000"), client_id="ws-oco")
            answer = await ask(ws, "spot.order", {
                "clientOid": "hit", "side": "sell", "symbol": "BTC-USDT", "type": "market",
                "size": "0.001"})
            assert answer["code"] == "200000"
            assert pair.status == TRIGGERED  # nothing else ran since the answer
    run(go())
