"""v1 request signing: MD5 over the sorted form parameters and the secret, sent in the form.

sign = upper-case hex MD5 of "k1=v1&k2=v2...&secret_key=SECRET", every parameter but `sign`
(api_key included) sorted by name, with RAW values (not percent-encoded).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import parse_qsl

import attrs

from unified.venue import Credentials
from unified.wire import WireRequest, encode_form, encode_query

Pairs = Sequence[tuple[str, str]]


def md5_sign(params: Pairs, secret: str) -> str:
    text = "&".join(f"{k}={v}" for k, v in sorted(params)) + f"&secret_key={secret}"
    return hashlib.md5(text.encode()).hexdigest().upper()


def _pairs(encoded: str) -> list[tuple[str, str]]:
    return parse_qsl(encoded, keep_blank_values=True, strict_parsing=False)


def sign(request: WireRequest, credentials: Credentials, now: datetime) -> WireRequest:
    """Return the request with api_key and sign added.

    The venue signs every parameter it receives, from the URL and the form alike, so any query
    parameter of a POST (e.g. page numbers the core adds) is moved into the signed form body.
    """
    params = [
        (k, v)
        for k, v in _pairs(request.query) + _pairs(request.body.decode())
        if k not in ("api_key", "sign")
    ]
    params.append(("api_key", credentials.api_key))
    params.sort()
    signed = [*params, ("sign", md5_sign(params, credentials.secret))]
    if request.method == "GET":
        return attrs.evolve(request, query=encode_query(signed))
    return attrs.evolve(
        request,
        query="",
        body=encode_form(signed),
        headers={**request.headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
