"""`unified ticker` and `unified book`: public market data from several venues, side by side."""

from __future__ import annotations

from collections.abc import Sequence

from unified.cli.errors import on
from unified.cli.format import beside, columns, fmt, plain, short_time, table, to_json
from unified.cli.session import Session, Target, open_venues
from unified.models import OrderBook, Ticker

TICKER_ROWS = ("symbol", "last", "bid", "ask", "spread", "bid size", "ask size", "24h open",
               "24h high", "24h low", "24h change", "base volume", "quote volume",
               "time (UTC)")


def _change(t: Ticker) -> str:
    if t.last is None or not t.open:
        return "-"
    return f"{(t.last - t.open) / t.open * 100:+.2f}%"


def _ticker_column(t: Ticker) -> list[str]:
    spread = t.ask - t.bid if t.ask is not None and t.bid is not None else None
    return [t.symbol, fmt(t.last), fmt(t.bid), fmt(t.ask), fmt(spread), fmt(t.bid_size),
            fmt(t.ask_size), fmt(t.open), fmt(t.high), fmt(t.low), _change(t),
            fmt(t.base_volume), fmt(t.quote_volume), short_time(t.timestamp)]


async def ticker_command(session: Session, wanted: Sequence[Target], as_json: bool) -> int:
    async with open_venues(session, [t.venue for t in wanted]) as exchanges:
        found = []
        for target in wanted:
            with on(target.venue):
                found.append((target.venue, await exchanges[target.venue].fetch_ticker(
                    target.symbol)))
    if as_json:
        print(to_json([{"venue": venue, **plain(t)} for venue, t in found]))
        return 0
    print(columns("", TICKER_ROWS, [(venue, _ticker_column(t)) for venue, t in found]))
    return 0


def _book_block(venue: str, book: OrderBook, depth: int) -> str:
    rows = []
    for i in range(min(depth, max(len(book.bids), len(book.asks)))):
        bid = book.bids[i] if i < len(book.bids) else None
        ask = book.asks[i] if i < len(book.asks) else None
        rows.append((fmt(bid.amount) if bid else "", fmt(bid.price) if bid else "",
                     fmt(ask.price) if ask else "", fmt(ask.amount) if ask else ""))
    title = f"{venue} {book.symbol}"
    return title + "\n" + table(["size", "bid", "ask", "size"], rows)


async def book_command(session: Session, wanted: Sequence[Target], depth: int,
                       as_json: bool) -> int:
    async with open_venues(session, [t.venue for t in wanted]) as exchanges:
        found = []
        for target in wanted:
            with on(target.venue):
                book = await exchanges[target.venue].fetch_order_book(target.symbol,
                                                                      limit=depth)
            found.append((target.venue, book))
    if as_json:
        print(to_json([{"venue": venue, **plain(b), "bids": plain(b.bids[:depth]),
                        "asks": plain(b.asks[:depth])} for venue, b in found]))
        return 0
    print(beside([_book_block(venue, b, depth) for venue, b in found]))
    return 0
