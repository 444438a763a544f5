"""Venue-neutral WebSocket serving for the local venues: routes on the same aiohttp app as the
REST routes, the live connections and what each subscribed to, the engine's events fanned out
as the venue's pushes, silent connections dropped, and stream faults (unified.sim.ws_faults).

A venue's personality brings a `StreamFace` (its paths, greetings, uplink grammar and push
shapes); everything here is the same for every venue. Each connection has one writer task
draining one queue, so a connection gets its frames in the order the engine made them. The
engine's listeners run synchronously inside the engine's step, so pushes are rendered from
the state of that moment, even when a fault holds them back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

import attrs
from aiohttp import WSCloseCode, WSMsgType, web

from unified.clock import SystemClock
from unified.convert import dumps
from unified.sim.events import EngineEvent
from unified.sim.ws_faults import Acted, Close, StreamFaultPlan

if TYPE_CHECKING:
    from unified.sim.server import SimVenue

log = logging.getLogger(__name__)

Frame = str | bytes
#: how long a closing handshake may wait for the client's answer before the socket is cut
CLOSE_TIMEOUT_S = 2.0
#: with wall-clock time the venue sweeps silent connections itself, this often
AUTO_SWEEP_S = 1.0


@attrs.frozen
class Push:
    """One downlink push for the connections subscribed to `key` (a topic or channel);
    `account` set: only that account's connections. `book`: a book delta (the faults that skip
    a sequence or corrupt a checksum act on these)."""

    key: str
    body: Any
    account: str | None = None
    book: bool = False


@attrs.frozen
class Reply:
    """One answer to the connection that asked (or a greeting); `kind` "pong" lets a fault
    swallow it; `close` set: close the connection after it with that code (body None: close
    without a frame)."""

    body: Any
    kind: str = "reply"
    close: int | None = None


class StreamFace(Protocol):
    """A venue's WebSocket face, one per local venue (it may keep that venue's state)."""

    #: the paths served, on the REST origin
    paths: tuple[str, ...]
    #: whether frames the venue sends keep a connection from counting as silent
    idle_counts_downlink: bool
    #: the stream fault kinds (unified.sim.ws_faults.KINDS) this venue can show
    fault_kinds: frozenset[str]
    #: fields a loose venue still writes as text (ids, codes)
    loose_keep: frozenset[str]

    def idle_timeout_s(self, hub: StreamHub) -> float: ...

    def opened(self, hub: StreamHub, conn: Connection) -> list[Reply]:
        """Greet a new connection (or refuse it: a Reply that closes)."""
        ...

    def received(self, hub: StreamHub, conn: Connection, text: str) -> list[Reply | Push]:
        """Answer one uplink frame; may change `conn.subs` and push snapshots to it."""
        ...

    def render(self, hub: StreamHub, event: EngineEvent) -> list[Push]: ...

    def encode(self, body: Any) -> Frame: ...

    def silent(self, hub: StreamHub, conn: Connection) -> list[Reply]:
        """What the venue says as it drops a silent connection (the last Reply closes)."""
        ...

    def expire(self, hub: StreamHub, conn: Connection) -> list[Reply] | None:
        """Expire the connection's token: the frames that say so (None: no tokens here)."""
        ...

    def corrupt(self, push: Push) -> Push | None:
        """The push with a wrong checksum (None: this venue's pushes carry none)."""
        ...

    def malform(self, push: Push) -> Push:
        """The push with its envelope kept and its data broken."""
        ...

    def garbage(self, push: Push) -> Frame:
        """A frame that is not even the venue's framing of JSON."""
        ...


_STOP = object()
Out = Frame | Acted | Close | object


def _plain_number(text: str) -> bool:
    """Digits that read back the same as a JSON number (so loosening never changes them)."""
    try:
        value = Decimal(text)
    except ArithmeticError:
        return False
    return value.is_finite() and format(value, "f") == text


def _settle(item: Out) -> None:
    """A marker that will never be written: its fault has done all it can."""
    fault = item.fault if isinstance(item, Acted | Close) else None
    if fault is not None:
        fault.done()


