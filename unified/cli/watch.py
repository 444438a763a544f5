"""`unified watch`: one live stream of one venue (DESIGN 3b), as a view that redraws in place or
as JSON lines. The render functions turn models into rich renderables and know nothing of
streams; `Board` folds what a stream yields into what the view shows; `watch_command` runs the
loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal

import attrs
from rich.console import Console, Group, RenderableType
from rich.text import Text

from unified.cli.account import STATUS, TYPE
from unified.cli.errors import UsageError, on
from unified.cli.format import Cell, fmt, grid, json_line, plain, screen, short_time, sig
from unified.cli.market import TICKER_ROWS, _ticker_column
from unified.cli.paper import trading
from unified.cli.session import Session, open_venues
from unified.client import Exchange
from unified.derivative_models import Position, PositionSide
from unified.errors import UnifiedError
from unified.models import Balance, Balances, Fill, Order, OrderBook, Side, Ticker, Trade
from unified.streams.stream import Stream

Kind = Literal["book", "ticker", "trades", "orders", "fills", "balance", "positions"]
KINDS: tuple[Kind, ...] = ("book", "ticker", "trades", "orders", "fills", "balance",
                           "positions")
PRIVATE: frozenset[Kind] = frozenset({"orders", "fills", "balance", "positions"})
RECENT = 15  # trades, fills and order changes a view keeps
BOOK_TRADES = 5  # the last public trades under a book
ID_WIDTH = 10

@attrs.frozen
class Watch:
    """One `unified watch` command line."""

    kind: Kind
    venue: str
    symbol: str | None
    depth: int = 10
    count: int | None = None
    as_json: bool = False


# ---------------------------------------------------------------- render functions (pure)


def _side(side: Side | None, text: str) -> Text:
    return Text(text, style="green" if side is Side.BUY else "red" if side is Side.SELL else "")


def spread_mid(book: OrderBook) -> tuple[Decimal, Decimal] | None:
    """The top of the book's spread and mid price; None while a side is empty."""
    if not book.bids or not book.asks:
        return None
    bid, ask = book.bids[0].price, book.asks[0].price
    return ask - bid, (bid + ask) / 2


def book_view(venue: str, book: OrderBook, depth: int,
              trades: Sequence[Trade] = ()) -> RenderableType:
    """Both sides' top `depth` levels beside each other, with the spread and mid; the last
    public trades under them."""
    rows: list[list[Cell]] = []
    for i in range(min(depth, max(len(book.bids), len(book.asks)))):
        bid = book.bids[i] if i < len(book.bids) else None
        ask = book.asks[i] if i < len(book.asks) else None
        rows.append([fmt(bid.amount) if bid else "",
                     _side(Side.BUY, fmt(bid.price)) if bid else "",
                     _side(Side.SELL, fmt(ask.price)) if ask else "",
                     fmt(ask.amount) if ask else ""])
    top = spread_mid(book)
    if top is None:
        summary = "one side of the book is empty"
    else:
        spread, mid = top
        summary = f"spread {fmt(spread)} ({spread / mid * 100:.3f}%)  mid {sig(mid)}"
    if book.sequence is not None:
        summary += f"  seq {book.sequence}"
    if book.timestamp is not None:
        summary += f"  {short_time(book.timestamp)} UTC"
    parts: list[RenderableType] = [grid(["size", "bid", "ask", "size"], rows, right=(0, 1),
                                        title=f"{venue} {book.symbol} book"), Text(summary)]
    if trades:
        parts.append(trades_view(venue, book.symbol, trades))
    return Group(*parts)


def ticker_view(venue: str, ticker: Ticker) -> RenderableType:
    values = _ticker_column(ticker)
    return grid(["", venue], [[name, value] for name, value in zip(TICKER_ROWS, values,
                                                                   strict=True)],
                right=(1,), title=f"{venue} {ticker.symbol} ticker")


def trades_view(venue: str, symbol: str, trades: Sequence[Trade]) -> RenderableType:
    """Public trades, newest first."""
    return grid(["time (UTC)", "side", "price", "amount"],
                [[short_time(t.timestamp), _side(t.side, t.side.value if t.side else "-"),
                  _side(t.side, fmt(t.price)), fmt(t.amount)] for t in trades],
                right=(2, 3), title=f"{venue} {symbol} trades (last {len(trades)})")


def fills_view(venue: str, symbol: str | None, fills: Sequence[Fill]) -> RenderableType:
    """Your trades, newest first."""
    return grid(["time (UTC)", "order", "side", "price", "amount", "fee", "liq"],
                [[short_time(f.timestamp), short_id(f.order_id), _side(f.side, f.side.value),
                  fmt(f.price), fmt(f.amount),
                  f"{fmt(f.fee.cost)} {f.fee.currency}" if f.fee else "-",
                  f.liquidity.value if f.liquidity else "-"] for f in fills],
                right=(3, 4), title=f"{venue} {symbol or 'every market'}: your fills "
                f"(last {len(fills)})")


