"""KuCoin request signing: HMAC-SHA256/base64 over timestamp + METHOD + path?query + body."""

from __future__ import annotations

import base64
import hashlib
import hmac
import weakref
from datetime import datetime

from unified.convert import to_ms
from unified.venue import Credentials
from unified.wire import WireRequest

KEY_VERSION = "2"


def hmac_b64(secret: str, message: bytes) -> str:
    # hmac.digest: the one-shot C path, the same bytes as hmac.new(...).digest().
    return base64.b64encode(hmac.digest(secret.encode(), message, hashlib.sha256)).decode()


def prehash(timestamp: str, request: WireRequest) -> bytes:
    return (timestamp + request.method + request.path_and_query).encode() + request.body


# The signed passphrase depends on the credentials alone: computed once per Credentials
# object, and forgotten with it.
_signed_passphrases: weakref.WeakKeyDictionary[Credentials, str] = weakref.WeakKeyDictionary()


def signed_passphrase(credentials: Credentials) -> str:
    """Key versions 2 and 3 send the passphrase HMAC'd with the secret."""
    signed = _signed_passphrases.get(credentials)
    if signed is None:
        passphrase = credentials.passphrase or ""
        signed = _signed_passphrases[credentials] = hmac_b64(credentials.secret,
                                                             passphrase.encode())
    return signed


def sign(request: WireRequest, credentials: Credentials, now: datetime) -> WireRequest:
    timestamp = str(to_ms(now))
    return request.with_headers(
        {
            "KC-API-KEY": credentials.api_key,
            "KC-API-SIGN": hmac_b64(credentials.secret, prehash(timestamp, request)),
            "KC-API-TIMESTAMP": timestamp,
            "KC-API-PASSPHRASE": signed_passphrase(credentials),
            "KC-API-KEY-VERSION": KEY_VERSION,
        }
    )
