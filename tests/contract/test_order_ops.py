"""DESIGN 3d on every venue: edit_order, cancel_all_orders_after, create_order(test=True),
fetch_open_order_symbols and OCO pairs where the spec has their endpoints; NotSupported before
anything is sent where it does not. Never branches on a venue name: ex.supports(op)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from unified import (
    AmbiguousOutcome,
    ConfigurationError,
    InvalidOrder,
    NotSupported,
    OcoOrder,
    OrderStatus,
    OrderType,
    Side,
)

from ..conftest import VENUES, run
from .harness import Session, sent, session
from .test_faults import manual_time


async def refused_unsent(s: Session, call: Callable[[], Awaitable[object]]) -> None:
    before = sent(s)
    with pytest.raises(NotSupported):
        await call()
    assert sent(s) == before


async def resting(s: Session) -> object:
    return await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                   s.price("0.9"))


@pytest.mark.parametrize("venue", VENUES)
def test_edit_order(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            if not s.ex.supports("edit_order"):
                await refused_unsent(s, lambda: s.ex.edit_order("1", s.symbol,
                                                                 price=s.price("0.8")))
                return
            old = await resting(s)
            assert hasattr(old, "id")
            before = sent(s)
            with pytest.raises(ConfigurationError):
                await s.ex.edit_order(old.id, s.symbol)
            with pytest.raises(InvalidOrder):  # off the price step: refused before sending
                await s.ex.edit_order(old.id, s.symbol,
                                      price=s.price("0.8") + s.market.price_increment / 3)
            assert sent(s) == before
            new = await s.ex.edit_order(old.id, s.symbol, amount=s.amount * 2,
                                        price=s.price("0.8"))
            assert (new.price, new.amount, new.status) == (s.price("0.8"), s.amount * 2,
                                                           OrderStatus.OPEN)
            assert new.raw["replaced_order_id"] == old.id
            if new.id != old.id:  # a venue that answers a new id: the old one is finished
                assert (await s.ex.fetch_order(old.id, s.symbol)).status.is_final
            open_ = await s.ex.fetch_open_orders(s.symbol)
            assert [o.id for o in open_] == [new.id]
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_cancel_all_orders_after(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            if not s.ex.supports("cancel_all_orders_after"):
                await refused_unsent(s, lambda: s.ex.cancel_all_orders_after(10))
                return
            before = sent(s)
            for bad in (3, 86401, -1, 10.0, True, "10"):
                with pytest.raises(ConfigurationError):
                    await s.ex.cancel_all_orders_after(bad)  # type: ignore[arg-type]
            with pytest.raises(ConfigurationError):
                await s.ex.cancel_all_orders_after(10, s.symbol)  # type: ignore[arg-type]
            assert sent(s) == before
            fires = await s.ex.cancel_all_orders_after(10, [s.symbol])
            assert fires is not None and fires.tzinfo is not None
            assert await s.ex.cancel_all_orders_after(0) is None
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_a_lost_dead_man_answer_is_repeated(venue: str) -> None:
    """Setting the switch again is the same setting: retried like a cancel, not ambiguous."""
    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            if not s.ex.supports("cancel_all_orders_after"):
                return
            s.sim.faults.add("drop_after", op="cancel_all_orders_after")
            assert await s.ex.cancel_all_orders_after(30) is not None
            assert s.sim.requests["cancel_all_orders_after"] == 2
            assert s.ex.pending() == []
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_test_create_places_nothing(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            if not s.ex.supports("create_order_test"):
                await refused_unsent(s, lambda: s.ex.create_order(
                    s.symbol, OrderType.LIMIT, Side.BUY, s.amount, s.price("0.9"), test=True))
                return
            order = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9"), test=True)
            assert order.status is OrderStatus.PENDING and order.raw["test"] is True
            assert order.id and order.client_order_id
            assert s.orders_at_venue() == []
            assert s.ex.pending() == []  # never journaled
            before = sent(s)
            with pytest.raises(ConfigurationError):
                await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                        s.price("0.9"), test=True, fetch=True)
            assert sent(s) == before
            s.sim.faults.add("drop_after", op="create_order_test")
            with pytest.raises(Exception) as lost:  # raised as is: never resent
                await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                        s.price("0.9"), test=True)
            assert not isinstance(lost.value, AmbiguousOutcome)
            assert s.sim.requests.get("create_order_test") == 2
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_fetch_open_order_symbols(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            if not s.ex.supports("fetch_open_order_symbols"):
                await refused_unsent(s, s.ex.fetch_open_order_symbols)
                return
            assert await s.ex.fetch_open_order_symbols() == []
            await resting(s)
            assert await s.ex.fetch_open_order_symbols() == [s.symbol]
    run(scenario())


async def oco(s: Session, client_order_id: str | None = None) -> OcoOrder:
    return await s.ex.create_oco_order(s.symbol, Side.BUY, s.amount, s.price("0.9"),
                                       s.price("1.1"), s.price("1.05"),
                                       client_order_id=client_order_id)


@pytest.mark.parametrize("venue", VENUES)
def test_oco_pairs(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            if not s.ex.supports("create_oco_order"):
                for call in (lambda: oco(s), lambda: s.ex.fetch_oco_orders(),
                             lambda: s.ex.fetch_oco_order("1", s.symbol),
                             lambda: s.ex.cancel_oco_order("1", s.symbol)):
                    await refused_unsent(s, call)
                return
            pair = await oco(s)
            assert pair.status is OrderStatus.OPEN and pair.client_order_id
            assert [leg.price for leg in pair.legs] == [s.price("0.9"), s.price("1.05")]
            assert all(leg.amount == s.amount and leg.side is Side.BUY for leg in pair.legs)
            assert await s.ex.fetch_oco_order(pair.id, s.symbol) == pair
            listed = await s.ex.fetch_oco_orders(s.symbol)
            assert [(p.id, p.status) for p in listed] == [(pair.id, OrderStatus.OPEN)]
            canceled = await s.ex.cancel_oco_order(pair.id, s.symbol)
            assert canceled.status is OrderStatus.CANCELED
            assert all(leg.status is OrderStatus.CANCELED for leg in canceled.legs)
            again = await s.ex.cancel_oco_order(pair.id, s.symbol)  # safe to repeat
            assert again.status is OrderStatus.CANCELED
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("fault", ["drop_after", "reset", "status"])
def test_lost_oco_answer_places_exactly_one_pair(venue: str, fault: str) -> None:
    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            if not s.ex.supports("create_oco_order"):
                return
            s.sim.faults.add(fault, op="create_oco_order", status=502)
            pair = await oco(s, "my-oco-1")
            listed = await s.ex.fetch_oco_orders()
            assert [p.id for p in listed] == [pair.id]
            assert pair.client_order_id == "my-oco-1" and len(pair.legs) == 2
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_unreachable_venue_gives_an_ambiguous_oco(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            if not s.ex.supports("create_oco_order"):
                return
            s.sim.faults.add("drop_after", op="create_oco_order")
            s.sim.faults.add("reset", times=1000)  # every lookup fails too
            with pytest.raises(AmbiguousOutcome) as caught:
                await oco(s, "my-oco-2")
            assert caught.value.client_order_id == "my-oco-2"
            s.sim.faults.clear()
            assert len(await s.ex.fetch_oco_orders()) == 1  # placed once, never twice
    run(scenario())



@pytest.mark.parametrize("venue", VENUES)
def test_oco_pairs_by_client_id(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            if not s.ex.supports("cancel_oco_order_by_client_id"):
                return
            pair = await oco(s, "oco-by-coid")
            shown = await s.ex.fetch_oco_order("oco-by-coid", s.symbol, by_client_id=True)
            assert (shown.id, len(shown.legs)) == (pair.id, 2)
            gone = await s.ex.cancel_oco_order("oco-by-coid", s.symbol, by_client_id=True)
            assert gone.id == pair.id and gone.status is OrderStatus.CANCELED
            assert s.sim.requests["cancel_oco_order_by_client_id"] == 1
    run(scenario())
