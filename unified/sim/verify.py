"""Checks request signatures from the spec's recipe alone (never from adapter code), so the
simulator is an independent witness of what the adapters sign."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import parse_qsl

from unified.convert import from_iso, from_ms
from unified.errors import DecodeError
from unified.spec import Signing
from unified.venue import Credentials


class AuthFailure(Exception):
    KINDS = ("missing", "bad_key", "bad_passphrase", "bad_sign", "timestamp")

    def __init__(self, kind: str, detail: str = "") -> None:
        assert kind in self.KINDS
        self.kind = kind
        self.detail = detail
        super().__init__(kind, detail)


def hmac_sha256_b64(secret: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def md5_sorted_params(params: Mapping[str, str], secret: str) -> str:
    text = "&".join(f"{k}={params[k]}" for k in sorted(params)) + f"&secret_key={secret}"
    return hashlib.md5(text.encode()).hexdigest().upper()


def _timestamp(signing: Signing, value: str) -> datetime:
    try:
        return from_ms(value) if signing.timestamp == "ms" else from_iso(value)
    except DecodeError:
        raise AuthFailure("timestamp", f"unreadable timestamp {value!r}") from None


def verify(
    signing: Signing,
    *,
    method: str,
    path_and_query: str,
    body: bytes,
    headers: Mapping[str, str],
    keys: Mapping[str, Credentials],
    now: datetime,
) -> str:
    """Return the api key of a correctly signed request, or raise AuthFailure."""
    if signing.recipe == "hmac_sha256_base64":
        return _verify_hmac(signing, method, path_and_query, body, headers, keys, now)
    if signing.recipe == "md5_sorted_params":
        return _verify_md5(body, keys)
    raise ValueError(f"unknown signing recipe {signing.recipe!r}")


def _verify_hmac(signing: Signing, method: str, path_and_query: str, body: bytes,
                 headers: Mapping[str, str], keys: Mapping[str, Credentials],
                 now: datetime) -> str:
    lower = {k.lower(): v for k, v in headers.items()}
    values = {role: lower.get(name.lower()) for role, name in signing.headers.items()}
    key, creds = _checked(signing, values, keys, now)
    stamp = values["timestamp"] or ""
    expected = hmac_sha256_b64(creds.secret, (stamp + method + path_and_query).encode() + body)
    if not hmac.compare_digest(values["sign"] or "", expected):
        raise AuthFailure("bad_sign")
    return key


def _checked(signing: Signing, values: Mapping[str, str | None],
             keys: Mapping[str, Credentials], now: datetime) -> tuple[str, Credentials]:
    """Everything but the signature, in the venue's order: present, known key, timestamp in
    the window, passphrase (plain, or the recipe's HMAC of it)."""
    required = [r for r in ("key", "sign", "timestamp", "passphrase") if r in values]
    if any(not values[r] for r in required):
        raise AuthFailure("missing")
    key, stamp = values["key"] or "", values["timestamp"] or ""
    creds = keys.get(key)
    if creds is None:
        raise AuthFailure("bad_key")
    if abs((now - _timestamp(signing, stamp)).total_seconds()) > signing.window_s:
        raise AuthFailure("timestamp")
    expected_pass = creds.passphrase or ""
    if signing.passphrase == "hmac":
        expected_pass = hmac_sha256_b64(creds.secret, expected_pass.encode())
    if "passphrase" in values and not hmac.compare_digest(values["passphrase"] or "",
                                                          expected_pass):
        raise AuthFailure("bad_passphrase")
    return key, creds


def verify_query(signing: Signing, *, query: Mapping[str, str], names: Mapping[str, str],
                 keys: Mapping[str, Credentials], now: datetime) -> str:
    """A WebSocket login carried in the URL's query (KuCoin's order API): `names` maps the
    roles key, sign, timestamp, passphrase to parameter names; timestamp and passphrase are
    checked as for a REST request, and sign is the recipe's HMAC over key + timestamp. The
    api key, or AuthFailure with the same kinds, in the same order, as `verify`."""
    if signing.recipe != "hmac_sha256_base64":
        raise ValueError(f"no query login for recipe {signing.recipe!r}")
    values = {role: query.get(name) for role, name in names.items()}
    key, creds = _checked(signing, values, keys, now)
    expected = hmac_sha256_b64(creds.secret, (key + (values["timestamp"] or "")).encode())
    if not hmac.compare_digest(values["sign"] or "", expected):
        raise AuthFailure("bad_sign")
    return key


def signed_text(signing: Signing, secret: str, text: str, signature: str) -> bool:
    """Whether `signature` is the recipe's HMAC of `text` exactly (KuCoin's order API signs
    the session message the venue sent, byte for byte)."""
    if signing.recipe != "hmac_sha256_base64":
        raise ValueError(f"no text signature for recipe {signing.recipe!r}")
    return hmac.compare_digest(signature, hmac_sha256_b64(secret, text.encode()))


def _verify_md5(body: bytes, keys: Mapping[str, Credentials]) -> str:
    params = dict(parse_qsl(body.decode(errors="replace"), keep_blank_values=True))
    sign = params.pop("sign", None)
    key = params.get("api_key")
    if not sign or not key:
        raise AuthFailure("missing")
    creds = keys.get(key)
    if creds is None:
        raise AuthFailure("bad_key")
    if not hmac.compare_digest(sign, md5_sorted_params(params, creds.secret)):
        raise AuthFailure("bad_sign")
    return key
