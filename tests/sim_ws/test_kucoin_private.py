"""The local KuCoin's private pushes on a private token: /spotMarket/tradeOrdersV2 (every
change of the account's orders, with the documented type and status of each) and
/account/balance (every change of its wallets, after the change)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from unified import OrderType, Side, TimeInForce
from unified.sim import order_ops
from unified.sim.book import HOUSE_ACCOUNT
from unified.sim.server import USER

from ..conftest import run
from .helpers import before_pong, kucoin_ws, subscribe, venue

SYMBOL, CODE = "BTC/USDT", "BTC-USDT"
ORDERS, BALANCE = "/spotMarket/tradeOrdersV2", "/account/balance"
D = Decimal


def kinds(frames: list[Any]) -> list[tuple[str, str]]:
    assert all(f["subject"] == "orderChange" and f["topic"] == ORDERS for f in frames)
    assert all(f["channelType"] == "private" and f["userId"] for f in frames)
    return [(f["data"]["type"], f["data"]["status"]) for f in frames]


def test_a_resting_order_then_filled_by_another_account() -> None:
    async def go() -> None:
        async with venue("kucoin") as (sim, http, ex), kucoin_ws(sim, http, private=True) as ws:
            await subscribe(ws, ORDERS, private=True)
            # between the house's best bid and ask: the best bid
            order = await ex.create_order(SYMBOL, OrderType.LIMIT, Side.BUY, D("0.5"),
                                          D("30000"), client_order_id="mine1")
            placed = await before_pong(ws)
            assert kinds(placed) == [("received", "new"), ("open", "open")]
            received, opened = (f["data"] for f in placed)
            assert received["orderId"] == order.id and received["clientOid"] == "mine1"
            assert (received["orderType"], received["side"], received["symbol"]) == (
                "limit", "buy", CODE)
            assert (D(received["originSize"]), D(received["price"])) == (D("0.5"), D("30000"))
            assert (D(opened["size"]), D(opened["remainSize"]), D(opened["filledSize"]),
                    D(opened["canceledSize"])) == (D("0.5"), D("0.5"), 0, 0)
            assert isinstance(opened["orderTime"], int) and isinstance(opened["ts"], int)
            for size in ("0.2", "0.3"):
                sim.engine.place(HOUSE_ACCOUNT, SYMBOL, Side.SELL, OrderType.LIMIT,
                                 amount=D(size), price=D("30000"),
                                 time_in_force=TimeInForce.IOC)
            filled = await before_pong(ws)
            assert kinds(filled) == [("match", "open"), ("match", "open"), ("filled", "done")]
            first, second, done = (f["data"] for f in filled)
            fills = sim.engine.account_fills(USER, SYMBOL)
            assert (first["tradeId"], second["tradeId"]) == (str(fills[1].trade_id),
                                                             str(fills[0].trade_id))
            assert (D(first["matchSize"]), D(first["matchPrice"])) == (D("0.2"), D("30000"))
            assert (first["liquidity"], first["feeType"]) == ("maker", "makerFee")
            assert (D(first["filledSize"]), D(first["remainSize"])) == (D("0.2"), D("0.3"))
            assert (D(done["filledSize"]), D(done["remainSize"])) == (D("0.5"), 0)
            assert all(f["data"]["orderId"] == order.id for f in filled)

    run(go())


def test_a_taker_a_cancel_and_an_amend() -> None:
    async def go() -> None:
        async with venue("kucoin") as (sim, http, ex), kucoin_ws(sim, http, private=True) as ws:
            await subscribe(ws, ORDERS, private=True)
            _, asks = sim.engine.depth(SYMBOL, 1)
            await ex.create_order(SYMBOL, OrderType.LIMIT, Side.BUY, D("0.001"), asks[0][0])
            taker = await before_pong(ws)
            assert kinds(taker) == [("received", "new"), ("match", "match"), ("filled", "done")]
            assert (taker[1]["data"]["liquidity"], taker[1]["data"]["feeType"]) == (
                "taker", "takerFee")
            order = await ex.create_order(SYMBOL, OrderType.LIMIT, Side.BUY, D("0.5"),
                                          D("28000"))
            order_ops.amend(sim.engine, USER, order.id, D("0.4"))
            await ex.cancel_order(order.id, SYMBOL)
            frames = await before_pong(ws)
            assert kinds(frames) == [("received", "new"), ("open", "open"), ("update", "open"),
                                     ("canceled", "done")]
            update, canceled = frames[2]["data"], frames[3]["data"]
            assert (D(update["oldSize"]), D(update["size"])) == (D("0.5"), D("0.4"))
            assert (D(canceled["canceledSize"]), D(canceled["remainSize"])) == (D("0.4"), 0)

    run(go())


def test_balance_pushes_follow_every_wallet_change() -> None:
    async def go() -> None:
        async with venue("kucoin") as (sim, http, ex), kucoin_ws(sim, http, private=True) as ws:
            await subscribe(ws, BALANCE, private=True)
            order = await ex.create_order(SYMBOL, OrderType.LIMIT, Side.BUY, D("0.5"),
                                          D("29000"))
            await ex.cancel_order(order.id, SYMBOL)
            hold, release = await before_pong(ws)
            assert {hold["subject"], hold["topic"]} == {"account.balance", BALANCE}
            assert hold["id"] == hold["data"]["relationEventId"]
            h, r = hold["data"], release["data"]
            assert (h["currency"], h["relationEvent"], h["relationContext"]) == (
                "USDT", "trade.hold", {"symbol": CODE, "orderId": order.id})
            assert D(h["holdChange"]) == -D(h["availableChange"]) == D("29000") * D("0.5") * (
                1 + D("0.001"))
            assert D(r["holdChange"]) == -D(h["holdChange"])
            wallet = sim.engine.wallet(USER, "USDT")
            assert (D(r["total"]), D(r["available"]), D(r["hold"])) == (
                wallet.total, wallet.available, wallet.held)
            assert int(r["time"]) > 0 and r["accountId"]
            _, asks = sim.engine.depth(SYMBOL, 1)
            await ex.create_order(SYMBOL, OrderType.LIMIT, Side.BUY, D("0.001"), asks[0][0])
            trade = await before_pong(ws)
            events = [(f["data"]["currency"], f["data"]["relationEvent"]) for f in trade]
            # hold USDT, then settle: USDT out of the hold (all of it: price and fee), BTC in
            assert events == [("USDT", "trade.hold"), ("USDT", "trade.setted"),
                              ("BTC", "trade.setted")]
            assert D(trade[1]["data"]["hold"]) == wallet.held
            btc = sim.engine.wallet(USER, "BTC")
            assert D(trade[2]["data"]["total"]) == btc.total

    run(go())


def test_private_pushes_reach_only_their_account() -> None:
    async def go() -> None:
        async with venue("kucoin") as (sim, http, _), kucoin_ws(sim, http) as public, \
                kucoin_ws(sim, http, private=True, connect_id="c2") as private:
            await subscribe(private, ORDERS, private=True)
            await subscribe(private, BALANCE, "s2", private=True)
            await subscribe(public, f"/market/match:{CODE}")
            sim.engine.place(HOUSE_ACCOUNT, SYMBOL, Side.BUY, OrderType.LIMIT, amount=D("0.01"),
                             price=D("31000"), time_in_force=TimeInForce.IOC)
            assert await before_pong(private) == []  # the house's trade is not ours
            assert [f["subject"] for f in await before_pong(public)] == ["trade.l3match"]

    run(go())
