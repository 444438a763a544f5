"""The local OKCoinJapan's funding account (/api/account/v3/...): the wallet, transfers to and
from the spot account, withdrawals with their fund password, fee range, usage agreement and
reason, deposit and withdrawal histories ("up to 100 recent records", newest first, no paging),
JPY bank withdrawals (/jpywithdrawal: whole yen, a 400 yen fee) and the fiat histories (rows
of amount, fee, status and time only), deposit addresses, withdrawal fees and the spot
trade_fee rate. Backed by the engine's neutral FundsBook (unified.sim.funds), in the venue's
own words: account ids "6" (funding) and "1" (spot), status numbers, fees written
"0.00050000btc", errors 34xxx as {code, message}.

The user's wallet is funded, with a history of past deposits and withdrawals, on the venue's
first request (see `seeded`): a local venue started with its paper account funded
(unified.sim.server.fund_user) gets a funded wallet too.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.okcoinjp.sim_common import Reject, _guard, _required, iso, ok, s
from unified.sim.book import Engine, EngineError
from unified.sim.funds import FundsBook, SimTransaction, funds_book
from unified.sim.server import USER, Handler, SimRequest, SimResponse, SimVenue

#: the user's fund password at the local venue (README: `unified serve` prints it)
FUND_PASSWORD = "sim-fund-password"
KINDS = {"6": "main", "1": "trade"}
#: chain and (min_fee, max_fee) per token, as /withdrawal/fee answers
CHAINS = {"BTC": ("BTC", Decimal("0.0005"), Decimal("0.02")),
          "ETH": ("ETH", Decimal("0.01"), Decimal("0.2"))}
FEE_STEP = Decimal("0.0001")
REASONS = {*(str(n) for n in range(1, 13)), "99"}
HISTORY_MAX = 100
#: what the wallet holds after the seeded history (deposits minus withdrawals and fees)
SEED_DEPOSITS = {"BTC": [Decimal(20), Decimal("5.5"), Decimal(3), Decimal("0.25"),
                         Decimal(1)],
                 "ETH": [Decimal(40), Decimal(10), Decimal("2.5")],
                 "JPY": [Decimal(5_000_000)]}
SEED_WITHDRAWALS = {"BTC": [Decimal("1.5"), Decimal("0.2")], "ETH": [Decimal(3)]}
#: JPY leaves to the registered bank account: its "address" and "chain" in the FundsBook
BANK = "bank"
#: a JPY bank withdrawal's fee (the docs' example history row: "fee":"400")
FIAT_FEE = Decimal(400)
#: the JPY bank withdrawals already made (their ids are numbers counted from the docs' example)
SEED_FIAT_WITHDRAWALS = [Decimal(100_000)]
FIAT_FIRST_ID = 74629

_SEEDED: weakref.WeakSet[Engine] = weakref.WeakSet()


def seeded(handler: Handler) -> Handler:
    """`handler`, after the user's wallet has been funded on this engine (once)."""
    def handle(sim: SimVenue, req: SimRequest) -> SimResponse:
        if sim.engine not in _SEEDED:
            _SEEDED.add(sim.engine)
            if sim.engine.wallets.get(USER):
                seed(funds_book(sim.engine))
        return handler(sim, req)

    return handle


def seed(book: FundsBook) -> None:
    """Past deposits (days ago, credited to the wallet) and completed withdrawals."""
    now = book.now()
    day = 0
    for ccy, amounts in SEED_DEPOSITS.items():
        for amount in amounts:
            day += 1
            tx = book.deposit(USER, ccy, amount, CHAINS.get(ccy, (ccy,))[0])
            tx.created_at = now - timedelta(days=40 - day)
    for ccy, amounts in SEED_WITHDRAWALS.items():
        chain, fee, _ = CHAINS[ccy]
        for n, amount in enumerate(amounts):
            tx = book.withdraw(USER, ccy, amount, f"seed-{ccy.lower()}-addr-{n}", None,
                               chain, fee)
            tx.created_at = now - timedelta(days=10 - n)
    for n, amount in enumerate(SEED_FIAT_WITHDRAWALS):
        tx = book.withdraw(USER, "JPY", amount, BANK, None, BANK, FIAT_FEE)
        tx.created_at = now - timedelta(days=5 - n)


def _currency(sim: SimVenue, value: Any) -> str:
    code = _required(value, "currency").upper()
    known = {c for m in sim.engine.markets.values() for c in (m.base, m.quote)}
    if code not in known:
        raise Reject(30031, f"{code} is an invalid token")
    return code


