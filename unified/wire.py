"""What goes over the wire. The bytes that are signed are the bytes that are sent."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, unquote_plus

import attrs

from unified.convert import dumps, loads

QueryPairs = Sequence[tuple[str, str]]


_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


def _escape(text: str) -> str:
    # Most names and values are unreserved already: skip quote()'s work for them.
    return text if _UNRESERVED.fullmatch(text) else quote(text, safe="-_.~")


def encode_query(pairs: QueryPairs) -> str:
    """Canonical query string: pairs in the given order, RFC 3986 unreserved chars kept."""
    return "&".join(f"{_escape(k)}={_escape(v)}" for k, v in pairs)


def encode_form(pairs: QueryPairs) -> bytes:
    return encode_query(pairs).encode()


def encode_json(body: Mapping[str, Any] | Sequence[Any]) -> bytes:
    return dumps(body).encode()


#: Names of headers and of query or form parameters whose values are secrets or derived from
#: them (API keys, signatures, passphrases, session cookies): never shown in a repr or a log.
SECRET_NAME_MARKERS = ("key", "sign", "passphrase", "secret", "authorization", "cookie")
REDACTED = "<redacted>"


def _secret(name: str) -> bool:
    lowered = name.lower()
    return any(m in lowered for m in SECRET_NAME_MARKERS)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: REDACTED if _secret(name) else value for name, value in headers.items()}


def redact_pairs(encoded: str) -> str:
    """A query string or form body with the values of secret-named parameters hidden (v1 signs
    with api_key and sign parameters, not headers)."""
    pairs = (pair.partition("=") for pair in encoded.split("&"))
    return "&".join(f"{name}={REDACTED}" if sep and _secret(unquote_plus(name))
                    else name + sep + value for name, sep, value in pairs)


# Reprs are written out by hand: tracebacks that show locals (error trackers, `pytest -l`,
# rich) print every signed request on the stack.
@attrs.frozen(slots=True, repr=False)
class WireRequest:
    method: str
    origin: str  # scheme://host[:port]
    path: str  # already percent-encoded
    query: str = ""  # already encoded, exactly as sent
    body: bytes = b""
    headers: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def path_and_query(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path

    @property
    def url(self) -> str:
        return self.origin + self.path_and_query

    def with_headers(self, extra: Mapping[str, str]) -> WireRequest:
        # Built directly: attrs.evolve would introspect the fields on every signed call.
        return WireRequest(self.method, self.origin, self.path, self.query, self.body,
                           {**self.headers, **extra})

    def __repr__(self) -> str:
        body = redact_pairs(self.body.decode("utf-8", "replace")).encode()
        return (f"WireRequest(method={self.method!r}, origin={self.origin!r}, "
                f"path={self.path!r}, query={redact_pairs(self.query)!r}, body={body!r}, "
                f"headers={redact_headers(self.headers)!r})")


@attrs.frozen(slots=True, repr=False)
class WireResponse:
    status: int
    headers: Mapping[str, str]  # lower-cased names
    body: bytes

    def __repr__(self) -> str:
        return (f"WireResponse(status={self.status!r}, headers="
                f"{redact_headers(self.headers)!r}, body={self.body!r})")

    def json(self) -> Any:
        return loads(self.body)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()
