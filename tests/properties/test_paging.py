"""The one pagination loop: every strategy walks a history exactly once and terminates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unified import paging
from unified.errors import ConfigurationError, DecodeError
from unified.spec import Paging

from ..conftest import run

LAST_ID = Paging(style="last_id", cursor_param="lastId", cursor_field="lastId",
                 items_field="items", limit_param="limit", page_limit=100)
PAGE_NUMBER = Paging(style="page_number", page_param="currentPage", first_page=1,
                     total_pages_field="totalPage", items_field="items",
                     limit_param="pageSize", page_limit=500)
BEFORE_AFTER = Paging(style="before_after", after_param="after", before_param="before",
                      after_header="OK-AFTER", before_header="OK-BEFORE", limit_param="limit",
                      page_limit=100)


class History:
    """A venue's records, newest first, served in each of the three styles."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = sorted(set(ids), reverse=True)
        self.calls = 0

    async def last_id(self, params: Mapping[str, str]) -> tuple[Any, Mapping[str, str]]:
        self.calls += 1
        limit = int(params["limit"])
        rows = [i for i in self.ids if "lastId" not in params or i < int(params["lastId"])]
        page = rows[:limit]
        if not page and "lastId" in params:
            return None, {}
        return {"lastId": page[-1] if page else 0, "items": page}, {}

    async def page_number(self, params: Mapping[str, str]) -> tuple[Any, Mapping[str, str]]:
        self.calls += 1
        size, page = int(params["pageSize"]), int(params["currentPage"])
        total = (len(self.ids) + size - 1) // size
        return {"currentPage": page, "totalPage": total,
                "items": self.ids[(page - 1) * size: page * size]}, {}

    async def before_after(self, params: Mapping[str, str]) -> tuple[Any, Mapping[str, str]]:
        self.calls += 1
        limit = int(params["limit"])
        rows = [i for i in self.ids if "after" not in params or i < int(params["after"])]
        page = rows[:limit]
        headers = {"ok-before": str(page[0]), "ok-after": str(page[-1])} if page else {}
        return page, headers


async def walk_all(fetch: Any, spec: Paging, size: int, cursor: str | None = None
                   ) -> list[list[int]]:
    strategy = paging.strategy_for(spec, size)
    return [list(p.items) async for p in paging.walk(fetch, strategy, int, cursor)]


ids_lists = st.lists(st.integers(min_value=1, max_value=10**12), max_size=120)
sizes = st.integers(min_value=1, max_value=30)


@pytest.mark.parametrize("style", ["last_id", "page_number", "before_after"])
@given(ids=ids_lists, size=sizes)
def test_walk_yields_each_record_once_in_order(style: str, ids: list[int], size: int) -> None:
    history = History(ids)
    spec = {"last_id": LAST_ID, "page_number": PAGE_NUMBER, "before_after": BEFORE_AFTER}[style]
    pages = run(walk_all(getattr(history, style), spec, size))
    flat = [i for p in pages for i in p]
    assert flat == history.ids
    assert history.calls <= len(history.ids) // size + 2  # terminates promptly


@pytest.mark.parametrize("style", ["last_id", "page_number", "before_after"])
@given(ids=ids_lists, size=sizes, stop=st.integers(min_value=0, max_value=10))
def test_resuming_from_any_page_cursor_gives_exactly_the_rest(
        style: str, ids: list[int], size: int, stop: int) -> None:
    history = History(ids)
    spec = {"last_id": LAST_ID, "page_number": PAGE_NUMBER, "before_after": BEFORE_AFTER}[style]
    fetch = getattr(history, style)

    async def scenario() -> tuple[list[int], list[int]]:
        strategy = paging.strategy_for(spec, size)
        seen: list[int] = []
        cursor = None
        async for page in paging.walk(fetch, strategy, int):
            seen.extend(page.items)
            cursor = page.cursor
            if len(seen) >= stop * size:
                break
        rest = [i for p in await walk_all(fetch, spec, size, cursor) for i in p] if cursor else []
        return seen, rest

    seen, rest = run(scenario())
    assert seen + rest == history.ids


@given(ids=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=60),
       arrivals=st.lists(st.integers(min_value=10**9 + 1, max_value=2 * 10**9), max_size=20),
       size=sizes)
