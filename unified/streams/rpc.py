"""Requests and answers over one signed WebSocket (KuCoin's order API), venue-neutral.

One connection, opened on first use and again after it drops (with the keeper's backoff,
waited on the client's sleep): it connects to the dialect's signed URL, answers the venue's
session challenge, waits for the welcome (which names the ping interval), pings, and matches
answers to requests by id, many in flight at once. A login refused for its timestamp
(ClockSkew) resyncs the venue clock once through `resync` (the REST rule: Pipeline.sync_time)
and logs in again. A request whose answer cannot come (the socket dropped after sending, or no
answer in time) raises a TransportError with `request_sent=True`: the caller's lost-answer
rules (unified.placement) decide what that means; nothing here ever resends.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from unified.clock import Clock
from unified.errors import ClockSkew, ConnectionFailed, DecodeError, RequestTimeout, UnifiedError
from unified.streams.pacing import Settings
from unified.streams.sockets import open_socket
from unified.venue import Context, Credentials

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger("unified.streams")


@attrs.frozen(kw_only=True, slots=True)
class Session:
    """The venue's challenge: `text` (exactly as received) is what the client signs."""

    session_id: str
    text: str = attrs.field(repr=False)


@attrs.frozen(kw_only=True, slots=True)
class Welcome:
    session_id: str
    ping_interval_s: float
    ping_timeout_s: float


@attrs.frozen(kw_only=True, slots=True)
class Pong:
    id: str


