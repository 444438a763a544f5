"""OKCoinJapan's funding account over real HTTP against the local venue: the wallet (MAIN) and
the spot account (TRADE), transfers, withdrawals with their extras (the fund password never
shown or journaled), histories, deposit address, withdrawal fee, the trade fee rate, lost
answers never resent, and typed venue errors."""

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
    Transaction,
    TransactionKind,
    TransactionStatus,
    Transfer,
)
from unified.sim.funds import WITHDRAWAL_DELAY, funds_book
from unified.sim.server import USER

from ..conftest import run
from .harness import Session, sent, session
from .test_faults import manual_time

VENUE = "okcoinjp"
EXTRAS: dict[str, Any] = {"trade_password": FUND_PASSWORD, "fee": Decimal("0.0005"),
                          "usage_agreement": True, "reason": 1}
ADDRESS = "bc1qexampleexampleexampleexample0"


def shared_time() -> dict[str, Any]:
    time = manual_time()
    return {"venue_clock": time["clock"], **time}


async def refused_unsent(s: Session, call: Any, error: type[Exception] = ConfigurationError
                         ) -> Exception:
    before = sent(s)
    with pytest.raises(error) as caught:
        await call()
    assert sent(s) == before
    return caught.value


def test_balances_per_account_and_a_transfer_moves_money() -> None:
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            assert s.ex.accounts() == (Account.MAIN, Account.TRADE)
            main = await s.ex.fetch_balance(Account.MAIN)
            trade = await s.ex.fetch_balance(Account.TRADE)
            default = await s.ex.fetch_balance()
            assert s.sim.requests["fetch_balance_main"] == 1
            assert main["BTC"].total == Decimal("28.049")  # seeded: deposits - withdrawals
            assert trade["BTC"].total == default["BTC"].total == Decimal(100)
            moved = await s.ex.transfer("BTC", Decimal("1.5"), Account.MAIN, Account.TRADE)
            assert isinstance(moved, Transfer) and moved.status is TransactionStatus.OK
            assert moved.id == funds_book(s.sim.engine).transfers[-1].id
            assert (await s.ex.fetch_balance(Account.MAIN))["BTC"].total == Decimal("26.549")
            assert (await s.ex.fetch_balance())["BTC"].total == Decimal("101.5")
            back = await s.ex.transfer("BTC", Decimal("0.5"), Account.TRADE, Account.MAIN)
            assert back.from_account is Account.TRADE
            entries = [e async for e in s.ex.iter_ledger("BTC")]
            assert [e.amount for e in entries if e.kind == "transfer"][:2] == [
                Decimal("-0.5"), Decimal("1.5")]
            with pytest.raises(InsufficientFunds):
                await s.ex.transfer("BTC", Decimal(1000), Account.MAIN, Account.TRADE)
    run(scenario())


def test_withdraw_pending_then_ok_on_the_venue_clock() -> None:
    async def scenario() -> None:
        time = shared_time()
        async with session(VENUE, **time) as s:
            tx = await s.ex.withdraw("BTC", Decimal("0.75"), ADDRESS, network="BTC", **EXTRAS)
            assert tx.status is TransactionStatus.PENDING and tx.kind is TransactionKind.WITHDRAWAL
            made = funds_book(s.sim.engine).history(USER, "withdrawal", "BTC")[0]
            assert tx.id == made.id and made.fee == Decimal("0.0005") and made.address == ADDRESS
            first = await anext(s.ex.iter_withdrawals("BTC"))
            assert first.id == tx.id and first.status is TransactionStatus.PENDING
            assert first.fee == Decimal("0.0005") and first.network == "BTC"
            time["clock"].advance(WITHDRAWAL_DELAY.total_seconds() + 1)
            again = await anext(s.ex.iter_withdrawals("BTC"))
            assert again.id == tx.id and again.status is TransactionStatus.OK
            main = await s.ex.fetch_balance(Account.MAIN)
            assert main["BTC"].total == Decimal("28.049") - Decimal("0.7505")
    run(scenario())


@pytest.mark.parametrize("fault", ["drop_after", "reset", "status"])
def test_a_lost_withdrawal_is_never_sent_twice(fault: str) -> None:
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            book = funds_book(s.sim.engine)
            before = len(book.history(USER, "withdrawal"))
            s.sim.faults.add(fault, op="withdraw", status=502)
            try:
                outcome: object = await s.ex.withdraw("BTC", Decimal("1.234"), ADDRESS,
                                                      **EXTRAS)
            except AmbiguousOutcome as exc:
                outcome = exc
            made = book.history(USER, "withdrawal")[: len(book.history(USER, "withdrawal"))
                                                    - before]
            assert s.sim.requests["withdraw"] == 1
            if fault == "drop_after":
                assert isinstance(outcome, Transaction) and len(made) == 1
                assert outcome.id == made[0].id and outcome.amount == Decimal("1.234")
                assert s.ex.pending() == []
            else:  # reset: never acted; the status fault answers before the venue acts
                assert isinstance(outcome, AmbiguousOutcome) and made == []
                assert [i.op for i in s.ex.pending()] == ["withdraw"]
    run(scenario())


