"""The stream API through every injected fault, on every venue with a WebSocket (its local twin
injects them): no wrong book, no lost or doubled private event. Which faults a venue can suffer
comes from its spec (book sync kind, whether it hands out connect tokens), never its name.

A book is "right" when it equals the engine's book at some moment the test saw (the test makes
every change itself, one at a time, and records the engine's book after each)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import pytest

import unified
from unified import OrderBook, OrderStatus, OrderType, Side, registry
from unified.sim.server import USER, SimVenue
from unified.streams.pacing import Settings
from unified.streams.stream import Stream
from unified.venue import Credentials

from ..conftest import run
from .harness import paced, size

T = TypeVar("T")
PATIENCE_S = 20.0
STREAMED = [v for v in registry.venues() if registry.get(v).spec.capability("websocket")]


def sync_of(venue_id: str) -> str:
    return str(registry.get(venue_id).spec.capability("stream_book_sync"))


def tokened(venue_id: str) -> bool:
    reg = registry.get(venue_id)
    return reg.descriptor.load_adapter().streams.endpoint_op(False) is not None


def logs_in(venue_id: str) -> bool:
    """Whether a private connection logs in over the socket (else its endpoint is the login)."""
    streams = registry.get(venue_id).descriptor.load_adapter().streams
    return streams.login(Credentials("key", "secret", "passphrase"), datetime.now(UTC)) is not None


@asynccontextmanager
async def venue(venue_id: str) -> AsyncIterator[tuple[SimVenue, unified.Exchange, str]]:
    async with paced(venue_id) as (sim, ex, symbol):
        yield sim, ex, symbol
        assert not sim.streams.failures, sim.streams.failures


async def next_of(stream: Stream[T]) -> T:
    return await asyncio.wait_for(anext(stream), PATIENCE_S)


class Books:
    """The engine's books the test has seen; every streamed book must be one of them."""

    def __init__(self, sim: SimVenue, symbol: str, depth: int = 10) -> None:
        self.sim, self.symbol, self.depth = sim, symbol, depth
        self.seen = [self.now()]

    def now(self) -> Any:
        bids, asks = self.sim.engine.depth(self.symbol, self.depth)
        return [tuple(lv) for lv in bids], [tuple(lv) for lv in asks]

    def record(self) -> Any:
        self.seen.append(self.now())
        return self.seen[-1]

    @staticmethod
    def of(book: OrderBook) -> Any:
        return ([(lv.price, lv.amount) for lv in book.bids],
                [(lv.price, lv.amount) for lv in book.asks])

    async def reach(self, books: Stream[OrderBook], last: list[int]) -> OrderBook:
        """Read books until the engine's latest; each one read must be right, and its
        sequence must never go backwards."""
        want = self.seen[-1]
        while True:
            book = await next_of(books)
            assert self.of(book) in self.seen, "a book the venue never had"
            if book.sequence is not None:
                assert book.sequence >= last[0]
                last[0] = book.sequence
            if self.of(book) == want:
                return book


async def change_book(ex: unified.Exchange, symbol: str, step: int) -> None:
    book = await ex.fetch_order_book(symbol, limit=1)
    spread = book.asks[0].price - book.bids[0].price
    price = ex.price_to_precision(symbol, book.bids[0].price + spread / (3 + step))
    await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, size(await ex.market(symbol), 1),
                          price)


BOOK_FAULTS = ["drop", "malformed", "garbage", "delay"]


def book_faults(venue_id: str) -> list[str]:
    own = ["skip_sequence"] if sync_of(venue_id) == "sequence" else ["corrupt_checksum"]
    return BOOK_FAULTS + own + (["expire_token"] if tokened(venue_id) else [])


@pytest.mark.parametrize(("venue_id", "fault"),
                         [(v, f) for v in STREAMED for f in book_faults(v)])
def test_a_book_stays_right_through_a_fault(venue_id: str, fault: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol), \
                ex.watch_order_book(symbol, limit=10) as books:
            truth, last = Books(sim, symbol), [0]
            await truth.reach(books, last)
            injected = sim.streams.faults.add(fault, private=False)
            await change_book(ex, symbol, 0)
            truth.record()
            if fault == "delay":
                await injected.acted.wait()
                injected.release()
            await injected.acted.wait()
            await change_book(ex, symbol, 1)
            truth.record()
            book = await truth.reach(books, last)
            assert Books.of(book) == truth.now()
            # every fault but a delay cost the client its book once: it was rebuilt, not patched
            resyncs = ex._streams._books[symbol].resyncs
            assert resyncs == 0 if fault == "delay" else resyncs >= 1

    run(go())


