"""The connection keeper: one WebSocket to one venue endpoint, kept alive for its streams.

It connects (fetching the endpoint first where the venue hands one out, e.g. KuCoin's bullet),
waits for the venue's greeting, logs in on private connections, pings at the venue's
interval and treats a missing pong as a dead connection, reconnects with exponential backoff
and full jitter, resubscribes every wire key still wanted, and fetches a new endpoint when the
venue says the token expired. Everything venue-specific comes from the Dialect.

Events may have been missed while a socket was down (or in a frame it cannot read): it calls
`on_lost` at once (nothing held can be trusted) and `on_resync(conn, resubscribed)` once the
connection works again; the hub re-seeds books and reconciles private streams through REST.
A request refused for good (a login's AuthenticationError) and then the socket closed ends the
connection with that refusal at once (unified.streams.pending): reconnecting cannot cure it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from unified.clock import Clock
from unified.errors import ConnectionFailed, DecodeError, RequestTimeout, UnifiedError
from unified.streams.dialect import (
    Acked,
    Dialect,
    Endpoint,
    Event,
    Item,
    LoggedIn,
    Outgoing,
    Pong,
    Refused,
    Welcome,
)
from unified.streams.pacing import Settings, Window
from unified.streams.pending import Pending
from unified.streams.sockets import open_socket

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger("unified.streams")


class _Dead(Exception):
    """This socket is finished; reconnect (fresh: also fetch a new endpoint)."""

    def __init__(self, why: str, *, fresh: bool = False) -> None:
        super().__init__(why)
        self.fresh = fresh


Refusal = Callable[[Refused], UnifiedError]


class Connection:
    """One socket for many wire keys. `add`/`remove` count how many streams want each key."""

    def __init__(self, name: str, *, dialect: Dialect, private: bool,
                 endpoint: Callable[[bool], Awaitable[Endpoint]],
                 login: Callable[[], Outgoing | None],
                 decode: Callable[[str | bytes], list[Event]],
                 on_items: Callable[[list[Item]], None],
                 on_lost: Callable[[Connection], None],
                 on_resync: Callable[[Connection, bool], Awaitable[None]],
                 on_broken: Callable[[Connection, UnifiedError], None],
                 refusal: Refusal, clock: Clock, settings: Settings,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 connects: Window | None = None) -> None:
        self.name, self.dialect, self.private = name, dialect, private
        self._endpoint, self._login, self._decode = endpoint, login, decode
        self._on_items, self._on_resync, self._on_broken = on_items, on_resync, on_broken
        self._on_lost = on_lost
        self._refusal, self._clock, self.settings = refusal, clock, settings
        self._sleep = sleep  # backoff waits (the client's pacing: tests pass them at once)
        self.keys: dict[str, int] = {}
        self.connects = 0  # successful connections so far (tests and diagnostics)
        #: when the venue last showed that it had sent us everything: at each ready session
        #: and each pong (a socket delivers in order), so what was missed came after it
        self.heard_at: datetime | None = None
        self._ready_at = 0.0  # monotonic, when the current session became ready
        self._ids = itertools.count(1)
        self._pending = Pending()
        self._pong = asyncio.Event()
        self._welcome = asyncio.Event()
        self._ready = asyncio.Event()
        self._uplink = Window(settings.uplink_per_10s, clock, sleep=sleep)
        per_hour = settings.subscriptions_per_hour
        self._subscriptions = None if per_hour is None else Window(
            per_hour, clock, window_s=3600.0, sleep=sleep)
        self._connects = connects  # shared by a client's connections to one venue
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._broken: UnifiedError | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"<Connection {self.name} keys={len(self.keys)}>"

    def new_ref(self) -> str:
        return str(next(self._ids))

    # ---------------------------------------------------------------- what streams call

    async def add(self, keys: Sequence[str]) -> None:
        """Want `keys` (counted); subscribes the new ones and waits for the venue's acks."""
        new = [k for k in dict.fromkeys(keys) if not self.keys.get(k)]
        for key in keys:
            self.keys[key] = self.keys.get(key, 0) + 1
        try:
            await self._until_ready()
            if new:
                await self._subscribe(new)
        except BaseException:
            self._forget(keys)
            raise

    async def remove(self, keys: Sequence[str]) -> None:
        """No longer want `keys`; unsubscribes those nobody wants any more."""
        gone = self._forget(keys)
        if gone and self._ready.is_set() and not self._closed:
            with contextlib.suppress(UnifiedError, _Dead, OSError):
                await self._exchange(self.dialect.unsubscribe(gone, self.new_ref), wait=False)
        if not self.keys:
            await self.close()

    async def renew(self, keys: Sequence[str]) -> None:
        """Unsubscribe and subscribe again (a checksummed book asks for a fresh partial)."""
        if self._ready.is_set():
            await self._exchange(self.dialect.unsubscribe(list(keys), self.new_ref), wait=False)
            await self._subscribe(list(keys))

    async def close(self) -> None:
        self._closed = True
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._drop_socket()
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def closed(self) -> bool:
        return self._closed

    def _forget(self, keys: Sequence[str]) -> list[str]:
        gone = []
        for key in keys:
            self.keys[key] = left = self.keys.get(key, 0) - 1
            if left <= 0:
                del self.keys[key]
                gone.append(key)
        return list(dict.fromkeys(gone))

    async def _until_ready(self) -> None:
        if self._closed:
            raise ConnectionFailed(f"{self.name}: the connection is closed", request_sent=False)
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"unified-ws-{self.name}")
        ready = asyncio.ensure_future(self._ready.wait())
        done, _ = await asyncio.wait({ready, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            raise self._broken or ConnectionFailed(f"{self.name}: the connection ended")

    async def _send(self, frame: str) -> None:
        ws = self._ws
        if ws is None or ws.closed:
            raise _Dead("the socket is closed")
        await self._uplink.take()
        try:
            await ws.send_str(frame)
        except (ConnectionError, RuntimeError) as exc:
            raise _Dead(f"send failed: {type(exc).__name__}") from None

    async def _subscribe(self, keys: list[str]) -> None:
        if self._subscriptions is not None:
            await self._subscriptions.take(len(keys))
        await self._exchange(self.dialect.subscribe(keys, self.new_ref), wait=True)

    async def _exchange(self, frames: list[Outgoing], *, wait: bool) -> None:
        """Send frames; with `wait`, until every ref is acked (a refusal raises it)."""
        futures = []
        for out in frames:
            if wait:
                futures += self._pending.expect(out.refs)
            await self._send(out.frame)
        if futures:
            try:
                await asyncio.wait_for(asyncio.gather(*futures), self.settings.ack_timeout_s)
            except TimeoutError:
                raise RequestTimeout(f"{self.name}: no answer to a subscribe within "
                                     f"{self.settings.ack_timeout_s}s") from None
            finally:
                for out in frames:
                    self._pending.forget(out.refs)

    # ---------------------------------------------------------------- the keeper

    async def _run(self) -> None:
        failures, drops, fresh = 0, 0, False
        while not self._closed:
            try:
                await self._session_once(fresh)
                failures, fresh = 0, False
            except _Dead as dead:
                log.info("%s: connection lost (%s); reconnecting", self.name, dead)
                fresh = dead.fresh
                if self._ready.is_set():  # it worked: again at once, unless sessions keep
                    # dying young (a venue that drops every connection must not be hammered)
                    lived = self._clock.monotonic() - self._ready_at
                    failures, drops = 0, drops + 1 if lived < self.settings.stable_s else 0
                else:
                    failures += 1
            except UnifiedError as exc:
                log.info("%s: cannot connect (%s)", self.name, type(exc).__name__)
                failures += 1
                if not isinstance(exc, (ConnectionFailed, RequestTimeout, DecodeError)) or (
                        failures >= self.settings.max_failures):
                    self._break(exc)
                    return
            finally:
                self._ready.clear()
                self._pending.fail_all(ConnectionFailed(f"{self.name}: the connection dropped"))
                await self._drop_socket()
            if failures >= self.settings.max_failures:
                self._break(ConnectionFailed(
                    f"{self.name}: {failures} connection attempts failed in a row"))
                return
            if failures or drops > 1:
                await self._sleep(self.settings.backoff(failures or drops - 1))

    def _break(self, error: UnifiedError) -> None:
        self._broken = error
        self._on_broken(self, error)

    async def _session_once(self, fresh: bool) -> None:
        endpoint = await self._endpoint(fresh)
        self._ws = await self._connect(endpoint)
        self._welcome.clear()
        reader: asyncio.Task[None] = asyncio.create_task(self._read())
        pinger: asyncio.Task[None] | None = None
        try:
            if endpoint.welcome:
                await self._await(self._welcome.wait(), "welcome", reader)
            login = self._login() if self.private else None
            if login is not None:
                await self._await(self._exchange([login], wait=True), "login", reader)
            pinger = asyncio.create_task(self._ping(endpoint))
            if self.connects:
                self._on_lost(self)
            if self.keys:
                await self._await(self._subscribe(list(self.keys)), "resubscribe", reader)
            self._ready.set()
            self._ready_at = self._clock.monotonic()
            self.heard_at = self._clock.now()
            self.connects += 1
            if self.connects > 1:
                await self._on_resync(self, True)
            done, _ = await asyncio.wait({reader, pinger}, return_when=asyncio.FIRST_COMPLETED)
            for finished in done:
                finished.result()
            raise _Dead("the socket closed")
        finally:
            for task in (reader, pinger):
                if task is not None and not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, _Dead, UnifiedError):
                        await task

    async def _await(self, step: Awaitable[Any], what: str, reader: asyncio.Task[None]) -> None:
        """Wait for one set-up step; a reader that ends first (socket closed) ends it too,
        with the refusal the venue closed it after, if any (the reader raises that)."""
        task = asyncio.ensure_future(step)
        done, _ = await asyncio.wait({task, reader}, timeout=self.settings.connect_timeout_s,
                                     return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, UnifiedError, _Dead):
            await task
        if reader in done:
            reader.result()
            raise _Dead(f"the socket closed while waiting for {what}")
        raise _Dead(f"no {what} within {self.settings.connect_timeout_s}s")

    async def _connect(self, endpoint: Endpoint) -> aiohttp.ClientWebSocketResponse:
        import aiohttp

        if self._session is None:
            self._session = aiohttp.ClientSession()
        if self._connects is not None:
            await self._connects.take()
        return await open_socket(
            self._session, endpoint.url, name=self.name,
            timeout_s=self.settings.connect_timeout_s,
            ws_timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=2.0))

    async def _drop_socket(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None and not ws.closed:
            with contextlib.suppress(Exception):
                await ws.close()

    async def _ping(self, endpoint: Endpoint) -> None:
        every = self.settings.ping_interval_s or endpoint.ping_interval_s
        patience = self.settings.ping_timeout_s or endpoint.ping_timeout_s
        while True:
            await asyncio.sleep(every)
            self._pong.clear()
            await self._send(self.dialect.ping(self.new_ref()))
            try:
                await asyncio.wait_for(self._pong.wait(), patience)
            except TimeoutError:
                raise _Dead(f"no pong within {patience}s") from None

    # ---------------------------------------------------------------- downlink

    async def _read(self) -> None:
        import aiohttp

        ws, take, pending = self._ws, self._take, self._pending
        assert ws is not None  # Enum members read once (each read goes through the metaclass):
        pending.fatal = None
        data, error = (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY), aiohttp.WSMsgType.ERROR
        async for message in ws:
            if message.type in data:
                resync = take(message.data)
                if resync is not None:
                    await resync
            elif message.type == error:
                break
        if pending.fatal is not None:  # its last word was a refusal no reconnect can cure
            raise pending.fatal
        raise _Dead("the venue closed the socket")

    def _take(self, frame: str | bytes) -> Awaitable[None] | None:
        """One frame, taken at once (no coroutine a frame); the resync to await, if any."""
        self._pending.fatal = None  # a refusal held only while it is the venue's last word
        try:
            events = self._decode(frame)
        except DecodeError as exc:
            log.warning("%s: unreadable frame (%s); resynchronising", self.name, exc)
            if self._ready.is_set():
                self._on_lost(self)
                return self._on_resync(self, False)
            return None
        items = [e for e in events if type(e) is Item]
        if len(items) < len(events):  # control frames (pushes, the common case, are none)
            for event in events:
                if type(event) is not Item:
                    self._control(event)
        if items:
            self._on_items(items)
        return None

    def _control(self, event: Event) -> None:
        if isinstance(event, Pong):
            self._pong.set()
            self.heard_at = self._clock.now()
        elif isinstance(event, Welcome):
            self._welcome.set()
        elif isinstance(event, Acked):
            self._pending.resolve(event.ref)
        elif isinstance(event, LoggedIn):
            self._pending.resolve("login")
        elif isinstance(event, Refused):
            self._refused(event)

    def _refused(self, event: Refused) -> None:
        if event.token_expired:
            log.info("%s: the token expired; fetching a new one", self.name)
            self._pending.fail_all(ConnectionFailed(f"{self.name}: the token expired"))
            raise _Dead("the token expired", fresh=True)
        error = self._refusal(event)
        if not self._pending.refuse(event.ref, error):
            log.warning("%s: the venue reported %s", self.name, type(error).__name__)
