"""OKCoinJapan v3 request signing.

OK-ACCESS-SIGN = base64(HMAC-SHA256(secret, timestamp + METHOD + path?query + body)), over the
exact query and body bytes sent; the timestamp is UTC ISO-8601 with milliseconds, taken from the
core's venue clock (local time corrected by /api/general/v3/time). The passphrase goes as is.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from unified.convert import to_iso_ms
from unified.venue import Credentials
from unified.wire import WireRequest


def hmac_b64(secret: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def prehash(timestamp: str, request: WireRequest) -> bytes:
    return (timestamp + request.method.upper() + request.path_and_query).encode() + request.body


def sign(request: WireRequest, credentials: Credentials, now: datetime) -> WireRequest:
    timestamp = to_iso_ms(now)
    return request.with_headers(
        {
            "OK-ACCESS-KEY": credentials.api_key,
            "OK-ACCESS-SIGN": hmac_b64(credentials.secret, prehash(timestamp, request)),
            "OK-ACCESS-TIMESTAMP": timestamp,
            "OK-ACCESS-PASSPHRASE": credentials.passphrase or "",
        }
    )
