"""OKCoinJapan's JPY over real HTTP against the local venue: the bank withdrawal
(/api/account/v3/jpywithdrawal, address "bank") through the same ex.withdraw, the fiat
withdrawal and deposit histories through ex.iter_withdrawals / ex.iter_deposits, a lost
withdrawal found in the fiat history (rows with no id) and never resent, refusals unsent, the
fund password never shown, and the venue's 1 request per 120 s paced on the manual clock."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.okcoinjp.sim_funds import FUND_PASSWORD
from unified import (
    Account,
    AmbiguousOutcome,
    AuthenticationError,
    ConfigurationError,
    InsufficientFunds,
    RateLimited,
    Transaction,
    TransactionKind,
    TransactionStatus,
    VenueError,
)
from unified.sim.funds import WITHDRAWAL_DELAY, funds_book
from unified.sim.server import USER

from ..conftest import run
from .harness import session
from .test_funds_okcoinjp import ADDRESS, EXTRAS, VENUE, refused_unsent, shared_time

#: the seeded wallet: 5,000,000 JPY deposited, 100,000 withdrawn with a 400 yen fee
SEEDED_JPY = Decimal(5_000_000) - Decimal(100_000) - Decimal(400)
FEE = Decimal(400)


def jpy_made(s: Any) -> list[Any]:
    return funds_book(s.sim.engine).history(USER, "withdrawal", "JPY")


def test_a_bank_withdrawal_is_placed_and_found_in_the_fiat_history() -> None:
    async def scenario() -> None:
        time = shared_time()
        async with session(VENUE, **time) as s:
            book = funds_book(s.sim.engine)
            assert (await s.ex.fetch_balance(Account.MAIN))["JPY"].total == SEEDED_JPY
            totals = book.totals()
            tx = await s.ex.withdraw("JPY", Decimal(20_000), "bank",
                                     trade_password=FUND_PASSWORD)
            assert s.sim.requests["withdraw_fiat"] == 1 and "withdraw" not in s.sim.requests
            assert tx.kind is TransactionKind.WITHDRAWAL and tx.status is TransactionStatus.PENDING
            assert (tx.id, tx.currency, tx.amount, tx.address) == ("74630", "JPY",
                                                                   Decimal(20_000), "bank")
            made = jpy_made(s)[0]
            assert (made.amount, made.fee, made.address) == (Decimal(20_000), FEE, "bank")
            rows = [w async for w in s.ex.iter_withdrawals("JPY")]
            assert s.sim.requests["iter_fiat_withdrawals"] == 1
            assert [(w.amount, w.fee, w.status) for w in rows] == [
                (Decimal(20_000), FEE, TransactionStatus.PENDING),
                (Decimal(100_000), FEE, TransactionStatus.OK)]
            assert all(w.address == "bank" and w.currency == "JPY" and w.tag is None
                       and w.timestamp.tzinfo is not None for w in rows)
            assert rows[0].id.startswith("withdrawal:JPY:") and rows[0].id != rows[1].id
            time["clock"].advance(WITHDRAWAL_DELAY.total_seconds() + 1)
            again = await anext(s.ex.iter_withdrawals("JPY"))
            assert again.status is TransactionStatus.OK and again.id == rows[0].id  # stable
            main = await s.ex.fetch_balance(Account.MAIN)
            assert main["JPY"].total == SEEDED_JPY - Decimal(20_000) - FEE
            assert book.totals() == totals  # money left to the bank, none made or lost
            deposits = [d async for d in s.ex.iter_deposits("JPY")]
            assert [(d.amount, d.status, d.kind, d.address) for d in deposits] == [
                (Decimal(5_000_000), TransactionStatus.OK, TransactionKind.DEPOSIT, None)]
    run(scenario())


@pytest.mark.parametrize("fault", ["drop_after", "reset", "status"])
def test_a_lost_bank_withdrawal_is_found_or_ambiguous_never_resent(fault: str) -> None:
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            before = len(jpy_made(s))
            s.sim.faults.add(fault, op="withdraw_fiat", status=502)
            try:
                outcome: object = await s.ex.withdraw("JPY", Decimal(33_000), "bank",
                                                      trade_password=FUND_PASSWORD)
            except AmbiguousOutcome as exc:
                outcome = exc
            made = jpy_made(s)[: len(jpy_made(s)) - before]
            assert s.sim.requests["withdraw_fiat"] == 1
            if fault == "drop_after":  # the venue acted: its fiat history row, by amount
                assert isinstance(outcome, Transaction) and len(made) == 1
                assert outcome.amount == Decimal(33_000) and outcome.fee == FEE
                assert outcome.id.startswith("withdrawal:JPY:")
                assert outcome.status is TransactionStatus.PENDING
                assert s.ex.pending() == []
            else:  # reset: never acted; the status fault answers before the venue acts
                assert isinstance(outcome, AmbiguousOutcome) and made == []
                assert [i.op for i in s.ex.pending()] == ["withdraw_fiat"]
    run(scenario())


def test_an_older_bank_withdrawal_of_the_same_amount_is_not_taken_for_a_lost_one() -> None:
    async def scenario() -> None:
        time = shared_time()
        async with session(VENUE, **time) as s:
            await s.ex.withdraw("JPY", Decimal(10_000), "bank", trade_password=FUND_PASSWORD)
            time["clock"].advance(3600)
            s.sim.faults.add("reset", op="withdraw_fiat")
            with pytest.raises(AmbiguousOutcome):
                await s.ex.withdraw("JPY", Decimal(10_000), "bank",
                                    trade_password=FUND_PASSWORD)
            assert len(jpy_made(s)) == 2 and s.sim.requests["withdraw_fiat"] == 2
    run(scenario())


def test_bad_bank_withdrawals_are_refused_unsent_and_venue_errors_typed() -> None:
    async def scenario() -> None:
        time = shared_time()
        async with session(VENUE, **time) as s:
            pw = {"trade_password": FUND_PASSWORD}
            for call in (
                lambda: s.ex.withdraw("JPY", Decimal(1000), ADDRESS, **pw),  # only "bank"
                lambda: s.ex.withdraw("JPY", Decimal(1000), "bank", tag="1", **pw),
                lambda: s.ex.withdraw("JPY", Decimal(1000), "bank", network="BTC", **pw),
                lambda: s.ex.withdraw("JPY", Decimal(1000), "bank", **EXTRAS),  # crypto's
                lambda: s.ex.withdraw("JPY", Decimal(1000), "bank", fee=FEE, **pw),
                lambda: s.ex.withdraw("JPY", Decimal(1000), "bank"),  # no fund password
                lambda: s.ex.withdraw("JPY", Decimal(-1), "bank", **pw),
                lambda: s.ex.withdraw("BTC", Decimal(1), "bank", **pw),  # crypto's extras
            ):
                await refused_unsent(s, call)
            with pytest.raises(AuthenticationError):  # 34018 Fund password error
                await s.ex.withdraw("JPY", Decimal(1000), "bank", trade_password="wrong")
            time["clock"].advance(120)  # "1 requests per 120 seconds", refused or not
            with pytest.raises(VenueError) as caught:  # 34064: whole yen at the local venue
                await s.ex.withdraw("JPY", Decimal("1000.5"), "bank", **pw)
            assert caught.value.code == "34064"
            time["clock"].advance(120)
            with pytest.raises(InsufficientFunds):  # 34008
                await s.ex.withdraw("JPY", Decimal(10**9), "bank", **pw)
            assert len(jpy_made(s)) == 1  # only the seeded one
    run(scenario())


def test_the_fund_password_is_never_shown_nor_journaled(tmp_path: Path) -> None:
    secret = "Very-Secret-Fund-Pw-43"
    journal = tmp_path / "journal.jsonl"

    async def scenario() -> None:
        time = shared_time()
        async with session(VENUE, journal=journal, **time) as s:
            texts: list[str] = []
            with pytest.raises(AuthenticationError) as caught:
                await s.ex.withdraw("JPY", Decimal(1000), "bank", trade_password=secret)
            texts += [str(caught.value), repr(caught.value)]
            time["clock"].advance(120)
            with pytest.raises(ConfigurationError) as refused:
                await s.ex.withdraw("JPY", Decimal(1000), ADDRESS, trade_password=secret)
            texts += [str(refused.value), repr(refused.value)]
            s.sim.faults.add("reset", op="withdraw_fiat")
            with pytest.raises(AmbiguousOutcome) as lost:
                await s.ex.withdraw("JPY", Decimal(1000), "bank",
                                    trade_password=FUND_PASSWORD + secret)
            texts += [str(lost.value), repr(lost.value), *(repr(i) for i in s.ex.pending())]
            assert all(secret not in t for t in texts)
        text = journal.read_text()
        assert secret not in text and FUND_PASSWORD not in text and "withdraw_fiat" in text
    run(scenario())


def test_fiat_histories_resume_from_a_cursor_and_pace_the_withdrawals() -> None:
    async def scenario() -> None:
        time = shared_time()
        async with session(VENUE, **time) as s:
            pages = [p async for p in s.ex.iter_withdrawals("JPY").pages()]
            cursor = pages[-1].cursor
            assert cursor is not None
            first = await s.ex.withdraw("JPY", Decimal(1000), "bank",
                                        trade_password=FUND_PASSWORD)
            # "1 requests per 120 seconds": a second one now would wait past max_wait (30 s):
            # refused at once, unsent, saying how long
            refused = await refused_unsent(s, lambda: s.ex.withdraw(
                "JPY", Decimal(2000), "bank", trade_password=FUND_PASSWORD), RateLimited)
            assert isinstance(refused, RateLimited) and (refused.retry_after or 0) >= 119
            time["clock"].advance(120)
            second = await s.ex.withdraw("JPY", Decimal(2000), "bank",
                                         trade_password=FUND_PASSWORD)
            assert (first.id, second.id) == ("74630", "74631")
            resumed = [w async for w in s.ex.iter_withdrawals("JPY", cursor=cursor)]
            assert [w.amount for w in resumed] == [Decimal(2000), Decimal(1000)]
    run(scenario())