def short_id(order_id: str) -> str:
    return order_id if len(order_id) <= ID_WIDTH else ".." + order_id[2 - ID_WIDTH:]


def _order_row(o: Order) -> list[Cell]:
    return [short_id(o.id), o.symbol, _side(o.side, f"{o.side.value} {TYPE[o.type]}"),
            STATUS.get(o.status, o.status.value), fmt(o.price), fmt(o.amount), fmt(o.filled)]


ORDER_HEADERS = ["id", "symbol", "order", "status", "price", "amount", "filled"]


def orders_view(venue: str, symbol: str | None, opened: Sequence[Order],
                changes: Sequence[Order], complete: bool = True) -> RenderableType:
    """Your open orders (`complete`: every one, else those seen changing since the start),
    and the last changes of any order, newest first."""
    where = symbol or "every market"
    since = "" if complete else " (of the orders seen since the start)"
    return Group(
        grid(ORDER_HEADERS, [_order_row(o) for o in opened], right=(4, 5, 6),
             title=f"{venue} {where}: {len(opened)} open{since}"),
        grid(ORDER_HEADERS, [_order_row(o) for o in changes], right=(4, 5, 6),
             title=f"last {len(changes)} changes, newest first"))


def _change(now: Balance, before: Balance | None) -> Cell:
    """The total's change; if only the hold moved, that (`held +x`)."""
    if before is None:
        return ""
    for label, delta in (("", now.total - before.total), ("held ", now.held - before.held)):
        if delta:
            return Text(f"{label}{'+' if delta > 0 else ''}{fmt(delta)}",
                        style="green" if delta > 0 else "red")
    return ""


def balances_view(venue: str, balances: Mapping[str, Balance],
                  previous: Mapping[str, Balance] | None = None) -> RenderableType:
    """Non-zero balances (and any that just changed), with what changed since the previous
    update."""
    rows: list[list[Cell]] = []
    for currency in sorted(balances):
        b = balances[currency]
        before = previous.get(currency) if previous is not None else None
        if b.total == 0 and (before is None or before == b):
            continue
        rows.append([currency, fmt(b.total), fmt(b.available), fmt(b.held),
                     _change(b, before)])
    return grid(["currency", "total", "available", "held", "change"], rows,
                right=(1, 2, 3, 4), title=f"{venue} balances")


def positions_view(venue: str, positions: Sequence[Position]) -> RenderableType:
    """The open positions, the columns of `unified positions` that fit a terminal's width
    (the margin mode and realised PnL are in --json)."""
    if not positions:
        return Text(f"{venue}: no open positions")
    rows: list[list[Cell]] = [
        [p.symbol, _side(Side.BUY if p.side is PositionSide.LONG else Side.SELL,
                         f"{p.side.value} {fmt(p.contracts)}"),
         fmt(p.entry_price), fmt(p.mark_price), fmt(p.liquidation_price), fmt(p.leverage),
         fmt(p.margin), fmt(p.unrealized_pnl)] for p in positions]
    return grid(["symbol", "contracts", "entry", "mark", "liq.", "lev.", "margin", "uPnL"],
                rows, right=(1, 2, 3, 4, 5, 6, 7), title=f"{venue} positions")


# ---------------------------------------------------------------- what a view keeps


class Board:
    """The items a stream yielded, folded into what its view shows."""

    def __init__(self, watch: Watch) -> None:
        self.watch = watch
        self.latest: Any = None
        self.previous: Any = None
        self.recent: deque[Any] = deque(maxlen=RECENT)
        self.opened: dict[str, Order] = {}
        self.seeded = False  # open orders known from the start, not only those seen since
        self.seen: set[str] = set()  # orders the stream told of
        self.positions: dict[str, Position] = {}  # open ones, by symbol
        self.tape: deque[Trade] = deque(maxlen=BOOK_TRADES)  # a book view's last trades

    def seed(self, opened: Sequence[Order]) -> None:
        self.seeded = True
        for order in opened:
            if order.id not in self.seen:  # the stream's news is newer than any answer
                self.opened[order.id] = order

    def add(self, item: Any) -> None:
        self.previous, self.latest = self.latest, item
        self.recent.appendleft(item)
        if isinstance(item, Position):
            if item.contracts:
                self.positions[item.symbol] = item
            else:
                self.positions.pop(item.symbol, None)
        if isinstance(item, Order):
            self.seen.add(item.id)
            if item.status.is_open:
                self.opened[item.id] = item
            else:
                self.opened.pop(item.id, None)

    def view(self) -> RenderableType:
        w, item = self.watch, self.latest
        if item is None:
            return Text(f"{w.venue}: waiting for the first {w.kind} update...")
        if w.kind == "book":
            return book_view(w.venue, item, w.depth, list(self.tape))
        if w.kind == "ticker":
            return ticker_view(w.venue, item)
        if w.kind == "trades":
            return trades_view(w.venue, w.symbol or "", list(self.recent))
        if w.kind == "fills":
            return fills_view(w.venue, w.symbol, list(self.recent))
        if w.kind == "positions":
            return positions_view(w.venue, [self.positions[s] for s in sorted(self.positions)])
        if w.kind == "orders":
            return orders_view(w.venue, w.symbol, list(self.opened.values()), list(self.recent),
                               self.seeded)
        return balances_view(w.venue, item, self.previous)