@pytest.mark.parametrize("venue_id", STREAMED)
def test_a_silent_connection_is_replaced(venue_id: str) -> None:
    """Pongs stop: the client notices within the ping timeout and reconnects; the new
    connection pings too (a second silence is noticed as well). Where the venue hands out
    the ping pace (a bullet answer) the client follows it; elsewhere it is the client's."""

    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol):
            if tokened(venue_id):
                sim.streams.ping_interval_ms, sim.streams.ping_timeout_ms = 20, 20
            else:
                ex._streams._settings = Settings(ping_interval_s=0.02, ping_timeout_s=0.02)
            async with ex.watch_trades(symbol) as trades:
                for _ in range(2):
                    fault = sim.streams.faults.add("mute_pings")
                    opened = sim.streams.opened
                    await fault.acted.wait()
                    while sim.streams.opened == opened:
                        await asyncio.sleep(0.01)  # the reconnect: bounded by PATIENCE_S
                book = await ex.fetch_order_book(symbol, limit=1)
                amount = min(size(await ex.market(symbol), 1), book.asks[0].amount)
                await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount,
                                      book.asks[0].price)
                trade = await next_of(trades)
                assert trade.amount == amount

    run(asyncio.wait_for(go(), PATIENCE_S))


@pytest.mark.parametrize(("venue_id", "fault"),
                         [(v, f) for v in STREAMED for f in ("drop", "malformed", "garbage")])
def test_order_changes_missed_in_a_fault_arrive_once(venue_id: str, fault: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol), ex.watch_orders(symbol) as orders:
            book = await ex.fetch_order_book(symbol, limit=1)
            price = ex.price_to_precision(symbol, book.bids[0].price * Decimal("0.9"))
            market = await ex.market(symbol)
            first = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, size(market, 2),
                                          price)
            assert (await next_of(orders)).id == first.id
            hit = sim.streams.faults.add(fault, private=True)
            second = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, size(market, 3),
                                           price)
            await hit.acted.wait()
            await ex.cancel_order(second.id, symbol)
            seen: list[tuple[str, OrderStatus]] = []
            while (second.id, OrderStatus.CANCELED) not in seen:
                order = await next_of(orders)
                seen.append((order.id, order.status))
            assert len(seen) == len(set(seen)), f"an order change delivered twice: {seen}"
            assert (first.id, OrderStatus.OPEN) not in seen

    run(go())


@pytest.mark.parametrize("venue_id", [v for v in STREAMED if tokened(v)])
def test_orders_and_fills_made_while_disconnected_are_reconciled(venue_id: str) -> None:
    """The socket is down (the new connect token held back) while an order is placed, filled
    and another canceled: after the reconnect REST reconciliation delivers them, once."""

    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol), ex.watch_orders(symbol) as orders, \
                ex.watch_my_trades(symbol) as fills:
            book = await ex.fetch_order_book(symbol, limit=1)
            price = ex.price_to_precision(symbol, book.bids[0].price * Decimal("0.9"))
            market = await ex.market(symbol)
            warm = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, size(market, 2),
                                         price)
            assert (await next_of(orders)).id == warm.id
            held = sim.faults.add("delay", op=ex._streams._dialect.endpoint_op(True),  # type: ignore[union-attr]
                                  delay_s=PATIENCE_S)
            drop = sim.streams.faults.add("drop", private=True, times=None)
            await drop.acted.wait()
            ask = book.asks[0]
            taken = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY,
                                          min(size(market, 1), ask.amount), ask.price)
            await ex.cancel_order(warm.id, symbol)
            held.released.set()
            got: dict[str, OrderStatus] = {}
            while got.get(warm.id) is not OrderStatus.CANCELED or taken.id not in got:
                order = await next_of(orders)
                assert got.get(order.id) != order.status, "delivered twice"
                got[order.id] = order.status
            fill = await next_of(fills)
            assert fill.order_id == taken.id and fill.price == ask.price

    run(go())


@pytest.mark.parametrize("venue_id", [v for v in STREAMED if tokened(v)])
def test_an_expired_token_is_replaced(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol), ex.watch_trades(symbol) as trades:
            op = ex._streams._dialect.endpoint_op(False)  # type: ignore[union-attr]
            before = sim.requests.get(op, 0)
            fault = sim.streams.faults.add("expire_token")
            await fault.acted.wait()
            book = await ex.fetch_order_book(symbol, limit=1)
            amount = min(size(await ex.market(symbol), 1), book.asks[0].amount)
            opened = sim.streams.opened
            while sim.streams.opened == opened:
                await asyncio.sleep(0.01)
            await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount, book.asks[0].price)
            assert (await next_of(trades)).amount == amount
            assert sim.requests.get(op, 0) == before + 1

    run(go())


