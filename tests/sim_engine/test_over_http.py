"""The venue's due work through a running local KuCoin over real HTTP: the client and the venue
share one manual clock, so moving it fires the dead-man switch at the venue's next request; a
counterparty's trade through an OCO stop fires it before the counterparty's answer is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import aiohttp

import unified
from unified import Credentials, OrderStatus, OrderType, Side
from unified.client import Exchange
from unified.sim.oco import oco_book
from unified.sim.server import fund_user

from ..conftest import run
from ..contract.harness import Session, session
from ..contract.test_faults import manual_time
from ..sim_ws.helpers import kucoin_headers

D = Decimal
SYMBOL = "BTC/USDT"


@asynccontextmanager
async def venue() -> AsyncIterator[tuple[Session, Any]]:
    time = manual_time()
    async with session("kucoin", venue_clock=time["clock"], **time) as s:
        yield s, time["clock"]


@asynccontextmanager
async def counterparty(s: Session, clock: Any) -> AsyncIterator[Exchange]:
    """Another account at the same venue, funded, with its own key."""
    other = Credentials("sim-kucoin-key-2", "sim-kucoin-secret-2", "sim-passphrase")
    s.sim.keys[other.api_key] = other
    s.sim.accounts[other.api_key] = "other"
    fund_user(s.sim.engine, "other")
    async with unified.connect("kucoin", credentials=other, base_url=s.sim.base_url,
                               clock=clock) as ex:
        await ex.load_markets()
        yield ex


async def signed(s: Session, method: str, path: str) -> Any:
    async with aiohttp.ClientSession() as http, http.request(
            method, s.sim.base_url + path, headers=kucoin_headers(s.sim, method, path)) as r:
        return await r.json()


def test_the_dead_man_switch_fires_once_the_clock_passes_it() -> None:
    async def scenario() -> None:
        async with venue() as (s, clock):
            ex = s.ex
            bids = [await ex.create_order(SYMBOL, OrderType.LIMIT, Side.BUY, D("0.001"),
                                          D(price)) for price in ("20000", "21000")]
            eth = await ex.create_order("ETH/USDT", OrderType.LIMIT, Side.BUY, D("0.01"),
                                        D("1000"))
            start = clock.now()
            fires = await ex.cancel_all_orders_after(10, [SYMBOL])
            assert fires == datetime.fromtimestamp(int(start.timestamp()) + 10, UTC)
            clock.advance(9.9)
            assert len(await ex.fetch_open_orders(SYMBOL)) == 2
            clock.advance(0.1)
            assert await ex.fetch_open_orders(SYMBOL) == []
            assert [o.id for o in await ex.fetch_open_orders("ETH/USDT")] == [eth.id]
            for bid in bids:
                assert (await ex.fetch_order(bid.id, SYMBOL)).status is OrderStatus.CANCELED
            assert await ex.fetch_cancel_all_orders_after() is None  # unset once fired
            usdt = (await ex.fetch_balance())["USDT"]
            assert usdt.held == s.sim.engine.orders[eth.id].held
    run(scenario())


def test_get_dcp_and_a_partial_cancel_over_signed_requests() -> None:
    async def scenario() -> None:
        async with venue() as (s, clock):
            now = int(clock.now().timestamp())
            base = "/api/v1/hf/orders/dead-cancel-all"
            assert await signed(s, "GET", base + "/query") == {"code": "200000", "data": {}}
            await s.ex.cancel_all_orders_after(30)
            assert await signed(s, "GET", base + "/query") == {"code": "200000", "data": {
                "timeout": 30, "symbols": "", "currentTime": now, "triggerTime": now + 30}}
            order = await s.ex.create_order(SYMBOL, OrderType.LIMIT, Side.BUY, D("0.003"),
                                            D("20000"))
            path = f"/api/v1/hf/orders/cancel/{order.id}?symbol=BTC-USDT"
            assert await signed(s, "DELETE", path + "&cancelSize=0.001") == {
                "code": "200000", "data": {"orderId": order.id, "cancelSize": "0.001"}}
            shown = await s.ex.fetch_order(order.id, SYMBOL)
            assert (shown.id, shown.amount, shown.status) == (order.id, D("0.002"),
                                                              OrderStatus.OPEN)
            refused = await signed(s, "DELETE", path + "&cancelSize=0.0025")
            assert refused["code"] == "400100" and refused["msg"] != \
                "order_not_exist_or_not_allow_to_cancel"
            assert await signed(s, "DELETE", path.replace(order.id, "nope") + "&cancelSize=1") \
                == {"code": "400100", "msg": "order_not_exist_or_not_allow_to_cancel"}
    run(scenario())


def test_a_trade_through_the_stop_fires_the_oco_pair() -> None:
    async def scenario() -> None:
        async with venue() as (s, clock), counterparty(s, clock) as other:
            bid = s.sim.engine.depth(SYMBOL, 1)[0][0][0]  # the seeded book's best bid
            # take profit at 33000; once the best bid trades, sell at 30000 (inside the spread)
            pair = await s.ex.create_oco_order(SYMBOL, Side.SELL, D("0.001"), D("33000"),
                                               bid, D("30000"))
            take_profit = pair.legs[0]
            assert [o.id for o in await s.ex.fetch_open_orders(SYMBOL)] == [take_profit.id]
            await other.create_order(SYMBOL, OrderType.MARKET, Side.SELL, D("0.001"))
            # fired before that request's answer was sent, not at the next request
            assert oco_book(s.sim.engine).get("user", pair.id).status == "TRIGGERED"
            fired = await s.ex.fetch_oco_order(pair.id, SYMBOL)
            assert fired.status is OrderStatus.OPEN and fired.raw["status"] == "TRIGGERED"
            assert [leg.id for leg in fired.legs] == [leg.id for leg in pair.legs]
            assert fired.legs[0].status is OrderStatus.CANCELED
            assert fired.fired is fired.legs[1] and fired.legs[1].raw["triggered"]
            resting = await s.ex.fetch_open_orders(SYMBOL)
            assert [(o.side, o.price, o.amount) for o in resting] == [
                (Side.SELL, D("30000"), D("0.001"))]
            assert (await s.ex.fetch_order(take_profit.id, SYMBOL)).status \
                is OrderStatus.CANCELED
            await other.create_order(SYMBOL, OrderType.MARKET, Side.BUY, D("0.001"))
            done = await s.ex.fetch_oco_order(pair.id, SYMBOL)
            assert done.status is OrderStatus.FILLED
            assert [leg.status for leg in done.legs] == [OrderStatus.CANCELED,
                                                         OrderStatus.FILLED]
            assert done.fired is done.legs[1]
            assert await s.ex.fetch_open_orders(SYMBOL) == []
    run(scenario())


def test_cancelling_a_triggered_oco_pair_cancels_the_order_it_placed() -> None:
    async def scenario() -> None:
        async with venue() as (s, clock), counterparty(s, clock) as other:
            bid = s.sim.engine.depth(SYMBOL, 1)[0][0][0]
            pair = await s.ex.create_oco_order(SYMBOL, Side.SELL, D("0.001"), D("33000"),
                                               bid, D("30000"))
            await other.create_order(SYMBOL, OrderType.MARKET, Side.SELL, D("0.001"))
            canceled = await s.ex.cancel_oco_order(pair.id, SYMBOL)
            assert canceled.status is OrderStatus.CANCELED
            assert [leg.status for leg in canceled.legs] == [OrderStatus.CANCELED] * 2
            assert await s.ex.fetch_open_orders(SYMBOL) == []
            assert (await s.ex.fetch_balance())["BTC"].held == 0
    run(scenario())


def test_a_filled_take_profit_leg_ends_the_oco_pair() -> None:
    async def scenario() -> None:
        async with venue() as (s, clock), counterparty(s, clock) as other:
            ask = s.sim.engine.depth(SYMBOL, 1)[1][0][0]
            pair = await s.ex.create_oco_order(SYMBOL, Side.SELL, D("0.001"), ask - 1,
                                               D("20000"), D("19000"))  # the best ask now
            await other.create_order(SYMBOL, OrderType.MARKET, Side.BUY, D("0.001"))
            done = await s.ex.fetch_oco_order(pair.id, SYMBOL)
            assert done.status is OrderStatus.FILLED
            assert [leg.status for leg in done.legs] == [OrderStatus.FILLED,
                                                         OrderStatus.CANCELED]
            assert done.fired is done.legs[0]
    run(scenario())
