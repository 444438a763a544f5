"""Moving money on every venue, whatever it has (ex.supports): arguments refused before
anything is sent, NotSupported where the spec has no endpoint, and the write-once rule under
lost answers. Never branches on a venue name. Each venue's own wire details are tested in
tests/contract/test_funds_<venue>.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest

from unified import (
    Account,
    AmbiguousOutcome,
    ConfigurationError,
    NotSupported,
    Transaction,
    TransactionStatus,
    Transfer,
)
from unified.sim.funds import funds_book
from unified.sim.server import USER
from unified.sim.soak_money import withdraw_currency

from ..conftest import VENUES, run
from .harness import Session, sent, session
from .test_faults import manual_time


async def refused_unsent(s: Session, call: Callable[[], Awaitable[object]],
                         error: type[Exception] = ConfigurationError) -> None:
    before = sent(s)
    with pytest.raises(error):
        await call()
    assert sent(s) == before


def two_accounts(s: Session) -> tuple[Account, Account] | None:
    kinds = s.ex.accounts()
    return (kinds[0], kinds[1]) if len(kinds) > 1 else None


@pytest.mark.parametrize("venue", VENUES)
def test_bad_money_arguments_are_refused_before_sending(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            assert Account.TRADE in s.ex.accounts()
            missing = next((a for a in Account if a not in s.ex.accounts()), None)
            if missing is not None:
                await refused_unsent(s, lambda: s.ex.fetch_balance(missing), NotSupported)
            await refused_unsent(s, lambda: s.ex.fetch_balance("trade"))  # type: ignore[arg-type]
            for op, call in (
                ("transfer", lambda: s.ex.transfer("USDT", Decimal(1), Account.TRADE,
                                                   Account.TRADE)),
                ("transfer", lambda: s.ex.transfer("USDT", Decimal(-1), Account.MAIN,
                                                   Account.TRADE)),
                ("transfer", lambda: s.ex.transfer("USDT", 1, Account.MAIN,  # type: ignore
                                                   Account.TRADE)),
                ("withdraw", lambda: s.ex.withdraw("USDT", Decimal(1), "")),
                ("withdraw", lambda: s.ex.withdraw("USDT", Decimal("NaN"), "addr")),
                ("withdraw", lambda: s.ex.withdraw("", Decimal(1), "addr")),
                ("withdraw", lambda: s.ex.withdraw("USDT", Decimal(1), "addr",
                                                   no_such_field="x")),
                ("iter_deposits", lambda: anext(s.ex.iter_deposits(currency=5))),  # type: ignore
            ):
                wanted = ConfigurationError if s.ex.supports(op) else NotSupported
                await refused_unsent(s, call, wanted)  # NotSupported is a ConfigurationError
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_operations_a_venue_lacks_are_not_supported(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            calls: dict[str, Callable[[], Awaitable[object]]] = {
                "fetch_deposit_address": lambda: s.ex.fetch_deposit_address("BTC"),
                "fetch_withdrawal_fee": lambda: s.ex.fetch_withdrawal_fee("BTC"),
                "fetch_trading_fees": lambda: s.ex.fetch_trading_fees(),
                "cancel_withdrawal": lambda: s.ex.cancel_withdrawal("1"),
                "borrow_margin": lambda: s.ex.borrow_cross_margin("USDT", Decimal(1)),
                "repay_margin": lambda: s.ex.repay_cross_margin("USDT", Decimal(1)),
            }
            for op, call in calls.items():
                if not s.ex.supports(op):
                    await refused_unsent(s, call, NotSupported)
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("fault", ["drop_after", "reset"])
def test_a_lost_withdrawal_is_never_sent_twice(venue: str, fault: str) -> None:
    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            if not s.ex.supports("withdraw"):
                return
            extras = dict(getattr(s.sim.personality, "withdraw_extras", {}))
            currency = withdraw_currency(s.sim)
            s.sim.faults.add(fault, op="withdraw")
            book = funds_book(s.sim.engine)
            before = len(book.history(USER, "withdrawal"))
            try:
                outcome: object = await s.ex.withdraw(currency, Decimal("1.234"),
                                                      "soak-addr-1", **extras)
            except AmbiguousOutcome as exc:
                outcome = exc
            made = book.history(USER, "withdrawal")[: len(book.history(USER, "withdrawal"))
                                                    - before]
            assert s.sim.requests["withdraw"] == 1  # never resent, whatever happened
            if fault == "drop_after":  # the venue acted: the lookup finds it
                assert isinstance(outcome, Transaction) and len(made) == 1
                assert outcome.id == made[0].id and outcome.amount == Decimal("1.234")
                assert outcome.status is TransactionStatus.PENDING
                assert s.ex.pending() == []
            else:  # never acted: nothing found, nothing resent, honestly unknown
                assert isinstance(outcome, AmbiguousOutcome) and made == []
                (intent,) = s.ex.pending()  # what to check at the venue, secrets left out
                assert intent.op == "withdraw"
                assert (intent.args["currency"], intent.args["address"], intent.decimal(
                    "amount")) == (currency, "soak-addr-1", Decimal("1.234"))
                assert "trade_password" not in intent.args
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("fault", ["drop_after", "reset"])
def test_a_lost_transfer_is_never_sent_twice(venue: str, fault: str) -> None:
    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            pair = two_accounts(s)
            if not s.ex.supports("transfer") or pair is None:
                return
            currency = s.market.quote
            book = funds_book(s.sim.engine)
            s.sim.faults.add(fault, op="transfer")
            try:
                outcome: object = await s.ex.transfer(currency, Decimal("2.5"), *pair)
            except AmbiguousOutcome as exc:
                outcome = exc
            moved = [t for t in book.transfers if t.amount == Decimal("2.5")]
            assert s.sim.requests["transfer"] == 1
            if fault == "drop_after" and isinstance(outcome, Transfer):
                assert len(moved) == 1 and outcome.amount == Decimal("2.5")
            else:  # not found (or the venue keeps no record to find it by): unknown
                assert isinstance(outcome, AmbiguousOutcome)
                assert len(moved) == (1 if fault == "drop_after" else 0)
    run(scenario())
