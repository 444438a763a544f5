"""A gateway: one venue's REST protocol served on 127.0.0.1, each request carried out on another
venue through the unified API (`unified gateway --speak okex_v1 --venue kucoin`).

Venue-neutral: the protocol spoken is a *dialect* (adapters/<venue>/gateway.py's `DIALECT`, a
factory taking the local key pair the gateway's clients sign with), the venue behind it an open
`Exchange`. This module only serves HTTP: it hands each request to the dialect and writes the
dialect's answer, Decimals as exact JSON numbers. It logs no request content (bodies hold api
keys and signatures) and lets no exception reach the client: an unexpected one is answered by
the dialect's own "system error".
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import logging
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol

import attrs
from aiohttp import web

from unified import registry
from unified.client import Exchange
from unified.errors import ConfigurationError
from unified.venue import Credentials

LOOPBACK = "127.0.0.1"
log = logging.getLogger("unified.gateway")


@attrs.frozen
class GatewayRequest:
    """One request as the client sent it: decoded query, raw body bytes."""

    method: str
    path: str
    query: Mapping[str, str]
    body: bytes = attrs.field(repr=False)  # signed forms: api keys and signatures
    headers: Mapping[str, str] = attrs.field(factory=dict, repr=False)


@attrs.frozen
class GatewayAnswer:
    status: int
    body: Any  # JSON-able; a Decimal is written as an exact JSON number
    headers: Mapping[str, str] = attrs.field(factory=dict)


class Dialect(Protocol):
    """A venue's protocol, served: answers every request (unknown paths too) in its own words."""

    speaks: str

    async def answer(self, request: GatewayRequest, exchange: Exchange) -> GatewayAnswer:
        """The answer to one request, carried out on `exchange`; failures in the dialect's
        own error shapes (never raises for a venue or usage error)."""
        ...

    def fault(self, error: Exception) -> GatewayAnswer:
        """The dialect's answer to an unexpected failure (its "system error")."""
        ...


DialectFactory = Callable[[Credentials], Dialect]


def load_dialect(speak: str, keys: Credentials) -> Dialect:
    """The dialect of venue id `speak` (its adapter's `gateway` module), checking requests
    against the local key pair `keys`."""
    descriptor = registry.get(speak).descriptor
    package = descriptor.adapter.partition(":")[0].rpartition(".")[0]
    name = f"{package}.gateway"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        raise ConfigurationError(f"the gateway cannot speak {speak}: it has no dialect "
                                 f"({', '.join(speakable())} can be spoken)") from None
    factory: DialectFactory = module.DIALECT
    return factory(keys)


def speakable() -> list[str]:
    """Venue ids whose protocol the gateway can serve."""
    out = []
    for venue_id, reg in registry.venues().items():
        package = reg.descriptor.adapter.partition(":")[0].rpartition(".")[0]
        if importlib.util.find_spec(f"{package}.gateway") is not None:
            out.append(venue_id)
    return out


def json_text(value: Any) -> str:
    """Compact JSON with every Decimal as an exact number (never through float)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot write {value} as JSON")
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{json.dumps(str(k))}:{json_text(v)}"
                              for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(json_text(v) for v in value) + "]"
    if isinstance(value, float):
        raise TypeError("floats are not written: give a Decimal")
    return json.dumps(value)


class Gateway:
    """`async with Gateway(dialect, exchange, port=0) as gw:` serves at `gw.base_url`."""

    def __init__(self, dialect: Dialect, exchange: Exchange, *, port: int = 0) -> None:
        self.dialect = dialect
        self.exchange = exchange
        self._port = port
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def __repr__(self) -> str:
        return f"<Gateway {self.dialect.speaks} -> {self.exchange.venue} {self.base_url}>"

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    async def start(self) -> str:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, LOOPBACK, self._port).start()
        self.base_url = f"http://{LOOPBACK}:{self._runner.addresses[0][1]}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Gateway:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _handle(self, request: web.Request) -> web.Response:
        asked = GatewayRequest(method=request.method, path=request.path,
                               query=dict(request.query), body=await request.read(),
                               headers=dict(request.headers))
        try:
            answer = await self.dialect.answer(asked, self.exchange)
        except Exception as exc:
            # the class only: a message could quote the request (keys, signatures)
            log.warning("gateway %s %s failed: %s", asked.method, asked.path,
                        type(exc).__name__)
            answer = self.dialect.fault(exc)
        return web.Response(status=answer.status, body=json_text(answer.body).encode(),
                            content_type="application/json", headers=answer.headers)
