"""The local KuCoin futures' WebSocket (adapters/kucoin_futures/sim_ws.py) against KuCoin's
futures topic specs (tests/data/reference/kucoin-openapi/ws/openapi-futures-*.json): the push
server's grammar, level2 on the REST snapshot's sequence, tickers and executions, the
account's order changes, positions and wallet agreeing with REST at that moment, every push's
keys and JSON types as the documented example of its topic, and the stream faults.

A plain aiohttp client (tests/sim_ws/helpers.py), real sockets on 127.0.0.1, a ManualClock."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import aiohttp

from unified import OrderType, Side, TimeInForce
from unified.clock import ManualClock
from unified.sim.book import HOUSE_ACCOUNT
from unified.sim.derivatives import derivatives_book
from unified.sim.server import SimVenue

from ..conftest import DATA, run
from .helpers import bullet, closed, kucoin_headers, kucoin_ws, pong, raw, subscribe
from .test_fidelity import KUCOIN_CONTROL, schema_problems, shape

D = Decimal
SYMBOL, CODE = "BTC/USDT:USDT", "XBTUSDTM"
INVERSE, INVERSE_CODE = "BTC/USD:BTC", "XBTUSDM"
WS = DATA / "kucoin-openapi" / "ws"
L2, TICKER, TICKER2, EXEC = (f"/contractMarket/{t}:{CODE}"
                             for t in ("level2", "ticker", "tickerV2", "execution"))
ORDERS, POSITION = "/contractMarket/tradeOrders", "/contract/position"
WALLET = "/contractAccount/wallet"


@asynccontextmanager
async def futures() -> AsyncIterator[tuple[SimVenue, aiohttp.ClientSession]]:
    async with SimVenue("kucoin_futures", clock=ManualClock(), enforce_limits=False) as sim, \
            aiohttp.ClientSession() as http:
        yield sim, http
        assert not sim.streams.failures, sim.streams.failures


async def frame(ws: aiohttp.ClientWebSocketResponse) -> Any:
    """The next frame, its numbers read exactly."""
    msg = await raw(ws)
    assert msg.type is aiohttp.WSMsgType.TEXT, msg
    return json.loads(msg.data, parse_float=Decimal)


async def drain(ws: aiohttp.ClientWebSocketResponse, ref: str = "drain") -> list[Any]:
    """Every frame queued before the answer to a ping sent now."""
    await ws.send_json({"id": ref, "type": "ping"})
    frames = []
    while (f := await frame(ws)) != {"id": ref, "type": "pong"}:
        frames.append(f)
    return frames


async def rest(sim: SimVenue, http: aiohttp.ClientSession, method: str, path: str,
               body: Any = None) -> Any:
    text = json.dumps(body) if body is not None else ""
    async with http.request(method, sim.base_url + path, data=text or None,
                            headers=kucoin_headers(sim, method, path, text)) as r:
        answer = json.loads(await r.text(), parse_float=Decimal)
    assert answer["code"] == "200000", answer
    return answer["data"]


async def order(sim: SimVenue, http: aiohttp.ClientSession, side: str, size: int,
                price: Decimal | None = None, code: str = CODE, **extra: Any) -> str:
    body = {"clientOid": f"c{len(sim.engine.orders)}", "side": side, "symbol": code,
            "type": "limit" if price is not None else "market", "size": size,
            "leverage": 5, **({"price": str(price)} if price is not None else {}), **extra}
    return str((await rest(sim, http, "POST", "/api/v1/orders", body))["orderId"])


async def listen(ws: aiohttp.ClientWebSocketResponse, *topics: str) -> list[Any]:
    """Subscribed to each (acked), and the pushes a subscription sends at once (tickers)."""
    now = []
    for n, topic in enumerate(topics):
        await subscribe(ws, topic, f"s{n}", private=True)
        now += await drain(ws)
    return now


def best(sim: SimVenue, symbol: str = SYMBOL) -> tuple[Decimal, Decimal]:
    bids, asks = sim.engine.depth(symbol, 1)
    return bids[0][0], asks[0][0]


def house_sells(sim: SimVenue, price: Decimal, contracts: int) -> None:
    """The house sells into the user's bid (IOC): the user's order is the maker."""
    derivatives_book(sim.engine).place(HOUSE_ACCOUNT, SYMBOL, Side.SELL, OrderType.LIMIT,
                                       D(contracts), price, leverage=D(5),
                                       time_in_force=TimeInForce.IOC)


# ---------------------------------------------------------------- the push server's grammar


def test_bullet_welcome_ping_ack_and_error_frames() -> None:
    async def go() -> None:
        async with futures() as (sim, http):
            data = await bullet(sim, http)
            server = data["instanceServers"][0]
            assert server["endpoint"] == sim.base_url.replace("http", "ws", 1) + "/endpoint"
            assert (server["protocol"], server["encrypt"]) == ("websocket", False)
            assert (server["pingInterval"], server["pingTimeout"]) == (18000, 10000)
            async with kucoin_ws(sim, http, connect_id="w1") as ws:
                await pong(ws)
                await subscribe(ws, L2)
                for ref, topic, code in (("u", "/contractMarket/nothing:XBTUSDTM", 404),
                                         ("s", "/contractMarket/level2:NOPE", 404),
                                         ("b", "/contractMarket/level2", 400),
                                         ("p", f"{POSITION}:{CODE}", 403),
                                         ("o", ORDERS, 403), ("w", WALLET, 403)):
                    await ws.send_json({"id": ref, "type": "subscribe", "topic": topic,
                                        "response": True})
                    got = await frame(ws)
                    assert (got["id"], got["type"], got["code"]) == (ref, "error", code), got
                await ws.send_json({"id": "x", "type": "unsubscribe", "topic": L2,
                                    "response": True})
                assert await frame(ws) == {"id": "x", "type": "ack"}
            async with kucoin_ws(sim, http, token="not-a-token", connect_id="w2") as ws:
                assert (await frame(ws))["code"] == 401
                await closed(ws)

    run(go())


# ---------------------------------------------------------------- public topics


def test_level2_continues_the_rest_snapshot_sequence() -> None:
    async def go() -> None:
        async with futures() as (sim, http), kucoin_ws(sim, http) as ws:
            await subscribe(ws, L2)
            snap = await rest(sim, http, "GET", f"/api/v1/level2/snapshot?symbol={CODE}")
            bid, _ = best(sim)
            price = bid - 100
            mine = await order(sim, http, "buy", 3, price)
            await rest(sim, http, "DELETE", f"/api/v1/orders/{mine}")
            frames = await drain(ws)
            assert [f["subject"] for f in frames] == ["level2", "level2"]
            assert all(f["topic"] == L2 and f["sn"] == f["data"]["sequence"] for f in frames)
            sequences = [f["data"]["sequence"] for f in frames]
            assert sequences == [snap["sequence"] + 1, snap["sequence"] + 2]
            rows = [f["data"]["change"].split(",") for f in frames]
            assert [(D(p), side, size) for p, side, size in rows] == [
                (price, "buy", "3"), (price, "buy", "0")]
            again = await rest(sim, http, "GET", f"/api/v1/level2/snapshot?symbol={CODE}")
            assert again["sequence"] == sequences[-1]

    run(go())


def test_ticker_and_execution_after_a_crossing_order() -> None:
    async def go() -> None:
        async with futures() as (sim, http), kucoin_ws(sim, http) as ws:
            first = await listen(ws, TICKER, TICKER2, EXEC)  # the tickers now, at once
            assert [f["subject"] for f in first] == ["ticker", "tickerV2"]
            _, ask = best(sim)
            taker = await order(sim, http, "buy", 2, ask)
            frames = await drain(ws)
            matches = [f for f in frames if f["subject"] == "match"]
            assert matches and all(m["topic"] == EXEC for m in matches)
            m = matches[0]["data"]
            assert (m["symbol"], m["side"], D(m["price"]), m["takerOrderId"]) == (
                CODE, "buy", ask, taker)
            assert sum(x["data"]["size"] for x in matches) == 2
            tickers = [f["data"] for f in frames if f["subject"] == "ticker"]
            assert matches[-1]["data"]["tradeId"] in {t["tradeId"] for t in tickers}
            now = await rest(sim, http, "GET", f"/api/v1/ticker?symbol={CODE}")
            assert tickers[-1] == now
            v2 = [f["data"] for f in frames if f["subject"] == "tickerV2"]
            assert v2 and v2[-1]["bestAskPrice"] == now["bestAskPrice"]

    run(go())


# ---------------------------------------------------------------- private topics


def changes(frames: list[Any]) -> list[tuple[str, str]]:
    orders = [f for f in frames if f.get("subject") == "symbolOrderChange"]
    assert all(f["topic"] == f"{ORDERS}:{CODE}" and f["channelType"] == "private"
               for f in orders)
    return [(f["data"]["type"], f["data"]["status"]) for f in orders]


def test_order_changes_reach_the_account_only() -> None:
    async def go() -> None:
        async with futures() as (sim, http), kucoin_ws(sim, http, private=True) as ws:
            await subscribe(ws, ORDERS, "all", private=True)
            await subscribe(ws, f"{ORDERS}:{CODE}", "one", private=True)  # no duplicates
            bid, ask = best(sim)
            resting = await order(sim, http, "buy", 3, bid + 1)
            assert changes(await drain(ws)) == [("open", "open")]
            house_sells(sim, bid + 1, 1)
            frames = await drain(ws)
            assert changes(frames) == [("match", "open")]
            match = frames[0]["data"]
            assert (match["orderId"], match["matchSize"], D(match["matchPrice"])) == (
                resting, "1", bid + 1)
            assert (match["liquidity"], match["filledSize"], match["remainSize"]) == (
                "maker", "1", "2")
            await rest(sim, http, "DELETE", f"/api/v1/orders/{resting}")
            frames = await drain(ws)
            assert changes(frames) == [("canceled", "done")]
            assert (frames[0]["data"]["canceledSize"], frames[0]["data"]["remainSize"]) == (
                "2", "0")
            await order(sim, http, "buy", 1, ask)
            assert changes(await drain(ws)) == [("match", "match"), ("filled", "done")]
            sim.engine.deposit("other", "USDT", D(10**6))
            derivatives_book(sim.engine).place("other", SYMBOL, Side.BUY, OrderType.LIMIT,
                                               D(1), bid - 5, leverage=D(2))
            assert changes(await drain(ws)) == []

    run(go())


def same(push: dict[str, Any], answer: dict[str, Any]) -> list[str]:
    """Where a position push and the REST answer disagree (on the keys both carry; REST
    writes delevPercentage as text, the push's example as a number)."""
    return [k for k in answer if k in push and push[k] != (
        D(answer[k]) if k == "delevPercentage" else answer[k])]


def test_position_pushes_agree_with_rest_and_a_flat_one_ends_it() -> None:
    async def go() -> None:
        async with futures() as (sim, http), kucoin_ws(sim, http, private=True) as ws, \
                kucoin_ws(sim, http, private=True, connect_id="all") as every:
            await subscribe(ws, f"{POSITION}:{CODE}", private=True)
            await subscribe(every, "/contract/positionAll", private=True)
            await order(sim, http, "buy", 3)
            pushes = [f for f in await drain(ws) if f["subject"] == "position.change"]
            assert pushes and all(p["topic"] == f"{POSITION}:{CODE}" for p in pushes)
            now = await rest(sim, http, "GET", f"/api/v1/position?symbol={CODE}")
            data = pushes[-1]["data"]
            assert not same(data, now), same(data, now)
            assert (data["currentQty"], data["isOpen"], data["changeReason"]) == (
                3, True, "positionChange")
            assert [p["data"] for p in await drain(every)] == [p["data"] for p in pushes]
            await order(sim, http, "sell", 0, closeOrder=True, reduceOnly=True)
            flat = [f for f in await drain(ws) if f["subject"] == "position.change"]
            assert len(flat) == 1 and flat[0]["data"]["currentQty"] == 0
            assert flat[0]["data"]["isOpen"] is False
            now = await rest(sim, http, "GET", f"/api/v1/position?symbol={CODE}")
            assert not same(flat[0]["data"], now), same(flat[0]["data"], now)
            assert await drain(ws) == []  # nothing changed since: nothing more pushed

    run(go())


def test_wallet_pushes_agree_with_the_account_overview() -> None:
    async def go() -> None:
        async with futures() as (sim, http), kucoin_ws(sim, http, private=True) as ws:
            await subscribe(ws, WALLET, private=True)
            for code, currency in ((CODE, "USDT"), (INVERSE_CODE, "XBT")):
                await order(sim, http, "buy", 2, code=code)
                pushes = [f for f in await drain(ws) if f["subject"] == "walletBalance.change"]
                assert pushes and {p["data"]["currency"] for p in pushes} == {currency}
                view = await rest(sim, http, "GET",
                                  f"/api/v1/account-overview?currency={currency}")
                data = pushes[-1]["data"]
                assert D(data["walletBalance"]) == view["marginBalance"]
                assert D(data["availableBalance"]) == view["availableBalance"]
                assert D(data["equity"]) == view["accountEquity"]
                assert D(data["isolatedPosMargin"]) == view["positionMargin"] > 0

    run(go())


# ---------------------------------------------------------------- fidelity


def topic_specs() -> dict[str, tuple[Any, dict[str, Any]]]:
    """x-topic -> (its documented example push, its schema)."""
    out = {}
    for name in ("openapi-futures-public.json", "openapi-futures-private.json"):
        spec = json.loads((WS / name).read_text())
        for entry in spec["paths"].values():
            trace = entry["trace"]
            ref = trace["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
            text = trace["x-response-example"].replace('\\"', '"')  # the spec's extra escaping
            out[trace["x-topic"]] = (json.loads(text, parse_float=Decimal),
                                     spec["components"]["schemas"][ref.split("/")[-1]])
    return out


async def every_push(sim: SimVenue, http: aiohttp.ClientSession) -> list[tuple[str, Any]]:
    """(the topic subscribed, the push) for every topic served, from trading that causes
    each push type."""
    got: list[tuple[str, Any]] = []
    async with kucoin_ws(sim, http, private=True) as ws:
        subscribed = {L2: "/contractMarket/level2:{symbol}",
                      TICKER: "/contractMarket/ticker:{symbol}",
                      TICKER2: "/contractMarket/tickerV2:{symbol}",
                      EXEC: "/contractMarket/execution:{symbol}",
                      f"{ORDERS}:{CODE}": "/contractMarket/tradeOrders:{symbol}",
                      f"{POSITION}:{CODE}": "/contract/position:{symbol}",
                      WALLET: WALLET}
        got += [(subscribed[f["topic"]], f) for f in await listen(ws, *subscribed)]
        bid, ask = best(sim)
        resting = await order(sim, http, "buy", 2, bid - 10)
        await rest(sim, http, "DELETE", f"/api/v1/orders/{resting}")
        await order(sim, http, "buy", 1, ask)
        await order(sim, http, "sell", 0, closeOrder=True, reduceOnly=True)
        for f in await drain(ws):
            got.append((subscribed[f["topic"]], f))
    async with kucoin_ws(sim, http, private=True, connect_id="all") as ws:
        await subscribe(ws, ORDERS, "a", private=True)
        await subscribe(ws, "/contract/positionAll", "b", private=True)
        await order(sim, http, "buy", 1, ask)
        got += [(ORDERS if "Order" in f["subject"] else "/contract/positionAll", f)
                for f in await drain(ws)]
    return got


def test_every_push_keeps_to_its_documented_example_and_schema() -> None:
    specs = topic_specs()

    async def go() -> list[tuple[str, Any]]:
        async with futures() as (sim, http):
            return await every_push(sim, http)

    got = run(go())
    kinds = {(t, f["subject"], f["data"].get("type")) for t, f in got}
    assert {t for t, _, _ in kinds} == {
        "/contractMarket/level2:{symbol}", "/contractMarket/ticker:{symbol}",
        "/contractMarket/tickerV2:{symbol}", "/contractMarket/execution:{symbol}",
        "/contractMarket/tradeOrders:{symbol}", "/contractMarket/tradeOrders",
        "/contract/position:{symbol}", "/contract/positionAll", WALLET}
    assert {k for _, s, k in kinds if s == "symbolOrderChange"} == {
        "open", "match", "filled", "canceled"}
    problems = []
    for topic, push in got:
        example, schema = specs[topic]
        problems += [f"{topic} {m}" for m in shape(example, push)]
        # keys the example shows (position: riskLimitLevel, changeReason) though unlisted
        shown = {f"$.data.{k}: not in the schema" for k in example["data"]}
        problems += [f"{topic} {m}" for m in schema_problems(schema, push) if m not in shown]
    assert not problems, "\n".join(problems)
    assert any(not f["data"]["isOpen"] for _, f in got if f["subject"] == "position.change")


def test_control_frames_keep_to_kucoin_s_documented_ones() -> None:
    async def go() -> None:
        async with futures() as (sim, http), kucoin_ws(sim, http, connect_id="fid") as ws:
            await ws.send_json({"id": "p", "type": "ping"})
            await ws.send_json({"id": "e", "type": "subscribe", "topic": "/nope:XBTUSDTM"})
            await ws.send_json({"id": "a", "type": "subscribe", "topic": L2,
                                "response": True})
            for name in ("pong", "error", "ack"):
                assert not shape(KUCOIN_CONTROL[name], await frame(ws)), name

    run(go())


def test_loose_wording_keeps_ids_and_symbols_text() -> None:
    async def go() -> list[Any]:
        async with futures() as (sim, http), kucoin_ws(sim, http, private=True) as ws:
            sim.streams.loosely(1.0, seed=3)
            await listen(ws, EXEC, f"{ORDERS}:{CODE}")
            _, ask = best(sim)
            await order(sim, http, "buy", 1, ask)
            return await drain(ws)

    frames = run(go())
    match = next(f["data"] for f in frames if f["subject"] == "match")
    change = next(f["data"] for f in frames if f["subject"] == "symbolOrderChange")
    assert not isinstance(match["price"], str) and not isinstance(change["filledSize"], str)
    assert all(isinstance(x[k], str) for x in (match, change) for k in (
        "symbol", "tradeId", *(("takerOrderId", "makerOrderId") if x is match else
                               ("orderId", "clientOid"))))
    assert run(go()) == frames  # the same seed, the same words


# ---------------------------------------------------------------- faults


def test_skip_sequence_leaves_a_gap_in_level2() -> None:
    async def go() -> None:
        async with futures() as (sim, http), kucoin_ws(sim, http) as ws:
            await subscribe(ws, L2)
            snap = await rest(sim, http, "GET", f"/api/v1/level2/snapshot?symbol={CODE}")
            fault = sim.streams.faults.add("skip_sequence", topic="level2")
            bid, _ = best(sim)
            for n in range(3):
                await order(sim, http, "buy", 1, bid - 10 - n)
            await fault.acted.wait()
            got = [f["data"]["sequence"] for f in await drain(ws)]
            assert got == [snap["sequence"] + 2, snap["sequence"] + 3]

    run(go())


def test_expire_token_closes_with_401_and_the_token_is_refused_after() -> None:
    async def go() -> None:
        async with futures() as (sim, http):
            data = await bullet(sim, http, private=True)
            endpoint, token = data["instanceServers"][0]["endpoint"], data["token"]
            async with http.ws_connect(endpoint, params={"token": token,
                                                         "connectId": "x1"}) as ws:
                assert await frame(ws) == {"id": "x1", "type": "welcome"}
                fault = sim.streams.faults.add("expire_token")
                await fault.acted.wait()
                assert await frame(ws) == {"id": "x1", "type": "error", "code": 401,
                                           "data": "token is expired"}
                await closed(ws)
            async with http.ws_connect(endpoint, params={"token": token,
                                                         "connectId": "x2"}) as ws:
                assert (await frame(ws))["data"] == "token is expired"
                await closed(ws)

    run(go())
