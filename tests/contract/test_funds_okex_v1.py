"""OKEx / OKCoin v1 moving money over real HTTP against the local venue: the wallet (MAIN)
and the spot account (TRADE), transfers (no id, no record: a lost one stays ambiguous),
withdrawals with their extras (the trade password never shown or journaled) pending then done
on the venue clock and cancelled by currency and id, account_records.do histories, v1 error
codes typed, money conserved, and the answers in the documented shapes."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.okex_v1.sim_funds import TRADE_PASSWORD
from unified import (
    Account,
    AmbiguousOutcome,
    AuthenticationError,
    ConfigurationError,
    InsufficientFunds,
    NotSupported,
    Transaction,
    TransactionKind,
    TransactionStatus,
    Transfer,
)
from unified.errors import VenueError
from unified.sim.funds import WITHDRAWAL_DELAY, funds_book
from unified.sim.server import USER

from ..conftest import ROOT, run
from ..replay.test_sim_shapes import mismatches
from .harness import Session, sent, session
from .test_faults import manual_time

VENUES = ["okex_v1", "okcoin_v1"]
VENUE = "okex_v1"
EXTRAS: dict[str, Any] = {"trade_password": TRADE_PASSWORD, "fee": Decimal("0.002")}
ADDRESS = "1CWKbfwxSkEWP8W45D76j3BX8vPieoSCyL"
#: the wallet's seeded BTC (adapters/okex_v1/sim_funds.py SEED_DEPOSITS)
WALLET_BTC = Decimal("1025.5")


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


@pytest.mark.parametrize("venue", VENUES)
def test_balances_per_account_and_a_transfer_moves_money(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue, **shared_time()) as s:
            assert s.ex.accounts() == (Account.MAIN, Account.TRADE)
            main = await s.ex.fetch_balance(Account.MAIN)
            assert s.sim.requests["fetch_balance_main"] == 1
            assert main["BTC"].total == main["BTC"].available == WALLET_BTC
            assert main["USDT"].total == 0
            assert (await s.ex.fetch_balance(Account.TRADE))["BTC"].total == Decimal(100)
            moved = await s.ex.transfer("BTC", Decimal("1.5"), Account.MAIN, Account.TRADE)
            assert isinstance(moved, Transfer) and moved.status is TransactionStatus.OK
            assert moved.id == ""  # funds_transfer.do answers {"result": true}, no id
            assert (await s.ex.fetch_balance(Account.MAIN))["BTC"].total == WALLET_BTC - \
                Decimal("1.5")
            assert (await s.ex.fetch_balance())["BTC"].total == Decimal("101.5")
            back = await s.ex.transfer("BTC", Decimal("0.5"), Account.TRADE, Account.MAIN)
            assert back.from_account is Account.TRADE
            with pytest.raises(InsufficientFunds):  # 20029, the docs' example
                await s.ex.transfer("BTC", Decimal(5000), Account.MAIN, Account.TRADE)
            await refused_unsent(s, lambda: s.ex.fetch_balance(Account.FUTURES), NotSupported)
            await refused_unsent(s, lambda: s.ex.transfer("BTC", Decimal(1), Account.MAIN,
                                                          Account.MARGIN), NotSupported)
    run(scenario())


def test_withdraw_pending_then_ok_on_the_venue_clock_and_money_is_conserved() -> None:
    async def scenario() -> None:
        time = shared_time()
        async with session(VENUE, **time) as s:
            book = funds_book(s.sim.engine)
            await s.ex.fetch_balance(Account.MAIN)  # the wallet is funded on a first request
            totals = book.totals()
            tx = await s.ex.withdraw("BTC", Decimal("0.75"), ADDRESS, **EXTRAS)
            assert tx.id.isdigit() and tx.status is TransactionStatus.PENDING
            assert tx.kind is TransactionKind.WITHDRAWAL and tx.amount == Decimal("0.75")
            made = book.history(USER, "withdrawal", "BTC")[0]
            assert made.fee == Decimal("0.002") and made.address == ADDRESS
            first = await anext(s.ex.iter_withdrawals("BTC"))
            assert first.id == made.id and first.status is TransactionStatus.PENDING
            assert (first.amount, first.fee, first.address) == (Decimal("0.75"),
                                                                Decimal("0.002"), ADDRESS)
            assert first.timestamp.tzinfo is not None
            time["clock"].advance(WITHDRAWAL_DELAY.total_seconds() + 1)
            again = await anext(s.ex.iter_withdrawals("BTC"))
            assert again.id == made.id and again.status is TransactionStatus.OK
            main = await s.ex.fetch_balance(Account.MAIN)
            assert main["BTC"].total == WALLET_BTC - Decimal("0.752")  # amount + chargefee
            ledger = [e async for e in s.ex.iter_ledger("BTC") if e.kind == "withdrawal"]
            assert [e.amount for e in ledger] == [Decimal("-0.752")]
            assert ledger[0].id == made.id  # a record's one id, in the ledger and the history
            await s.ex.transfer("BTC", Decimal(3), Account.MAIN, Account.TRADE)
            assert book.totals() == totals
    run(scenario())


def test_cancel_a_pending_withdrawal_by_currency_and_id() -> None:
    async def scenario() -> None:
        time = shared_time()
        async with session(VENUE, **time) as s:
            tx = await s.ex.withdraw("BTC", Decimal("2"), ADDRESS, **EXTRAS)
            await refused_unsent(s, lambda: s.ex.cancel_withdrawal(tx.id))  # currency needed
            await refused_unsent(s, lambda: s.ex.cancel_withdrawal("withdrawal:BTC:1", "BTC"))
            assert await s.ex.cancel_withdrawal(tx.id, "BTC") is None
            assert (await s.ex.fetch_balance(Account.MAIN))["BTC"].total == WALLET_BTC
            listed = await anext(s.ex.iter_withdrawals("BTC"))
            assert listed.status is TransactionStatus.CANCELED
            with pytest.raises(VenueError) as again:  # 10040: no longer pending
                await s.ex.cancel_withdrawal(tx.id, "BTC")
            assert again.value.code == "10040"
            with pytest.raises(VenueError) as unknown:  # 10048: no such withdrawal
                await s.ex.cancel_withdrawal("99", "BTC")
            assert unknown.value.code == "10048"
            done = await s.ex.withdraw("BTC", Decimal("1"), ADDRESS, **EXTRAS)
            time["clock"].advance(WITHDRAWAL_DELAY.total_seconds() + 1)
            with pytest.raises(VenueError):
                await s.ex.cancel_withdrawal(done.id, "BTC")
    run(scenario())


@pytest.mark.parametrize("fault", ["drop_after", "reset", "status"])
def test_a_lost_withdrawal_is_found_in_the_records_never_sent_twice(fault: str) -> None:
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            book = funds_book(s.sim.engine)
            s.sim.faults.add(fault, op="withdraw", status=502)
            try:
                outcome: object = await s.ex.withdraw("BTC", Decimal("1.234"), ADDRESS,
                                                      **EXTRAS)
            except AmbiguousOutcome as exc:
                outcome = exc
            made = book.history(USER, "withdrawal")
            assert s.sim.requests["withdraw"] == 1
            if fault == "drop_after":  # account_records.do type=1: currency, address, amount
                assert isinstance(outcome, Transaction) and len(made) == 1
                assert outcome.id == made[0].id and outcome.amount == Decimal("1.234")
                assert outcome.address == ADDRESS and outcome.fee == Decimal("0.002")
                assert s.ex.pending() == []
            else:  # reset: never acted; the status fault answers before the venue acts
                assert isinstance(outcome, AmbiguousOutcome) and made == []
                assert [i.op for i in s.ex.pending()] == ["withdraw"]
    run(scenario())


@pytest.mark.parametrize("fault", ["drop_after", "reset", "status"])
def test_a_lost_transfer_is_ambiguous_and_never_sent_twice(fault: str) -> None:
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            book = funds_book(s.sim.engine)
            s.sim.faults.add(fault, op="transfer", status=502)
            with pytest.raises(AmbiguousOutcome):  # v1 keeps no record of transfers
                await s.ex.transfer("ETH", Decimal("2.5"), Account.MAIN, Account.TRADE)
            moved = [t for t in book.transfers if t.amount == Decimal("2.5")]
            assert s.sim.requests["transfer"] == 1
            assert len(moved) == (1 if fault == "drop_after" else 0)
            assert [i.op for i in s.ex.pending()] == ["transfer"]
    run(scenario())


def test_histories_walk_pages_and_resume_from_a_cursor() -> None:
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            deposits = [d async for d in s.ex.iter_deposits("BTC", page_size=2)]
            # the paper account's funding (spot, now), then the wallet's seeded deposits
            assert [d.amount for d in deposits] == [Decimal(100), Decimal("5.5"), Decimal(20),
                                                    Decimal(1000)]
            assert all(d.status is TransactionStatus.OK and d.kind is TransactionKind.DEPOSIT
                       for d in deposits)
            assert len({d.id for d in deposits}) == 4
            for n in range(3):
                await s.ex.withdraw("BTC", Decimal(1) + n, f"{ADDRESS}{n}", **EXTRAS)
            pages = [p async for p in s.ex.iter_withdrawals("BTC", page_size=2).pages()]
            assert [[w.amount for w in p.items] for p in pages] == [
                [Decimal(3), Decimal(2)], [Decimal(1)]]
            cursor = pages[-1].cursor
            assert cursor is not None
            tx = await s.ex.withdraw("BTC", Decimal("0.3"), ADDRESS, **EXTRAS)
            resumed = [w async for w in s.ex.iter_withdrawals("BTC", cursor=cursor)]
            assert [(w.amount, w.address) for w in resumed] == [(tx.amount, ADDRESS)]
            usdt = [d.amount async for d in s.ex.iter_deposits("USDT")]
            assert usdt == [Decimal(100_000)]  # the paper account's funding alone
            await refused_unsent(s, lambda: anext(s.ex.iter_deposits()))
            await refused_unsent(s, lambda: anext(s.ex.iter_withdrawals()))
    run(scenario())


def test_bad_withdrawals_are_refused_unsent_and_venue_errors_typed() -> None:
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            for bad in ({"fee": None}, {"fee": Decimal(-1)}, {"fee": "x"}, {"fee": True},
                        {"trade_password": ""}, {"trade_password": None},
                        {"target": "moon"}, {"otp": "123456"}):
                await refused_unsent(s, lambda b=bad: s.ex.withdraw(  # type: ignore[misc]
                    "BTC", Decimal(1), ADDRESS, **{**EXTRAS, **b}))
            await refused_unsent(s, lambda: s.ex.withdraw("BTC", Decimal(1), ADDRESS,
                                                          tag="123", **EXTRAS))
            await refused_unsent(s, lambda: s.ex.withdraw("BTC", Decimal(1), ADDRESS,
                                                          network="BTC", **EXTRAS))
            codes = {}
            for label, call in (
                ("too little", lambda: s.ex.withdraw("BTC", Decimal("0.001"), ADDRESS,
                                                     **EXTRAS)),
                ("fee too low", lambda: s.ex.withdraw("BTC", Decimal(1), ADDRESS, **{
                    **EXTRAS, "fee": Decimal("0.001")})),
                ("fee too high", lambda: s.ex.withdraw("BTC", Decimal(1), ADDRESS, **{
                    **EXTRAS, "fee": Decimal("0.01")})),
                ("not withdrawable here", lambda: s.ex.withdraw("USDT", Decimal(10), ADDRESS,
                                                                **EXTRAS)),
            ):
                with pytest.raises(VenueError) as caught:
                    await call()
                codes[label] = caught.value.code
            assert codes == {"too little": "10036", "fee too low": "10034",
                             "fee too high": "10033", "not withdrawable here": "10008"}
            with pytest.raises(InsufficientFunds):  # 10010
                await s.ex.withdraw("BTC", Decimal(5000), ADDRESS, **EXTRAS)
            # to an account at okex.com, chargefee may be 0
            free = await s.ex.withdraw("BTC", Decimal(1), "someone@example.com",
                                       **{**EXTRAS, "fee": 0, "target": "okex"})
            assert free.status is TransactionStatus.PENDING
    run(scenario())


def test_the_trade_password_is_never_shown_nor_journaled(tmp_path: Path) -> None:
    secret = "Very-Secret-Trade-Pw-42"
    journal = tmp_path / "journal.jsonl"

    async def scenario() -> None:
        async with session(VENUE, journal=journal, **shared_time()) as s:
            texts: list[str] = []
            with pytest.raises(AuthenticationError) as caught:  # 10042
                await s.ex.withdraw("BTC", Decimal(1), ADDRESS,
                                    **{**EXTRAS, "trade_password": secret})
            assert caught.value.code == "10042"
            texts += [str(caught.value), repr(caught.value)]
            error = await refused_unsent(s, lambda: s.ex.withdraw(
                "BTC", Decimal(1), ADDRESS, **{**EXTRAS, "trade_password": secret,
                                              "target": "nowhere"}))
            texts += [str(error), repr(error)]
            s.sim.faults.add("reset", op="withdraw")
            with pytest.raises(AmbiguousOutcome) as lost:
                await s.ex.withdraw("BTC", Decimal(1), ADDRESS,
                                    **{**EXTRAS, "trade_password": TRADE_PASSWORD + secret})
            texts += [str(lost.value), repr(lost.value)]
            texts += [repr(i) for i in s.ex.pending()]
            assert all(secret not in t for t in texts)
        assert journal.exists() and secret not in journal.read_text()
        assert "withdraw" in journal.read_text()
    run(scenario())


def test_the_local_venue_answers_money_in_the_documented_shapes() -> None:
    examples = {path.stem: json.loads(path.read_text()) for path in
                (ROOT / "adapters" / "okex_v1" / "examples").glob("*.json")}

    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            await s.ex.fetch_balance(Account.MAIN)
            await s.ex.transfer("BTC", Decimal(1), Account.MAIN, Account.TRADE)
            tx = await s.ex.withdraw("BTC", Decimal(1), ADDRESS, **EXTRAS)
            shapes = {"fetch_balance_main": "fetch_balance_main", "transfer": "transfer",
                      "withdraw": "withdraw"}
            answers = {name: s.sim.answers[op] for name, op in shapes.items()}
            [w async for w in s.ex.iter_withdrawals("BTC")]
            answers["iter_withdrawals_01"] = s.sim.answers["iter_ledger"]  # the shared path
            [d async for d in s.ex.iter_deposits("BTC")]
            answers["iter_deposits"] = s.sim.answers["iter_ledger"]
            await s.ex.cancel_withdrawal(tx.id, "BTC")
            answers["cancel_withdrawal"] = s.sim.answers["cancel_withdrawal"]
            with pytest.raises(InsufficientFunds):
                await s.ex.transfer("BTC", Decimal(10**6), Account.MAIN, Account.TRADE)
            answers["error_transfer_20029"] = s.sim.answers["transfer"]
            problems = [f"{name}: {m}" for name, answer in answers.items()
                        for m in mismatches(examples[name]["response"], answer)]
            assert not problems, "\n".join(problems)
            assert answers["error_transfer_20029"] == {"result": False, "error_code": 20029}
            # records write money as JSON numbers, the wallet as strings (as documented)
            record = answers["iter_withdrawals_01"]["records"][0]
            assert isinstance(record["amount"], (int, float, Decimal))
            assert isinstance(answers["fetch_balance_main"]["info"]["funds"]["free"]["btc"],
                              str)
    run(scenario())