class Draws(random.Random):
    """Records each backoff drawn (one wait before a reconnect): its upper bound."""

    def __init__(self) -> None:
        super().__init__(0)
        self.bounds: list[float] = []

    def uniform(self, a: float, b: float) -> float:
        self.bounds.append(b)
        return super().uniform(a, b)


@pytest.mark.parametrize("venue_id", STREAMED)
def test_connections_that_keep_dying_young_back_off(venue_id: str) -> None:
    """One drop reconnects at once; a venue dropping every session soon after it starts is not
    hammered (backoff grows); a session that lived resets that."""

    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol):
            draws = Draws()
            ex._streams._settings = Settings(rng=draws)
            async with ex.watch_trades(symbol) as trades:
                conn = ex._streams._conns[False][0]

                async def drop() -> None:
                    connects = conn.connects
                    await sim.streams.faults.add("drop").acted.wait()
                    while conn.connects == connects:
                        await asyncio.sleep(0.01)  # the reconnect: bounded by PATIENCE_S

                await drop()
                assert draws.bounds == []
                await drop()
                await drop()
                assert draws.bounds == [0.25, 0.5]
                ex._pipe.clock.base.pace.advance(Settings().stable_s)  # type: ignore[attr-defined]
                await drop()
                assert draws.bounds == [0.25, 0.5]
                book = await ex.fetch_order_book(symbol, limit=1)
                amount = min(size(await ex.market(symbol), 1), book.asks[0].amount)
                await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount,
                                      book.asks[0].price)
                assert (await next_of(trades)).amount == amount

    run(asyncio.wait_for(go(), PATIENCE_S))


@pytest.mark.parametrize("venue_id", STREAMED)
def test_topics_past_a_connections_limit_go_on_another_connection(venue_id: str) -> None:
    """The spec's limits reach the keeper; a connection holding its most topics is not
    given more: the next stream opens another connection, and both streams work."""

    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol):
            caps = registry.get(venue_id).spec.capabilities
            settings = ex._streams._settings
            assert settings.uplink_per_10s == caps.get("ws_uplink_per_10s", 100)
            assert settings.subscriptions_per_hour == caps.get("ws_subscriptions_per_hour")
            assert settings.connects_per_s == caps.get("ws_connects_per_s")
            ex._streams._max_keys = 1
            async with ex.watch_trades(symbol) as trades, ex.watch_ticker(symbol) as tickers:
                assert [len(c.keys) for c in ex._streams._conns[False]] == [1, 1]
                assert sim.streams.opened >= 2
                book = await ex.fetch_order_book(symbol, limit=1)
                amount = min(size(await ex.market(symbol), 1), book.asks[0].amount)
                price = book.asks[0].price
                await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount, price)
                assert (await next_of(trades)).price == price
                while (await next_of(tickers)).last != price:
                    pass

    run(asyncio.wait_for(go(), PATIENCE_S))


@pytest.mark.parametrize("venue_id", STREAMED)
def test_leaving_a_stream_unsubscribes_it_and_only_it(venue_id: str) -> None:
    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol), ex.watch_ticker(symbol) as tickers:
            async with ex.watch_trades(symbol):
                (live,) = sim.streams.connections
                both = set(live.subs)
            while live.subs == both:
                await asyncio.sleep(0.01)  # the unsubscribe: bounded by PATIENCE_S below
            assert live.subs < both and live.subs  # the ticker's subscription stays
            book = await ex.fetch_order_book(symbol, limit=1)
            amount = min(size(await ex.market(symbol), 1), book.asks[0].amount)
            price = book.asks[0].price
            await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount, price)
            while (await next_of(tickers)).last != price:
                pass

    run(asyncio.wait_for(go(), PATIENCE_S))


@pytest.mark.parametrize("venue_id", STREAMED)
def test_a_stream_that_cannot_reconnect_raises_a_typed_error(venue_id: str) -> None:
    """The venue goes away for good: after its reconnects fail, the iterator raises a
    UnifiedError (never an aiohttp error, never a hang)."""

    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol):
            ex._streams._settings = Settings(connect_timeout_s=1.0)  # each try fails soon
            async with ex.watch_trades(symbol) as trades:
                await sim.stop()  # nothing listens any more: each reconnect fails
                with pytest.raises(unified.UnifiedError) as failed:
                    await next_of(trades)
                assert isinstance(failed.value, (unified.ConnectionFailed,
                                                 unified.RequestTimeout,
                                                 unified.VenueUnavailable))

    run(asyncio.wait_for(go(), PATIENCE_S))


