"""HTTP I/O: one aiohttp session, exact bytes, typed transport errors, redacted debug logs."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Protocol

from yarl import URL

from unified.errors import ConfigurationError, ConnectionFailed, RequestTimeout
from unified.wire import WireRequest, WireResponse, redact_headers

if TYPE_CHECKING:  # imported on first use: `import unified` stays light (see send())
    import aiohttp

log = logging.getLogger("unified.transport")


class ClientClosed(ConfigurationError):
    """The Exchange was closed. Before a first send it means nothing was sent; a lookup that
    meets it while reconciling a lost answer cannot establish the outcome (AmbiguousOutcome)."""


class Transport(Protocol):
    async def send(self, request: WireRequest, timeout: float) -> WireResponse: ...

    async def close(self) -> None: ...


class AiohttpTransport:
    """Sends WireRequests as they are: URL(encoded=True) and a bytes body."""

    def __init__(self, session: aiohttp.ClientSession | None = None) -> None:
        self._session = session if session is None else _without_hidden_resends(session)
        self._owns_session = session is None
        self._closed = False
        self._timeouts: dict[float, aiohttp.ClientTimeout] = {}  # immutable: built once each

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientClosed("this client is closed; connect() again")
        if self._session is None or self._session.closed:
            import aiohttp

            connector = aiohttp.TCPConnector(limit=64, ttl_dns_cache=300)
            self._session = _without_hidden_resends(aiohttp.ClientSession(
                connector=connector, auto_decompress=True, skip_auto_headers=("User-Agent",)
            ))
        return self._session

    async def send(self, request: WireRequest, timeout: float) -> WireResponse:
        session = self._get_session()
        # aiohttp (a tenth of a second to import) loads with the first session, not with
        # `import unified`; here it is already in sys.modules.
        import aiohttp

        client_timeout = self._timeouts.get(timeout)
        if client_timeout is None:
            client_timeout = self._timeouts[timeout] = aiohttp.ClientTimeout(total=timeout)
        debug = log.isEnabledFor(logging.DEBUG)
        if debug:
            log.debug(
                "%s %s headers=%s body_bytes=%d",
                request.method,
                request.origin + request.path,
                redact_headers(request.headers),
                len(request.body),
            )
        try:
            async with session.request(
                request.method,
                URL(request.url, encoded=True),
                data=request.body if request.body else None,
                headers=dict(request.headers),
                timeout=client_timeout,
                allow_redirects=False,
            ) as resp:
                body = await resp.read()
                headers = {k.lower(): v for k, v in resp.headers.items()}
                status = resp.status
        except TimeoutError:
            raise RequestTimeout(f"no answer within {timeout}s from {request.origin}") from None
        except aiohttp.ClientConnectorError as exc:
            raise ConnectionFailed(
                f"cannot connect to {request.origin}: {exc.os_error}", request_sent=False
            ) from None
        except (aiohttp.ClientError, OSError, asyncio.IncompleteReadError) as exc:
            raise ConnectionFailed(
                f"connection to {request.origin} failed: {type(exc).__name__}", request_sent=True
            ) from None
        if debug:
            log.debug("%s %s -> %d (%d bytes)", request.method, request.path, status, len(body))
        return WireResponse(status=status, headers=headers, body=body)

    async def close(self) -> None:
        self._closed = True
        if self._owns_session and self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


def _without_hidden_resends(session: aiohttp.ClientSession) -> aiohttp.ClientSession:
    """Recent aiohttp silently sends a PUT or DELETE again when a reused connection drops
    during it. A venue's DELETE is not always idempotent (KuCoin's partial cancel takes
    `cancelSize` off each time it arrives), and the pipeline already resends what is safe to
    resend, after the venue's rules: so the session itself never does. The switch is not
    public; on an aiohttp without it there is nothing to switch off."""
    if hasattr(session, "_retry_connection"):
        session._retry_connection = False
    return session