def _amount(body: dict[str, Any], name: str, zero_ok: bool = False) -> Decimal:
    raw = body.get(name)
    if raw is None or raw == "":
        raise Reject(30023, f"{name} cannot be blank")
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
        raise Reject(30025, f"{name} parameter category error")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise Reject(30024, f"{name} parameter value error") from None
    if not value.is_finite() or value < 0 or (value == 0 and not zero_ok):
        raise Reject(34010 if name == "amount" else 30024,
                     "The transfer amount must be greater than zero" if name == "amount"
                     else f"{name} parameter value error")
    return value


def _moving(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except EngineError as error:
        if error.kind == "insufficient_funds":
            raise Reject(34008, "Insufficient funds") from None
        raise


# ---------------------------------------------------------------- wallet, transfer


@_guard
def wallet(sim: SimVenue, req: SimRequest) -> SimResponse:
    assert req.account is not None
    rows = funds_book(sim.engine).balances(req.account, "main")
    return ok([{"available": s(a), "balance": s(t), "currency": ccy, "hold": s(h)}
               for ccy, (t, a, h) in sorted(rows.items()) if t != 0])


@_guard
def transfer(sim: SimVenue, req: SimRequest) -> SimResponse:
    assert req.account is not None
    account = req.account
    body = req.json()
    currency = _currency(sim, body.get("currency"))
    amount = _amount(body, "amount")
    src, dst = str(body.get("from", "")), str(body.get("to", ""))
    if src not in KINDS or dst not in KINDS or src == dst:
        raise Reject(30024, "from/to parameter value error")
    moved = _moving(lambda: funds_book(sim.engine).transfer(
        account, currency, amount, KINDS[src], KINDS[dst]))
    return ok({"transfer_id": moved.id, "currency": currency, "from": src,
               "amount": s(amount), "to": dst, "result": True})


# ---------------------------------------------------------------- withdrawals


def _withdrawal_fields(sim: SimVenue, body: dict[str, Any]) -> tuple[str, Decimal, Decimal,
                                                                     str, str | None, str]:
    currency = _currency(sim, body.get("currency"))
    if currency not in CHAINS:
        raise Reject(34003, f"Withdrawal of {currency} to the specified address is not "
                     "supported")
    chain, least, most = CHAINS[currency]
    amount = _amount(body, "amount")
    to = body.get("to_address")
    if not isinstance(to, str) or not to:
        raise Reject(34002, "please add a withdrawal address")
    if body.get("trade_pwd") != FUND_PASSWORD:
        raise Reject(34018, "Fund password error")
    fee = _amount(body, "fee", zero_ok=True)
    if fee % FEE_STEP:
        raise Reject(34063, "The decimal places of the fee exceeded the limit")
    destination = str(body.get("destination", "-1"))
    if destination == "-1" and fee < least:
        raise Reject(34004, f"{currency} withdrawal fee cannot be smaller than {s(least)}")
    if fee > most:
        raise Reject(34005, f"{currency} withdrawal fee cannot be greater than {s(most)}")
    if destination not in ("-1", "5") or body.get("usage_agreement") != "1" \
            or str(body.get("reason")) not in REASONS \
            or body.get("chain", chain) != chain:
        raise Reject(30024, "destination/usage_agreement/reason/chain parameter value error")
    address, _, tag = to.partition(":")
    return currency, amount, fee, address, tag or None, chain


@_guard
def withdraw(sim: SimVenue, req: SimRequest) -> SimResponse:
    assert req.account is not None
    account = req.account
    currency, amount, fee, address, tag, chain = _withdrawal_fields(sim, req.json())
    tx = _moving(lambda: funds_book(sim.engine).withdraw(account, currency, amount, address,
                                                          tag, chain, fee))
    return ok({"amount": s(amount), "withdraw_id": tx.id, "currency": currency,
               "chain": chain, "result": True})


_WITHDRAWAL_STATUS = {"pending": "1", "ok": "4", "canceled": "6"}


def _withdrawal_json(sim: SimVenue, t: SimTransaction) -> dict[str, Any]:
    row = {"withdraw_id": t.id, "amount": s(t.amount),
           "fee": f"{t.fee:.8f}{t.currency.lower()}", "currency": t.currency,
           "chain": t.network, "txid": t.txid, "from": "09012345678", "to": t.address,
           "timestamp": iso(t.created_at),
           "status": _WITHDRAWAL_STATUS[t.status(sim.engine.clock.now())]}
    if t.tag:
        row["tag"] = t.tag
    return row


def _deposit_json(sim: SimVenue, t: SimTransaction) -> dict[str, Any]:
    row = {"currency": t.currency, "chain": t.network, "amount": s(t.amount),
           "deposit_id": t.id, "txid": t.txid, "to": t.address,
           "timestamp": iso(t.created_at), "status": "4"}
    if t.tag:
        row["tag"] = t.tag
    return row


def _history(sim: SimVenue, req: SimRequest, kind: str) -> list[SimTransaction]:
    assert req.account is not None
    currency = _currency(sim, req.match.get("currency"))
    if currency not in CHAINS:  # JPY: /jpyDeposit/history and /jpyWithdrawal/history
        return []
    rows = funds_book(sim.engine).history(req.account, kind, currency)
    return sorted(rows, key=lambda t: t.created_at, reverse=True)[:HISTORY_MAX]


@_guard
def withdrawals(sim: SimVenue, req: SimRequest) -> SimResponse:
    return ok([_withdrawal_json(sim, t) for t in _history(sim, req, "withdrawal")])


@_guard
def deposits(sim: SimVenue, req: SimRequest) -> SimResponse:
    return ok([_deposit_json(sim, t) for t in _history(sim, req, "deposit")])


# ---------------------------------------------------------------- JPY: the bank account


def _fiat(book: FundsBook, account: str | None, kind: str) -> list[SimTransaction]:
    """One account's JPY records, newest first, "up to 100 recent records"."""
    rows = [t for t in book.transactions if t.kind == kind and t.currency == "JPY"
            and t.account == account]
    return sorted(rows, key=lambda t: t.created_at, reverse=True)[:HISTORY_MAX]


@_guard
def withdraw_fiat(sim: SimVenue, req: SimRequest) -> SimResponse:
    assert req.account is not None
    account, body = req.account, req.json()
    amount = _amount(body, "amount")
    if body.get("trade_pwd") != FUND_PASSWORD:
        raise Reject(34018, "Fund password error")
    # the docs name the code, not JPY's increment: the local venue takes whole yen
    if amount % 1:
        raise Reject(34064, "Please input withdrawal amount in increments of 1")
    book = funds_book(sim.engine)
    tx = _moving(lambda: book.withdraw(account, "JPY", amount, BANK, None, BANK, FIAT_FEE))
    made = [t for t in book.transactions if t.kind == "withdrawal" and t.network == BANK]
    return ok({"amount": s(tx.amount), "withdraw_id": FIAT_FIRST_ID + len(made) - 1,
               "result": True})


_FIAT_STATUS = {"pending": "1", "ok": "4", "canceled": "6"}


@_guard
def fiat_withdrawals(sim: SimVenue, req: SimRequest) -> SimResponse:
    now = sim.engine.clock.now()
    return ok([{"amount": s(t.amount), "fee": s(t.fee), "status": _FIAT_STATUS[t.status(now)],
                "timestamp": iso(t.created_at)}
               for t in _fiat(funds_book(sim.engine), req.account, "withdrawal")])


@_guard
def fiat_deposits(sim: SimVenue, req: SimRequest) -> SimResponse:
    return ok([{"amount": s(t.amount), "status": "4", "timestamp": iso(t.created_at)}
               for t in _fiat(funds_book(sim.engine), req.account, "deposit")])


# ---------------------------------------------------------------- addresses, fees


@_guard
def deposit_address(sim: SimVenue, req: SimRequest) -> SimResponse:
    assert req.account is not None
    currency = _currency(sim, req.query.get("currency"))
    if currency not in CHAINS:
        return ok([])
    chain = CHAINS[currency][0]
    address = funds_book(sim.engine).address(req.account, currency, chain)
    return ok([{"address": address, "chain": chain, "currency": currency}])


@_guard
def withdrawal_fee(sim: SimVenue, req: SimRequest) -> SimResponse:
    wanted = req.query.get("currency")
    currency = _currency(sim, wanted) if wanted else None
    return ok([{"currency": ccy, "chain": chain, "max_fee": s(most), "min_fee": s(least)}
               for ccy, (chain, least, most) in CHAINS.items()
               if currency is None or ccy == currency])


@_guard
def trade_fee(sim: SimVenue, req: SimRequest) -> SimResponse:
    market = next(iter(sim.engine.markets.values()))
    return ok({"maker": s(market.maker_fee), "taker": s(market.taker_fee),
               "timestamp": iso(sim.now())})


HANDLERS: dict[str, Handler] = {
    "fetch_balance_main": wallet,
    "transfer": transfer,
    "withdraw": withdraw,
    "iter_withdrawals": withdrawals,
    "iter_deposits": deposits,
    "withdraw_fiat": withdraw_fiat,
    "iter_fiat_withdrawals": fiat_withdrawals,
    "iter_fiat_deposits": fiat_deposits,
    "fetch_deposit_address": deposit_address,
    "fetch_withdrawal_fee": withdrawal_fee,
    "fetch_trading_fees": trade_fee,
}
