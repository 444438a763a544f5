"""The floor: a bare aiohttp ClientSession and json.loads, nothing else.

For single calls the floor replays the exact request unified sent (method, URL, headers, body),
with its signature computed again once per round outside the timed region: the least any client
must spend on the wire. The history walk signs each page itself (KuCoin's recipe, written out
here in a few lines) because every page's URL differs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import aiohttp
import attrs
from yarl import URL

from unified.client import Exchange
from unified.transport import Transport
from unified.venue import Adapter, Credentials
from unified.wire import WireRequest, WireResponse


class Capture:
    """Records what a client signs and sends (used on a separate, untimed client)."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.sent: WireRequest | None = None
        self.unsigned: WireRequest | None = None

    async def send(self, request: WireRequest, timeout: float) -> WireResponse:
        self.sent = request
        return await self.inner.send(request, timeout)

    async def close(self) -> None:
        await self.inner.close()

    def signing(self, adapter: Adapter) -> Adapter:
        sign = adapter.sign

        def recording_sign(request: WireRequest, credentials: Credentials,
                           now: datetime) -> WireRequest:
            self.unsigned = request
            return sign(request, credentials, now)

        return attrs.evolve(adapter, sign=recording_sign)


class Replay:
    """One recorded request, sent again through a bare session."""

    def __init__(self, session: aiohttp.ClientSession, sent: WireRequest,
                 unsigned: WireRequest | None, adapter: Adapter,
                 credentials: Credentials | None) -> None:
        self.session = session
        self.unsigned = unsigned
        self.adapter = adapter
        self.credentials = credentials
        self._use(sent)

    def _use(self, request: WireRequest) -> None:
        self.method = request.method
        self.url = URL(request.url, encoded=True)
        self.headers = dict(request.headers)
        self.body = request.body or None

    def refresh(self) -> None:
        """A fresh signature (venues refuse stale timestamps); not timed."""
        if self.unsigned is not None and self.credentials is not None:
            self._use(self.adapter.sign(self.unsigned, self.credentials, datetime.now(UTC)))

    async def __call__(self) -> Any:
        async with self.session.request(self.method, self.url, data=self.body,
                                        headers=self.headers) as response:
            body = await response.read()
        return json.loads(body)

    async def check(self) -> None:
        """The replayed request is accepted (before anything is timed)."""
        async with self.session.request(self.method, self.url, data=self.body,
                                        headers=self.headers) as response:
            body = await response.read()
            status = response.status
        answer = json.loads(body)
        refused = status >= 400 or not isinstance(answer, (dict, list)) or (
            isinstance(answer, dict) and (answer.get("result") is False or "error_code" in answer
                                          or answer.get("code") not in (None, "200000", 0, "0")))
        if refused:
            raise AssertionError(f"the floor's request was refused: HTTP {status} {body[:200]!r}")


async def capture(ex_factory: Callable[[Capture], Exchange], inner: Transport,
                  call: Callable[[Exchange], Awaitable[Any]], session: aiohttp.ClientSession,
                  credentials: Credentials | None) -> Replay:
    """Run `call` once on a capturing client and return the floor that replays it."""
    recorder = Capture(inner)
    ex = ex_factory(recorder)
    try:
        await call(ex)
    finally:
        await ex.close()
    assert recorder.sent is not None, "the call sent nothing"
    return Replay(session, recorder.sent, recorder.unsigned, ex.adapter, credentials)


# ------------------------------------------------------------------ KuCoin, by hand


class KucoinFloor:
    """A minimal hand-written KuCoin client: HMAC-SHA256 per request, json.loads."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str,
                 credentials: Credentials) -> None:
        self.session = session
        self.base_url = base_url
        self.key = credentials.api_key
        self.secret = credentials.secret.encode()
        # Key versions 2/3 send the passphrase HMAC'd with the secret: constant, so once.
        self.passphrase = self._b64(hmac.new(self.secret, (credentials.passphrase or "").encode(),
                                             hashlib.sha256).digest())

    @staticmethod
    def _b64(digest: bytes) -> str:
        return base64.b64encode(digest).decode()

    def headers(self, method: str, path_and_query: str) -> Mapping[str, str]:
        stamp = str(int(time.time() * 1000))
        prehash = (stamp + method + path_and_query).encode()
        return {
            "KC-API-KEY": self.key,
            "KC-API-SIGN": self._b64(hmac.new(self.secret, prehash, hashlib.sha256).digest()),
            "KC-API-TIMESTAMP": stamp,
            "KC-API-PASSPHRASE": self.passphrase,
            "KC-API-KEY-VERSION": "2",
        }

    async def get(self, path_and_query: str) -> Any:
        url = URL(self.base_url + path_and_query, encoded=True)
        async with self.session.get(url, headers=self.headers("GET", path_and_query)) as resp:
            body = await resp.read()
        return json.loads(body)

    async def closed_orders_page(self, venue_symbol: str, limit: int,
                                 last_id: str | None) -> tuple[int, str | None]:
        """One page of HF closed orders: (items on it, the next lastId or None at the end)."""
        query = f"symbol={venue_symbol}&limit={limit}"
        if last_id is not None:
            query += f"&lastId={last_id}"
        data = (await self.get(f"/api/v1/hf/orders/done?{query}"))["data"]
        if data is None:
            return 0, None
        items = data["items"]
        more = len(items) == limit and data.get("lastId")
        return len(items), str(data["lastId"]) if more else None

    async def walk_closed_orders(self, venue_symbol: str, limit: int) -> tuple[int, int]:
        """Every closed order, page by page: (orders, requests)."""
        total, requests, last_id = 0, 0, None
        while True:
            count, last_id = await self.closed_orders_page(venue_symbol, limit, last_id)
            total += count
            requests += 1
            if last_id is None:
                return total, requests
