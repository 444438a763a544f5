"""KuCoin request signing: HMAC-SHA256/base64 over timestamp + METHOD + path?query + body."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from unified.convert import to_ms
from unified.venue import Credentials
from unified.wire import WireRequest

KEY_VERSION = "2"


def hmac_b64(secret: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def prehash(timestamp: str, request: WireRequest) -> bytes:
    return (timestamp + request.method + request.path_and_query).encode() + request.body


def sign(request: WireRequest, credentials: Credentials, now: datetime) -> WireRequest:
    timestamp = str(to_ms(now))
    passphrase = credentials.passphrase or ""
    return request.with_headers(
        {
            "KC-API-KEY": credentials.api_key,
            "KC-API-SIGN": hmac_b64(credentials.secret, prehash(timestamp, request)),
            "KC-API-TIMESTAMP": timestamp,
            # Key versions 2 and 3 send the passphrase HMAC'd with the secret.
            "KC-API-PASSPHRASE": hmac_b64(credentials.secret, passphrase.encode()),
            "KC-API-KEY-VERSION": KEY_VERSION,
        }
    )