@pytest.mark.parametrize("fault", ["drop_after", "reset", "status"])
def test_a_lost_transfer_is_never_sent_twice(fault: str) -> None:
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            book = funds_book(s.sim.engine)
            s.sim.faults.add(fault, op="transfer", status=502)
            try:
                outcome: object = await s.ex.transfer("ETH", Decimal("2.5"), Account.MAIN,
                                                      Account.TRADE)
            except AmbiguousOutcome as exc:
                outcome = exc
            moved = [t for t in book.transfers if t.amount == Decimal("2.5")]
            assert s.sim.requests["transfer"] == 1
            if fault == "drop_after":  # found in the spot ledger (type "transfer")
                assert isinstance(outcome, Transfer) and len(moved) == 1
                assert outcome.amount == Decimal("2.5") and outcome.to_account is Account.TRADE
            else:
                assert isinstance(outcome, AmbiguousOutcome) and moved == []
    run(scenario())


def test_histories_reach_the_end_and_resume_from_a_cursor() -> None:
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            deposits = [d async for d in s.ex.iter_deposits("BTC")]
            assert [d.amount for d in deposits] == [Decimal(1), Decimal("0.25"), Decimal(3),
                                                    Decimal("5.5"), Decimal(20)]
            assert all(d.status is TransactionStatus.OK and d.kind is TransactionKind.DEPOSIT
                       and d.timestamp.tzinfo is not None for d in deposits)
            walk = s.ex.iter_withdrawals("BTC")
            pages = [p async for p in walk.pages()]
            assert [w.amount for p in pages for w in p.items] == [Decimal("0.2"),
                                                                  Decimal("1.5")]
            cursor = pages[-1].cursor
            assert cursor is not None
            tx = await s.ex.withdraw("BTC", Decimal("0.3"), ADDRESS, **EXTRAS)
            resumed = [w async for w in s.ex.iter_withdrawals("BTC", cursor=cursor)]
            assert [w.id for w in resumed] == [tx.id]
            jpy = [d async for d in s.ex.iter_deposits("JPY")]  # fiat: its own path
            assert [d.amount for d in jpy] == [Decimal(5_000_000)]
            assert s.sim.requests["iter_fiat_deposits"] == 1
            await refused_unsent(s, lambda: anext(s.ex.iter_deposits()))
    run(scenario())


def test_address_fee_and_trading_fees() -> None:
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            address = await s.ex.fetch_deposit_address("BTC")
            assert address.currency == "BTC" and address.network == "BTC"
            assert address.address == funds_book(s.sim.engine).address(USER, "BTC", "BTC")
            assert await s.ex.fetch_withdrawal_fee("ETH") == Decimal("0.01")
            fees = await s.ex.fetch_trading_fees()
            assert set(fees) == {"BTC/JPY", "ETH/JPY", "ETH/BTC"}
            assert fees["BTC/JPY"].maker == Decimal("0.001")
            with pytest.raises(ConfigurationError):  # no JPY deposit address to make
                await s.ex.fetch_deposit_address("JPY")
    run(scenario())


def test_bad_withdrawals_are_refused_unsent_and_venue_errors_typed() -> None:
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            for bad in ({"usage_agreement": False}, {"reason": 13}, {"fee": Decimal("0.00005")},
                        {"fee": None}, {"trade_password": ""}, {"destination": "7"}):
                await refused_unsent(s, lambda b=bad: s.ex.withdraw(  # type: ignore[misc]
                    "BTC", Decimal(1), ADDRESS, **{**EXTRAS, **b}))
            await refused_unsent(s, lambda: s.ex.withdraw("JPY", Decimal(10_000), "bank",
                                                          **EXTRAS))
            await refused_unsent(s, lambda: s.ex.withdraw("BTC", Decimal(1), ADDRESS,
                                                          otp="123456", **EXTRAS))
            with pytest.raises(InsufficientFunds):
                await s.ex.withdraw("BTC", Decimal(1000), ADDRESS, **EXTRAS)
    run(scenario())


def test_the_fund_password_is_never_shown_nor_journaled(tmp_path: Path) -> None:
    secret = "Very-Secret-Fund-Pw-42"
    journal = tmp_path / "journal.jsonl"

    async def scenario() -> None:
        async with session(VENUE, journal=journal, **shared_time()) as s:
            texts: list[str] = []
            with pytest.raises(AuthenticationError) as caught:  # 34018 Fund password error
                await s.ex.withdraw("BTC", Decimal(1), ADDRESS,
                                    **{**EXTRAS, "trade_password": secret})
            texts += [str(caught.value), repr(caught.value)]
            error = await refused_unsent(s, lambda: s.ex.withdraw(
                "BTC", Decimal(1), ADDRESS, **{**EXTRAS, "trade_password": secret,
                                              "reason": 0}))
            texts += [str(error), repr(error)]
            s.sim.faults.add("reset", op="withdraw")
            with pytest.raises(AmbiguousOutcome) as lost:
                await s.ex.withdraw("BTC", Decimal(1), ADDRESS,
                                    **{**EXTRAS, "trade_password": FUND_PASSWORD + secret})
            texts += [str(lost.value), repr(lost.value)]
            texts += [repr(i) for i in s.ex.pending()]
            assert all(secret not in t for t in texts)
        assert journal.exists() and secret not in journal.read_text()
        assert "withdraw" in journal.read_text()
    run(scenario())