def test_before_after_walk_ignores_records_arriving_mid_walk(
        ids: list[int], arrivals: list[int], size: int) -> None:
    history = History(ids)
    original = list(history.ids)

    async def fetch(params: Mapping[str, str]) -> tuple[Any, Mapping[str, str]]:
        if arrivals:  # newer records land while we walk to older ones
            history.ids = sorted({*history.ids, arrivals.pop()}, reverse=True)
        return await history.before_after(params)

    flat = [i for p in run(walk_all(fetch, BEFORE_AFTER, size)) for i in p]
    assert len(flat) == len(set(flat))
    assert set(original) <= set(flat)


def test_a_cursor_that_does_not_advance_is_refused() -> None:
    async def stuck(params: Mapping[str, str]) -> tuple[Any, Mapping[str, str]]:
        return {"lastId": 5, "items": [5, 4]}, {}

    with pytest.raises(DecodeError, match="same"):
        run(walk_all(stuck, LAST_ID, 2))


@given(st.text(max_size=40))
def test_foreign_cursors_are_configuration_errors(text: str) -> None:
    try:
        params = paging.decode_cursor(text)
    except ConfigurationError:
        return
    assert isinstance(params, dict)


def test_null_data_ends_the_walk() -> None:
    strategy = paging.strategy_for(LAST_ID, 10)
    assert strategy.items(None) == ()
    assert strategy.items({"items": None}) == ()
    with pytest.raises(DecodeError):
        strategy.items({"items": "nope"})


@given(parts=st.lists(ids_lists, min_size=1, max_size=4), size=sizes, data=st.data())
def test_parts_walk_one_after_another_and_resume_from_any_cursor(
        parts: list[list[int]], size: int, data: st.DataObject) -> None:
    """Several histories walked as one (v1's deposits, then withdrawals): each record once, in
    part order, and every page's cursor resumes with exactly the rest, across part seams."""
    histories = {f"part{i}": History([i * 10**13 + x for x in ids]) for i, ids in
                 enumerate(parts)}
    names = list(histories)

    async def walk(cursor: str | None) -> list[tuple[list[int], str | None]]:
        def pages_of(name: str, sub: str | None) -> Any:
            strategy = paging.strategy_for(PAGE_NUMBER, size)
            return paging.walk(histories[name].page_number, strategy, int, sub)
        return [(list(p.items), p.cursor) async for p in paging.walk_parts(names, pages_of,
                                                                           cursor)]

    pages = run(walk(None))
    assert [i for items, _ in pages for i in items] == [i for h in histories.values()
                                                         for i in h.ids]
    assert pages[-1][1] is None
    k = data.draw(st.integers(min_value=0, max_value=len(pages) - 1))
    cursor = pages[k][1]
    rest = run(walk(cursor)) if cursor else []
    assert [i for items, _ in rest for i in items] == [i for items, _ in pages[k + 1:]
                                                       for i in items]


def test_a_plain_cursor_is_refused_by_a_parts_walk() -> None:
    plain = paging.encode_cursor({"currentPage": "2"})
    assert plain is not None

    def never(name: str, sub: str | None) -> Any:
        raise AssertionError("a refused cursor fetches nothing")

    with pytest.raises(ConfigurationError):
        run(anext(paging.walk_parts(["a"], never, plain)))


@pytest.mark.parametrize("total", [3, "3"])
def test_a_page_count_as_number_or_string_walks_every_page(total: object) -> None:
    pages = {1: ["a"], 2: ["b"], 3: ["c"]}

    async def fetch(params: dict[str, str]) -> tuple[object, dict[str, str]]:
        page = int(params["currentPage"])
        return {"totalPage": total, "items": pages.get(page, [])}, {}

    async def walk() -> list[str]:
        strategy = paging.strategy_for(PAGE_NUMBER, 1)
        return [i async for p in paging.walk(fetch, strategy, str) for i in p.items]

    assert run(walk()) == ["a", "b", "c"]


def test_a_page_count_of_another_shape_is_a_decode_error() -> None:
    async def fetch(params: dict[str, str]) -> tuple[object, dict[str, str]]:
        return {"totalPage": {}, "items": ["a"]}, {}

    async def walk() -> None:
        async for _ in paging.walk(fetch, paging.strategy_for(PAGE_NUMBER, 1), str):
            pass

    with pytest.raises(DecodeError, match="page count"):
        run(walk())
