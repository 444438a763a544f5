"""A lost transfer or withdrawal is looked up, and a record is taken for it only when no other
can be it (unified.funds_lookup): never a record this client already reported, never one of
the wrong direction, never one of two look-alikes. Every venue that has the operation (its
spec), over real HTTP to the local venues; never branches on a venue name."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import pytest

import unified
from unified import Account, AmbiguousOutcome, Transaction, Transfer
from unified.client import Exchange
from unified.sim.funds import funds_book
from unified.sim.server import USER
from unified.sim.soak_money import withdraw_currency

from ..conftest import VENUES, run
from .harness import Session, session
from .test_faults import manual_time
from .test_funds import two_accounts

AMOUNT = Decimal("2.5")
#: longer than any venue's rate-limit window for money writes, well within the lookup's slack
APART_S = 11
ADDRESS = "soak-addr-7"


def shared_time() -> dict[str, Any]:
    """One manual clock for the venue and its clients: waits (e.g. a rate limit's) move it
    for all of them, and nothing sleeps."""
    options = manual_time()
    return {**options, "venue_clock": options["clock"]}


@asynccontextmanager
async def other_client(s: Session, time: dict[str, Any]) -> AsyncIterator[Exchange]:
    """A second client on the same account (another process, the venue's web page)."""
    async with unified.connect(s.sim.venue_id, credentials=s.sim.credentials,
                               base_url=s.sim.base_url, clock=time["clock"],
                               sleep=time["sleep"]) as ex:
        await ex.load_markets()
        yield ex


async def outcome_of(call: Any) -> object:
    try:
        result: object = await call
    except AmbiguousOutcome as exc:
        return exc
    return result


def transfer_setup(s: Session) -> tuple[tuple[Account, Account], str, Any] | None:
    """Two accounts to move the market's quote between, its currency and the venue's funds
    book; None where the venue moves no money between accounts."""
    pair = two_accounts(s)
    if not s.ex.supports("transfer") or pair is None:
        return None
    return pair, s.market.quote, funds_book(s.sim.engine)


def withdraw_args(s: Session) -> tuple[str, dict[str, Any]]:
    return withdraw_currency(s.sim), dict(getattr(s.sim.personality, "withdraw_extras", {}))


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("second", ["back", "again"])
def test_a_transfer_lost_before_the_venue_acted_is_not_an_earlier_one(venue: str,
                                                                      second: str) -> None:
    """A second transfer of the same currency and amount (back, or the same way again)
    whose request fails before the venue acts is unknown, not the first one's record."""
    async def scenario() -> None:
        async with session(venue, **shared_time()) as s:
            setup = transfer_setup(s)
            if setup is None:
                return
            pair, currency, book = setup
            first = await s.ex.transfer(currency, AMOUNT, *pair)
            s.sim.faults.add("status", op="transfer", status=502)  # the venue does not act
            way = pair[::-1] if second == "back" else pair
            outcome = await outcome_of(s.ex.transfer(currency, AMOUNT, *way))
            assert isinstance(outcome, AmbiguousOutcome), (outcome, first)
            assert s.sim.requests["transfer"] == 2  # never resent
            assert len([t for t in book.transfers if t.amount == AMOUNT]) == 1
    run(scenario())


@pytest.mark.parametrize(("fault", "back", "records"), [
    ("status", True, 1),  # the other way: its record says money came in, not went out
    ("drop_after", False, 2),  # the same way: the venue acted, and two records could be it
], ids=["other-way", "look-alike"])
@pytest.mark.parametrize("venue", VENUES)
def test_a_lost_transfer_after_anothers_of_that_amount_is_ambiguous(
        venue: str, fault: str, back: bool, records: int) -> None:
    """Another client moved the same amount just before. The other way (our request lost
    before the venue acted), its ledger record moves money into the trading account, not out:
    not taken for ours. The same way (our request acted, its answer lost), two records could
    be ours: which is not guessed."""
    async def scenario() -> None:
        async with session(venue, **(time := shared_time())) as s:
            setup = transfer_setup(s)
            if setup is None:
                return
            pair, currency, book = setup
            async with other_client(s, time) as other:
                await other.transfer(currency, AMOUNT, *pair)
            time["clock"].advance(APART_S)  # the other's write leaves no limit to wait on
            s.sim.faults.add(fault, op="transfer", status=502)
            outcome = await outcome_of(s.ex.transfer(currency, AMOUNT,
                                                     *(pair[::-1] if back else pair)))
            assert isinstance(outcome, AmbiguousOutcome), outcome
            assert s.sim.requests["transfer"] == 2  # never resent
            assert len([t for t in book.transfers if t.amount == AMOUNT]) == records
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_a_withdrawal_lost_before_the_venue_acted_is_not_an_earlier_one(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue, **shared_time()) as s:
            if not s.ex.supports("withdraw"):
                return
            currency, extras = withdraw_args(s)
            book = funds_book(s.sim.engine)
            before = len(book.history(USER, "withdrawal"))
            first = await s.ex.withdraw(currency, AMOUNT, ADDRESS, **extras)
            s.sim.faults.add("status", op="withdraw", status=502)  # the venue does not act
            outcome = await outcome_of(s.ex.withdraw(currency, AMOUNT, ADDRESS, **extras))
            assert isinstance(outcome, AmbiguousOutcome), (outcome, first)
            assert s.sim.requests["withdraw"] == 2  # never resent
            assert len(book.history(USER, "withdrawal")) == before + 1
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_a_lost_withdrawal_with_two_look_alike_records_is_ambiguous(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue, **(time := shared_time())) as s:
            if not s.ex.supports("withdraw"):
                return
            currency, extras = withdraw_args(s)
            async with other_client(s, time) as other:
                await other.withdraw(currency, AMOUNT, ADDRESS, **extras)
            time["clock"].advance(APART_S)  # the other's write leaves no limit to wait on
            s.sim.faults.add("drop_after", op="withdraw")  # acted, answer lost
            outcome = await outcome_of(s.ex.withdraw(currency, AMOUNT, ADDRESS, **extras))
            assert isinstance(outcome, AmbiguousOutcome), outcome
            assert s.sim.requests["withdraw"] == 2
            assert s.ex.pending()  # left to check at the venue
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_a_lost_withdrawal_after_an_identical_one_is_found_or_unknown(venue: str) -> None:
    """The venue acted on the second of two identical withdrawals and its answer was lost:
    its own record is found (where the records name the first by the id it was reported
    under), else the outcome is unknown; the first's record is never taken for it."""
    async def scenario() -> None:
        async with session(venue, **shared_time()) as s:
            if not s.ex.supports("withdraw"):
                return
            currency, extras = withdraw_args(s)
            book = funds_book(s.sim.engine)
            first = await s.ex.withdraw(currency, AMOUNT, ADDRESS, **extras)
            s.sim.faults.add("drop_after", op="withdraw")
            outcome = await outcome_of(s.ex.withdraw(currency, AMOUNT, ADDRESS, **extras))
            assert s.sim.requests["withdraw"] == 2
            newest = book.history(USER, "withdrawal")[0]
            if isinstance(outcome, Transaction):
                assert outcome.id != first.id and outcome.amount == AMOUNT
                assert newest.address == ADDRESS and newest.amount == AMOUNT
                assert s.ex.pending() == []
            else:
                assert isinstance(outcome, AmbiguousOutcome)
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_a_lost_transfer_alone_in_the_records_is_still_found(venue: str) -> None:
    """The lookup still finds a lost transfer when its record is the only one that can be
    it, after this client's own transfers of other amounts or the other way."""
    async def scenario() -> None:
        async with session(venue, **shared_time()) as s:
            setup = transfer_setup(s)
            if setup is None:
                return
            pair, currency, book = setup
            await s.ex.transfer(currency, AMOUNT + 1, *pair)
            s.sim.faults.add("drop_after", op="transfer")
            outcome = await outcome_of(s.ex.transfer(currency, AMOUNT, *pair))
            moved = [t for t in book.transfers if t.amount == AMOUNT]
            assert len(moved) == 1 and s.sim.requests["transfer"] == 2
            if isinstance(outcome, Transfer):
                assert (outcome.amount, outcome.from_account, outcome.to_account) == (
                    AMOUNT, *pair)
            else:  # only where the venue keeps no record to find it by
                assert isinstance(outcome, AmbiguousOutcome)
                kinds = ({e.kind.lower() async for e in s.ex.iter_ledger(currency)}
                         if s.ex.has("ledger") else set())
                assert "transfer" not in kinds
    run(scenario())
