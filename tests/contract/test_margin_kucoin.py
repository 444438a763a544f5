"""KuCoin margin loans over real HTTP against the local venue: cross and isolated borrows (FOK)
and repays, balances with liabilities and hourly interest on the venue's clock, histories that
need a currency, and a lost borrow found in the borrow history, never sent twice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from unified import Account, AmbiguousOutcome, ConfigurationError, MarginLoan, VenueError
from unified.sim.funds import HOURLY_RATE, funds_book

from ..conftest import run
from .harness import Session, sent, session
from .test_faults import manual_time

VENUE = "kucoin"


def shared_time() -> dict[str, Any]:
    time = manual_time()
    return {"venue_clock": time["clock"], **time}


async def refused_unsent(s: Session, call: Any) -> None:
    before = sent(s)
    with pytest.raises(ConfigurationError):
        await call()
    assert sent(s) == before


def test_cross_and_isolated_loans_move_money_and_accrue_interest() -> None:
    async def scenario() -> None:
        time = shared_time()
        async with session(VENUE, **time) as s:
            loan = await s.ex.borrow_cross_margin("USDT", Decimal(1000))
            assert isinstance(loan, MarginLoan) and loan.amount == Decimal(1000)
            assert loan.id == funds_book(s.sim.engine).loans[-1].id and loan.symbol is None
            margin = await s.ex.fetch_balance(Account.MARGIN)
            assert margin["USDT"].total == Decimal(1000)
            (row,) = margin.raw["accounts"]
            assert Decimal(row["liability"]) == Decimal(1000) == margin["USDT"].borrowed
            time["clock"].advance(2 * 3600 + 1)
            owed = Decimal(1000) * (1 + 2 * HOURLY_RATE)
            margin = await s.ex.fetch_balance(Account.MARGIN)
            row = margin.raw["accounts"][0]
            assert Decimal(row["liability"]) == owed == margin["USDT"].borrowed
            assert Decimal(row["liabilityInterest"]) == owed - 1000
            await s.ex.transfer("USDT", Decimal(10), Account.TRADE, Account.MARGIN)  # interest
            paid = await s.ex.repay_cross_margin("USDT", Decimal(5000))  # up to what is owed
            assert paid.amount == owed
            repays = [x async for x in s.ex.iter_margin_repays("USDT")]
            assert [(x.id, x.amount) for x in repays] == [(paid.id, owed)]
            iso = await s.ex.borrow_isolated_margin("ETH/USDT", "ETH", Decimal(2))
            assert iso.symbol == "ETH/USDT"
            isolated_balances = await s.ex.fetch_balance(Account.ISOLATED)
            assert isolated_balances["ETH"].total == Decimal(2)
            assert isolated_balances["ETH"].borrowed == Decimal(2)  # nothing accrued yet
            assert (await s.ex.fetch_balance())["USDT"].borrowed == 0  # spot owes nothing
            borrows = [x async for x in s.ex.iter_margin_borrows("USDT")]
            assert [x.id for x in borrows] == [loan.id]
            isolated = [x async for x in s.ex.iter_margin_borrows("ETH", symbol="ETH/USDT")]
            assert [x.id for x in isolated] == [iso.id] and isolated[0].symbol == "ETH/USDT"
            await refused_unsent(s, lambda: anext(s.ex.iter_margin_borrows()))
            await refused_unsent(s, lambda: s.ex.borrow_isolated_margin(
                "ETH/USDT", "BTC", Decimal(1)))
            with pytest.raises(VenueError):  # FOK beyond what may still be borrowed
                await s.ex.borrow_cross_margin("BTC", Decimal(10**6))
    run(scenario())


@pytest.mark.parametrize("fault", ["drop_after", "reset"])
def test_a_lost_borrow_is_found_in_the_borrow_history(fault: str) -> None:
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            book = funds_book(s.sim.engine)
            s.sim.faults.add(fault, op="borrow_margin")
            try:
                outcome: object = await s.ex.borrow_cross_margin("USDT", Decimal("123.4"))
            except AmbiguousOutcome as exc:
                outcome = exc
            lent = [x for x in book.loans if x.principal == Decimal("123.4")]
            assert s.sim.requests["borrow_margin"] == 1
            if fault == "drop_after":
                assert isinstance(outcome, MarginLoan) and len(lent) == 1
                assert outcome.id == lent[0].id and s.ex.pending() == []
            else:
                assert isinstance(outcome, AmbiguousOutcome) and lent == []
                assert [i.op for i in s.ex.pending()] == ["borrow_margin"]
    run(scenario())


def test_a_lost_repay_is_found_in_the_repay_history() -> None:
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            await s.ex.borrow_cross_margin("BTC", Decimal(3))
            s.sim.faults.add("drop_after", op="repay_margin")
            paid = await s.ex.repay_cross_margin("BTC", Decimal(1))
            assert s.sim.requests["repay_margin"] == 1
            assert paid.id == funds_book(s.sim.engine).repays[-1].id
            assert paid.amount == Decimal(1)
    run(scenario())