class Connection:
    """One live WebSocket. `subs` holds the keys of its subscriptions; `account` is set once
    the connection may receive that account's private pushes; `state` is the face's own."""

    def __init__(self, hub: StreamHub, n: int, request: web.Request,
                 ws: web.WebSocketResponse) -> None:
        self.hub, self.n, self.ws, self.request = hub, n, ws, request
        self.path = request.path
        self.query: Mapping[str, str] = dict(request.query)
        self.account: str | None = None
        self.private = False
        self.subs: set[str] = set()
        self.state: dict[str, Any] = {}
        self.ready = False  # greeted; faults may act on it
        self.muted = False  # a fault stopped its pongs
        self.closing = False
        self.heard = self.said = hub.monotonic()
        self.frames_sent = 0
        self._out: asyncio.Queue[Out] = asyncio.Queue()
        self.done = asyncio.Event()

    def put(self, item: Out) -> None:
        if self.closing:  # nothing more reaches it: a fault's effect is what closing does
            _settle(item)
            return
        self._out.put_nowait(item)
        if isinstance(item, Close):
            self.closing = True

    async def write(self) -> None:
        """The connection's only writer: frames in queue order; markers act in turn."""
        try:
            while (item := await self._out.get()) is not _STOP:
                if isinstance(item, str | bytes):
                    await (self.ws.send_str(item) if isinstance(item, str)
                           else self.ws.send_bytes(item))
                    self.said = self.hub.monotonic()
                    self.frames_sent += 1
                elif isinstance(item, Acted):
                    item.fault.done()
                elif isinstance(item, Close):
                    await self._close(item)
                    return
        except (ConnectionError, RuntimeError):
            self.closing = True  # the client went away; the reader ends the connection
        finally:
            while not self._out.empty():
                _settle(self._out.get_nowait())

    async def _close(self, item: Close) -> None:
        self.closing = True
        if item.abort:  # a network failure: no closing handshake
            if self.request.transport is not None:
                self.request.transport.abort()
        else:
            await self.ws.close(code=item.code, message=item.message.encode())
        if item.fault is not None:
            item.fault.done()

    def stop_writer(self) -> None:
        self._out.put_nowait(_STOP)


