"""The local KuCoin's WebSocket order API (/v1/private, sim.order_api), checked with a plain
aiohttp client written here from KuCoin's docs (not the project's client): the signed
handshake and session, ping/pong, each operation's answer (keys and JSON types as the docs
show them), orders seen over REST and in the private streams, errors with their codes, many
requests in flight answered by id. The venue runs on a ManualClock: nothing waits on time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from yarl import URL

from unified.clock import ManualClock
from unified.convert import to_ms
from unified.sim.server import SimVenue

from ..conftest import run
from .helpers import closed, kucoin_get, raw, text_frame

SYMBOL, CODE = "BTC/USDT", "BTC-USDT"
D = Decimal
PING_INTERVAL_MS, PING_TIMEOUT_MS = 18000, 10000


def sign(secret: str, text: str) -> str:
    """base64(HMAC-SHA256(secret, text)): the docs' recipe for every signature here."""
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()
                            ).decode()


def login_url(sim: SimVenue, *, key: str | None = None, sign_secret: str | None = None,
              passphrase: str | None = None, stamp_ms: int | None = None,
              drop: str | None = None) -> URL:
    """ws://.../v1/private?apikey&sign&passphrase&timestamp, URL-encoded, as the docs say."""
    creds = sim.credentials
    key = key or creds.api_key
    stamp = str(to_ms(sim.now()) if stamp_ms is None else stamp_ms)
    query = {"apikey": key, "sign": sign(sign_secret or creds.secret, key + stamp),
             "passphrase": sign(creds.secret, passphrase or creds.passphrase or ""),
             "timestamp": stamp}
    if drop:
        del query[drop]
    origin = sim.base_url.replace("http://", "ws://", 1)
    return URL(f"{origin}/v1/private?{urlencode(query)}", encoded=True)


@asynccontextmanager
async def still() -> AsyncIterator[tuple[SimVenue, ManualClock, aiohttp.ClientSession]]:
    clock = ManualClock()
    async with SimVenue("kucoin", clock=clock) as sim, aiohttp.ClientSession() as http:
        yield sim, clock, http
        assert sim.order_api is not None and not sim.order_api.hub.failures


@asynccontextmanager
async def session(sim: SimVenue, http: aiohttp.ClientSession
                  ) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """Connected, the session message signed, welcomed."""
    async with http.ws_connect(login_url(sim)) as ws:
        challenge = await raw(ws)
        assert challenge.type is aiohttp.WSMsgType.TEXT
        await ws.send_str(sign(sim.credentials.secret, challenge.data))
        welcome = await text_frame(ws)
        assert welcome == {"sessionId": json.loads(challenge.data)["sessionId"],
                           "data": "welcome", "pingInterval": PING_INTERVAL_MS,
                           "pingTimeout": PING_TIMEOUT_MS}
        yield ws


async def ask(ws: aiohttp.ClientWebSocketResponse, op: str, args: dict[str, Any],
              ref: str = "r1") -> Any:
    """One request, and the next frame, which must answer it."""
    await ws.send_json({"id": ref, "op": op, "args": args})
    answer = await text_frame(ws)
    assert (answer.get("id"), answer.get("op")) == (ref, op), answer
    return answer


def limit(price: str = "25000", size: str = "0.01", coid: str = "ws1", **more: Any
          ) -> dict[str, Any]:
    return {"clientOid": coid, "side": "buy", "symbol": CODE, "type": "limit", "price": price,
            "size": size, **more}


def well_formed(answer: Any, data_types: dict[str, type]) -> Any:
    """A success as the docs show it: id, op, code "200000", data with these keys and JSON
    types, inTime and outTime (ms integers), rateLimit (limit, reset, remaining)."""
    assert set(answer) == {"id", "op", "code", "data", "inTime", "outTime", "rateLimit"}, answer
    assert answer["code"] == "200000"
    assert isinstance(answer["inTime"], int) and isinstance(answer["outTime"], int)
    assert answer["inTime"] <= answer["outTime"]
    assert set(answer["rateLimit"]) == {"limit", "reset", "remaining"}
    assert all(isinstance(v, int) for v in answer["rateLimit"].values())
    data = answer["data"]
    assert {k: type(v) for k, v in data.items()} == data_types, data
    return data


def refused(answer: Any, code: str, *, with_id: bool = True) -> str:
    """An error: code and msg, inTime/outTime, id and op where the request named them."""
    keys = {"code", "msg", "inTime", "outTime"} | ({"id", "op"} if with_id else set())
    assert set(answer) - {"rateLimit"} == keys, answer
    assert answer["code"] == code, answer
    assert isinstance(answer["msg"], str) and answer["msg"]
    assert isinstance(answer["inTime"], int) and isinstance(answer["outTime"], int)
    return str(answer["msg"])


async def rest_order(sim: SimVenue, http: aiohttp.ClientSession, order_id: str) -> Any:
    return await kucoin_get(sim, http, f"/api/v1/hf/orders/{order_id}?symbol={CODE}")


