"""A plain aiohttp WebSocket client for the local venues' streams (not the project's client:
these tests check the simulators against the venues' documented protocol)."""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import aiohttp

import unified
from unified.client import Exchange
from unified.sim.server import SimVenue
from unified.sim.verify import hmac_sha256_b64

#: a bound on a frame that must come (nothing waits on it: frames come at once or never)
PATIENCE_S = 10.0


@asynccontextmanager
async def venue(venue_id: str, **options: Any
                ) -> AsyncIterator[tuple[SimVenue, aiohttp.ClientSession, Exchange]]:
    async with SimVenue(venue_id, enforce_limits=False, **options) as sim, \
            aiohttp.ClientSession() as http, unified.connect(
                venue_id, credentials=sim.credentials, base_url=sim.base_url) as ex:
        await ex.load_markets()
        yield sim, http, ex
        assert not sim.streams.failures, sim.streams.failures


async def raw(ws: aiohttp.ClientWebSocketResponse) -> aiohttp.WSMessage:
    return await asyncio.wait_for(ws.receive(), PATIENCE_S)


async def text_frame(ws: aiohttp.ClientWebSocketResponse) -> Any:
    """The next KuCoin frame: JSON text."""
    msg = await raw(ws)
    assert msg.type is aiohttp.WSMsgType.TEXT, msg
    return json.loads(msg.data)


def inflate(data: bytes) -> str:
    """OKCoinJapan's framing: raw DEFLATE (no zlib header)."""
    return zlib.decompress(data, -15).decode()


async def deflated_frame(ws: aiohttp.ClientWebSocketResponse) -> Any:
    """The next OKCoinJapan frame: binary, raw-DEFLATE, JSON inside (or the text `pong`)."""
    msg = await raw(ws)
    assert msg.type is aiohttp.WSMsgType.BINARY, msg
    text = inflate(msg.data)
    return text if text == "pong" else json.loads(text, parse_float=Decimal)


async def closed(ws: aiohttp.ClientWebSocketResponse) -> aiohttp.WSMessage:
    """The next message, which must end the connection."""
    msg = await raw(ws)
    assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                        aiohttp.WSMsgType.ERROR), msg
    return msg


def kucoin_headers(sim: SimVenue, method: str, path: str, body: str = "") -> dict[str, str]:
    """KuCoin's signature (v2 keys), written here from the docs' recipe."""
    creds = sim.credentials
    stamp = str(int(sim.now().timestamp() * 1000))  # the venue's clock (a ManualClock too)
    return {"KC-API-KEY": creds.api_key, "KC-API-TIMESTAMP": stamp, "KC-API-KEY-VERSION": "2",
            "KC-API-SIGN": hmac_sha256_b64(creds.secret, (stamp + method + path + body).encode()),
            "KC-API-PASSPHRASE": hmac_sha256_b64(creds.secret, (creds.passphrase or "").encode()),
            "Content-Type": "application/json"}


async def kucoin_get(sim: SimVenue, http: aiohttp.ClientSession, path: str) -> Any:
    async with http.get(sim.base_url + path, headers=kucoin_headers(sim, "GET", path)) as r:
        body = await r.json()
    assert body["code"] == "200000", body
    return body["data"]


async def bullet(sim: SimVenue, http: aiohttp.ClientSession, private: bool = False) -> Any:
    path = "/api/v1/bullet-private" if private else "/api/v1/bullet-public"
    headers = kucoin_headers(sim, "POST", path) if private else {}
    async with http.post(sim.base_url + path, headers=headers) as r:
        body = await r.json()
    assert body["code"] == "200000", body
    return body["data"]


@asynccontextmanager
async def kucoin_ws(sim: SimVenue, http: aiohttp.ClientSession, private: bool = False,
                    connect_id: str = "c1", token: str | None = None
                    ) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """Connected and welcomed."""
    data = await bullet(sim, http, private)
    endpoint = data["instanceServers"][0]["endpoint"]
    async with http.ws_connect(endpoint, params={"token": token or data["token"],
                                                 "connectId": connect_id}) as ws:
        if token is None:
            assert await text_frame(ws) == {"id": connect_id, "type": "welcome"}
        yield ws


async def subscribe(ws: aiohttp.ClientWebSocketResponse, topic: str, ref: str = "s1",
                    private: bool = False) -> None:
    await ws.send_json({"id": ref, "type": "subscribe", "topic": topic,
                        "privateChannel": private, "response": True})
    assert await text_frame(ws) == {"id": ref, "type": "ack"}


async def pong(ws: aiohttp.ClientWebSocketResponse, ref: str = "p1") -> None:
    """Ping and expect the pong as the very next frame: nothing else was queued before it."""
    await ws.send_json({"id": ref, "type": "ping"})
    assert await text_frame(ws) == {"id": ref, "type": "pong"}


async def before_pong(ws: aiohttp.ClientWebSocketResponse, ref: str = "drain") -> list[Any]:
    """Every frame the venue queued before answering a ping sent now (in order)."""
    await ws.send_json({"id": ref, "type": "ping"})
    frames = []
    while (frame := await text_frame(ws)) != {"id": ref, "type": "pong"}:
        frames.append(frame)
    return frames


@asynccontextmanager
async def okcoinjp_ws(sim: SimVenue, http: aiohttp.ClientSession
                      ) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    async with http.ws_connect(sim.base_url.replace("http", "ws", 1) + "/ws/v3") as ws:
        yield ws


def okcoinjp_login_args(sim: SimVenue, seconds: float | None = None,
                        secret: str | None = None) -> list[str]:
    """The login op's args, signed as the docs say: timestamp + "GET" + "/users/self/verify"."""
    creds = sim.credentials
    stamp = f"{sim.clock.now().timestamp() if seconds is None else seconds:.3f}"
    sign = hmac_sha256_b64(secret or creds.secret, (stamp + "GET/users/self/verify").encode())
    return [creds.api_key, creds.passphrase or "", stamp, sign]


async def okcoinjp_send(ws: aiohttp.ClientWebSocketResponse, op: str, args: list[str]) -> None:
    await ws.send_str(json.dumps({"op": op, "args": args}))


async def okcoinjp_before_pong(ws: aiohttp.ClientWebSocketResponse) -> list[Any]:
    """Every frame the venue queued before answering a `ping` sent now (in order)."""
    await ws.send_str("ping")
    frames = []
    while (frame := await deflated_frame(ws)) != "pong":
        frames.append(frame)
    return frames
