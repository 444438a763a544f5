"""`unified arb --watch`: the arb comparison kept live. Every venue's book is followed (its top
level), and the table is redrawn on each update of any of them, or a JSON line is printed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from decimal import Decimal

from rich.console import Group, RenderableType
from rich.text import Text

from unified.cli.arb import (
    FEE_NOTE,
    NO_PAIR,
    Pair,
    Setup,
    Top,
    best_lines,
    pair_rows,
    pairs,
    report,
    setup,
    top_of,
    venue_rows,
    with_own_fees,
)
from unified.cli.errors import on
from unified.cli.format import grid, json_line, screen
from unified.cli.paper import trading
from unified.cli.session import Session, Target, open_venues
from unified.client import Exchange


def live_view(tops: Sequence[Top], ranked: Sequence[Pair], reference: str,
              convert: Mapping[str, Callable[[Decimal], Decimal]], notes: Sequence[str]
              ) -> RenderableType:
    """What `render` says, as rich tables for a view redrawn in place."""
    base = tops[0].base
    head = [f"{base}: best bid and ask per venue, compared in {reference}",
            *(f"  ({note})" for note in notes)]
    parts: list[RenderableType] = [Text("\n".join(head)),
                                   grid(*venue_rows(tops, reference, convert), right=(2, 3, 4, 5)),
                                   Text(FEE_NOTE, style="dim")]
    if not ranked:
        return Group(*parts, Text(NO_PAIR))
    style = "bold green" if ranked[0].net > 0 else "yellow"
    parts += [Text(""), Text("\n".join(best_lines(ranked[0], reference)), style=style),
              Text(""), grid(*pair_rows(ranked), right=(2, 3, 4, 5),
                   title=f"every pair, per {base} in {reference}, best first")]
    return Group(*parts)


async def _tops(exchanges: Mapping[str, Exchange], wanted: Sequence[Target], s: Setup
                ) -> AsyncGenerator[list[Top], None]:
    """Every venue's top of book, again after each update of any of them (updates that come
    together make one), once each venue has reported. A stream's error comes out here."""
    latest: dict[str, Top] = {}
    news: asyncio.Queue[BaseException | None] = asyncio.Queue()

    async def follow(t: Target) -> None:
        try:
            with on(t.venue):
                market = (await exchanges[t.venue].load_markets()).get(t.symbol)
                async with exchanges[t.venue].watch_order_book(t.symbol, limit=1) as books:
                    async for book in books:
                        latest[t.venue] = top_of(t.venue, book, s.fee_of[t.venue], market)
                        news.put_nowait(None)
        except Exception as exc:
            news.put_nowait(exc)

    tasks = [asyncio.create_task(follow(t)) for t in wanted]
    try:
        while True:
            signals = [await news.get()]
            while not news.empty():
                signals.append(news.get_nowait())
            failed = next((x for x in signals if x is not None), None)
            if failed is not None:
                raise failed
            if len(latest) == len(wanted):
                yield [latest[t.venue] for t in wanted]
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def arb_watch(session: Session, wanted: Sequence[Target], fees: Sequence[str],
                    rate_args: Sequence[str], as_json: bool, count: int | None) -> int:
    """`unified arb --watch`: the same comparison, redrawn on every update of any venue's
    book (a JSON line each with --json); `count` updates, or until Ctrl-C."""
    s = setup(wanted, fees, rate_args)
    async with open_venues(session, [t.venue for t in wanted], if_given=True) as exchanges, \
            contextlib.AsyncExitStack() as stack:
        s = await with_own_fees(s, exchanges, wanted)
        if session.local:  # local venues stand still unless someone trades
            for t in wanted:
                await stack.enter_async_context(trading(exchanges[t.venue], t.venue, t.symbol))
        shown = 0
        with screen() as draw:
            async with contextlib.aclosing(_tops(exchanges, wanted, s)) as updates:
                async for tops in updates:
                    if as_json:
                        print(json_line(report(s, tops)), flush=True)
                    else:
                        draw(live_view(tops, pairs(tops, s.convert), s.reference, s.convert,
                                       s.notes))
                    shown += 1
                    if count is not None and shown >= count:
                        break
    return 0
