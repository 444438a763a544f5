"""The local OKCoinJapan's WebSocket (/ws/v3): raw-DEFLATE binary frames, ping/pong, login
signed like REST, subscribe/unsubscribe events, the 30xxx error events, and the ticker, depth
(partial then checksummed updates), trade, order and account pushes that REST calls cause."""

from __future__ import annotations

import zlib
from decimal import Decimal
from typing import Any

import aiohttp

from unified import OrderType, Side
from unified.client import Exchange
from unified.sim.server import SimVenue

from ..conftest import run
from .helpers import (
    closed,
    deflated_frame,
    okcoinjp_before_pong,
    okcoinjp_login_args,
    okcoinjp_send,
    okcoinjp_ws,
    raw,
    venue,
)

SYMBOL, CODE = "BTC/JPY", "BTC-JPY"
D = Decimal


def crc(bids: list[list[Any]], asks: list[list[Any]]) -> int:
    """The docs' checksum, written again here: bid:ask:bid:ask... over the best 25 levels."""
    parts: list[str] = []
    for i in range(25):
        for side in (bids, asks):
            if i < len(side):
                parts += [side[i][0], side[i][1]]
    value = zlib.crc32(":".join(parts).encode())
    return value - 2**32 if value >= 2**31 else value


async def cross(sim: SimVenue, ex: Exchange, amount: str = "0.01") -> None:
    _, asks = sim.engine.depth(SYMBOL, 1)
    await ex.create_order(SYMBOL, OrderType.LIMIT, Side.BUY, D(amount), asks[0][0])


def test_the_docs_checksum_examples() -> None:
    assert crc([["3366.1", "7"], ["3366", "6"]], [["3366.8", "9"], ["3368", "8"]]) \
        == -1881014294
    assert crc([["3366.1", "7"]], [["3366.8", "9"], ["3368", "8"], ["3372", "8"]]) == 831078360


def test_every_frame_is_raw_deflate_and_ping_is_answered() -> None:
    async def go() -> None:
        async with venue("okcoinjp") as (sim, http, _), okcoinjp_ws(sim, http) as ws:
            await ws.send_str("ping")
            msg = await raw(ws)
            assert msg.type is aiohttp.WSMsgType.BINARY
            assert zlib.decompress(msg.data, -15) == b"pong"

    run(go())


def test_subscribe_answers_each_channel_then_the_ticker_and_trades_follow() -> None:
    async def go() -> None:
        async with venue("okcoinjp") as (sim, http, ex), okcoinjp_ws(sim, http) as ws:
            await okcoinjp_send(ws, "subscribe", [f"spot/ticker:{CODE}", f"spot/trade:{CODE}"])
            first = await okcoinjp_before_pong(ws)
            assert first[0] == {"event": "subscribe", "channel": f"spot/ticker:{CODE}"}
            assert first[1]["table"] == "spot/ticker"  # the current ticker, at once
            assert first[2] == {"event": "subscribe", "channel": f"spot/trade:{CODE}"}
            await cross(sim, ex)
            frames = await okcoinjp_before_pong(ws)
            assert [f["table"] for f in frames] == ["spot/ticker", "spot/trade", "spot/ticker"]
            trade = sim.engine.trades[SYMBOL][-1]
            pushed = frames[1]["data"][0]
            assert pushed["trade_id"] == str(trade.seq) and pushed["side"] == "buy"
            assert (D(pushed["price"]), D(pushed["size"])) == (trade.price, D("0.01"))
            ticker = frames[2]["data"][0]
            assert (D(ticker["last"]), D(ticker["last_qty"])) == (trade.price, D("0.01"))
            await okcoinjp_send(ws, "unsubscribe", [f"spot/trade:{CODE}"])
            assert await okcoinjp_before_pong(ws) == [
                {"event": "unsubscribe", "channel": f"spot/trade:{CODE}"}]
            await cross(sim, ex)
            assert [f["table"] for f in await okcoinjp_before_pong(ws)] == ["spot/ticker"] * 2

    run(go())


def merge(book: dict[str, dict[str, str]], entry: dict[str, Any]) -> None:
    for side in ("bids", "asks"):
        for price, size, *_ in entry[side]:
            if D(size) == 0:
                book[side].pop(price, None)
            else:
                book[side][price] = size


def ranked(book: dict[str, dict[str, str]]) -> tuple[list[list[str]], list[list[str]]]:
    bids = sorted(book["bids"].items(), key=lambda kv: -D(kv[0]))
    asks = sorted(book["asks"].items(), key=lambda kv: D(kv[0]))
    return [list(b) for b in bids], [list(a) for a in asks]


