"""The local venue: an aiohttp app on 127.0.0.1 whose routes come from the venue's spec, whose
answers come from the venue's simulator personality, with auth, rate limits and faults."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

import attrs
from aiohttp import web

from unified import registry
from unified.clock import Clock, SystemClock
from unified.convert import dumps
from unified.errors import DecodeError
from unified.sim.book import Engine, EngineError, SimMarket
from unified.sim.triggers import run_due
from unified.sim.verify import AuthFailure, verify
from unified.sim.ws import StreamFace, StreamHub
from unified.sim.ws_api import OrderApi
from unified.spec import EndpointSpec, VenueSpec
from unified.tables import SymbolCodec
from unified.venue import Credentials

LOOPBACK = "127.0.0.1"
USER = "user"


@attrs.frozen
class SimRequest:
    op: str
    method: str
    path: str
    match: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes
    headers: Mapping[str, str]
    account: str | None

    def json(self) -> Any:
        try:
            return json.loads(self.body, parse_float=Decimal) if self.body else {}
        except ValueError:
            raise EngineError("invalid", "request body is not JSON") from None


@attrs.frozen
class SimResponse:
    status: int
    body: Any  # JSON-able (Decimals become strings), or bytes sent as they are
    headers: Mapping[str, str] = attrs.field(factory=dict)
    content_type: str = "application/json"


Handler = Callable[["SimVenue", SimRequest], SimResponse]


class Personality(Protocol):
    """A venue's face: its markets (or `make_engine(clock)`), handlers, failure words."""

    markets: tuple[SimMarket, ...]
    handlers: Mapping[str, Handler]

    def render_error(self, venue: SimVenue, request: SimRequest, error: EngineError
                     ) -> SimResponse: ...

    def render_auth_failure(self, venue: SimVenue, failure: AuthFailure) -> SimResponse: ...

    def render_rate_limited(self, venue: SimVenue, reset_ms: int) -> SimResponse: ...

    def rate_headers(self, quota: int, remaining: int, reset_ms: int) -> dict[str, str]: ...

    # Optional, read with getattr: `stream_face(sim)` / `order_api(api)` (WebSocket faces),
    # `order_id(seq) -> str` (its own ids), `withdraw_currency` / `withdraw_extras` (soak_money).


