"""A local venue's WebSocket order API (`sim.order_api`): signed sessions whose requests are
answered by id, over the same engine as the REST routes (an order placed here is seen over
REST and in the private streams), with the faults of lost, late and refused answers.

Its connections are served by a StreamHub of their own (`sim.order_api.hub`: its sweep drops
silent sessions, `hub.faults.add("drop")` cuts them, `hub.drop_all()`), with the venue's face
(a StreamFace, e.g. adapters/kucoin/sim_wsapi.py) reading the handshake, the session, pings
and requests. The face hands each request to `serve`, which acts through the fault plan:

    fault = sim.order_api.faults.add("drop_after_accept", op="spot.order")
    ...                                   # a client sends spot.order
    await fault.acted.wait()              # the order is placed; the connection was cut first

Kinds (`op`: only requests of that operation, None: any; `times`: how many requests it acts
on, None: every one until `clear()` / `release()`):
  drop_after_accept  the engine acts, then the connection is cut (no closing handshake) before
                     the answer is sent; acted once it is cut
  delay              the engine acts at once, the answer is held until `fault.release()` (and is
                     stamped as sent then); other answers go out meanwhile; acted once one is held
  reject             answered `code` / `msg` instead of acting (blank: the venue's internal
                     error); acted once that answer is on the wire
  expire_session     the venue ends the session (closes the connection; a client must connect
                     and authenticate again). With `op`: at the next such request, not acted
                     on. Without: at once on live sessions (times=None: every one), or, none
                     live, on the next session the venue confirms. Acted once closed
A session is live once the face has set `conn.account` (the venue confirmed its signature).
Frames that arrive on a connection the venue is closing are not acted on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs
from aiohttp import WSCloseCode, web

from unified.sim.triggers import run_due
from unified.sim.ws import Connection, StreamFace, StreamHub
from unified.sim.ws_faults import Acted, Close

if TYPE_CHECKING:
    from unified.sim.server import SimVenue

KINDS = ("drop_after_accept", "delay", "reject", "expire_session")

#: an answer, rendered as it is sent (its send time is the venue's clock then)
Answer = Callable[[], Any]


@attrs.define(eq=False)
class ApiFault:
    kind: str
    op: str | None = None
    times: int | None = 1
    code: str = ""
    msg: str = ""
    acted: asyncio.Event = attrs.field(factory=asyncio.Event, repr=False)
    released: asyncio.Event = attrs.field(factory=asyncio.Event, repr=False)
    plan: ApiFaultPlan | None = attrs.field(default=None, repr=False)
    outstanding: int = attrs.field(default=0, repr=False)
    held: list[tuple[Connection, Answer]] = attrs.field(factory=list, repr=False)

    def arm(self) -> ApiFault:
        self.outstanding += 1
        return self

    def done(self) -> None:
        self.outstanding -= 1
        if self.outstanding <= 0:
            self.acted.set()

    def release(self) -> None:
        """delay: send the held answers, in order, and hold nothing more."""
        if self.plan is not None:
            self.plan.release(self)


class ApiFaultPlan:
    """`sim.order_api.faults`."""

    def __init__(self, api: OrderApi) -> None:
        self.api = api
        self.pending: list[ApiFault] = []
        self.delays: list[ApiFault] = []  # not yet released (they may hold answers)
        self.injected = 0

    def add(self, kind: str, op: str | None = None, times: int | None = 1, *,
            code: str = "", msg: str = "") -> ApiFault:
        if kind not in KINDS:
            raise ValueError(f"unknown order API fault {kind!r}; one of {', '.join(KINDS)}")
        if times is not None and times < 1:
            raise ValueError("times is a positive count, or None")
        fault = ApiFault(kind, op, times, code, msg, plan=self)
        self.pending.append(fault)
        if kind == "delay":
            self.delays.append(fault)
        if kind == "expire_session" and op is None:
            live = self.api.live()
            for conn in live if times is None else live[:times]:
                self.expire(fault, conn)
            if live and times is None:
                self._retire(fault)
        return fault

    def clear(self) -> None:
        self.release_all()
        self.pending.clear()

    def take(self, op: str) -> ApiFault | None:
        """The fault that acts on a request of `op`, if any (counted as used)."""
        for fault in self.pending:
            if fault.kind == "expire_session" and fault.op is None:
                continue  # acts on sessions, not on requests
            if fault.op is None or fault.op == op:
                self._use(fault)
                return fault
        return None

    def welcomed(self, conn: Connection) -> None:
        """A session was confirmed: an expiry waiting for one acts on it."""
        for fault in list(self.pending):
            if fault.kind == "expire_session" and fault.op is None:
                self.expire(fault, conn)
                if fault.times is None:
                    self._retire(fault)
                return

    def release(self, fault: ApiFault) -> None:
        self._retire(fault)
        if fault in self.delays:
            self.delays.remove(fault)
        held, fault.held = fault.held, []
        for conn, answer in held:
            self.api.send(conn, answer)
        fault.released.set()

    def release_all(self) -> None:
        for fault in list(self.delays):
            self.release(fault)

    def expire(self, fault: ApiFault, conn: Connection) -> None:
        """The venue says the session ended, if it says anything, and closes it."""
        if fault.op is None:
            self._use(fault)
        said = self.api.face.expire(self.api.hub, conn) or []
        for reply in said:
            if reply.body is not None:
                conn.put(self.api.face.encode(reply.body))
        code = next((r.close for r in said if r.close is not None), WSCloseCode.OK)
        conn.put(Close(code, "session expired", fault=fault.arm()))

    # ---------------------------------------------------------------- internals

    def _use(self, fault: ApiFault) -> None:
        self.injected += 1
        if fault.times is not None:
            fault.times -= 1
            if fault.times <= 0:
                self._retire(fault)

    def _retire(self, fault: ApiFault) -> None:
        if fault in self.pending:
            self.pending.remove(fault)


class OrderApi:
    """A venue's WebSocket order API. `face(api)` makes the venue's face for its hub."""

    def __init__(self, sim: SimVenue, face: Callable[[OrderApi], StreamFace]) -> None:
        self.sim = sim
        self.face = face(self)
        self.hub = StreamHub(sim, self.face)
        self.faults = ApiFaultPlan(self)
        self.requests: dict[str, int] = {}  # per operation, as the face served them
        self.answers: dict[str, Any] = {}  # the last answer per operation (shape checks)

    @property
    def connections(self) -> list[Connection]:
        return self.hub.connections

    def live(self) -> list[Connection]:
        return [c for c in self.hub.connections if c.account is not None and not c.closing]

    def mount(self, app: web.Application) -> None:
        self.hub.mount(app)

    async def close(self) -> None:
        """Held answers go out, then every connection closes (1001) with no task left."""
        self.faults.release_all()
        await self.hub.close()

    def welcomed(self, conn: Connection) -> None:
        """The face confirmed `conn`'s session (it set conn.account)."""
        self.faults.welcomed(conn)

    def send(self, conn: Connection, answer: Answer) -> None:
        conn.put(self.face.encode(answer()))

    def serve(self, conn: Connection, op: str, act: Callable[[], Answer],
              refuse: Callable[[str, str], Answer]) -> None:
        """One request of `op` on a live session: `act()` does what it asks (the engine acts)
        and gives its answer; `refuse(code, msg)` words a refusal. Through the fault plan."""
        self.requests[op] = self.requests.get(op, 0) + 1
        fault = self.faults.take(op)
        engine = self.sim.engine

        def acting() -> Answer:  # due work around it, as around a REST request (sim.triggers)
            run_due(engine)
            answer = act()
            run_due(engine)
            return answer

        def recorded(answer: Answer) -> Answer:
            def render() -> Any:
                self.answers[op] = body = answer()
                return body
            return render

        if fault is None:
            self.send(conn, recorded(acting()))
        elif fault.kind == "reject":
            self.send(conn, refuse(fault.code, fault.msg))
            conn.put(Acted.of(fault))
        elif fault.kind == "expire_session":
            self.faults.expire(fault, conn)
        elif fault.kind == "drop_after_accept":
            acting()  # done; its answer is lost with the connection
            conn.put(Close(WSCloseCode.ABNORMAL_CLOSURE, abort=True, fault=fault.arm()))
        else:  # delay
            fault.held.append((conn, recorded(acting())))
            fault.acted.set()
