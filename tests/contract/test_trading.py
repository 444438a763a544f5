"""Orders, balances and history, the same on every venue (capabilities come from the spec)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from unified import (
    AuthenticationError,
    ConfigurationError,
    Credentials,
    InsufficientFunds,
    NotSupported,
    Order,
    OrderNotFound,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
)
from unified.sim.server import USER

from ..conftest import VENUES, run
from .harness import canceled_status, history_walks, market_buy, placed_status, session


@pytest.mark.parametrize("venue", VENUES)
def test_balances_hold_for_open_orders(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            before = await s.ex.fetch_balance()
            quote = s.market.quote
            for b in before.values():
                assert b.total == b.available + b.held
            order = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9"))
            after = await s.ex.fetch_balance()
            assert after[quote].held > before[quote].held
            assert after[quote].total == before[quote].total
            await s.ex.cancel_order(order.id, s.symbol)
            assert (await s.ex.fetch_balance())[quote].held == before[quote].held
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_limit_order_lifecycle(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            order = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9"))
            assert order.status is placed_status(s) and order.status.is_open
            assert (order.symbol, order.side, order.type) == (s.symbol, Side.BUY, OrderType.LIMIT)
            assert order.price == s.price("0.9") and order.amount == s.amount
            assert order.filled == 0
            fetched = await s.ex.fetch_order(order.id, s.symbol)
            assert fetched.id == order.id and fetched.status is OrderStatus.OPEN
            opens = await s.ex.fetch_open_orders(s.symbol)
            assert order.id in {o.id for o in opens}
            canceled = await s.ex.cancel_order(order.id, s.symbol)
            assert (canceled.id, canceled.status) == (order.id, canceled_status(s))
            confirmed = await s.ex.fetch_order(order.id, s.symbol)
            assert confirmed.status is OrderStatus.CANCELED and confirmed.status.is_final
            again = await s.ex.cancel_order(order.id, s.symbol)  # safe to repeat
            assert again.status is OrderStatus.CANCELED
            assert order.id not in {o.id for o in await s.ex.fetch_open_orders(s.symbol)}
            closed = await s.ex.fetch_closed_orders(s.symbol)
            assert order.id in {o.id for o in closed}
            assert len(s.orders_at_venue()) == 1
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_client_order_ids(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            if not s.ex.has("client_order_id"):
                with pytest.raises(NotSupported):
                    await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9"), client_order_id="abc123")
                with pytest.raises(NotSupported):
                    await s.ex.fetch_order_by_client_id("abc123", s.symbol)
                return
            order = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9"), client_order_id="bot42order7")
            assert order.client_order_id == "bot42order7"
            found = await s.ex.fetch_order_by_client_id("bot42order7", s.symbol)
            assert found.id == order.id
            for bad in ("has space", "x" * 100, "", "semi;colon"):
                with pytest.raises(ConfigurationError):
                    await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9"), client_order_id=bad)
            if s.ex.has("cancel_order_by_client_id"):
                canceled = await s.ex.cancel_order_by_client_id("bot42order7", s.symbol)
                assert canceled.status is canceled_status(s) and canceled.id == order.id
                assert (await s.ex.cancel_order_by_client_id(
                    "bot42order7", s.symbol, fetch=True)).status is OrderStatus.CANCELED
            generated = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                                s.price("0.9"))
            assert generated.client_order_id
            assert s.ex.spec.client_order_id is not None
            assert s.ex.spec.client_order_id.fullmatch(generated.client_order_id)
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_market_buy_fills_and_moves_balances(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            before = await s.ex.fetch_balance()
            order = await market_buy(s, s.amount)
            assert order.status is OrderStatus.FILLED
            assert order.filled > 0 and order.cost > 0
            assert order.average is not None and order.average > 0
            after = await s.ex.fetch_balance()
            settle = s.market.settle
            if settle is None:
                assert after[s.market.base].total > before[s.market.base].total
                assert after[s.market.quote].total < before[s.market.quote].total
            else:  # a contract: a position, its margin and fee from the settle currency
                position = await s.ex.fetch_position(s.symbol)
                assert position is not None and position.contracts == order.filled
                assert after[settle].available < before[settle].available
            if not s.ex.supports("iter_my_trades"):
                with pytest.raises(NotSupported):
                    await s.ex.fetch_my_trades(s.symbol)
                return
            fills = await s.ex.fetch_my_trades(s.symbol)
            mine = [f for f in fills if f.order_id == order.id]
            assert mine and sum(f.amount for f in mine) == order.filled
            assert all(f.side is Side.BUY and f.price > 0 for f in mine)
            assert all(f.fee is None or f.fee.cost >= 0 for f in mine)
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_partial_fill_then_cancel_keeps_filled(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            book = await s.ex.fetch_order_book(s.symbol, limit=5)
            best = book.asks[0]
            order = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY,
                                            best.amount * 2, best.price, fetch=True)
            assert order.status is OrderStatus.PARTIALLY_FILLED
            assert order.filled == best.amount
            canceled = await s.ex.cancel_order(order.id, s.symbol)
            assert canceled.status is canceled_status(s)
            assert canceled.filled == best.amount
            confirmed = await s.ex.cancel_order(order.id, s.symbol, fetch=True)
            assert confirmed.status is OrderStatus.CANCELED
            assert confirmed.filled == best.amount
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_sell_crossing_the_book_fills(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            order = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.SELL, s.amount,
                                            s.price("0.99"), fetch=True)
            assert order.status is OrderStatus.FILLED and order.filled == s.amount
            assert order.remaining == 0
            assert order.average is not None and order.cost > 0
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_order_errors_are_typed(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            with pytest.raises(InsufficientFunds):
                await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY,
                                        s.amount * 10**9, s.price("0.9"))
            with pytest.raises(OrderNotFound):
                await s.ex.fetch_order("1234567", s.symbol)
            with pytest.raises(OrderNotFound):
                await s.ex.cancel_order("1234567", s.symbol)
            sent = dict(s.sim.requests)
            for amount, price in ((0.5, s.price("0.9")), (Decimal(-1), s.price("0.9")),
                                  (s.amount, None), (Decimal("NaN"), s.price("0.9")),
                                  ("1", s.price("0.9"))):
                with pytest.raises(ConfigurationError):
                    await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY,
                                            amount, price)  # type: ignore[arg-type]
            with pytest.raises(ConfigurationError):
                await s.ex.create_order(s.symbol, OrderType.MARKET, Side.SELL, s.amount,
                                        s.price("1"))
            with pytest.raises(ConfigurationError):
                await s.ex.create_order(s.symbol, "limit", Side.BUY, s.amount,  # type: ignore[arg-type]
                                        s.price("0.9"))
            assert s.sim.requests == sent
            assert s.orders_at_venue() == []
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_wrong_secret_is_an_authentication_error(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            c = s.sim.credentials
            bad = Credentials(c.api_key, c.secret + "x", c.passphrase)
            import unified

            async with unified.connect(venue, credentials=bad, base_url=s.sim.base_url) as ex:
                with pytest.raises(AuthenticationError) as caught:
                    await ex.fetch_balance()
                assert c.secret not in str(caught.value) and c.secret not in repr(ex)
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_history_walks_every_page_and_resumes(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            placed = []
            for i in range(23):
                price = s.price("0.9") - i * s.market.price_increment
                o = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount, price)
                await s.ex.cancel_order(o.id, s.symbol)
                placed.append(o.id)
            pages = [p async for p in s.ex.iter_closed_orders(s.symbol, page_size=5).pages()]
            walked = [o.id for p in pages for o in p.items]
            assert len(walked) == len(set(walked)) == 23
            assert set(walked) == set(placed)
            assert len([p for p in pages if p.items]) == 5
            rest = [o.id async for o in s.ex.iter_closed_orders(
                s.symbol, cursor=pages[1].cursor, page_size=5)]
            assert rest == walked[10:]
            # The last page's cursor is a sync point: nothing new, nothing comes back.
            assert isinstance(pages[-1].cursor, str)
            assert [o async for o in s.ex.iter_closed_orders(
                s.symbol, cursor=pages[-1].cursor, page_size=5)] == []
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_fills_walk_and_ledger(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            for _ in range(4):
                await market_buy(s, s.amount)
            if s.ex.supports("iter_my_trades"):
                fills = [f async for f in s.ex.iter_my_trades(s.symbol, page_size=2)]
                assert len(fills) >= 4 and len({f.id for f in fills}) == len(fills)
            if s.ex.has("ledger"):
                entries = [e async for e in s.ex.iter_ledger(currency=s.market.quote)]
                assert entries
                assert len({e.id for e in entries}) == len(entries)
                assert all(e.currency == s.market.quote for e in entries)
                assert all(e.timestamp.tzinfo is not None for e in entries)
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_history_time_window(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            start = datetime.now(UTC) - timedelta(minutes=5)
            for i in range(3):
                o = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9") - i * s.market.price_increment)
                await s.ex.cancel_order(o.id, s.symbol)
            recent = [o async for o in s.ex.iter_closed_orders(s.symbol, since=start)]
            assert len(recent) == 3
            future = datetime.now(UTC) + timedelta(hours=1)
            assert [o async for o in s.ex.iter_closed_orders(s.symbol, since=future)] == []
            assert [o async for o in s.ex.iter_closed_orders(s.symbol, until=start)] == []
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_cancel_many_orders(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            ids = []
            for i in range(7):
                o = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9") - i * s.market.price_increment)
                ids.append(o.id)
            canceled = await s.ex.cancel_orders(ids, s.symbol)
            assert [o.id for o in canceled] == ids
            assert all(o.status is canceled_status(s) for o in canceled)
            assert await s.ex.fetch_open_orders(s.symbol) == []
            again = await s.ex.cancel_orders(ids[:2], s.symbol)  # safe to repeat
            assert all(o.status is OrderStatus.CANCELED for o in again)
            with pytest.raises(OrderNotFound):
                await s.ex.cancel_orders([ids[0], "987654321"], s.symbol)
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_create_orders_places_each_once_and_reports_refusals_in_place(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            step = s.market.price_increment
            wanted = [OrderRequest(type=OrderType.LIMIT, side=Side.BUY, amount=s.amount,
                                   price=s.price("0.9") - i * step) for i in range(7)]
            wanted[3] = OrderRequest(type=OrderType.LIMIT, side=Side.BUY,
                                     amount=s.amount * 10**9, price=s.price("0.9"))
            results = await s.ex.create_orders(wanted, s.symbol)
            assert len(results) == 7 and isinstance(results[3], InsufficientFunds)
            placed = [r for i, r in enumerate(results) if i != 3]
            # A batch answer names the orders only: accepted, their state not reported.
            status = OrderStatus.PENDING if s.ex.supports("create_orders") else placed_status(s)
            assert all(isinstance(o, Order) and o.status is status for o in placed)
            assert [o.price for o in placed if isinstance(o, Order)] == [
                w.price for i, w in enumerate(wanted) if i != 3]
            assert len({o.id for o in placed if isinstance(o, Order)}) == 6
            assert len(s.orders_at_venue()) == 6
            # A bad request anywhere in the list: nothing is sent at all.
            sent = dict(s.sim.requests)
            with pytest.raises(ConfigurationError):
                await s.ex.create_orders([wanted[0], OrderRequest(
                    type=OrderType.LIMIT, side=Side.BUY, amount=s.amount, price=None)],
                    s.symbol)
            with pytest.raises(ConfigurationError):
                await s.ex.create_orders([], s.symbol)
            assert s.sim.requests == sent
    run(scenario())


async def _walk_all(walk: Any) -> tuple[list[str], str]:
    ids, cursor = [], None
    async for page in walk.pages():
        ids += [item.id for item in page.items]
        cursor = page.cursor
    assert isinstance(cursor, str)
    return ids, cursor


@pytest.mark.parametrize(("venue", "history"), history_walks())
def test_a_saved_last_cursor_is_an_incremental_sync_point(venue: str, history: str) -> None:
    """First walk, new records arrive, resume from the last cursor: exactly the new ones."""
    async def scenario() -> None:
        async with session(venue) as s:
            def walk(cursor: str | None) -> Any:
                if history == "iter_ledger":  # venue-sized pages (KuCoin's are 10 at least)
                    return s.ex.iter_ledger(currency=s.market.quote, cursor=cursor)
                return getattr(s.ex, history)(s.symbol, cursor=cursor, page_size=3)

            async def activity() -> None:
                for _ in range(2):
                    s.sim.engine.deposit(USER, s.market.quote, Decimal(1000))  # at the venue
                    await market_buy(s, s.amount)
                    o = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                                s.price("0.9"))
                    await s.ex.cancel_order(o.id, s.symbol)

            await activity()
            first, last = await _walk_all(walk(None))
            assert first
            again, same = await _walk_all(walk(last))
            assert again == []  # nothing new yet
            await activity()
            everything, _ = await _walk_all(walk(None))
            new = [i for i in everything if i not in set(first)]
            assert new
            for resume_from in (last, same):
                resumed, later = await _walk_all(walk(resume_from))
                assert sorted(resumed) == sorted(new)  # exactly the new records, once each
                assert (await _walk_all(walk(later)))[0] == []
    run(scenario())
