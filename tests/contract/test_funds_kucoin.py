"""KuCoin's money over real HTTP against the local venue: balances of the main, trade, margin
and isolated accounts, inner transfers with their clientOid (a lost one found in the ledger:
KuCoin has no lookup by clientOid), withdrawals on a chain id or name (a lost one found in the
withdrawal list: withdrawals have no client id), cancels, histories that need a currency and
page by number, walletTxId keys, deposit addresses with memo, quotas, trade fees 10 pairs a
call, typed venue errors, and answers shaped like the documented examples."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import attrs
import pytest

import unified
from unified import (
    Account,
    AmbiguousOutcome,
    ConfigurationError,
    InsufficientFunds,
    Transaction,
    TransactionStatus,
    Transfer,
    VenueError,
)
from unified.sim.book import Engine, SimMarket
from unified.sim.funds import WITHDRAWAL_DELAY, funds_book
from unified.sim.server import USER, SimVenue

from ..conftest import ROOT, run
from ..replay.test_sim_shapes import mismatches
from .harness import Session, sent, session
from .test_faults import manual_time

VENUE = "kucoin"
ADDRESS = "TKFRQXSDcY4kd3QLzw7uK16GmLrjJggwX8"


def shared_time() -> dict[str, Any]:
    time = manual_time()
    return {"venue_clock": time["clock"], **time}


async def refused_unsent(s: Session, call: Any, error: type[Exception] = ConfigurationError
                         ) -> None:
    before = sent(s)
    with pytest.raises(error):
        await call()
    assert sent(s) == before


def test_balances_per_account_and_transfers_move_money() -> None:
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            assert s.ex.accounts() == (Account.MAIN, Account.TRADE, Account.MARGIN,
                                       Account.ISOLATED)
            main = await s.ex.fetch_balance(Account.MAIN)
            assert main["USDT"].total == Decimal(52_399)  # seeded deposits - a withdrawal
            assert (await s.ex.fetch_balance())["USDT"].total == Decimal(100_000)
            moved = await s.ex.transfer("USDT", Decimal("2.5"), Account.MAIN, Account.TRADE)
            assert isinstance(moved, Transfer) and moved.status is TransactionStatus.OK
            made = funds_book(s.sim.engine).transfers[-1]
            assert moved.id == made.id and made.client_id  # the clientOid it was sent with
            await s.ex.transfer("USDT", Decimal(40), Account.TRADE, Account.MARGIN)
            margin = await s.ex.fetch_balance(Account.MARGIN)
            assert margin["USDT"].total == Decimal(40)
            assert (await s.ex.fetch_balance(Account.ISOLATED)) == {}
            assert (await s.ex.fetch_balance(Account.TRADE))["USDT"].total == Decimal("99962.5")
            kinds = [e.kind async for e in s.ex.iter_ledger("USDT")]
            assert kinds[:2] == ["TRANSFER", "TRANSFER"]
            with pytest.raises(InsufficientFunds):  # 400100 account.available.amount
                await s.ex.transfer("USDT", Decimal(10**9), Account.MAIN, Account.TRADE)
            await refused_unsent(s, lambda: s.ex.transfer("USDT", Decimal(1), Account.MAIN,
                                                          Account.ISOLATED))
    run(scenario())


@pytest.mark.parametrize("fault", ["drop_after", "reset", "status"])
def test_a_lost_transfer_is_found_in_the_ledger_never_resent(fault: str) -> None:
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            book = funds_book(s.sim.engine)
            s.sim.faults.add(fault, op="transfer", status=502)
            try:
                outcome: object = await s.ex.transfer("USDT", Decimal("7.25"), Account.MAIN,
                                                      Account.TRADE)
            except AmbiguousOutcome as exc:
                outcome = exc
            moved = [t for t in book.transfers if t.amount == Decimal("7.25")]
            assert s.sim.requests["transfer"] == 1
            if fault == "drop_after":  # the venue moved it: its TRANSFER ledger row says so
                assert isinstance(outcome, Transfer) and len(moved) == 1
                assert outcome.to_account is Account.TRADE and s.ex.pending() == []
            else:  # never reached the venue: unknown and pending; the error names its clientOid
                assert isinstance(outcome, AmbiguousOutcome) and moved == []
                assert [i.op for i in s.ex.pending()] == ["transfer"]
                assert outcome.client_order_id
    run(scenario())


def test_withdraw_on_a_chain_name_pending_then_done_on_the_venue_clock() -> None:
    async def scenario() -> None:
        time = shared_time()
        async with session(VENUE, **time) as s:
            tx = await s.ex.withdraw("USDT", Decimal(3), ADDRESS, tag="memo-7",
                                     network="TRC20", remark="rent")
            assert tx.network == "trx" and tx.status is TransactionStatus.PENDING
            made = funds_book(s.sim.engine).history(USER, "withdrawal", "USDT")[0]
            assert (made.id, made.network, made.tag, made.fee) == (tx.id, "trx", "memo-7",
                                                                   Decimal(1))
            first = await anext(s.ex.iter_withdrawals("USDT"))
            assert (first.id, first.tag, first.fee, first.status) == (
                tx.id, "memo-7", Decimal(1), TransactionStatus.PENDING)
            time["clock"].advance(WITHDRAWAL_DELAY.total_seconds() + 1)
            done = await anext(s.ex.iter_withdrawals("USDT"))
            assert done.status is TransactionStatus.OK and done.txid
            main = await s.ex.fetch_balance(Account.MAIN)
            assert main["USDT"].total == Decimal(52_399 - 4)
            inner = await s.ex.withdraw("USDT", Decimal(20), ADDRESS, network="trx",
                                        fee_deduct_type="INTERNAL")
            assert (await anext(s.ex.iter_withdrawals("USDT"))).amount == Decimal(19)
            assert inner.amount == Decimal(20)  # as asked; the list tells what left
    run(scenario())


@pytest.mark.parametrize("fault", ["drop_after", "reset", "status"])
def test_a_lost_withdrawal_is_found_in_the_list_never_resent(fault: str) -> None:
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            book = funds_book(s.sim.engine)
            before = len(book.history(USER, "withdrawal"))
            s.sim.faults.add(fault, op="withdraw", status=502)
            try:
                outcome: object = await s.ex.withdraw("USDT", Decimal("1.234"), ADDRESS,
                                                      network="trx")
            except AmbiguousOutcome as exc:
                outcome = exc
            made = book.history(USER, "withdrawal")[: len(book.history(USER, "withdrawal"))
                                                    - before]
            assert s.sim.requests["withdraw"] == 1
            if fault == "drop_after":
                assert isinstance(outcome, Transaction) and len(made) == 1
                assert outcome.id == made[0].id and outcome.network == "trx"
                assert s.sim.requests["iter_withdrawals"] >= 1 and s.ex.pending() == []
            else:
                assert isinstance(outcome, AmbiguousOutcome) and made == []
                assert [i.op for i in s.ex.pending()] == ["withdraw"]
    run(scenario())


def test_cancel_a_pending_withdrawal() -> None:
    async def scenario() -> None:
        time = shared_time()
        async with session(VENUE, **time) as s:
            before = (await s.ex.fetch_balance(Account.MAIN))["USDT"].total
            tx = await s.ex.withdraw("USDT", Decimal(5), ADDRESS, network="trx")
            await s.ex.cancel_withdrawal(tx.id)
            await s.ex.cancel_withdrawal(tx.id)  # safe to repeat
            assert (await s.ex.fetch_balance(Account.MAIN))["USDT"].total == before
            listed = await anext(s.ex.iter_withdrawals("USDT"))
            assert listed.id == tx.id and listed.status is TransactionStatus.FAILED
            late = await s.ex.withdraw("USDT", Decimal(5), ADDRESS, network="trx")
            time["clock"].advance(WITHDRAWAL_DELAY.total_seconds() + 1)
            with pytest.raises(VenueError):  # done: no longer cancelable
                await s.ex.cancel_withdrawal(late.id)
    run(scenario())


def test_histories_need_a_currency_page_by_number_and_resume() -> None:
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            await refused_unsent(s, lambda: anext(s.ex.iter_deposits()))
            await refused_unsent(s, lambda: anext(s.ex.iter_withdrawals()))
            deposits = [d async for d in s.ex.iter_deposits("BTC")]
            assert [d.amount for d in deposits] == [Decimal("0.5"), Decimal(2)]
            assert all("@" in d.id and d.txid and d.id.startswith(d.txid) for d in deposits)
            assert [d.network for d in deposits] == ["bech32", "btc"]
            for n in range(12):
                await s.ex.withdraw("USDT", Decimal(2) + n, ADDRESS, network="trx")
            asked = s.sim.requests.get("iter_withdrawals", 0)
            walk = s.ex.iter_withdrawals("USDT", page_size=10)
            pages = [p async for p in walk.pages()]
            assert [len(p.items) for p in pages] == [10, 3]
            assert s.sim.requests["iter_withdrawals"] - asked == 2
            cursor = pages[-1].cursor
            assert cursor is not None
            tx = await s.ex.withdraw("USDT", Decimal(50), ADDRESS, network="trx")
            assert [w.id async for w in s.ex.iter_withdrawals("USDT", cursor=cursor)] == [tx.id]
    run(scenario())


def test_deposit_address_fee_and_typed_errors() -> None:
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            trc = await s.ex.fetch_deposit_address("USDT", network="TRC20")
            assert trc.network == "trx" and trc.currency == "USDT"
            assert trc.address == funds_book(s.sim.engine).address(USER, "USDT", "trx")
            assert (await s.ex.fetch_deposit_address("USDT")).network == "eth"  # the default
            with pytest.raises(ConfigurationError):
                await s.ex.fetch_deposit_address("USDT", network="TON")
            assert await s.ex.fetch_withdrawal_fee("USDT", "ERC20") == Decimal(5)
            assert await s.ex.fetch_withdrawal_fee("USDT", "trx") == Decimal(1)
            with pytest.raises(VenueError) as unknown:
                await s.ex.fetch_withdrawal_fee("DOGE")
            assert unknown.value.code == "900003"
            with pytest.raises(InsufficientFunds):
                await s.ex.withdraw("BTC", Decimal(1000), ADDRESS)
            with pytest.raises(VenueError):  # below withdrawMinSize on the default chain
                await s.ex.withdraw("USDT", Decimal(2), ADDRESS)
    run(scenario())


@asynccontextmanager
async def many_markets(count: int) -> AsyncIterator[tuple[SimVenue, unified.Exchange]]:
    """A local KuCoin listing `count` pairs (C00/USDT, ...) beside its own."""
    from adapters.kucoin.sim import PERSONALITY

    model = PERSONALITY.markets[0]
    extra = [attrs.evolve(model, symbol=f"C{n:02d}/USDT", base=f"C{n:02d}")
             for n in range(count)]
    markets: list[SimMarket] = [*PERSONALITY.markets, *extra]
    time = manual_time()
    clock: Any = time["clock"]
    async with SimVenue(VENUE, clock=clock, engine=Engine(markets, clock)) as sim, \
            unified.connect(VENUE, credentials=sim.credentials, base_url=sim.base_url,
                            clock=clock, sleep=time["sleep"]) as ex:
        yield sim, ex


def test_trading_fees_are_asked_ten_pairs_a_call() -> None:
    async def scenario() -> None:
        async with many_markets(20) as (sim, ex):
            fees = await ex.fetch_trading_fees()
            assert len(fees) == 23 and sim.requests["fetch_trading_fees"] == 3
            assert fees["C07/USDT"].taker == sim.engine.market("C07/USDT").taker_fee
            few = await ex.fetch_trading_fees(["BTC/USDT", "C01/USDT"])
            assert set(few) == {"BTC/USDT", "C01/USDT"} and sim.requests[
                "fetch_trading_fees"] == 4
    run(scenario())


def test_money_answers_have_the_documented_shapes() -> None:
    async def scenario() -> dict[str, Any]:
        async with session(VENUE, **shared_time()) as s:
            await s.ex.fetch_balance(Account.MAIN)
            await s.ex.transfer("USDT", Decimal(100), Account.TRADE, Account.MARGIN)
            if s.ex.supports("borrow_margin"):
                await s.ex.borrow_cross_margin("USDT", Decimal(10))
            await s.ex.fetch_balance(Account.MARGIN)
            await s.ex.fetch_balance(Account.ISOLATED)
            tx = await s.ex.withdraw("USDT", Decimal(3), ADDRESS, network="trx")
            await s.ex.cancel_withdrawal(tx.id)
            [w async for w in s.ex.iter_withdrawals("USDT")]
            [d async for d in s.ex.iter_deposits("USDT")]
            await s.ex.fetch_deposit_address("USDT")
            await s.ex.fetch_withdrawal_fee("BTC")
            await s.ex.fetch_trading_fees()
            return dict(s.sim.answers)

    answers = run(scenario())
    problems, checked = [], 0
    for path in sorted((ROOT / "adapters" / "kucoin" / "examples").glob("*.json")):
        example = json.loads(path.read_text())
        # the main account shares fetch_balance's path, so its answers are recorded as those
        op = "fetch_balance" if example["op"] == "fetch_balance_main" else example["op"]
        if example["expect"].startswith("error:") or op not in answers:
            continue
        checked += 1
        problems += [f"{path.name} {m}" for m in mismatches(example["response"], answers[op])]
    assert checked >= 11 and not problems, "\n".join(problems)


def test_loosely_worded_money_answers_still_decode() -> None:
    """Numbers as JSON numbers or strings, empty values as "" or null (unified.sim.loose)."""
    async def scenario() -> None:
        async with session(VENUE, **shared_time()) as s:
            s.sim.personality = type(s.sim.personality)(loose=1.0, seed=11)  # type: ignore[call-arg]
            assert (await s.ex.fetch_balance(Account.MAIN))["USDT"].total == Decimal(52_399)
            await s.ex.transfer("USDT", Decimal(5), Account.MAIN, Account.MARGIN)
            assert (await s.ex.fetch_balance(Account.MARGIN))["USDT"].total == Decimal(5)
            tx = await s.ex.withdraw("USDT", Decimal(3), ADDRESS, network="trx")
            listed = [w async for w in s.ex.iter_withdrawals("USDT")]
            assert listed[0].id == tx.id and listed[0].fee == Decimal(1)
            assert [d.amount async for d in s.ex.iter_deposits("USDT")] == [Decimal(2500),
                                                                          Decimal(50000)]
            assert (await s.ex.fetch_deposit_address("USDT", "trx")).network == "trx"
            assert await s.ex.fetch_withdrawal_fee("BTC") == Decimal("0.0005")
            assert len(await s.ex.fetch_trading_fees()) == 3
            loan = await s.ex.borrow_cross_margin("USDT", Decimal(7))
            assert [x.id async for x in s.ex.iter_margin_borrows("USDT")] == [loan.id]
    run(scenario())
