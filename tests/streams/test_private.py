"""Exactly-once bookkeeping of private streams: order states, fills, balances."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from unified.models import Balance, Balances, Fill, Order, OrderStatus, OrderType, Side, TimeInForce
from unified.streams.dialect import BalanceChange
from unified.streams.private import FillTracker, OrderTracker, apply_balance

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def order(**over: Any) -> Order:
    fields: dict[str, Any] = dict(
        id="o1", client_order_id="c1", symbol="BTC/USDT", side=Side.BUY, type=OrderType.LIMIT,
        status=OrderStatus.OPEN, price=Decimal("100"), amount=Decimal("2"), filled=Decimal(0),
        remaining=Decimal("2"), average=None, cost=Decimal(0), fee=None,
        time_in_force=TimeInForce.GTC, post_only=True, created_at=T0, updated_at=T0)
    fields.update(over)
    return Order(**fields)


def fill(order_id: str, fill_id: str) -> Fill:
    return Fill(id=fill_id, order_id=order_id, symbol="BTC/USDT", side=Side.BUY,
                price=Decimal("100"), amount=Decimal("1"), cost=Decimal("100"), fee=None,
                liquidity=None, timestamp=T0)


def test_an_order_state_is_delivered_once() -> None:
    tracker = OrderTracker()
    assert tracker.is_new(order())
    assert not tracker.is_new(order(updated_at=None))  # the same state, reported again
    assert tracker.is_new(order(filled=Decimal(1), status=OrderStatus.PARTIALLY_FILLED))
    assert not tracker.is_new(order(filled=Decimal(1), status=OrderStatus.PARTIALLY_FILLED))
    assert tracker.is_new(order(filled=Decimal(1), status=OrderStatus.PARTIALLY_FILLED,
                                price=Decimal("101")))  # amended


def test_a_state_the_order_has_left_is_not_delivered() -> None:
    """A REST read racing a push can be behind it: the order never goes backwards."""
    tracker = OrderTracker()
    assert tracker.is_new(order(filled=Decimal(1), status=OrderStatus.PARTIALLY_FILLED))
    assert not tracker.is_new(order())  # less filled
    done = order(filled=Decimal(2), remaining=Decimal(0), status=OrderStatus.FILLED)
    assert tracker.is_new(done)
    assert not tracker.is_new(order(filled=Decimal(2), status=OrderStatus.PARTIALLY_FILLED))
    assert not tracker.is_new(order(filled=Decimal(2), status=OrderStatus.OPEN))
    assert not tracker.is_new(done)
    canceled = order(id="o2", status=OrderStatus.CANCELED)
    assert tracker.is_new(order(id="o2")) and tracker.is_new(canceled)
    assert not tracker.is_new(order(id="o2", status=OrderStatus.CANCELING))


def test_the_orders_last_delivered_open_are_listed_by_symbol() -> None:
    """What reconciliation reads by id when no listing names it: open as last delivered."""
    tracker = OrderTracker()
    for o in (order(), order(id="o2", symbol="ETH/USDT"), order(id="o3"),
              order(id="o3", status=OrderStatus.CANCELED)):
        tracker.is_new(o)
    assert {s: [o.id for o in orders] for s, orders in tracker.open_by_symbol().items()} == {
        "BTC/USDT": ["o1"], "ETH/USDT": ["o2"]}


def test_unreported_stable_fields_come_from_the_last_state() -> None:
    tracker = OrderTracker()
    tracker.is_new(order())
    push = order(client_order_id=None, time_in_force=None, post_only=False,
                 filled=Decimal(1), cost=Decimal(0))
    whole = tracker.complete(push, frozenset({"client_order_id", "time_in_force", "post_only",
                                               "cost"}))
    assert (whole.client_order_id, whole.time_in_force, whole.post_only) == (
        "c1", TimeInForce.GTC, True)
    assert whole.filled == 1 and whole.cost == 0  # cost moves with fills: never carried
    assert tracker.complete(attrs.evolve(push, id="other"), frozenset({"post_only"})) \
        .post_only is False


@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("xyz")), max_size=40))
def test_each_fill_is_new_exactly_once(keys: list[tuple[str, str]]) -> None:
    tracker = FillTracker()
    delivered = [k for k in keys if tracker.is_new(fill(*k))]
    assert delivered == list(dict.fromkeys(keys))


def test_a_balance_change_replaces_one_currency_of_the_whole() -> None:
    start = Balances({"BTC": Balance(currency="BTC", total=Decimal(1), available=Decimal(1),
                                     held=Decimal(0)),
                      "USDT": Balance(currency="USDT", total=Decimal(5), available=Decimal(5),
                                      held=Decimal(0))})
    after = apply_balance(start, BalanceChange(currency="usdt", total=Decimal(5),
                                               available=Decimal(3), held=Decimal(2)))
    assert after["USDT"].held == 2 and after["BTC"] == start["BTC"]
    assert set(after) == {"BTC", "USDT"}
    assert apply_balance(None, BalanceChange(currency="ETH", total=Decimal(1),
                                             available=Decimal(1), held=Decimal(0)))["eth"]