@pytest.mark.parametrize(("venue_id", "kind"),
                         [(v, k) for v in STREAMED for k in ("orders", "balance")])
def test_a_private_stream_whose_credentials_are_refused_fails_typed_at_once(
        venue_id: str, kind: str) -> None:
    """A wrong secret: the venue refuses the login (OKCoinJapan answers an error event and
    closes the socket; KuCoin refuses the private bullet over REST). The stream fails with
    AuthenticationError after one try: no reconnect loop, the venue is not hammered with
    logins that cannot succeed."""

    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol):
            ex._streams._settings = Settings(connect_timeout_s=PATIENCE_S)  # never the cause
            key = sim.credentials.api_key
            sim.keys[key] = attrs.evolve(sim.keys[key], secret="not-" + sim.credentials.secret)
            with pytest.raises(unified.AuthenticationError):
                async with ex.watch_orders(symbol) if kind == "orders" else \
                        ex.watch_balance() as stream:
                    await next_of(stream)
            assert sim.streams.opened == (1 if logs_in(venue_id) else 0)

    run(asyncio.wait_for(go(), PATIENCE_S))


@pytest.mark.parametrize("venue_id", STREAMED)
def test_an_unreadable_ticker_push_resyncs_nothing_else(venue_id: str) -> None:
    """A push whose channel was read but whose data was not belongs to one stream: a ticker's
    is dropped (the next ticker stands alone), and the book and trades sharing its connection
    go on untouched: no re-seed, no reconnect, every trade delivered."""

    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol), \
                ex.watch_order_book(symbol, limit=10) as books, \
                ex.watch_ticker(symbol) as tickers, ex.watch_trades(symbol) as trades:
            truth, last = Books(sim, symbol), [0]
            await truth.reach(books, last)
            opened = sim.streams.opened
            hit = sim.streams.faults.add("malformed", topic="ticker")
            market = await ex.market(symbol)
            prices = []
            for _ in range(2):
                top = await ex.fetch_order_book(symbol, limit=1)
                amount = min(size(market, 1), top.asks[0].amount)
                prices.append(top.asks[0].price)
                await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount, prices[-1])
                await hit.acted.wait()
                truth.record()
            assert [(await next_of(trades)).price for _ in prices] == prices
            while (await next_of(tickers)).last != prices[-1]:
                pass
            assert Books.of(await truth.reach(books, last)) == truth.now()
            assert ex._streams._books[symbol].resyncs == 0
            assert sim.streams.opened == opened

    run(asyncio.wait_for(go(), PATIENCE_S))


@pytest.mark.parametrize("venue_id", STREAMED)
def test_an_order_resting_long_before_a_gap_and_finished_in_it_arrives(venue_id: str) -> None:
    """An order delivered open that rested for an hour is canceled while the stream cannot
    read (its push unreadable): reconciliation delivers the cancel, once, although a history
    read since the gap may not list it (OKCoinJapan lists by creation, with no update time;
    the twins' histories are read since the gap too); orders made after it arrive as well."""

    async def go() -> None:
        async with venue(venue_id) as (sim, ex, symbol), ex.watch_orders(symbol) as orders:
            book = await ex.fetch_order_book(symbol, limit=1)
            price = ex.price_to_precision(symbol, book.bids[0].price * Decimal("0.9"))
            amount = size(await ex.market(symbol), 2)
            old = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount, price)
            assert (await next_of(orders)).id == old.id
            rested = sim.engine.get(USER, old.id)
            rested.created_at -= timedelta(hours=1)
            rested.updated_at -= timedelta(hours=1)
            hit = sim.streams.faults.add("malformed", private=True)
            await ex.cancel_order(old.id, symbol)
            await hit.acted.wait()
            busy = [await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount, price)
                    for _ in range(3)]
            seen: list[tuple[str, OrderStatus]] = []
            while (old.id, OrderStatus.CANCELED) not in seen \
                    or not {o.id for o in busy} <= {i for i, _ in seen}:
                order = await next_of(orders)
                seen.append((order.id, order.status))
            assert len(seen) == len(set(seen)), f"an order change delivered twice: {seen}"

    run(go())
