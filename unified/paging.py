"""The ONLY pagination loop, and the four ways venues hand out the next page.

A strategy turns one page's answer into the query parameters of the next page (or None at the
end). Those parameters, serialised, are the opaque cursor a caller may save and pass back.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from unified.diagnostics import read_flag
from unified.errors import ConfigurationError, DecodeError
from unified.models import Page
from unified.spec import Paging

T = TypeVar("T")
Params = dict[str, str]
#: fetch(params) -> (unwrapped payload, lower-cased response headers)
Fetch = Callable[[Params], Awaitable[tuple[Any, Mapping[str, str]]]]


class Strategy(Protocol):
    def first(self) -> Params: ...

    def items(self, payload: Any) -> Sequence[Any]: ...

    def next(
        self, sent: Params, payload: Any, headers: Mapping[str, str], items: Sequence[Any]
    ) -> Params | None: ...


def encode_cursor(params: Params | None) -> str | None:
    if params is None:
        return None
    blob = json.dumps(sorted(params.items()), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(blob).decode().rstrip("=")


def decode_cursor(cursor: str) -> Params:
    try:
        blob = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        pairs = json.loads(blob)
        return {str(k): str(v) for k, v in pairs}
    except (binascii.Error, ValueError, TypeError):
        raise ConfigurationError(f"not a cursor from this library: {cursor!r}") from None


def _items_at(payload: Any, field: str | None) -> Sequence[Any]:
    if payload is None:  # e.g. KuCoin's data: null past the end
        return ()
    if field is not None:
        if not isinstance(payload, dict):
            raise DecodeError(f"expected an object holding {field!r}, got {type(payload).__name__}")
        payload = payload.get(field)
        if payload is None:
            return ()
    if not isinstance(payload, list):
        raise DecodeError(f"expected a list of items, got {type(payload).__name__}")
    return payload


def _count(value: Any, field: str) -> int:
    """A page count, as a JSON number or a numeric string (venues send both)."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise DecodeError(f"{field!r} is not a page count: {value!r}")


class _Base:
    def __init__(self, paging: Paging, page_size: int | None) -> None:
        self.paging = paging
        self.page_size = page_size or paging.page_limit

    def first(self) -> Params:
        if self.paging.limit_param and self.page_size:
            return {self.paging.limit_param: str(self.page_size)}
        return {}

    def items(self, payload: Any) -> Sequence[Any]:
        return _items_at(payload, self.paging.items_field)

    def _short(self, items: Sequence[Any]) -> bool:
        """A page shorter than asked for is the last one."""
        return not items or (self.page_size is not None and len(items) < self.page_size)


class PageNumber(_Base):
    def first(self) -> Params:
        assert self.paging.page_param
        return {**super().first(), self.paging.page_param: str(self.paging.first_page)}

    def next(
        self, sent: Params, payload: Any, headers: Mapping[str, str], items: Sequence[Any]
    ) -> Params | None:
        page_param = self.paging.page_param
        assert page_param
        page = int(sent[page_param])
        total_field = self.paging.total_pages_field
        if total_field and isinstance(payload, dict) and payload.get(total_field) is not None:
            total = _count(payload[total_field], total_field)
            if page >= total:
                return None
        elif self._short(items):
            return None
        if not items:
            return None
        return {**sent, page_param: str(page + 1)}


class LastId(_Base):
    """The venue returns a cursor (not an item id) to send back for the next page."""

    def next(
        self, sent: Params, payload: Any, headers: Mapping[str, str], items: Sequence[Any]
    ) -> Params | None:
        if self._short(items) or not isinstance(payload, dict):
            return None
        field, param = self.paging.cursor_field, self.paging.cursor_param
        assert field and param
        cursor = payload.get(field)
        if cursor is None or cursor == "":
            return None
        if not isinstance(cursor, (str, int)) or isinstance(cursor, bool):
            raise DecodeError(f"cursor {field!r} is not an id: {cursor!r}")
        if sent.get(param) == str(cursor):
            raise DecodeError(f"the venue returned the same {field!r} again: {cursor!r}")
        return {**sent, param: str(cursor)}


class BeforeAfter(_Base):
    """Cursor headers: `after` walks to older records, `before` to newer ones."""

    def __init__(self, paging: Paging, page_size: int | None, newer: bool = False) -> None:
        super().__init__(paging, page_size)
        self.newer = newer

    def next(
        self, sent: Params, payload: Any, headers: Mapping[str, str], items: Sequence[Any]
    ) -> Params | None:
        if self._short(items):
            return None
        if self.newer:
            param, header = self.paging.before_param, self.paging.before_header
            other = self.paging.after_param
        else:
            param, header = self.paging.after_param, self.paging.after_header
            other = self.paging.before_param
        assert param and header
        cursor = headers.get(header.lower())
        if not cursor:
            return None
        if sent.get(param) == cursor:
            raise DecodeError(f"the venue returned the same {header} cursor again: {cursor!r}")
        nxt = {k: v for k, v in sent.items() if k != other}
        nxt[param] = cursor
        return nxt