@attrs.define
class Fault:
    """One injected misbehaviour. kind:
    status (answer `status` with `body`), reset (drop the connection before handling),
    drop_after (handle it, then drop the connection: the answer is lost), garbage (200, not JSON),
    html (an HTML error page with `status`), delay (wait `delay_s` first), rate_limit (429);
    after the venue acted: garbage_after (200 with truncated JSON), html_after (an HTML page
    with `status`), hold_after (answer only after `delay_s`). `acted` is set once the venue
    has handled the request, so a test can act at that exact moment."""

    kind: str
    op: str | None = None  # only this operation; None = any
    times: int = 1
    status: int = 503
    body: bytes = b""
    delay_s: float = 0.0
    reset_ms: int = 1000  # rate_limit: the reset hint the venue's answer carries, if any
    acted: asyncio.Event = attrs.field(factory=asyncio.Event, eq=False, repr=False)
    released: asyncio.Event = attrs.field(factory=asyncio.Event, eq=False, repr=False)

    async def hold(self) -> None:
        """Wait `delay_s`, or less if released (a stopping venue releases every hold)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.released.wait(), self.delay_s)


class FaultPlan:
    """Faults queued for specific operations, plus an optional random rate over every request."""

    RANDOM_KINDS = ("drop_after", "reset", "status", "html", "rate_limit", "garbage_after",
                    "html_after")

    def __init__(self) -> None:
        self.pending: list[Fault] = []
        self.taken: list[Fault] = []  # queued faults that were injected (released on stop)
        self.injected = 0
        self.rate = 0.0
        self.rng = random.Random(0)

    def randomly(self, rate: float, seed: int = 0) -> None:
        """Fault about `rate` of all requests, with kinds drawn from RANDOM_KINDS."""
        self.rate, self.rng = rate, random.Random(seed)

    def add(self, kind: str, op: str | None = None, times: int = 1, **kw: Any) -> Fault:
        fault = Fault(kind, op, times, **kw)
        self.pending.append(fault)
        return fault

    def take(self, op: str) -> Fault | None:
        for fault in self.pending:
            if fault.op is None or fault.op == op:
                fault.times -= 1
                if fault.times <= 0:
                    self.pending.remove(fault)
                self.injected += 1
                self.taken.append(fault)
                return fault
        if self.rate and self.rng.random() < self.rate:
            self.injected += 1
            return Fault(self.rng.choice(self.RANDOM_KINDS), status=503)
        return None

    def clear(self) -> None:
        self.pending.clear()
        self.rate = 0.0


#: What a handler raises on a request it cannot read; rendered as the venue's "invalid" error.
MALFORMED = (ArithmeticError, ValueError, KeyError, TypeError, IndexError, AttributeError,
             DecodeError)


class _Window:
    def __init__(self) -> None:
        self.used = 0
        self.reset_at: float | None = None  # on the clock's monotonic scale


class SimVenue:
    """A running local venue. `async with SimVenue("kucoin") as sim:` then use `sim.base_url`."""

    def __init__(
        self,
        venue_id: str,
        *,
        clock: Clock | None = None,
        engine: Engine | None = None,
        credentials: Credentials | None = None,
        enforce_limits: bool = True,
        port: int = 0,
        seed: bool = True,
    ) -> None:
        reg = registry.get(venue_id)
        self.venue_id = venue_id
        self.spec: VenueSpec = reg.spec
        self.personality: Personality = reg.descriptor.load_simulator()
        self.clock = clock or SystemClock()
        self.skew = timedelta(0)  # server clock ahead of the real one (clock-skew faults)
        make: Callable[[Clock], Engine] | None = getattr(self.personality, "make_engine", None)
        self.engine = engine or (make(self.clock) if make is not None  # a contract engine
                                 else Engine(self.personality.markets, self.clock))
        order_id = getattr(self.personality, "order_id", None)
        if order_id is not None:
            self.engine.order_id = order_id
        face: Callable[[SimVenue], StreamFace] | None = getattr(
            self.personality, "stream_face", None)
        self.streams = StreamHub(self, face(self) if face is not None else None)
        api: Callable[[OrderApi], StreamFace] | None = getattr(self.personality, "order_api", None)
        self.order_api = OrderApi(self, api) if api is not None else None  # sim.order_api
        self._ws: list[StreamHub | OrderApi] = [self.streams, *filter(None, [self.order_api])]
        self.symbols = SymbolCodec(self.spec.symbol_format, self.spec.symbol_case)
        self.credentials = credentials or default_credentials(self.spec)
        self.keys = {self.credentials.api_key: self.credentials}
        self.accounts = {self.credentials.api_key: USER}
        self.enforce_limits = enforce_limits
        self.faults = FaultPlan()
        self.requests: dict[str, int] = {}
        self.answers: dict[str, Any] = {}  # last 2xx JSON answer per operation (shape checks)
        self.rejected_429 = 0
        self._windows: dict[tuple[str, str], _Window] = {}
        self._port = port
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        if seed and engine is None:
            self.engine.seed_book()
            self.engine.seed_tape()
            getattr(self.personality, "fund_user", fund_user)(self.engine)

    def now(self) -> datetime:
        return self.clock.now() + self.skew

    # ---------------------------------------------------------------- lifecycle

    def app(self) -> web.Application:
        app = web.Application()
        endpoints = sorted(self.spec.endpoints.values(), key=lambda e: ("{" in e.path, e.path))
        seen: set[tuple[str, str]] = set()
        for ep in endpoints:
            handler = self.personality.handlers.get(ep.name)
            if handler is None or (ep.method, ep.path) in seen:
                continue
            seen.add((ep.method, ep.path))
            app.router.add_route(ep.method, ep.path, self._route(ep, handler))
        for ws in self._ws:
            ws.mount(app)  # the venue's WebSocket paths (streams, orders), on the same origin
        return app

    async def start(self) -> str:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, LOOPBACK, self._port)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://{LOOPBACK}:{port}"
        return self.base_url

    async def stop(self) -> None:
        for fault in self.faults.taken:
            fault.released.set()  # held handlers answer now, so the server stops at once
        for ws in self._ws:
            await ws.close()  # before the server: no WebSocket handler outlives it
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SimVenue:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---------------------------------------------------------------- helpers for personalities

    def venue_symbol(self, symbol: str) -> str:
        return self.symbols.to_venue(symbol)

    def unified_symbol(self, venue_symbol: str) -> str:
        try:
            symbol = self.symbols.to_unified(venue_symbol)
        except Exception:
            raise EngineError("unknown_symbol", f"market {venue_symbol} does not exist") from None
        self.engine.market(symbol)
        return symbol

    # ---------------------------------------------------------------- request handling

    def _route(self, ep: EndpointSpec, handler: Handler) -> Any:
        async def handle(request: web.Request) -> web.StreamResponse:
            self.requests[ep.name] = self.requests.get(ep.name, 0) + 1
            fault = self.faults.take(ep.name)
            if fault is not None:
                early = await self._fault_before(fault, request)
                if early is not None:
                    return early
            body = await request.read()
            sim_request = SimRequest(
                op=ep.name, method=request.method, path=request.path,
                match=dict(request.match_info), query=dict(request.query), body=body,
                headers=dict(request.headers), account=None,
            )
            response = self._answer(ep, handler, sim_request, request.raw_path, body,
                                    request.remote or "")
            if response.status < 300 and not isinstance(response.body, bytes):
                self.answers[ep.name] = response.body
            if fault is not None:
                fault.acted.set()
                after = await self._fault_after(fault, request)
                if after is not None:
                    return after
            return _to_web(response)

        return handle

    async def _fault_after(self, fault: Fault, request: web.Request) -> web.StreamResponse | None:
        """The venue acted; what reaches the client instead of its answer, if anything."""
        kind = fault.kind
        if kind == "drop_after":
            _drop(request)
            return web.Response(status=500)
        if kind == "garbage_after":
            return web.Response(status=200, body=b'{"code": "200000", "data": {"orderId',
                                content_type="application/json")
        if kind == "html_after":
            return web.Response(status=fault.status, content_type="text/html",
                                text="<html><body><h1>Service busy</h1></body></html>")
        if kind == "hold_after":
            await fault.hold()
        return None

    async def _fault_before(self, fault: Fault, request: web.Request) -> web.StreamResponse | None:
        kind = fault.kind
        if kind == "delay":
            await fault.hold()
            return None
        if kind == "reset":
            _drop(request)
            return web.Response(status=500)
        if kind == "status":
            return web.Response(status=fault.status, body=fault.body)
        if kind == "garbage":
            return web.Response(status=200, body=b'{"code": "200000", "data": [1, 2',
                                content_type="application/json")
        if kind == "html":
            return web.Response(status=fault.status, content_type="text/html",
                                text="<html><body><h1>502 Bad Gateway</h1></body></html>")
        if kind == "rate_limit":  # injected: not counted in rejected_429 (limits enforced)
            return _to_web(self.personality.render_rate_limited(self, fault.reset_ms))
        return None  # drop_after acts once the request is handled

    def _answer(self, ep: EndpointSpec, handler: Handler, req: SimRequest, raw_path: str,
                body: bytes, remote: str) -> SimResponse:
        run_due(self.engine)  # what came due meanwhile first: a switch's time, a stop's trade
        account = None
        if ep.auth:
            try:
                key = verify(self.spec.signing, method=req.method, path_and_query=raw_path,
                             body=body, headers=req.headers, keys=self.keys, now=self.now())
            except AuthFailure as failure:
                return self.personality.render_auth_failure(self, failure)
            account = self.accounts[key]
            req = attrs.evolve(req, account=account)
        limited = self.charge(ep.pool, ep.weight, account or remote)
        if isinstance(limited, SimResponse):
            return limited
        try:
            response = handler(self, req)
        except EngineError as error:
            response = self.personality.render_error(self, req, error)
        except MALFORMED as exc:
            # A request the venue cannot read (absurd numbers, missing or mistyped fields):
            # the venue answers its own invalid-parameter error, never an HTTP 500.
            invalid = EngineError("invalid", f"invalid request parameters ({type(exc).__name__})")
            response = self.personality.render_error(self, req, invalid)
        run_due(self.engine)  # what this request made due, done before its answer is sent
        if limited:
            response = attrs.evolve(response, headers={**response.headers, **limited})
        return response

    def charge(self, pool_name: str, weight: int, who: str) -> SimResponse | dict[str, str]:
        """A call's weight counted in its pool (REST and WebSocket orders): 429, or headers."""
        pool = self.spec.rate_limits.pools[pool_name]
        window = self._windows.setdefault((pool_name, who), _Window())
        now = self.clock.monotonic()
        if window.reset_at is None or now >= window.reset_at:
            window.used = 0
            window.reset_at = now + pool.window_s
        reset_ms = max(int((window.reset_at - now) * 1000), 0)
        if self.enforce_limits and window.used + weight > pool.quota:
            self.rejected_429 += 1
            return self.personality.render_rate_limited(self, reset_ms)
        window.used += weight
        return self.personality.rate_headers(pool.quota, pool.quota - window.used, reset_ms)


def _drop(request: web.Request) -> None:
    if request.transport is not None:
        request.transport.abort()


def _to_web(response: SimResponse) -> web.Response:
    body = response.body if isinstance(response.body, bytes) else dumps(response.body).encode()
    return web.Response(status=response.status, body=body, headers=dict(response.headers),
                        content_type=response.content_type)


def default_credentials(spec: VenueSpec) -> Credentials:
    """Test credentials printed by `unified serve`; only valid against the local venue."""
    passphrase = "sim-passphrase" if spec.signing.passphrase != "none" else None
    return Credentials(f"sim-{spec.name}-key", f"sim-{spec.name}-secret", passphrase)


def fund_user(engine: Engine, account: str = USER) -> None:
    """A paper-trading account: a round sum of every currency the venue lists."""
    currencies = {c for m in engine.markets.values() for c in (m.base, m.quote)}
    for ccy in sorted(currencies):
        engine.deposit(account, ccy, Decimal(10_000_000) if ccy in ("JPY",)
                       else Decimal(100_000) if ccy in ("USDT", "USD") else Decimal(100))
