"""The cursors' high-water mark (unified.resume): a final cursor, resumed against a venue that
filters by time (inclusive), yields exactly the records made after the walk, whatever the
order of the pages and however many records share the mark's millisecond."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import given
from hypothesis import strategies as st

from unified.paging import encode_cursor
from unified.resume import Mark, Resume

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@attrs.frozen
class Rec:
    id: str
    timestamp: datetime


def records(prefix: str, low: int, high: int) -> st.SearchStrategy[list[Rec]]:
    ms = st.integers(min_value=low, max_value=high)
    return st.lists(ms, max_size=30).map(
        lambda stamps: [Rec(f"{prefix}{i}", T0 + timedelta(milliseconds=m))
                        for i, m in enumerate(stamps)])


@given(old=records("old", 0, 50), later=st.lists(st.integers(0, 20), max_size=30),
       shuffle=st.randoms(use_true_random=False))
def test_a_final_cursor_resumes_with_exactly_the_newer_records(
        old: list[Rec], later: list[int], shuffle: object) -> None:
    walked = list(old)
    shuffle.shuffle(walked)  # type: ignore[attr-defined]
    mark = Mark()
    for start in range(0, len(walked), 7):  # pages in any order, any size
        mark = mark.after(walked[start:start + 7])
    final = Resume().cursor_after(None, mark)
    resumed = Resume.parse(final)
    top = mark.at or T0
    # Made after the walk: at or after the newest record seen (same millisecond included).
    new = [Rec(f"new{i}", top + timedelta(milliseconds=m)) for i, m in enumerate(later)]
    since = resumed.base.at if resumed.base is not None else None
    answered = [r for r in old + new if since is None or r.timestamp >= since]
    assert sorted(r.id for r in answered if not resumed.skips(r)) == sorted(
        r.id for r in new + ([] if since is not None else old))


@given(old=records("r", 0, 50))
def test_a_mid_walk_cursor_keeps_the_mark_and_the_page_loop_cursor(old: list[Rec]) -> None:
    mark = Mark().after(old)
    sub = encode_cursor({"currentPage": "3"})
    again = Resume.parse(Resume().cursor_after(sub, mark))
    assert again.sub == sub and again.mark == mark and again.base is None
    assert not any(again.skips(r) for r in old)  # mid-walk: nothing is skipped