class StreamHub:
    """A local venue's WebSocket side: `sim.streams`. Set `ping_interval_ms` /
    `ping_timeout_ms` (what KuCoin's bullet answers) before clients connect; `sweep()` drops
    connections silent past the venue's limit on the venue's clock."""

    def __init__(self, sim: SimVenue, face: StreamFace | None) -> None:
        self.sim = sim
        self.face = face
        self.faults = StreamFaultPlan(self)
        self.ping_interval_ms = 18000
        self.ping_timeout_ms = 10000
        self.idle_timeout_s: float | None = None  # None: the venue's own limit
        self.auto_sweep_s: float | None = AUTO_SWEEP_S if isinstance(sim.clock, SystemClock) \
            else None
        self.connections: list[Connection] = []
        self.opened = 0
        self.failures: list[BaseException] = []  # renders that raised (tests assert none)
        self.loose_rate = 0.0
        self._loose_rng = random.Random(0)
        self._stopping = False
        self._sweeper: asyncio.Task[None] | None = None
        self._listening = False

    def monotonic(self) -> float:
        return self.sim.clock.monotonic()

    def loosely(self, rate: float, seed: int = 0) -> None:
        """Word that share of pushed numbers loosely, as live venues do: a number the docs
        show as a string sometimes arrives as a JSON number (never the other way round; the
        face's ids and codes stay text). Reproducible for a seed; 0 turns it off."""
        self.loose_rate, self._loose_rng = rate, random.Random(seed)

    def text(self, body: Any) -> str:
        """A frame's JSON (faces encode with this): compact; loose numbers bare."""
        if not self.loose_rate:
            return dumps(body)
        from unified.sim.loose import to_json  # loose.py builds on the server module

        return to_json(body)

    def _loosen(self, value: Any, keep: frozenset[str], key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: self._loosen(v, keep, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self._loosen(v, keep, key) for v in value]
        if isinstance(value, str) and key not in keep and _plain_number(value) \
                and self._loose_rng.random() < self.loose_rate:
            return Decimal(value)
        return value

    # ---------------------------------------------------------------- lifecycle

    def mount(self, app: web.Application) -> None:
        if self.face is None:
            return
        self._stopping = False  # a venue started again serves again
        for path in self.face.paths:
            app.router.add_get(path, self._handle)
        if not self._listening:
            self.sim.engine.events.listen(self.on_event)
            self._listening = True

    async def close(self) -> None:
        """Close every connection (1001, going away) and stop listening; nothing outlives it."""
        self._stopping = True
        if self._listening:
            self.sim.engine.events.unlisten(self.on_event)
            self._listening = False
        self.faults.release_all()
        live = list(self.connections)
        for conn in live:
            conn.put(Close(WSCloseCode.GOING_AWAY, "venue stopping"))
        if live:
            done = asyncio.gather(*(c.done.wait() for c in live))
            try:
                await asyncio.wait_for(done, CLOSE_TIMEOUT_S * 2)
            except TimeoutError:
                for conn in live:
                    if conn.request.transport is not None:
                        conn.request.transport.abort()
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None

    async def _handle(self, request: web.Request) -> web.WebSocketResponse:
        assert self.face is not None
        ws = web.WebSocketResponse(timeout=CLOSE_TIMEOUT_S, compress=False, autoping=True)
        await ws.prepare(request)
        self.opened += 1
        conn = Connection(self, self.opened, request, ws)
        writer = asyncio.create_task(conn.write())
        self.connections.append(conn)
        self._start_sweeper()
        try:
            if self._stopping:
                conn.put(Close(WSCloseCode.GOING_AWAY, "venue stopping"))
            else:
                self._deliver_all(conn, self.face.opened(self, conn))
                conn.ready = not conn.closing
                if conn.ready:
                    self.faults.connected(conn)
            async for msg in ws:
                if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    self._received(conn, msg.data)
        finally:
            self.connections.remove(conn)
            conn.stop_writer()
            await writer
            if not ws.closed:
                with contextlib.suppress(ConnectionError, RuntimeError):
                    await ws.close()
            conn.done.set()
        return ws

    def _received(self, conn: Connection, data: str | bytes) -> None:
        assert self.face is not None
        conn.heard = self.monotonic()
        text = data if isinstance(data, str) else data.decode("utf-8", "replace")
        try:
            items = self.face.received(self, conn, text)
        except Exception as exc:  # a face bug must show in tests, not kill the connection
            self.failures.append(exc)
            log.exception("stream face failed on %r", text)
            return
        self._deliver_all(conn, items)

    def _start_sweeper(self) -> None:
        if self._sweeper is None and self.auto_sweep_s is not None and not self._stopping:
            self._sweeper = asyncio.create_task(self._sweep_forever(self.auto_sweep_s))

    async def _sweep_forever(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            self.sweep()

    # ---------------------------------------------------------------- fan-out

    def wants(self, key: str) -> bool:
        """Whether any connection is subscribed to `key` (faces skip rendering otherwise)."""
        return any(key in c.subs for c in self.connections)

    def on_event(self, event: EngineEvent) -> None:
        if not self.connections or self.face is None:
            return
        try:
            pushes = self.face.render(self, event)
        except Exception as exc:
            self.failures.append(exc)
            log.exception("stream face failed to render %r", event)
            return
        for push in pushes:
            for conn in self.connections:
                if conn.ready and not conn.closing and push.key in conn.subs and (
                        push.account is None or push.account == conn.account):
                    self.deliver(conn, push)

    def _deliver_all(self, conn: Connection, items: Iterable[Reply | Push]) -> None:
        for item in items:
            self.deliver(conn, item)

    def deliver(self, conn: Connection, item: Reply | Push) -> None:
        """One frame to one connection, through the fault plan."""
        assert self.face is not None
        if isinstance(item, Push):
            if self.loose_rate:
                item = attrs.evolve(item, body=self._loosen(item.body, self.face.loose_keep))
            for out in self.faults.on_push(conn, item):
                conn.put(out)
            return
        if item.kind == "pong" and self.faults.swallows_pong(conn):
            return
        if item.body is not None:
            conn.put(self.face.encode(item.body))
        if item.close is not None:
            conn.put(Close(item.close))

    # ---------------------------------------------------------------- silence

    def sweep(self) -> int:
        """Drop every connection silent past the venue's limit (measured on the venue's clock:
        a ManualClock test advances it, then sweeps); the number dropped."""
        if self.face is None:
            return 0
        limit = self.idle_timeout_s if self.idle_timeout_s is not None \
            else self.face.idle_timeout_s(self)
        now, dropped = self.monotonic(), 0
        for conn in list(self.connections):
            last = max(conn.heard, conn.said) if self.face.idle_counts_downlink else conn.heard
            if conn.closing or now - last <= limit:
                continue
            items = self.face.silent(self, conn)
            self._deliver_all(conn, items)
            if not conn.closing:
                conn.put(Close(WSCloseCode.OK))
            dropped += 1
        return dropped

    def drop_all(self) -> int:
        """Cut every live connection at once, as a network failure would."""
        live = [c for c in self.connections if not c.closing]
        for conn in live:
            conn.put(Close(WSCloseCode.ABNORMAL_CLOSURE, abort=True))
        return len(live)
