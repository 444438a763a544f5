"""The streams room of the Exchange: every watch_* goes through here.

It turns a watch into wire keys (the venue's Dialect), places them on a connection (public or
private; a new one when the venue's topics-per-connection limit is reached), routes pushed
items to the streams that want them, keeps one BookFeed per symbol, deduplicates private
events and reconciles them through REST after a reconnect. Venues without a WebSocket are
served by polling.Poller with the same Stream type. Venue-neutral: the dialect, the spec's
capabilities and the error table say everything venue-specific.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable
from datetime import datetime
from typing import Any, Protocol, cast

import attrs

from unified.arguments import positive_int
from unified.derivative_models import Position
from unified.errors import BadSymbol, ConfigurationError, NotSupported, UnifiedError
from unified.markets import Markets
from unified.models import Balances, Fill, Order, OrderBook
from unified.pipeline import Pipeline
from unified.streams.books import BookFeed
from unified.streams.connection import Connection
from unified.streams.dialect import (
    PRIVATE_KINDS,
    BalanceChange,
    Dialect,
    Endpoint,
    Item,
    Kind,
    Outgoing,
    Refused,
    Unreadable,
    Want,
    book_kind,
)
from unified.streams.pacing import Settings, Window
from unified.streams.polling import Poller, PollRest
from unified.streams.private import (
    FillTracker,
    OrderTracker,
    PositionTracker,
    Reconciler,
    Rest,
    apply_balance,
)
from unified.streams.stream import Stream

log = logging.getLogger("unified.streams")

CONFLATED = frozenset({"book", "ticker"})


class Exchanges(Rest, PollRest, Protocol):
    """The REST calls streams fall back on (the Exchange has them)."""



def _limit(value: object) -> int | None:
    return None if value is None else int(str(value))


@attrs.define(eq=False)
class _Sub:
    kind: Kind
    symbol: str | None  # unified
    keys: list[str]
    conn: Connection | None = None


class Streams:
    def __init__(self, pipe: Pipeline, markets: Markets, rest: Exchanges,
                 credentials: bool, settings: Settings | None = None) -> None:
        self._pipe, self._markets, self._rest = pipe, markets, rest
        self._credentials = credentials
        caps = pipe.spec.capabilities
        self.websocket = bool(caps.get("websocket"))
        self._dialect = cast(Dialect, pipe.adapter.streams) if self.websocket else None
        self._settings = settings or Settings(
            uplink_per_10s=int(caps.get("ws_uplink_per_10s", 100)),
            subscriptions_per_hour=_limit(caps.get("ws_subscriptions_per_hour")),
            connects_per_s=_limit(caps.get("ws_connects_per_s")))
        self._max_keys = caps.get("ws_topics_per_connection")
        self._connects: Window | None = None  # one window over every connection
        self._conns: dict[bool, list[Connection]] = {False: [], True: []}
        self._subs: dict[Stream[Any], _Sub] = {}
        self._books: dict[str, BookFeed] = {}
        self._orders, self._fills = OrderTracker(), FillTracker()
        self._positions = PositionTracker()
        self._balances: Balances | None = None
        self._seen: set[str] = set()
        self._since = pipe.clock.now()
        #: per connection that lost its way: since when private events may be missing
        self._gap_from: dict[Connection, datetime] = {}
        self._reconciler = Reconciler(rest)
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    # ---------------------------------------------------------------- watch_*

    def open(self, kind: Kind, symbol: str | None, limit: int | None = None) -> Stream[Any]:
        positive_int("limit", limit)
        if symbol is None and kind not in PRIVATE_KINDS:
            raise BadSymbol(f"watch {kind} needs a symbol")
        if symbol is not None and not isinstance(symbol, str):
            raise BadSymbol(f"symbol must be a string like 'BTC/USDT', got {symbol!r}")
        if self._closed:
            raise ConfigurationError("this client is closed; connect() again")
        name = f"{self._pipe.venue} {kind} {symbol or '*'}"
        if not self.websocket:
            poller = Poller(self._pipe, self._markets, self._rest, kind, symbol, limit)
            stream: Stream[Any] = Stream(name, conflate=kind in CONFLATED, start=poller.start,
                                         stop=poller.stop)
        else:
            async def start(s: Stream[Any]) -> None:
                await self._start(s, kind, symbol, limit)

            stream = Stream(name, conflate=kind in CONFLATED, start=start, stop=self._stop)
        self._subs[stream] = _Sub(kind, symbol, [])
        return stream

    async def _start(self, stream: Stream[Any], kind: Kind, symbol: str | None,
                     limit: int | None) -> None:
        private = kind in PRIVATE_KINDS
        if private and not self._credentials:
            raise ConfigurationError(f"watch {kind} needs credentials")
        if kind == "positions" and not self._rest.supports("fetch_positions"):
            raise NotSupported(f"{self._pipe.venue} has no positions to watch")
        markets = await self._markets.load()
        venue_symbol = self._markets.loaded(symbol).venue_symbol if symbol else None
        assert self._dialect is not None
        sub = self._subs[stream]
        sub.keys = self._dialect.wire_keys(Want(kind, venue_symbol),
                                           [m.venue_symbol for m in markets.values()])
        sub.conn = self._connection(private, len(sub.keys))
        feed = self._feed(symbol, stream, limit) if kind == "book" else None
        fresh = feed is not None and len(feed.streams) == 1
        await sub.conn.add(sub.keys)
        if feed is not None and fresh:
            await feed.start()
        if kind == "balance":
            await self._seed_balance(stream)
        if kind == "positions":
            await self._seed_positions(stream, symbol)

    def _feed(self, symbol: str | None, stream: Stream[OrderBook], limit: int | None
              ) -> BookFeed:
        assert symbol is not None
        feed = self._books.get(symbol)
        if feed is None:
            feed = self._books[symbol] = BookFeed(
                symbol, book_kind(self._pipe.spec.capabilities),
                snapshot=lambda: self._snapshot(symbol), renew=lambda: self._renew(symbol),
                sleep=self._pipe.sleep)
        feed.add(stream, limit)
        book = feed.keeper.read(limit)  # a later stream starts from the book there is now
        if book is not None:
            stream.push(book)
        return feed

    async def _snapshot(self, symbol: str) -> OrderBook:
        args = await self._markets.args(symbol)
        book: OrderBook = await self._pipe.fetch("fetch_order_book_full", args)
        return book

    async def _renew(self, symbol: str) -> None:
        for sub in self._subs.values():
            if sub.kind == "book" and sub.symbol == symbol and sub.conn is not None:
                await sub.conn.renew(sub.keys)
                return

    async def _seed_balance(self, stream: Stream[Balances]) -> None:
        self._balances = await self._rest.fetch_balance()
        stream.push(self._balances)

    async def _seed_positions(self, stream: Stream[Position], symbol: str | None) -> None:
        """The open positions now, to this stream (later ones get changes only)."""
        for position in await self._rest.fetch_positions([symbol] if symbol else None):
            self._positions.is_new(position)
            stream.push(position)

    async def _stop(self, stream: Stream[Any]) -> None:
        sub = self._subs.pop(stream, None)
        if sub is None:
            return
        if sub.kind == "book" and sub.symbol in self._books:
            feed = self._books[sub.symbol]
            feed.discard(stream)
            if not feed.streams:
                del self._books[sub.symbol]
                await feed.close()
        if sub.conn is not None and sub.keys:
            await sub.conn.remove(sub.keys)

    # ---------------------------------------------------------------- connections

    def _connection(self, private: bool, keys: int) -> Connection:
        pool = self._conns[private]
        pool[:] = [c for c in pool if not c.closed]
        for conn in pool:
            if self._max_keys is None or len(conn.keys) + keys <= int(self._max_keys):
                return conn
        conn = Connection(
            f"{self._pipe.venue} {'private' if private else 'public'} #{len(pool) + 1}",
            dialect=cast(Dialect, self._dialect), private=private,
            endpoint=lambda fresh: self._endpoint(private), login=self._login,
            decode=self._decode, on_items=self._route, on_lost=self._lost,
            on_resync=self._resync,
            on_broken=self._broken, refusal=self._refusal, clock=self._pipe.clock,
            settings=self._settings, sleep=self._pipe.sleep, connects=self._connect_window())
        pool.append(conn)
        return conn

    def _connect_window(self) -> Window | None:
        per_s = self._settings.connects_per_s
        if per_s is not None and self._connects is None:
            self._connects = Window(per_s, self._pipe.clock, window_s=1.0,
                                    sleep=self._pipe.sleep)
        return self._connects

    async def _endpoint(self, private: bool) -> Endpoint:
        dialect = cast(Dialect, self._dialect)
        op = dialect.endpoint_op(private)
        answer = None if op is None else await self._pipe.fetch(op)
        return dialect.endpoint(self._pipe.origin, private, answer, uuid.uuid4().hex)

    def _login(self) -> Outgoing | None:
        credentials = self._pipe.credentials
        if credentials is None:
            return None
        return cast(Dialect, self._dialect).login(credentials, self._pipe.clock.now())

    def _decode(self, frame: str | bytes) -> list[Any]:
        try:
            return cast(Dialect, self._dialect).decode(frame, self._pipe.ctx)
        except Unreadable as exc:  # a push that names its stream: that stream alone resyncs
            if exc.kind == "book" and exc.symbol is not None:
                feed = self._books.get(exc.symbol)
                if feed is not None:
                    feed.unreadable(exc)
                return []
            if exc.kind in ("ticker", "trades"):  # nothing to rebuild: the next stands alone
                log.warning("%s: unreadable %s push (%s); dropped", self._pipe.venue,
                            exc.kind, exc)
                return []
            raise  # private pushes reconcile, a book naming no one book: the whole connection

    def _refusal(self, refused: Refused) -> UnifiedError:
        return self._pipe.tables.errors.classify(http_status=None, code=refused.code,
                                                 message=refused.message)

    def _on(self, conn: Connection) -> list[tuple[Stream[Any], _Sub]]:
        return [(s, sub) for s, sub in self._subs.items() if sub.conn is conn]

    def _broken(self, conn: Connection, error: UnifiedError) -> None:
        for stream, _ in self._on(conn):
            stream.fail(error)

    def _feeds(self, conn: Connection) -> list[BookFeed]:
        symbols = {sub.symbol for _, sub in self._on(conn) if sub.kind == "book"}
        return [self._books[s] for s in symbols if s in self._books]

    def _lost(self, conn: Connection) -> None:
        self._gap_from.setdefault(conn, conn.heard_at or self._since)
        for feed in self._feeds(conn):
            feed.lost()

    async def _resync(self, conn: Connection, resubscribed: bool) -> None:
        """The socket was down (or a frame unreadable): books start over, private streams
        reconcile through REST."""
        subs = self._on(conn)
        since = self._gap_from.pop(conn, self._since)
        for feed in self._feeds(conn):
            feed.recover(resubscribed)
        if any(sub.kind in PRIVATE_KINDS for _, sub in subs):
            self._spawn(self._reconcile([s for s, sub in subs if sub.kind in PRIVATE_KINDS],
                                        since))

    def _spawn(self, job: Awaitable[None]) -> None:
        task = asyncio.ensure_future(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---------------------------------------------------------------- routing

    def _route(self, items: list[Item]) -> None:
        for item in items:
            value = item.value
            if item.kind == "book":
                feed = self._books.get(item.symbol or "")
                if feed is not None:
                    feed.take(value)
                continue
            if item.symbol is not None:
                self._seen.add(item.symbol)
            if isinstance(value, Order):
                value = self._orders.complete(value, item.unreported)
                if not self._orders.is_new(value):
                    continue
            if isinstance(value, Fill) and not self._fills.is_new(value):
                continue
            if isinstance(value, Position) and not self._positions.is_new(value):
                continue
            if isinstance(value, BalanceChange):
                self._balances = apply_balance(self._balances, value)
            self._deliver(item.kind, item.symbol,
                          self._balances if item.kind == "balance" else value)

    def _deliver(self, kind: str, symbol: str | None, value: Any) -> None:
        for stream, sub in list(self._subs.items()):
            if sub.kind == kind and sub.symbol in (None, symbol) and sub.keys:
                stream.push(value)

    async def _reconcile(self, streams: list[Stream[Any]], since: datetime) -> None:
        kinds = {self._subs[s].kind for s in streams if s in self._subs}
        try:
            if "orders" in kinds:
                known = self._orders.open_by_symbol()  # once: the tracker holds many orders
                for symbol in await self._symbols("orders"):
                    orders = await self._reconciler.orders(symbol, since, known.get(symbol, ()))
                    self._route([Item(kind="orders", symbol=o.symbol, value=o) for o in orders])
            if "my_trades" in kinds:
                for symbol in await self._symbols("my_trades"):
                    fills = await self._reconciler.fills(symbol, since)
                    self._route([Item(kind="my_trades", symbol=f.symbol, value=f) for f in fills])
            if "positions" in kinds:
                current = await self._rest.fetch_positions()
                gone = self._positions.gone(current, self._pipe.clock.now())
                self._route([Item(kind="positions", symbol=p.symbol, value=p)
                             for p in [*current, *gone]])
            if "balance" in kinds:
                balances = await self._rest.fetch_balance()
                if self._balances is None or dict(balances) != dict(self._balances):
                    self._balances = balances
                    self._deliver("balance", None, balances)
        except UnifiedError as exc:
            log.warning("reconciling private streams failed (%s)", type(exc).__name__)
            for stream in streams:
                stream.fail(exc)

    async def _symbols(self, kind: str) -> list[str]:
        wanted = [sub.symbol for sub in self._subs.values() if sub.kind == kind]
        return await self._reconciler.symbols(wanted, self._seen)

    # ---------------------------------------------------------------- closing

    async def close(self) -> None:
        self._closed = True
        for stream in list(self._subs):
            await stream.aclose()
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, UnifiedError):
                await task
        for feed in self._books.values():
            await feed.close()
        for pool in self._conns.values():
            for conn in pool:
                await conn.close()

