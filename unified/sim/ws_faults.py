"""Stream faults for the local venues' WebSocket side (`sim.streams.faults`).

    fault = sim.streams.faults.add("skip_sequence", topic="level2")
    ...                                   # a REST call changes the book
    await fault.acted.wait()              # the delta was not sent: the next one jumps

Kinds (`topic`: only pushes whose key contains it; `private`: only private / public
connections; `times`: how many pushes, connections or pongs it acts on):
  drop              cut the connection(s) now, as a network failure would (times=None: every
                    live one); with none live, the next to connect
  expire_token      the venue says the connection's token expired and closes it (KuCoin: an
                    error frame, code 401; the token is refused from then on); now or next
  mute_pings        the next connection(s) to ping never get a pong again
  skip_sequence     the next book delta is not sent (the one after it jumps a sequence)
  corrupt_checksum  the next book push carries a wrong checksum (OKCoinJapan depth)
  delay             pushes are held from now on and sent, in order, once `fault.release()`
  malformed         the next push keeps its envelope but its data is broken
  garbage           the next push is replaced by a frame that is not JSON at all
`acted` is set once the fault's effect is on the wire (or, for delay, once a push is held).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

import attrs
from aiohttp import WSCloseCode

if TYPE_CHECKING:
    from unified.sim.ws import Connection, Out, Push, StreamHub

KINDS = ("drop", "expire_token", "mute_pings", "skip_sequence", "corrupt_checksum", "delay",
         "malformed", "garbage")
AT_ONCE = ("drop", "expire_token")  # act on live connections when added


@attrs.define(eq=False)
class StreamFault:
    kind: str
    topic: str | None = None
    private: bool | None = None
    times: int | None = 1  # None: every live connection (drop, expire_token)
    acted: asyncio.Event = attrs.field(factory=asyncio.Event, repr=False)
    released: asyncio.Event = attrs.field(factory=asyncio.Event, repr=False)
    plan: StreamFaultPlan | None = attrs.field(default=None, repr=False)
    outstanding: int = attrs.field(default=0, repr=False)  # effects queued, not yet on the wire

    def arm(self) -> StreamFault:
        self.outstanding += 1
        return self

    def done(self) -> None:
        self.outstanding -= 1
        if self.outstanding <= 0:
            self.acted.set()

    def on_connection(self, conn: Connection) -> bool:
        return self.private is None or self.private == conn.private

    def on_push(self, conn: Connection, push: Push) -> bool:
        return self.on_connection(conn) and (self.topic is None or self.topic in push.key)

    def release(self) -> None:
        """delay: send what was held, in order, and hold nothing more."""
        if self.plan is not None:
            self.plan.release(self)


class Effect(Protocol):
    """A fault whose effects are counted: armed as each is queued, done as each is on the wire
    (StreamFault here; unified.sim.ws_api's order API faults too)."""

    def arm(self) -> Effect: ...

    def done(self) -> None: ...


@attrs.frozen
class Acted:
    """A writer-queue marker: set `fault.acted` once every frame before it is sent."""

    fault: Effect

    @classmethod
    def of(cls, fault: Effect) -> Acted:
        return cls(fault.arm())


@attrs.frozen
class Close:
    """A writer-queue marker: close the connection (abort: cut it, no closing handshake)."""

    code: int
    message: str = ""
    abort: bool = False
    fault: Effect | None = None


class StreamFaultPlan:
    def __init__(self, hub: StreamHub) -> None:
        self.hub = hub
        self.pending: list[StreamFault] = []
        self.injected = 0
        self._held: dict[StreamFault, list[tuple[Connection, Push]]] = {}

    def add(self, kind: str, *, topic: str | None = None, private: bool | None = None,
            times: int | None = 1) -> StreamFault:
        face = self.hub.face
        if kind not in KINDS:
            raise ValueError(f"unknown stream fault {kind!r}; one of {', '.join(KINDS)}")
        if face is None or kind not in face.fault_kinds:
            raise ValueError(f"{self.hub.sim.venue_id} streams cannot {kind}")
        if times is None and kind not in AT_ONCE:
            raise ValueError(f"{kind}: times=None is for faults that act on live connections")
        fault = StreamFault(kind, topic, private, times, plan=self)
        self.pending.append(fault)
        if kind in AT_ONCE:
            live = [c for c in self.hub.connections
                    if c.ready and not c.closing and fault.on_connection(c)]
            for conn in live if times is None else live[:times]:
                self._act_on(fault, conn)
                if times is not None:
                    self._use(fault, count=False)
            if times is None and live:
                self._retire(fault)  # every live one: done, not waiting for more
        return fault

    def clear(self) -> None:
        self.release_all()
        self.pending.clear()

    # ---------------------------------------------------------------- hooks for the hub

    def connected(self, conn: Connection) -> None:
        """A connection was greeted: faults waiting for one act on it."""
        for fault in list(self.pending):
            if fault.kind in AT_ONCE and fault.on_connection(conn):
                self._act_on(fault, conn)
                if fault.times is None:
                    self._retire(fault)
                else:
                    self._use(fault, count=False)

    def swallows_pong(self, conn: Connection) -> bool:
        if conn.muted:
            return True
        for fault in self.pending:
            if fault.kind == "mute_pings" and fault.on_connection(conn):
                conn.muted = True
                self._use(fault)
                fault.acted.set()
                return True
        return False

    def on_push(self, conn: Connection, push: Push) -> list[Out]:
        """What goes to `conn` for `push`: its frame, a changed one, nothing (held or skipped)."""
        face = self.hub.face
        assert face is not None
        for fault in list(self.pending):
            if not fault.on_push(conn, push):
                continue
            kind = fault.kind
            if kind == "delay":
                self._held.setdefault(fault, []).append((conn, push))
                fault.acted.set()
                return []
            if kind == "skip_sequence" and push.book:
                self._use(fault)
                return [Acted.of(fault)]
            if kind == "corrupt_checksum" and push.book:
                corrupted = face.corrupt(push)
                if corrupted is not None:
                    self._use(fault)
                    return [face.encode(corrupted.body), Acted.of(fault)]
            if kind == "malformed":
                self._use(fault)
                return [face.encode(face.malform(push).body), Acted.of(fault)]
            if kind == "garbage":
                self._use(fault)
                return [face.garbage(push), Acted.of(fault)]
        return [face.encode(push.body)]

    def release(self, fault: StreamFault) -> None:
        if fault in self.pending:
            self.pending.remove(fault)
        face = self.hub.face
        for conn, push in self._held.pop(fault, []):
            if face is not None:
                conn.put(face.encode(push.body))
        fault.released.set()

    def release_all(self) -> None:
        for fault in [f for f in self.pending if f.kind == "delay"]:
            self.release(fault)

    # ---------------------------------------------------------------- internals

    def _act_on(self, fault: StreamFault, conn: Connection) -> None:
        face = self.hub.face
        assert face is not None
        self.injected += 1
        if fault.kind == "drop":
            conn.put(Close(WSCloseCode.ABNORMAL_CLOSURE, abort=True, fault=fault.arm()))
            return
        said = face.expire(self.hub, conn) or []
        for reply in said:
            if reply.body is not None:
                conn.put(face.encode(reply.body))
        code = next((r.close for r in said if r.close is not None), WSCloseCode.OK)
        conn.put(Close(code, fault=fault.arm()))

    def _use(self, fault: StreamFault, count: bool = True) -> None:
        self.injected += count
        if fault.times is not None:
            fault.times -= 1
            if fault.times <= 0:
                self._retire(fault)

    def _retire(self, fault: StreamFault) -> None:
        if fault in self.pending:
            self.pending.remove(fault)