class OffsetHasMore(_Base):
    """The last item's own cursor (KuCoin futures' ledger `offset`) sent back for the next
    page, for as long as the answer says there is more (`hasMore`)."""

    def next(
        self, sent: Params, payload: Any, headers: Mapping[str, str], items: Sequence[Any]
    ) -> Params | None:
        more_field, field = self.paging.more_field, self.paging.item_cursor_field
        param = self.paging.cursor_param
        assert more_field and field and param
        if not items or not isinstance(payload, dict):
            return None
        more = read_flag(payload.get(more_field))
        if more is None:
            raise DecodeError(f"{more_field!r} is not true or false: {payload.get(more_field)!r}")
        if not more:
            return None
        last = items[-1]
        cursor = last.get(field) if isinstance(last, dict) else None
        if isinstance(cursor, bool) or not isinstance(cursor, (str, int)) or cursor == "":
            raise DecodeError(f"the last item's {field!r} is not a cursor: {cursor!r}")
        if sent.get(param) == str(cursor):
            raise DecodeError(f"the venue returned the same {field!r} again: {cursor!r}")
        return {**sent, param: str(cursor)}


class NoPaging(_Base):
    def next(
        self, sent: Params, payload: Any, headers: Mapping[str, str], items: Sequence[Any]
    ) -> Params | None:
        return None


def strategy_for(paging: Paging, page_size: int | None = None, newer: bool = False) -> Strategy:
    if paging.style == "page_number":
        return PageNumber(paging, page_size)
    if paging.style == "last_id":
        return LastId(paging, page_size)
    if paging.style == "before_after":
        return BeforeAfter(paging, page_size, newer)
    if paging.style == "offset_has_more":
        return OffsetHasMore(paging, page_size)
    return NoPaging(paging, page_size)


async def walk(
    fetch: Fetch,
    strategy: Strategy,
    decode_item: Callable[[Any], T],
    cursor: str | None = None,
    regroup: Callable[[Sequence[Any]], Sequence[Any]] | None = None,
) -> AsyncIterator[Page[T]]:
    """Fetch pages until the strategy says the walk is over; each page carries its resume cursor.

    A record the page before held already is not yielded again: a newest-first list numbered
    by page that grew between two reads (an order finished meanwhile) shifts its last rows onto
    the next page, and a venue may repeat the record its cursor names."""
    params: Params | None = decode_cursor(cursor) if cursor else strategy.first()
    before = frozenset(params.pop(SEEN_KEY, "").split("\n")) - {""} if params else frozenset()
    shifts = isinstance(strategy, PageNumber)  # cursors and ids name a place: no shift
    while params is not None:
        payload, headers = await fetch(params)
        raw_items = strategy.items(payload)
        following = strategy.next(params, payload, headers, raw_items)
        rows = regroup(raw_items) if regroup is not None else raw_items
        items = [decode_item(item) for item in rows]
        keys = [_identity(item) for item in items]
        seen = frozenset(key for key in keys if key is not None)
        if following is not None and shifts and seen:  # a saved cursor skips them too
            following = {**following, SEEN_KEY: "\n".join(sorted(seen))}
        yield Page(tuple(item for item, key in zip(items, keys, strict=True)
                         if key is None or key not in before), encode_cursor(following))
        before, params = seen, following
        if params is not None:
            params.pop(SEEN_KEY, None)


#: never a venue parameter: the records of the page a page-number cursor follows
SEEN_KEY = "~seen"


def _identity(item: Any) -> str | None:
    """What tells one record from another: its kind and id (and, for a fill, its order's:
    both sides of a self-trade share the trade id); None for records without one (candles)."""
    ident = getattr(item, "id", None)
    if ident is None:
        return None
    return f"{type(item).__name__}\x1f{ident}\x1f{getattr(item, 'order_id', None) or ''}"


PART_KEY = "~part"  # never a venue parameter: marks which part of a multi-part walk a cursor is in


def _part_cursor(index: int, sub: str | None) -> str | None:
    params = decode_cursor(sub) if sub is not None else {}
    return encode_cursor({**params, PART_KEY: str(index)})


def _split_cursor(cursor: str, parts: int) -> tuple[int, str | None]:
    params = decode_cursor(cursor)
    index = params.pop(PART_KEY, None)
    if index is None or not index.isdigit() or int(index) >= parts:
        raise ConfigurationError(f"not a cursor from this walk: {cursor!r}")
    return int(index), encode_cursor(params) if params else None


async def walk_parts(
    parts: Sequence[str],
    pages_of: Callable[[str, str | None], AsyncIterator[Page[T]]],
    cursor: str | None = None,
) -> AsyncIterator[Page[T]]:
    """Walks one after another as one history (e.g. deposits, then withdrawals). Each page's
    cursor names its part, so a saved cursor resumes inside the right one."""
    start, sub = _split_cursor(cursor, len(parts)) if cursor else (0, None)
    for index in range(start, len(parts)):
        async for page in pages_of(parts[index], sub):
            if page.cursor is not None:
                following = _part_cursor(index, page.cursor)
            elif index + 1 < len(parts):
                following = _part_cursor(index + 1, None)
            else:
                following = None
            yield Page(page.items, following)
        sub = None