async def rest_open(sim: SimVenue, http: aiohttp.ClientSession) -> list[str]:
    rows = await kucoin_get(sim, http, f"/api/v1/hf/orders/active?symbol={CODE}")
    return [r["id"] for r in rows]


# ---------------------------------------------------------------- the connection


def test_handshake_session_welcome_and_ping() -> None:
    async def go() -> None:
        async with still() as (sim, clock, http), http.ws_connect(login_url(sim)) as ws:
            challenge = await raw(ws)
            message = json.loads(challenge.data)
            assert set(message) == {"sessionId", "timestamp"}
            assert isinstance(message["sessionId"], str) and len(message["sessionId"]) == 36
            assert message["timestamp"] == to_ms(clock.now())
            await ws.send_str(sign(sim.credentials.secret, challenge.data))
            assert await text_frame(ws) == {
                "sessionId": message["sessionId"], "data": "welcome",
                "pingInterval": PING_INTERVAL_MS, "pingTimeout": PING_TIMEOUT_MS}
            clock.advance(1.5)
            await ws.send_json({"id": "ping-123", "op": "ping", "timestamp": 1})
            assert await text_frame(ws) == {"id": "ping-123", "op": "pong",
                                            "timestamp": to_ms(clock.now())}

    run(go())


LOGIN_FAILURES = {
    "bad_sign": ({"sign_secret": "not-the-secret"}, "400005"),
    "bad_passphrase": ({"passphrase": "not-the-passphrase"}, "400004"),
    "unknown_key": ({"key": "no-such-key"}, "400003"),
    "stale": ({"stamp_ms": -6000}, "400002"),
    "ahead": ({"stamp_ms": 6000}, "400002"),
    "missing_sign": ({"drop": "sign"}, "400001"),
}


@pytest.mark.parametrize("case", sorted(LOGIN_FAILURES))
def test_a_bad_login_is_refused_and_closed(case: str) -> None:
    login, code = LOGIN_FAILURES[case]

    async def go() -> None:
        async with still() as (sim, clock, http):
            options = dict(login)
            if "stamp_ms" in options:  # more than the spec's 5 s from the venue's clock
                options["stamp_ms"] = to_ms(clock.now()) + int(options["stamp_ms"])
            async with http.ws_connect(login_url(sim, **options)) as ws:
                answer = await text_frame(ws)
                refused(answer, code, with_id=False)
                assert answer["inTime"] == to_ms(clock.now())
                if case == "unknown_key":
                    assert answer["msg"] == "KC-API-KEY not exists."
                await closed(ws)

    run(go())


def test_the_timestamp_window_is_the_specs() -> None:
    async def go() -> None:
        async with still() as (sim, clock, http):
            old = login_url(sim, stamp_ms=to_ms(clock.now()) - 5000)  # 5 s: inside the window
            async with http.ws_connect(old) as ws:
                assert set(await text_frame(ws)) == {"sessionId", "timestamp"}

    run(go())


@pytest.mark.parametrize("signature", ["wrong-secret", "other-text", "not-a-signature"])
def test_a_bad_session_signature_is_refused_and_closed(signature: str) -> None:
    async def go() -> None:
        async with still() as (sim, _, http), http.ws_connect(login_url(sim)) as ws:
            challenge = (await raw(ws)).data
            text = {"wrong-secret": sign("not-the-secret", challenge),
                    "other-text": sign(sim.credentials.secret, challenge + " "),
                    "not-a-signature": json.dumps({"id": "1", "op": "ping"})}[signature]
            await ws.send_str(text)
            assert refused(await text_frame(ws), "400005", with_id=False)
            await closed(ws)

    run(go())


# ---------------------------------------------------------------- operations


ORDER_DATA = {"orderId": str, "clientOid": str}


def test_spot_order_is_seen_over_rest_then_spot_cancel() -> None:
    async def go() -> None:
        async with still() as (sim, clock, http), session(sim, http) as ws:
            clock.advance(2)
            answer = await ask(ws, "spot.order", limit(tags="bot-7", remark="first"))
            data = well_formed(answer, ORDER_DATA)
            assert data["clientOid"] == "ws1"
            assert answer["inTime"] == answer["outTime"] == to_ms(clock.now())
            shown = await rest_order(sim, http, data["orderId"])
            assert (shown["clientOid"], shown["active"], shown["tags"], shown["remark"]) == (
                "ws1", True, "bot-7", "first")
            assert (D(shown["price"]), D(shown["size"])) == (D(25000), D("0.01"))
            assert await rest_open(sim, http) == [data["orderId"]]
            cancel = await ask(ws, "spot.cancel", {"symbol": CODE, "orderId": data["orderId"]},
                               "r2")
            assert well_formed(cancel, {"orderId": str}) == {"orderId": data["orderId"]}
            assert await rest_open(sim, http) == []
            shown = await rest_order(sim, http, data["orderId"])
            assert (shown["active"], shown["cancelExist"]) == (False, True)

    run(go())
