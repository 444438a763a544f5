"""What goes over the wire. The bytes that are signed are the bytes that are sent."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

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


@attrs.frozen(slots=True)
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


@attrs.frozen(slots=True)
class WireResponse:
    status: int
    headers: Mapping[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return loads(self.body)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()
