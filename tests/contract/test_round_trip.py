"""One round trip per order: a create is one request, a cancel of an order this client placed
is one request, on every venue; what the result says comes from the request and the venue's
answer (the spec's create_answers_state / cancel_answers_state say how much that answer tells),
and `fetch=True` asks for the order as the venue reports it."""

from __future__ import annotations

from decimal import Decimal

import pytest

import unified
from unified import ConfigurationError, OrderStatus, OrderType, Side, TimeInForce

from ..conftest import VENUES, run
from .harness import canceled_status, placed_status, sent, session


@pytest.mark.parametrize("venue", VENUES)
def test_a_create_is_one_request(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            before = sent(s)
            order = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9"))
            assert sent(s) - before == 1
            assert s.sim.requests["create_order"] == 1 and "fetch_order" not in s.sim.requests
            assert order.status is placed_status(s) and order.status.is_open
            assert (order.symbol, order.side, order.type, order.price, order.amount) == (
                s.symbol, Side.BUY, OrderType.LIMIT, s.price("0.9"), s.amount)
            assert (order.filled, order.remaining, order.average) == (0, s.amount, None)
            assert order.time_in_force is TimeInForce.GTC and order.post_only is False
            assert order.created_at is not None and order.created_at.tzinfo is not None
            (at_venue,) = s.orders_at_venue()
            assert at_venue.is_open and (at_venue.price, at_venue.amount) == (order.price,
                                                                              order.amount)
            assert order.client_order_id == at_venue.client_id  # None where there are none
            fetched = await s.ex.fetch_order(order.id, s.symbol)
            assert (fetched.id, fetched.price, fetched.amount, fetched.status) == (
                order.id, order.price, order.amount, OrderStatus.OPEN)
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_a_cancel_is_one_request(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            order = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9"))
            before = sent(s)
            canceled = await s.ex.cancel_order(order.id, s.symbol)
            assert sent(s) - before == 1 and "fetch_order" not in s.sim.requests
            assert canceled.status is canceled_status(s)
            assert (canceled.id, canceled.side, canceled.type, canceled.price,
                    canceled.amount, canceled.filled) == (
                order.id, Side.BUY, OrderType.LIMIT, order.price, order.amount, 0)
            (at_venue,) = s.orders_at_venue()
            assert at_venue.status is OrderStatus.CANCELED  # the venue did cancel it
            assert (await s.ex.fetch_order(order.id, s.symbol)).status is OrderStatus.CANCELED
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_a_market_order_is_one_request_and_invents_no_price(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            by_amount = s.ex.has("market_buy_by_amount")
            book = await s.ex.fetch_order_book(s.symbol, limit=5)
            cost = (book.asks[0].price * s.amount).quantize(Decimal(1)) + 1
            before = sent(s)
            order = await s.ex.create_order(
                s.symbol, OrderType.MARKET, Side.BUY, s.amount if by_amount else None,
                cost=None if by_amount else cost)
            assert sent(s) - before == 1
            (at_venue,) = s.orders_at_venue()
            assert at_venue.status is OrderStatus.FILLED and at_venue.filled > 0
            if s.ex.has("create_answers_state"):  # the answer says it filled, and how much
                assert (order.status, order.filled) == (OrderStatus.FILLED, at_venue.filled)
            else:  # accepted; the answer does not say more
                assert (order.status, order.filled) == (OrderStatus.PENDING, 0)
            # Neither form says what the fills cost: nothing is made up.
            assert order.average is None and order.fee is None and order.cost == 0
            fetched = await s.ex.fetch_order(order.id, s.symbol)
            assert fetched.status is OrderStatus.FILLED and fetched.average is not None
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_fetch_true_reports_the_venues_state(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            before = sent(s)
            order = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9"), fetch=True)
            assert sent(s) - before == 2 and s.sim.requests["fetch_order"] == 1
            assert order.status is OrderStatus.OPEN and order.raw is not None
            before = sent(s)
            canceled = await s.ex.cancel_order(order.id, s.symbol, fetch=True)
            assert sent(s) - before == 2
            assert canceled.status is OrderStatus.CANCELED and canceled.id == order.id
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_a_cancel_of_an_order_this_client_never_saw_looks_it_up(venue: str) -> None:
    """Placed by another process (another client): one cancel, then one lookup for the
    order's details, which the cancel's answer does not carry."""
    async def scenario() -> None:
        async with session(venue) as s:
            other = unified.connect(venue, credentials=s.sim.credentials,
                                    base_url=s.sim.base_url)
            async with other:
                placed = await other.create_order(s.symbol, OrderType.LIMIT, Side.BUY,
                                                  s.amount, s.price("0.9"))
            before = sent(s)
            canceled = await s.ex.cancel_order(placed.id, s.symbol)
            assert sent(s) - before == 2
            assert (canceled.id, canceled.side, canceled.price, canceled.status) == (
                placed.id, Side.BUY, s.price("0.9"), OrderStatus.CANCELED)
            # Now this client has seen it: repeating the cancel is safe, and final.
            again = await s.ex.cancel_order(placed.id, s.symbol)
            assert again.status is OrderStatus.CANCELED
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_fetch_must_be_a_flag(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            before = sent(s)
            with pytest.raises(ConfigurationError, match="fetch"):
                await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                        s.price("0.9"), fetch="yes")  # type: ignore[arg-type]
            with pytest.raises(ConfigurationError, match="fetch"):
                await s.ex.cancel_order("123", s.symbol, fetch=1)  # type: ignore[arg-type]
            assert sent(s) == before and s.orders_at_venue() == []
    run(scenario())


def test_known_orders_keep_the_newest_by_id_and_client_id() -> None:
    from unified.models import Order
    from unified.placement import KnownOrders

    def order(i: int) -> Order:
        return Order(id=str(i), client_order_id=f"c{i}", symbol="BTC/USDT", side=Side.BUY,
                     type=OrderType.LIMIT, status=OrderStatus.PENDING, price=Decimal(1),
                     amount=Decimal(1), filled=Decimal(0), remaining=Decimal(1), average=None,
                     cost=Decimal(0), fee=None, time_in_force=TimeInForce.GTC, post_only=False,
                     created_at=None, updated_at=None)

    known = KnownOrders(size=3)
    for i in range(5):
        known.remember(order(i))
    assert [known.get("BTC/USDT", str(i)) is not None for i in range(5)] == [False, False,
                                                                             True, True, True]
    assert known.get("BTC/USDT", "c4", by_client_id=True) == order(4)
    assert known.get("ETH/USDT", "4") is None and known.get("BTC/USDT", "c4") is None
