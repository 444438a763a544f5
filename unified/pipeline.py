"""The one call pipeline: op -> encode -> sign -> send -> unwrap -> classify -> retry -> decode.

Its own module because every way of talking to a venue goes through it: REST calls today,
and the WebSocket order API later reuses `unwrap`/`decode`/the error table for its answers.
It knows nothing of markets, orders or pages; those rooms call `call`, `decode` and `fetch`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import attrs

from unified.clock import VenueClock
from unified.errors import (
    ClockSkew,
    ConfigurationError,
    ConnectionFailed,
    DecodeError,
    NotSupported,
    RateLimited,
    TransportError,
    VenueError,
)
from unified.limits import MAX_HINT_S, RateLimiter, Sleep, WaitRefused
from unified.models import Market
from unified.retry import RetryPolicy
from unified.spec import EndpointSpec, VenueSpec
from unified.tables import Tables
from unified.transport import Transport
from unified.venue import Adapter, Context, Credentials, VenueRejected
from unified.wire import WireRequest, WireResponse, encode_form, encode_json, encode_query

log = logging.getLogger("unified.client")
_NOT_JSON = object()
#: What a decoder's bad day looks like; each becomes a DecodeError naming the op.
#: ArithmeticError covers every decimal signal (Overflow from a huge JSON number, say).
DECODE_FAILURES = (KeyError, TypeError, ValueError, AttributeError, IndexError, ArithmeticError)


class Pipeline:
    """Sends one operation through the venue's spec and adapter; owns the transport, the
    limiter, the venue clock and the decoder context (the loaded markets)."""

    def __init__(
        self,
        *,
        venue: str,
        spec: VenueSpec,
        adapter: Adapter,
        origin: str,
        credentials: Credentials | None,
        transport: Transport,
        clock: VenueClock,
        timeout: float,
        retry: RetryPolicy,
        sleep: Sleep,
        max_wait: float = 30.0,
    ) -> None:
        self.venue = venue
        self.spec = spec
        self.adapter = adapter
        self.origin = origin
        self.tables = Tables(spec)
        self.clock = clock
        self.timeout = timeout
        self.retry = retry
        self.sleep = sleep
        self.transport = transport
        self.max_wait = max_wait
        self.limiter = RateLimiter(spec.rate_limits, clock, sleep, venue, max_wait)
        self.ctx = Context(venue, self.tables, {}, {})
        self._credentials = credentials

    def __repr__(self) -> str:
        return f"<Pipeline {self.venue} {self.origin}>"

    @property
    def credentials(self) -> Credentials | None:
        return self._credentials

    def endpoint(self, op: str) -> EndpointSpec:
        ep = self.spec.endpoints.get(op)
        if ep is None:
            raise NotSupported(f"{self.venue} does not support {op}")
        return ep

    def use_markets(self, by_symbol: Mapping[str, Market], by_id: Mapping[str, Market]) -> None:
        self.ctx = Context(self.venue, self.tables, by_symbol, by_id)

    async def close(self) -> None:
        await self.transport.close()

    # ------------------------------------------------------------------ one request

    def build(self, ep: EndpointSpec, op: str, args: Mapping[str, Any], extra: Mapping[str, str]
              ) -> WireRequest:
        try:
            parts = self.adapter.endpoints[op].encode(self.ctx, args)
        except KeyError:
            raise NotSupported(f"{self.venue} does not support {op}") from None
        path = ep.path
        if parts.path_params:
            path = path.format(**{k: quote(v, safe="") for k, v in parts.path_params.items()})
        query = encode_query([*parts.query, *extra.items()])
        headers: dict[str, str] = {}
        body = b""
        if ep.body == "json" and parts.body is not None:
            body = encode_json(parts.body)
            headers["Content-Type"] = "application/json"
        elif ep.body == "form":
            body = encode_form(parts.body or ())
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return WireRequest(ep.method, self.origin, path, query, body, headers)

    async def send_once(self, ep: EndpointSpec, request: WireRequest) -> WireResponse:
        if ep.auth and self._credentials is None:
            raise ConfigurationError(f"{self.venue}: {ep.name} needs credentials")
        weight = await self.limiter.acquire(ep.pool, ep.weight)
        try:
            if ep.auth:
                assert self._credentials is not None
                # Signed after any rate-limit wait, so the timestamp is fresh when it leaves.
                request = self.adapter.sign(request, self._credentials, self.clock.now())
            response = await self.transport.send(request, self.timeout)
        finally:
            self.limiter.release(ep.pool, weight)
        self.limiter.observe(ep.pool, response.headers)
        return response

    def unwrap(self, response: WireResponse) -> Any:
        """The payload of a venue answer, or the classified VenueError it carries."""
        try:
            parsed = response.json()
        except DecodeError:
            parsed = _NOT_JSON
        if parsed is _NOT_JSON:
            if response.status >= 400:
                raise self.tables.errors.classify(
                    http_status=response.status, code=None,
                    message=f"HTTP {response.status} with a non-JSON body",
                    retry_after=self.retry_after(response),
                )
            raise DecodeError(f"{self.venue}: the answer is not JSON ({response.content_type})")
        try:
            payload = self.adapter.unwrap(response, parsed)
        except VenueRejected as rejected:
            raise self.tables.errors.classify(
                http_status=response.status, code=rejected.code, message=rejected.message,
                raw=parsed, retry_after=self.retry_after(response),
            ) from None
        except DecodeError:
            raise
        except DECODE_FAILURES as exc:
            raise DecodeError(f"{self.venue}: malformed envelope: {exc!r}") from None
        if response.status >= 400:
            raise self.tables.errors.classify(
                http_status=response.status, code=None, message=f"HTTP {response.status}",
                raw=parsed,
            )
        return payload

    def retry_after(self, response: WireResponse) -> float | None:
        limits = self.spec.rate_limits
        for header, per_second in (
            (limits.retry_after_header, 1.0),
            (limits.reset_header, 1000.0 if limits.reset_unit == "ms" else 1.0),
        ):
            value = response.headers.get(header.lower()) if header else None
            if value:
                try:
                    seconds = float(Decimal(value)) / per_second
                except (InvalidOperation, OverflowError):
                    continue
                if seconds == seconds:  # not NaN
                    return min(max(seconds, 0.0), MAX_HINT_S)
        return None

    # ------------------------------------------------------------------ one operation

    async def call(
        self, op: str, args: Mapping[str, Any] | None = None, extra: Mapping[str, str] | None = None
    ) -> tuple[Any, Mapping[str, str]]:
        """One operation: retries reads per the policy; writes are never repeated blindly."""
        ep = self.endpoint(op)
        request = self.build(ep, op, args or {}, extra or {})
        attempt, waited, resynced = 0, 0.0, False
        while True:
            attempt += 1
            try:
                response = await self.send_once(ep, request)
                return self.unwrap(response), response.headers
            except WaitRefused:
                raise  # nothing was sent; the pool already knows its wait
            except ClockSkew:
                # The venue refused before acting: resync once and sign again.
                if resynced or op == "fetch_time":
                    raise
                resynced = True
                await self.sync_time()
            except (TransportError, VenueError) as exc:
                if isinstance(exc, RateLimited):
                    self.limiter.block(ep.pool, exc.retry_after or self.retry.base_s)
                # A 429 or a refused connection means the venue did not act: safe to send again.
                safe = (not ep.write or isinstance(exc, RateLimited)
                        or (isinstance(exc, ConnectionFailed) and not exc.request_sent))
                if not (safe and self.retry.retryable(exc) and attempt < self.retry.attempts):
                    raise
                delay = self.retry.delay(attempt, exc)
                if waited + delay > min(self.retry.budget_s, self.max_wait):
                    raise  # no call waits silently for long: the caller hears at once
                waited += delay
                log.debug("%s %s: retry %d after %.3fs (%s)", self.venue, op, attempt, delay,
                          exc.__class__.__name__)
                await self.sleep(delay)

    def decode(self, op: str, payload: Any, variant: str | None = None) -> Any:
        ctx = self.ctx if variant is None else attrs.evolve(self.ctx, variant=variant)
        try:
            return self.adapter.endpoints[op].decode(ctx, payload)
        except DecodeError as exc:
            raise DecodeError(f"{self.venue} {op}: {exc}") from None
        except DECODE_FAILURES as exc:
            raise DecodeError(f"{self.venue} {op}: malformed answer: {exc!r}") from None

    async def fetch(self, op: str, args: Mapping[str, Any] | None = None) -> Any:
        payload, _ = await self.call(op, args)
        return self.decode(op, payload)

    async def sync_time(self) -> None:
        """Measure the offset to the venue's clock; signed requests use venue time."""
        sent = self.clock.base.now()
        server = await self.fetch("fetch_time")
        self.clock.sync(server, sent, self.clock.base.now())