@attrs.frozen(kw_only=True, slots=True)
class Answer:
    """The answer to request `id` (None: an error tied to no request, e.g. a refused
    handshake). `raw` is the whole frame (the venue's in/out times, rate-limit figures)."""

    id: str | None
    op: str | None
    code: str
    message: str
    data: Any
    raw: Any = attrs.field(eq=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.code == "200000"


Event = Session | Welcome | Pong | Answer


class OrderApi(Protocol):
    """An adapter's order-API dialect (`ORDER_API` beside its REST adapter), sans-IO."""

    ops: frozenset[str]  # the unified operations it carries: create, create_sync, edit, ...

    def connect_url(self, origin: str, credentials: Credentials, now: datetime) -> str: ...

    def session_reply(self, session: Session, credentials: Credentials) -> str: ...

    def ping(self, ref: str, now: datetime) -> str: ...

    def request(self, ref: str, op: str, args: Mapping[str, Any]) -> str: ...

    def args(self, ctx: Context, op: str, args: Mapping[str, Any]) -> dict[str, Any]:
        """The venue's parameters for `op` from the prepared args (unified.order_args)."""
        ...

    def decode(self, text: str | bytes) -> Event: ...


Refusal = Any  # (Answer) -> UnifiedError: the spec's error table
Sleep = Callable[[float], Awaitable[None]]


class RpcConnection:
    def __init__(self, name: str, *, api: OrderApi, origin: str, credentials: Credentials,
                 clock: Clock, refusal: Refusal, settings: Settings | None = None,
                 sleep: Sleep = asyncio.sleep,
                 resync: Callable[[], Awaitable[None]] | None = None) -> None:
        self.name, self._api, self._origin, self._credentials = name, api, origin, credentials
        self._clock, self._refusal = clock, refusal
        self._sleep = sleep  # backoff waits (the client's pacing: tests pass them at once)
        self._resync = resync  # measures the venue clock again (a login refused as skewed)
        self.settings = settings or Settings()
        self.connects = 0
        #: set once the current session's socket has ended (a drop, a close for want of a
        #: pong), cleared when the next one opens (tests and diagnostics)
        self.ended = asyncio.Event()
        self._ids = itertools.count(1)
        self._pending: dict[str, asyncio.Future[Answer]] = {}
        self._lock = asyncio.Lock()
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._session: aiohttp.ClientSession | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._pong = asyncio.Event()
        self._failures = 0
        self._closed = False

    def __repr__(self) -> str:
        return f"<RpcConnection {self.name} in_flight={len(self._pending)}>"

    async def call(self, op: str, args: Mapping[str, Any], timeout: float) -> Answer:
        """One request; its answer, whatever its code (the caller classifies refusals)."""
        ws = await self._connected()
        ref = f"{next(self._ids)}"
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._pending[ref] = future
        try:
            try:
                await ws.send_str(self._api.request(ref, op, args))
            except (ConnectionError, RuntimeError):
                raise ConnectionFailed(f"{self.name}: the socket closed before sending",
                                       request_sent=False) from None
            try:
                return await asyncio.wait_for(asyncio.shield(future), timeout)
            except TimeoutError:
                raise RequestTimeout(f"{self.name}: no answer to {op} within {timeout}s") \
                    from None
        finally:
            self._pending.pop(ref, None)

    # ---------------------------------------------------------------- the connection

    async def _connected(self) -> aiohttp.ClientWebSocketResponse:
        if self._closed:
            raise ConnectionFailed(f"{self.name}: closed", request_sent=False)
        async with self._lock:
            if self._ws is not None and not self._ws.closed:
                return self._ws
            if self._failures:
                await self._sleep(self.settings.backoff(self._failures))
            try:
                self._ws = await self._logged_in()
            except BaseException:
                self._failures += 1
                raise
            self._failures = 0
            self.connects += 1
            self.ended.clear()
            return self._ws

    async def _logged_in(self) -> aiohttp.ClientWebSocketResponse:
        """Open and log in; a login refused for its timestamp: resync once, log in again."""
        try:
            return await self._open()
        except ClockSkew:
            if self._resync is None:
                raise
            log.info("%s: login refused for its timestamp; resyncing the venue clock", self.name)
            await self._resync()
            return await self._open()

    async def _open(self) -> aiohttp.ClientWebSocketResponse:
        import aiohttp

        if self._session is None:
            self._session = aiohttp.ClientSession()
        url = self._api.connect_url(self._origin, self._credentials, self._clock.now())
        ws = await open_socket(self._session, url, name=self.name,
                               timeout_s=self.settings.connect_timeout_s)
        try:
            welcome = await self._handshake(ws)
        except BaseException:
            await ws.close()
            raise
        self._tasks = [asyncio.create_task(self._read(ws), name=f"unified-rpc-{self.name}"),
                       asyncio.create_task(self._ping(ws, welcome), name="unified-rpc-ping")]
        return ws

    async def _handshake(self, ws: aiohttp.ClientWebSocketResponse) -> Welcome:
        session = await self._next(ws)
        if not isinstance(session, Session):
            raise self._unexpected(session, "a session challenge")
        await ws.send_str(self._api.session_reply(session, self._credentials))
        welcome = await self._next(ws)
        if not isinstance(welcome, Welcome):
            raise self._unexpected(welcome, "the welcome")
        return welcome

    async def _next(self, ws: aiohttp.ClientWebSocketResponse) -> Event:
        import aiohttp

        try:
            message = await asyncio.wait_for(ws.receive(), self.settings.connect_timeout_s)
        except TimeoutError:
            raise ConnectionFailed(f"{self.name}: the venue said nothing",
                                   request_sent=False) from None
        if message.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
            raise ConnectionFailed(f"{self.name}: the venue closed the handshake",
                                   request_sent=False)
        return self._api.decode(message.data)

    def _unexpected(self, event: Event, wanted: str) -> UnifiedError:
        if isinstance(event, Answer) and not event.ok:
            error: UnifiedError = self._refusal(event)
            return error
        return DecodeError(f"{self.name}: expected {wanted}, got {type(event).__name__}")

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        import aiohttp

        try:
            async for message in ws:
                if message.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                    continue
                try:
                    event = self._api.decode(message.data)
                except DecodeError as exc:
                    log.warning("%s: unreadable frame (%s)", self.name, exc)
                    continue
                self._take(event)
        finally:
            self._lost(ws)

    def _take(self, event: Event) -> None:
        if isinstance(event, Pong):
            self._pong.set()
        elif isinstance(event, Answer) and event.id is not None:
            future = self._pending.get(event.id)
            if future is not None and not future.done():
                future.set_result(event)
        elif isinstance(event, Answer):
            log.warning("%s: the venue reported %s (%s)", self.name, event.code, event.message)

    def _lost(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """The socket ended: every request in flight has lost its answer."""
        if self._ws is ws:
            self._ws = None
            self.ended.set()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionFailed(
                    f"{self.name}: the connection dropped before the answer",
                    request_sent=True))
                future.exception()

    async def _ping(self, ws: aiohttp.ClientWebSocketResponse, welcome: Welcome) -> None:
        while not ws.closed:
            await asyncio.sleep(welcome.ping_interval_s)
            self._pong.clear()
            with contextlib.suppress(ConnectionError, RuntimeError):
                await ws.send_str(self._api.ping(f"ping-{next(self._ids)}", self._clock.now()))
            try:
                await asyncio.wait_for(self._pong.wait(), welcome.ping_timeout_s)
            except TimeoutError:
                log.info("%s: no pong within %ss; closing", self.name, welcome.ping_timeout_s)
                await ws.close()
                return

    async def close(self) -> None:
        self._closed = True
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()
            self._lost(ws)
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None
