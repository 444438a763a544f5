"""History cursors that resume, mid-walk and after the end (DESIGN.md section 3).

A walk's cursor wraps the page loop's own cursor (the venue's next-page parameters) with the
walk's high-water mark: the newest record time seen so far and the ids recorded at that time.
The last page's cursor is the mark alone; resuming from it walks again from the mark (the
venue's time filter where it has one, else the client-side window) and skips the ids already
seen at the mark, so only records made after it come back: a saved cursor is an incremental
sync point. Records are placed in time by `moment` (orders by their last update).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from unified.convert import from_iso
from unified.errors import ConfigurationError, DecodeError
from unified.paging import decode_cursor, encode_cursor

SUB, MARK, MARK_IDS, BASE, BASE_IDS, DONE = "~sub", "~hw", "~ids", "~from", "~skip", "~done"
_OURS = (SUB, MARK, MARK_IDS, BASE, BASE_IDS, DONE)


def moment(item: Any) -> datetime:
    """When a history item was last recorded: fills and ledger entries have a timestamp; an
    order its last update (when it finished; venues list closed orders by it, KuCoin's docs
    say so), else its creation time."""
    at = (getattr(item, "timestamp", None) or getattr(item, "updated_at", None)
          or getattr(item, "created_at", None))
    if not isinstance(at, datetime):
        raise DecodeError(f"{type(item).__name__} has no time to place it in a history")
    return at


@attrs.define
class Mark:
    """The newest record time seen and the ids recorded at exactly that time."""

    at: datetime | None = None
    ids: frozenset[str] = frozenset()

    def after(self, items: Iterable[Any]) -> Mark:
        at, ids = self.at, set(self.ids)
        for item in items:
            when = moment(item)
            if at is None or when > at:
                at, ids = when, {str(item.id)}
            elif when == at:
                ids.add(str(item.id))
        return Mark(at, frozenset(ids))

    def fields(self, time_key: str, ids_key: str) -> dict[str, str]:
        if self.at is None:
            return {}
        return {time_key: self.at.isoformat(), ids_key: "\n".join(sorted(self.ids))}

    @classmethod
    def read(cls, params: dict[str, str], time_key: str, ids_key: str) -> Mark:
        if time_key not in params:
            return cls()
        try:
            at = from_iso(params[time_key])
        except (DecodeError, ValueError):
            raise ConfigurationError("not a cursor from this library") from None
        ids = params.get(ids_key, "")
        return cls(at, frozenset(ids.split("\n")) if ids else frozenset())


@attrs.frozen
class Resume:
    """Where a walk starts: the page loop's cursor, the mark so far, and (for a walk resumed
    from a finished one) the mark it resumed from, whose ids it skips."""

    sub: str | None = None
    mark: Mark = attrs.field(factory=Mark)
    base: Mark | None = None

    @classmethod
    def parse(cls, cursor: str | None) -> Resume:
        if cursor is None:
            return cls()
        params = decode_cursor(cursor)
        if not any(k in params for k in _OURS):
            return cls(sub=cursor)  # a page loop's own cursor (older releases wrote these)
        mark = Mark.read(params, MARK, MARK_IDS)
        if DONE in params:  # after the end: walk again from the mark
            return cls(None, mark, mark if mark.at is not None else None)
        base = Mark.read(params, BASE, BASE_IDS) if BASE in params else None
        return cls(params.get(SUB) or None, mark, base)

    def skips(self, item: Any) -> bool:
        return self.base is not None and str(item.id) in self.base.ids

    def cursor_after(self, sub: str | None, mark: Mark) -> str:
        """The cursor of a page: the next page's, or (at the end) the sync point."""
        fields = mark.fields(MARK, MARK_IDS)
        if sub is None:
            return encode_cursor({DONE: "1", **fields}) or ""
        base = self.base.fields(BASE, BASE_IDS) if self.base is not None else {}
        return encode_cursor({SUB: sub, **fields, **base}) or ""
