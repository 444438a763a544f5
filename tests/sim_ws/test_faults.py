"""Stream faults (sim.streams.faults) and the venues' silence rules: each fault does what it
says, exactly once where it says so, and sets `acted` when its effect is on the wire; silent
connections are dropped on the venue's clock (a ManualClock here: nothing waits on time)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

import aiohttp
import pytest

from unified import OrderType, Side, TimeInForce
from unified.clock import ManualClock
from unified.sim.book import HOUSE_ACCOUNT
from unified.sim.server import SimVenue

from ..conftest import run
from .helpers import (
    before_pong,
    closed,
    deflated_frame,
    kucoin_ws,
    okcoinjp_before_pong,
    okcoinjp_send,
    okcoinjp_ws,
    pong,
    raw,
    subscribe,
    text_frame,
)
from .test_okcoinjp import crc, merge, ranked

SEQ_BASE = 14609309753


@asynccontextmanager
async def still(venue_id: str) -> AsyncIterator[tuple[SimVenue, ManualClock,
                                                      aiohttp.ClientSession]]:
    """A local venue on a clock that moves only when the test says."""
    clock = ManualClock()
    async with SimVenue(venue_id, clock=clock) as sim, aiohttp.ClientSession() as http:
        yield sim, clock, http
        assert not sim.streams.failures


def trade(sim: SimVenue, symbol: str) -> None:
    """The house takes the best ask: a book change and a trade (no REST, no signature)."""
    _, asks = sim.engine.depth(symbol, 1)
    sim.engine.place(HOUSE_ACCOUNT, symbol, Side.BUY, OrderType.LIMIT,
                     amount=sim.engine.market(symbol).min_amount, price=asks[0][0],
                     time_in_force=TimeInForce.IOC)


# ---------------------------------------------------------------- KuCoin


def test_drop_cuts_live_connections_now_or_the_next_one() -> None:
    async def go() -> None:
        async with still("kucoin") as (sim, _, http), kucoin_ws(sim, http) as one, \
                kucoin_ws(sim, http, connect_id="c2") as two:
            fault = sim.streams.faults.add("drop", times=None)
            await fault.acted.wait()
            await closed(one)
            await closed(two)
            later = sim.streams.faults.add("drop")
            assert not later.acted.is_set()  # nobody live: it waits for the next connection
            async with kucoin_ws(sim, http, connect_id="c3") as three:  # welcomed, then cut
                await later.acted.wait()
                await closed(three)
            async with kucoin_ws(sim, http, connect_id="c4") as four:
                await pong(four)  # the fault is spent
            assert sim.streams.faults.injected == 3

    run(go())


def test_mute_pings_silences_one_connection_for_good() -> None:
    async def go() -> None:
        async with still("kucoin") as (sim, _, http), kucoin_ws(sim, http) as ws:
            fault = sim.streams.faults.add("mute_pings")
            for n in range(2):
                await ws.send_json({"id": f"p{n}", "type": "ping"})
                await subscribe(ws, "/market/match:BTC-USDT", f"s{n}")  # the ack, no pong
            assert fault.acted.is_set()
            async with kucoin_ws(sim, http, connect_id="c2") as other:
                await pong(other)

    run(go())


def test_skip_sequence_makes_the_next_delta_jump() -> None:
    async def go() -> None:
        async with still("kucoin") as (sim, _, http), kucoin_ws(sim, http) as ws:
            await subscribe(ws, "/market/level2:BTC-USDT")
            trade(sim, "BTC/USDT")
            [before] = await before_pong(ws)
            fault = sim.streams.faults.add("skip_sequence", topic="level2")
            trade(sim, "BTC/USDT")
            await fault.acted.wait()
            assert await before_pong(ws) == []
            trade(sim, "BTC/USDT")
            [after] = await before_pong(ws)
            assert after["data"]["sequenceStart"] == before["data"]["sequenceEnd"] + 2
            assert after["data"]["sequenceEnd"] == SEQ_BASE + sim.engine.book_sequence("BTC/USDT")

    run(go())


def test_expire_token_says_so_closes_and_refuses_the_token_after() -> None:
    async def go() -> None:
        async with still("kucoin") as (sim, _, http):
            async with kucoin_ws(sim, http, private=True, connect_id="me") as ws:
                token = next(iter(sim.streams.face.grants))  # type: ignore[union-attr]
                fault = sim.streams.faults.add("expire_token", private=True)
                assert await text_frame(ws) == {"id": "me", "type": "error", "code": 401,
                                                "data": "token is expired"}
                await closed(ws)
                await fault.acted.wait()
            async with kucoin_ws(sim, http, connect_id="again", token=token) as ws:
                assert (await text_frame(ws))["data"] == "token is expired"
                await closed(ws)
            async with kucoin_ws(sim, http, private=True, connect_id="fresh") as ws:
                await pong(ws)

    run(go())


def test_delay_holds_pushes_until_released_in_order() -> None:
    async def go() -> None:
        async with still("kucoin") as (sim, _, http), kucoin_ws(sim, http) as ws:
            await subscribe(ws, "/market/match:BTC-USDT")
            fault = sim.streams.faults.add("delay", topic="match")
            trade(sim, "BTC/USDT")
            trade(sim, "BTC/USDT")
            await fault.acted.wait()
            assert await before_pong(ws) == []  # held; replies still pass
            fault.release()
            held = await before_pong(ws)
            tape = sim.engine.trades["BTC/USDT"][-2:]
            assert [f["data"]["tradeId"] for f in held] == [str(t.seq) for t in tape]
            trade(sim, "BTC/USDT")
            assert len(await before_pong(ws)) == 1  # released: nothing held any more

    run(go())


def test_malformed_and_garbage_frames_replace_one_push_each() -> None:
    async def go() -> None:
        async with still("kucoin") as (sim, _, http), kucoin_ws(sim, http) as ws:
            await subscribe(ws, "/market/match:BTC-USDT")
            bad = sim.streams.faults.add("malformed")
            trade(sim, "BTC/USDT")
            frame = await text_frame(ws)
            assert frame["topic"] == "/market/match:BTC-USDT"
            assert not isinstance(frame["data"], dict)
            await bad.acted.wait()
            junk = sim.streams.faults.add("garbage")
            trade(sim, "BTC/USDT")
            msg = await raw(ws)
            with pytest.raises(ValueError):
                json.loads(msg.data)
            await junk.acted.wait()
            trade(sim, "BTC/USDT")
            assert isinstance((await text_frame(ws))["data"], dict)

    run(go())


def test_a_fault_the_venue_cannot_show_is_refused() -> None:
    async def go() -> None:
        async with still("kucoin") as (sim, _, _http), still("okcoinjp") as (okcj, _, _):
            with pytest.raises(ValueError, match="corrupt_checksum"):
                sim.streams.faults.add("corrupt_checksum")
            with pytest.raises(ValueError, match="expire_token"):
                okcj.streams.faults.add("expire_token")
            with pytest.raises(ValueError, match="unknown"):
                sim.streams.faults.add("flood")

    run(go())


def test_kucoin_drops_a_connection_that_stops_pinging() -> None:
    async def go() -> None:
        async with still("kucoin") as (sim, clock, http), kucoin_ws(sim, http) as ws:
            await subscribe(ws, "/market/match:BTC-USDT")
            limit = (sim.streams.ping_interval_ms + sim.streams.ping_timeout_ms) / 1000
            clock.advance(limit - 1)
            await pong(ws)  # heard from: the silence starts again
            clock.advance(limit - 1)
            trade(sim, "BTC/USDT")  # pushes do not count: KuCoin wants the client's pings
            assert len(await before_pong(ws)) == 1
            clock.advance(limit - 1)
            assert sim.streams.sweep() == 0
            clock.advance(2)
            assert sim.streams.sweep() == 1
            assert await text_frame(ws) == {"id": "c1", "type": "error", "code": 400,
                                            "data": "ping timeout"}
            await closed(ws)

    run(go())


# ---------------------------------------------------------------- OKCoinJapan


def test_corrupt_checksum_and_skip_break_the_depth_checksum_once() -> None:
    async def go() -> None:
        async with still("okcoinjp") as (sim, _, http), okcoinjp_ws(sim, http) as ws:
            await okcoinjp_send(ws, "subscribe", ["spot/depth:BTC-JPY"])
            _, partial = await okcoinjp_before_pong(ws)
            book: dict[str, dict[str, str]] = {"bids": {}, "asks": {}}
            merge(book, partial["data"][0])
            wrong = sim.streams.faults.add("corrupt_checksum")
            trade(sim, "BTC/JPY")
            [bad] = await okcoinjp_before_pong(ws)
            merge(book, bad["data"][0])
            assert crc(*ranked(book)) != bad["data"][0]["checksum"]  # the data is right
            assert wrong.acted.is_set()
            trade(sim, "BTC/JPY")
            [good] = await okcoinjp_before_pong(ws)
            merge(book, good["data"][0])
            assert crc(*ranked(book)) == good["data"][0]["checksum"]
            skip = sim.streams.faults.add("skip_sequence")
            trade(sim, "BTC/JPY")
            assert await okcoinjp_before_pong(ws) == []
            await skip.acted.wait()
            # another level changes: the client's copy of the skipped one is stale now
            sim.engine.place(HOUSE_ACCOUNT, "BTC/JPY", Side.BUY, OrderType.LIMIT,
                             amount=Decimal("0.01"), price=Decimal("4999000"))
            [after] = await okcoinjp_before_pong(ws)
            merge(book, after["data"][0])
            assert crc(*ranked(book)) != after["data"][0]["checksum"]  # an update was lost

    run(go())


def test_okcoinjp_drops_a_connection_silent_both_ways_for_30_s() -> None:
    async def go() -> None:
        async with still("okcoinjp") as (sim, clock, http), okcoinjp_ws(sim, http) as ws:
            await okcoinjp_send(ws, "subscribe", ["spot/trade:BTC-JPY"])
            assert len(await okcoinjp_before_pong(ws)) == 1
            clock.advance(20)
            trade(sim, "BTC/JPY")  # a push keeps it alive too
            await deflated_frame(ws)
            clock.advance(20)
            assert sim.streams.sweep() == 0
            clock.advance(11)
            assert sim.streams.sweep() == 1
            await closed(ws)

    run(go())


def test_okcoinjp_delay_and_malformed() -> None:
    async def go() -> None:
        async with still("okcoinjp") as (sim, _, http), okcoinjp_ws(sim, http) as ws:
            await okcoinjp_send(ws, "subscribe", ["spot/trade:BTC-JPY"])
            await okcoinjp_before_pong(ws)
            held = sim.streams.faults.add("delay")
            trade(sim, "BTC/JPY")
            assert await okcoinjp_before_pong(ws) == []
            held.release()
            assert [f["table"] for f in await okcoinjp_before_pong(ws)] == ["spot/trade"]
            sim.streams.faults.add("malformed")
            trade(sim, "BTC/JPY")
            [broken] = await okcoinjp_before_pong(ws)
            assert broken["table"] == "spot/trade" and not isinstance(broken["data"], list)

    run(go())


def test_stop_releases_held_frames_and_closes_every_stream() -> None:
    async def go() -> None:
        async with still("okcoinjp") as (sim, _, http), okcoinjp_ws(sim, http) as ws, \
                okcoinjp_ws(sim, http) as muted:
            await okcoinjp_send(ws, "subscribe", ["spot/trade:BTC-JPY"])
            await okcoinjp_before_pong(ws)
            sim.streams.faults.add("delay")
            sim.streams.faults.add("mute_pings")
            await muted.send_str("ping")
            trade(sim, "BTC/JPY")
            stopping = asyncio.create_task(sim.stop())
            assert (await deflated_frame(ws))["table"] == "spot/trade"  # released at stop
            for client in (ws, muted):
                msg = await closed(client)
                assert (msg.type, msg.data) == (aiohttp.WSMsgType.CLOSE, 1001)
            await stopping
            assert sim.streams.connections == []
            assert asyncio.all_tasks() == {asyncio.current_task()}

    run(go())
