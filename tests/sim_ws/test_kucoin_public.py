"""The local KuCoin's public WebSocket: bullet, welcome, ping/pong, subscribe/ack, error frames,
and the ticker, level2 and match pushes that REST calls cause; a REST snapshot plus the
level2 deltas after it rebuild the engine's book exactly."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import aiohttp

from unified import OrderType, Side
from unified.client import Exchange
from unified.sim.server import SimVenue

from ..conftest import run
from .helpers import (
    before_pong,
    bullet,
    closed,
    kucoin_get,
    kucoin_ws,
    pong,
    subscribe,
    text_frame,
    venue,
)

SYMBOL, CODE = "BTC/USDT", "BTC-USDT"
SEQ_BASE = 14609309753  # what the local KuCoin adds to its engine's book sequence


async def cross(sim: SimVenue, ex: Exchange, amount: str = "0.01") -> None:
    """A buy that takes the best ask (a trade, a book change)."""
    _, asks = sim.engine.depth(SYMBOL, 1)
    await ex.create_order(SYMBOL, OrderType.LIMIT, Side.BUY, Decimal(amount), asks[0][0])


def test_the_bullet_points_at_this_origin_with_the_set_intervals() -> None:
    async def go() -> None:
        async with venue("kucoin") as (sim, http, _):
            data = await bullet(sim, http)
            server = data["instanceServers"][0]
            assert server == {"endpoint": sim.base_url.replace("http", "ws") + "/endpoint",
                              "encrypt": False, "protocol": "websocket",
                              "pingInterval": 18000, "pingTimeout": 10000}
            sim.streams.ping_interval_ms, sim.streams.ping_timeout_ms = 5000, 2000
            again = await bullet(sim, http, private=True)
            assert again["instanceServers"][0]["pingInterval"] == 5000
            assert again["instanceServers"][0]["pingTimeout"] == 2000
            assert again["token"] != data["token"]

    run(go())


def test_welcome_ping_subscribe_unsubscribe() -> None:
    async def go() -> None:
        async with venue("kucoin") as (sim, http, _), kucoin_ws(sim, http, connect_id="x9") as ws:
            await pong(ws, "123")
            await subscribe(ws, f"/market/ticker:{CODE},ETH-USDT", "7")
            # the current tickers at once (the topic pushes on a 100 ms beat)
            now = [await text_frame(ws), await text_frame(ws)]
            assert [(f["topic"], f["subject"]) for f in now] == [
                (f"/market/ticker:{CODE}", "trade.ticker"), ("/market/ticker:ETH-USDT",
                                                             "trade.ticker")]
            bids, _ = sim.engine.depth(SYMBOL, 1)
            assert Decimal(now[0]["data"]["bestBid"]) == bids[0][0]
            await ws.send_json({"id": 8, "type": "unsubscribe", "topic": f"/market/ticker:{CODE}",
                                "privateChannel": False, "response": True})
            assert await text_frame(ws) == {"id": "8", "type": "ack"}
            # no `response`: no ack; the next frame is the pong
            await ws.send_json({"id": "9", "type": "subscribe", "topic": f"/market/match:{CODE}"})
            await pong(ws, "10")
            conn = sim.streams.connections[0]
            assert conn.subs == {"/market/ticker:ETH-USDT", f"/market/match:{CODE}"}

    run(go())


def errors(frames: list[Any]) -> list[tuple[Any, ...]]:
    return [(f["id"], f["type"], f["code"], f["data"]) for f in frames]


def test_bad_requests_get_error_frames() -> None:
    async def go() -> None:
        async with venue("kucoin") as (sim, http, _), kucoin_ws(sim, http) as ws:
            many = ",".join([CODE] * 101)
            asks = [{"id": "a", "type": "subscribe", "topic": "/market/nothing:BTC-USDT"},
                    {"id": "b", "type": "subscribe", "topic": "/market/ticker:NOPE-USDT"},
                    {"id": "c", "type": "subscribe"},
                    {"id": "d", "type": "subscribe", "topic": f"/market/level2:{many}"},
                    {"id": "e", "type": "subscribe", "topic": "/spotMarket/tradeOrdersV2",
                     "privateChannel": True},
                    {"id": "f", "type": "subscribe", "topic": "/market/ticker:"},
                    {"id": "g", "type": "dance"}]
            frames = []
            for ask in asks:
                await ws.send_json(ask)
                frames.append(await text_frame(ws))
            await ws.send_str("not json")
            frames.append(await text_frame(ws))
            assert errors(frames) == [
                ("a", "error", 404, "topic does not exist"),
                ("b", "error", 404, "topic does not exist"),
                ("c", "error", 406, "topic is required"),
                ("d", "error", 509, "exceed max subscription count limitation of 100 per time"),
                ("e", "error", 403, "login is required"),
                ("f", "error", 400, "topic is invalid"),
                ("g", "error", 415, "command type is invalid"),
                ("c1", "error", 400, "request is invalid"),
            ]
            await pong(ws)  # still connected

    run(go())


def test_an_unknown_token_is_refused_with_401_then_closed() -> None:
    async def go() -> None:
        async with venue("kucoin") as (sim, http, _), \
                kucoin_ws(sim, http, connect_id="z", token="made-up") as ws:
            assert await text_frame(ws) == {"id": "z", "type": "error", "code": 401,
                                            "data": "token is invalid"}
            await closed(ws)

    run(go())


def test_a_trade_pushes_level2_match_and_ticker() -> None:
    async def go() -> None:
        async with venue("kucoin") as (sim, http, ex), kucoin_ws(sim, http) as ws:
            for n, topic in enumerate(("level2", "match", "ticker")):
                await subscribe(ws, f"/market/{topic}:{CODE}", str(n))
            assert (await text_frame(ws))["subject"] == "trade.ticker"  # the current one
            await cross(sim, ex)
            frames = await before_pong(ws)
            # the ask level shrinks (ticker: new best ask size), then the trade (ticker: last)
            assert [f["subject"] for f in frames] == ["trade.l2update", "trade.ticker",
                                                      "trade.l3match", "trade.ticker"]
            level2, _, match, ticker = frames
            trade = sim.engine.trades[SYMBOL][-1]
            seq = SEQ_BASE + sim.engine.book_sequence(SYMBOL)
            _, asks = sim.engine.depth(SYMBOL, 1)
            assert level2["subject"] == "trade.l2update"
            assert level2["topic"] == f"/market/level2:{CODE}"
            data = level2["data"]
            assert (data["sequenceStart"], data["sequenceEnd"], data["symbol"]) == (seq, seq, CODE)
            assert data["changes"]["bids"] == []
            [[price, size, row_seq]] = data["changes"]["asks"]
            assert (Decimal(price), Decimal(size), row_seq) == (*asks[0], str(seq))
            assert match["subject"] == "trade.l3match"
            assert match["data"]["tradeId"] == str(trade.seq)
            assert (Decimal(match["data"]["price"]), match["data"]["size"],
                    match["data"]["side"]) == (trade.price, "0.01", "buy")
            taker = next(o for o in sim.engine.orders.values() if o.account == "user")
            assert match["data"]["takerOrderId"] == taker.id
            assert ticker["subject"] == "trade.ticker"
            assert (Decimal(ticker["data"]["price"]), ticker["data"]["size"]) == (trade.price,
                                                                                   "0.01")
            assert Decimal(ticker["data"]["bestAsk"]) == asks[0][0]

    run(go())


def apply(book: dict[str, dict[Decimal, Decimal]], changes: dict[str, list[list[str]]]) -> None:
    for side in ("bids", "asks"):
        for price, size, _ in changes[side]:
            if Decimal(size) == 0:
                book[side].pop(Decimal(price), None)
            else:
                book[side][Decimal(price)] = Decimal(size)


def test_the_full_snapshot_and_the_deltas_after_it_are_the_book() -> None:
    async def go() -> None:
        async with venue("kucoin") as (sim, http, ex), kucoin_ws(sim, http) as ws:
            await subscribe(ws, f"/market/level2:{CODE}")
            await cross(sim, ex)  # a delta before the snapshot: to be discarded
            snapshot = await kucoin_get(sim, http,
                                        f"/api/v3/market/orderbook/level2?symbol={CODE}")
            for price in ("29000", "31000", "29500.5"):  # rest, cross, cancel
                side = Side.BUY if Decimal(price) < 30000 else Side.SELL
                order = await ex.create_order(SYMBOL, OrderType.LIMIT, side, Decimal("0.2"),
                                              Decimal(price))
                if price == "29500.5":
                    await ex.cancel_order(order.id, SYMBOL)
            await cross(sim, ex, "0.3")
            book = {side: {Decimal(p): Decimal(a) for p, a in snapshot[side]}
                    for side in ("bids", "asks")}
            last, wanted = int(snapshot["sequence"]), SEQ_BASE + sim.engine.book_sequence(SYMBOL)
            seen = None
            while seen != wanted:
                data = (await text_frame(ws))["data"]
                if seen is not None:
                    assert data["sequenceStart"] == seen + 1  # no gap
                seen = data["sequenceEnd"]
                if data["sequenceEnd"] > last:
                    apply(book, data["changes"])
            bids, asks = sim.engine.depth(SYMBOL, 10**6)
            assert sorted(book["bids"].items(), reverse=True) == bids
            assert sorted(book["asks"].items()) == asks

    run(go())


def test_every_rest_snapshot_reports_the_engine_sequence() -> None:
    async def go() -> None:
        async with venue("kucoin") as (sim, http, ex):
            await cross(sim, ex)
            want = str(SEQ_BASE + sim.engine.book_sequence(SYMBOL))
            for path in (f"/api/v1/market/orderbook/level2_20?symbol={CODE}",
                         f"/api/v1/market/orderbook/level2_100?symbol={CODE}",
                         f"/api/v3/market/orderbook/level2?symbol={CODE}"):
                assert (await kucoin_get(sim, http, path))["sequence"] == want

    run(go())


def test_stopping_the_venue_closes_streams_1001_and_leaves_no_task() -> None:
    async def go() -> None:
        async with venue("kucoin") as (sim, http, ex):
            async with kucoin_ws(sim, http) as gone:
                await subscribe(gone, f"/market/level2:{CODE}")
            await cross(sim, ex)  # its listener left: nothing to push to
            async with kucoin_ws(sim, http) as ws:
                await subscribe(ws, f"/market/match:{CODE}")
                stopping = asyncio.create_task(sim.stop())
                msg = await closed(ws)
                await stopping
            assert (msg.type, msg.data) == (aiohttp.WSMsgType.CLOSE, 1001)
            assert sim.streams.connections == []
            assert asyncio.all_tasks() == {asyncio.current_task()}

    run(go())