def test_depth_partial_then_updates_each_checksummed_rebuild_the_book() -> None:
    async def go() -> None:
        async with venue("okcoinjp") as (sim, http, ex), okcoinjp_ws(sim, http) as ws:
            sim.engine.seed_book(levels=230)  # deeper than the partial's 200 levels
            await okcoinjp_send(ws, "subscribe", [f"spot/depth:{CODE}"])
            ack, partial = await okcoinjp_before_pong(ws)
            assert ack == {"event": "subscribe", "channel": f"spot/depth:{CODE}"}
            assert (partial["table"], partial["action"]) == ("spot/depth", "partial")
            entry = partial["data"][0]
            assert len(entry["bids"]) == len(entry["asks"]) == 200
            assert all(len(row) == 4 and row[2] == 0 and row[3] >= 1 for row in entry["bids"])
            book: dict[str, dict[str, str]] = {"bids": {}, "asks": {}}
            merge(book, entry)
            assert crc(*ranked(book)) == entry["checksum"]
            for price in ("4990000", "5020000", "4995000.5"):
                side = Side.BUY if D(price) < 5_000_000 else Side.SELL
                order = await ex.create_order(SYMBOL, OrderType.LIMIT, side, D("0.2"), D(price))
                if price == "4995000.5":
                    await ex.cancel_order(order.id, SYMBOL)
            await cross(sim, ex, "0.5")
            updates = await okcoinjp_before_pong(ws)
            assert updates and all(u["action"] == "update" for u in updates)
            for update in updates:
                merge(book, update["data"][0])
                assert crc(*ranked(book)) == update["data"][0]["checksum"]
            bids, asks = sim.engine.depth(SYMBOL, 150)  # the partial's window, less what moved
            got_bids, got_asks = ranked(book)
            assert [(D(p), D(a)) for p, a in got_bids[:150]] == bids
            assert [(D(p), D(a)) for p, a in got_asks[:150]] == asks

    run(go())


def test_bad_requests_get_error_events() -> None:
    async def go() -> None:
        async with venue("okcoinjp") as (sim, http, _), okcoinjp_ws(sim, http) as ws:
            await okcoinjp_send(ws, "subscribe", ["spot/candle7s:BTC-JPY", "spot/ticker:NO-JPY",
                                                  f"spot/order:{CODE}", "spot/account:BTC"])
            await okcoinjp_send(ws, "dance", ["x"])
            await ws.send_str("{not json")
            frames = await okcoinjp_before_pong(ws)
            assert [(f["event"], f["errorCode"], f["message"]) for f in frames] == [
                ("error", "30040", "spot/candle7s Channel : BTC-JPY doesn't exist"),
                ("error", "30040", "spot/ticker Channel : NO-JPY doesn't exist"),
                ("error", "30041", "User not logged in"),
                ("error", "30041", "User not logged in"),
                ("error", "30039", "Unrecognized request"),
                ("error", "30039", "Unrecognized request"),
            ]

    run(go())


def test_login_then_order_and_account_pushes() -> None:
    async def go() -> None:
        async with venue("okcoinjp") as (sim, http, ex), okcoinjp_ws(sim, http) as ws:
            await okcoinjp_send(ws, "login", okcoinjp_login_args(sim))
            assert await deflated_frame(ws) == {"event": "login", "success": True}
            await okcoinjp_send(ws, "login", okcoinjp_login_args(sim))
            assert (await deflated_frame(ws))["errorCode"] == "30042"
            await okcoinjp_send(ws, "subscribe", [f"spot/order:{CODE}", "spot/account:JPY"])
            assert len(await okcoinjp_before_pong(ws)) == 2
            order = await ex.create_order(SYMBOL, OrderType.LIMIT, Side.BUY, D("0.01"),
                                          D("4900000"), client_order_id="abc1")
            await ex.cancel_order(order.id, SYMBOL)
            frames = await okcoinjp_before_pong(ws)
            tables = [f["table"] for f in frames]
            assert tables == ["spot/account", "spot/order", "spot/account", "spot/order"]
            opened, canceled = frames[1]["data"][0], frames[3]["data"][0]
            assert (opened["order_id"], opened["client_oid"], opened["state"],
                    opened["status"]) == (order.id, "abc1", "0", "open")
            assert (canceled["state"], canceled["status"]) == ("-1", "cancelled")
            assert opened["last_fill_time"] == "1970-01-01T00:00:00.000Z"
            hold = frames[0]["data"][0]
            wallet = sim.engine.wallet("user", "JPY")
            assert D(frames[2]["data"][0]["available"]) == wallet.available
            assert D(hold["hold"]) == D("4900000") * D("0.01") * D("1.001")
            await cross(sim, ex)
            filled = [f["data"][0] for f in await okcoinjp_before_pong(ws)
                      if f["table"] == "spot/order"]
            assert [(f["state"], D(f["last_fill_qty"])) for f in filled] == [("2", D("0.01"))]
            assert filled[0]["last_fill_id"] == str(sim.engine.trades[SYMBOL][-1].seq)

    run(go())


def test_login_failures_say_why_and_cut_the_connection() -> None:
    async def go() -> None:
        async with venue("okcoinjp") as (sim, http, _):
            now = sim.clock.now().timestamp()
            cases = [
                (okcoinjp_login_args(sim, secret="wrong"), "30013"),
                (okcoinjp_login_args(sim, seconds=now - 60), "30008"),
                (["nobody", *okcoinjp_login_args(sim)[1:]], "30006"),
                (["", *okcoinjp_login_args(sim)[1:]], "30001"),
                ([*okcoinjp_login_args(sim)[:2], "yesterday", "x"], "30005"),
            ]
            for args, code in cases:
                async with okcoinjp_ws(sim, http) as ws:
                    await okcoinjp_send(ws, "login", args)
                    frame = await deflated_frame(ws)
                    assert (frame["event"], frame["errorCode"]) == ("error", code), frame
                    await closed(ws)

    run(go())
