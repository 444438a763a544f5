"""History walks and their cursors: paged operations walked to the end, time windows, parts.

Its own module because resuming, windows and multi-part walks are one set of rules that every
paged operation obeys (closed orders, fills, ledger, open orders, and later deposits,
withdrawals and funding history); the page loop itself is the one in `unified.paging`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from unified import arguments, paging
from unified.convert import to_ms
from unified.errors import ConfigurationError, DecodeError
from unified.markets import Markets
from unified.models import Fill, LedgerEntry, Order, Page
from unified.pipeline import DECODE_FAILURES, Pipeline
from unified.resume import Resume, moment

T = TypeVar("T")
PageSource = Callable[[], AsyncIterator[Page[Any]]]
#: the encoder's args of a history walk, given its time window (History.window)
MakeArgs = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class PageWalk(AsyncIterator[T]):
    """`async for item in walk` yields items; `walk.pages()` yields Page(items, cursor)."""

    def __init__(self, pages: Callable[[], AsyncIterator[Page[T]]]) -> None:
        self._pages = pages
        self._items: AsyncIterator[T] | None = None

    def pages(self) -> AsyncIterator[Page[T]]:
        return self._pages()

    async def _each(self) -> AsyncIterator[T]:
        async for page in self._pages():
            for item in page.items:
                yield item

    def __aiter__(self) -> PageWalk[T]:
        return self

    async def __anext__(self) -> T:
        if self._items is None:
            self._items = self._each()
        return await self._items.__anext__()


class History:
    """Builds walks over the pipeline; the venue's paging style comes from the spec."""

    def __init__(self, pipeline: Pipeline, markets: Markets) -> None:
        self._pipe = pipeline
        self._markets = markets

    def closed_orders(self, symbol: str, since: datetime | None, until: datetime | None,
                      cursor: str | None, page_size: int | None) -> PageWalk[Order]:
        return self._of_market("iter_closed_orders", symbol, since, until, cursor, page_size)

    def my_trades(self, symbol: str, since: datetime | None, until: datetime | None,
                  cursor: str | None, page_size: int | None) -> PageWalk[Fill]:
        return self._of_market("iter_my_trades", symbol, since, until, cursor, page_size)

    def ledger(self, currency: str | None, since: datetime | None, until: datetime | None,
               cursor: str | None, page_size: int | None) -> PageWalk[LedgerEntry]:
        if currency is not None and not isinstance(currency, str):
            raise ConfigurationError("currency must be a string like 'USDT'")

        async def args(window: dict[str, Any]) -> dict[str, Any]:
            return {"currency": currency.upper() if currency else None, **window}

        return self.windowed("iter_ledger", args, since, until, cursor, page_size)

    def _of_market(self, op: str, symbol: str, since: datetime | None, until: datetime | None,
                   cursor: str | None, page_size: int | None) -> PageWalk[Any]:
        async def args(window: dict[str, Any]) -> dict[str, Any]:
            return await self._markets.args(symbol, **window)

        return self.windowed(op, args, since, until, cursor, page_size)

    def walk(self, op: str, args: Mapping[str, Any], *, cursor: str | None = None,
             page_size: int | None = None, variant: str | None = None) -> PageWalk[Any]:
        """Every page of one paged operation, from `cursor` on."""
        ep = self._pipe.endpoint(op)
        arguments.cursor(cursor)
        if variant is not None:
            args = {**args, "variant": variant}
        pipe = self._pipe

        async def fetch(params: paging.Params) -> tuple[Any, Mapping[str, str]]:
            return await pipe.call(op, args, params)

        def decode_item(item: Any) -> Any:
            return pipe.decode(op, item, variant)

        hook = pipe.adapter.endpoints[op].regroup if op in pipe.adapter.endpoints else None

        def regroup(rows: Sequence[Any]) -> Sequence[Any]:
            assert hook is not None
            try:
                return hook(pipe.ctx, rows)
            except DecodeError:
                raise
            except DECODE_FAILURES as exc:
                raise DecodeError(f"{pipe.venue} {op}: malformed page: {exc!r}") from None

        def pages() -> AsyncIterator[Page[Any]]:
            strategy = paging.strategy_for(ep.paging, page_size)
            return paging.walk(fetch, strategy, decode_item, cursor,
                               regroup if hook is not None else None)

        return PageWalk(pages)

    def windowed(self, op: str, make_args: MakeArgs, since: datetime | None,
                 until: datetime | None, cursor: str | None, page_size: int | None
                 ) -> PageWalk[Any]:
        """A history walk, filtered to the window where the venue cannot; an op with spec
        variants (e.g. deposits, withdrawals) is walked part after part. Its cursors resume
        mid-walk and, from the last page, with only the records made since (unified.resume)."""
        size = self.page_size(op, page_size)
        variants = self._pipe.spec.endpoints[op].variants
        start = Resume.parse(arguments.cursor(cursor))
        if start.base is not None and start.base.at is not None:
            since = start.base.at if since is None else max(since, start.base.at)
        window = self.window(since, until)

        def part(variant: str | None, sub: str | None) -> PageSource:
            async def pages() -> AsyncIterator[Page[Any]]:
                args = await make_args(window)
                walk = self.walk(op, args, cursor=sub, page_size=size, variant=variant)
                async for page in walk.pages():
                    yield page

            return self._in_window(pages, since, until)

        def source() -> AsyncIterator[Page[Any]]:
            if not variants:
                return part(None, start.sub)()
            return paging.walk_parts(variants, lambda v, sub: part(v, sub)(), start.sub)

        async def marked() -> AsyncIterator[Page[Any]]:
            mark = start.mark
            async for page in source():
                items = tuple(i for i in page.items if not start.skips(i))
                mark = mark.after(items)
                yield Page(items, start.cursor_after(page.cursor, mark))

        return PageWalk(marked)

    @property
    def _venue_filters_time(self) -> bool:
        return bool(self._pipe.spec.capabilities.get("history_time_filter", True))

    def window(self, since: datetime | None, until: datetime | None) -> dict[str, Any]:
        """The encoder's time args; empty where the venue pages by id only (filtered here)."""
        arguments.window(since, until)
        if not self._venue_filters_time:
            return {}
        return {"since": since, "until": until,
                "since_ms": to_ms(since) if since else None,
                "until_ms": to_ms(until) if until else None}

    def _in_window(self, pages: PageSource, since: datetime | None,
                   until: datetime | None) -> PageSource:
        """For venues without a time filter: keep the window's items from a newest-first walk
        and end it at the first page wholly older than `since`."""
        if self._venue_filters_time or (since is None and until is None):
            return pages

        async def filtered() -> AsyncIterator[Page[Any]]:
            async for page in pages():
                stamps = [moment(item) for item in page.items]
                kept = tuple(item for item, at in zip(page.items, stamps, strict=True)
                             if (since is None or at >= since) and (until is None or at <= until))
                past = since is not None and bool(stamps) and all(at < since for at in stamps)
                yield Page(kept, None if past else page.cursor)
                if past:
                    return

        return filtered

    def page_size(self, op: str, wanted: int | None) -> int | None:
        paging = self._pipe.endpoint(op).paging
        cap, least = paging.page_limit, paging.page_min
        arguments.positive_int("limit", wanted)
        if wanted is None:
            return cap
        if least and wanted < least:
            wanted = least  # the venue refuses smaller pages; callers' limits still trim
        return min(wanted, cap) if cap else wanted


async def take(walk: AsyncIterator[T], limit: int | None) -> list[T]:
    """The first `limit` items of a walk (all of them for None)."""
    out: list[T] = []
    async for item in walk:
        out.append(item)
        if limit is not None and len(out) >= limit:
            break
    return out