def json_item(watch: Watch, item: Any) -> dict[str, Any]:
    """One yielded item as the other commands' --json give it: the venue, then the model's
    fields (Decimals as strings, times ISO-8601 UTC); a book trimmed to --depth."""
    if isinstance(item, OrderBook):
        return {"venue": watch.venue, **plain(item), "bids": plain(item.bids[:watch.depth]),
                "asks": plain(item.asks[:watch.depth])}
    if isinstance(item, Balances):
        return {"venue": watch.venue, "balances": [plain(item[c]) for c in sorted(item)]}
    return {"venue": watch.venue, **plain(item)}


# ---------------------------------------------------------------- the loop


def check(watch: Watch) -> None:
    """Refuse what cannot be watched before anything is sent."""
    if watch.kind == "balance" and watch.symbol:
        raise UsageError("watch balance takes no SYMBOL (balances are per account)")
    if watch.kind not in PRIVATE and not watch.symbol:
        raise UsageError(f"watch {watch.kind} needs a SYMBOL, e.g. BTC/USDT")


def open_stream(ex: Exchange, watch: Watch) -> Stream[Any]:
    s = watch.symbol
    openers: dict[Kind, Callable[[], Stream[Any]]] = {
        "book": lambda: ex.watch_order_book(s or "", limit=watch.depth),
        "ticker": lambda: ex.watch_ticker(s or ""),
        "trades": lambda: ex.watch_trades(s or ""),
        "orders": lambda: ex.watch_orders(s),
        "fills": lambda: ex.watch_my_trades(s),
        "balance": lambda: ex.watch_balance(),
        "positions": lambda: ex.watch_positions(s),
    }
    return openers[watch.kind]()


async def follow(stream: Stream[Any], count: int | None, show: Callable[[Any], None],
                 subscribed: Callable[[], Awaitable[None]] | None = None) -> int:
    """Show each item the stream yields; stop after `count` (None: until interrupted). The
    stream is closed however this ends (Ctrl-C included). `subscribed` runs once the stream
    is live, before its first item is shown."""
    shown = 0
    async with stream:
        if subscribed is not None:
            await subscribed()
        async for item in stream:
            show(item)
            shown += 1
            if count is not None and shown >= count:
                break
    return shown


async def tape(ex: Exchange, symbol: str, board: Board, redraw: Callable[[], None],
               live: Callable[[], None] | None = None) -> None:
    """The public trades under a book view (a venue that cannot stream them shows none);
    `live` is told once the trades stream is subscribed."""
    with contextlib.suppress(UnifiedError):
        async with ex.watch_trades(symbol) as trades:
            if live is not None:
                live()
            async for trade in trades:
                board.tape.appendleft(trade)
                if board.latest is not None:
                    redraw()


async def watch_command(session: Session, watch: Watch) -> int:
    check(watch)
    async with open_venues(session, [watch.venue], private=watch.kind in PRIVATE) as opened, \
            contextlib.AsyncExitStack() as stack:
        ex = opened[watch.venue]
        if session.local:
            # A local venue only moves when someone trades: a paper trader does, so the view
            # has something to show.
            await stack.enter_async_context(trading(ex, watch.venue, watch.symbol))
        with on(watch.venue):
            stream = open_stream(ex, watch)
            if watch.as_json:
                def line(item: Any) -> None:
                    print(json_line(json_item(watch, item)), flush=True)

                await follow(stream, watch.count, line)
                return 0
            board = Board(watch)
            console = Console(highlight=False)
            with screen(console) as draw:
                if console.is_terminal:  # a log or a pipe gets updates only
                    draw(board.view())

                def redraw(item: Any) -> None:
                    board.add(item)
                    draw(board.view())

                async def seed() -> None:
                    # Orders open before the command started: from REST, once subscribed,
                    # so a change that comes meanwhile is shown over them.
                    if watch.kind == "orders" and watch.symbol:
                        board.seed(await ex.fetch_open_orders(watch.symbol))
                        if console.is_terminal:
                            draw(board.view())

                def show_tape() -> None:
                    if console.is_terminal:  # else shown with the next book, not alone
                        draw(board.view())

                tapes = [asyncio.create_task(tape(ex, watch.symbol or "", board, show_tape))
                         ] if watch.kind == "book" else []
                try:
                    await follow(stream, watch.count, redraw, seed)
                finally:
                    for task in tapes:
                        task.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await task
    return 0
