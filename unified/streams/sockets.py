"""Opening one WebSocket, for the stream keeper and the order API's connection alike:
bounded by a timeout (a link that swallows the handshake must not hang its caller), and a
failure named by its kind, never by its URL (the URL may carry a token or a signature)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from unified.errors import ConnectionFailed

if TYPE_CHECKING:
    import aiohttp


async def open_socket(session: aiohttp.ClientSession, url: str, *, name: str,
                      timeout_s: float, ws_timeout: aiohttp.ClientWSTimeout | None = None
                      ) -> aiohttp.ClientWebSocketResponse:
    import aiohttp

    try:
        async with asyncio.timeout(timeout_s):
            if ws_timeout is None:
                return await session.ws_connect(url, max_msg_size=0)
            return await session.ws_connect(url, max_msg_size=0, timeout=ws_timeout)
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        raise ConnectionFailed(f"{name}: cannot open the WebSocket ({type(exc).__name__})",
                               request_sent=False) from None
