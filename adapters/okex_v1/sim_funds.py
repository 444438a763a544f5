"""The local v1 venue's money outside trading: the wallet (wallet_info.do, account "6"),
transfers between it and the spot account ("1") through funds_transfer.do, withdrawals from
the wallet (withdraw.do, with the trade password, chargefee range, minimum amounts and target
of the docs), their cancellation (cancel_withdraw.do) and the deposit and withdrawal records
(account_records.do type 0 / 1, page numbers). Backed by the engine's neutral FundsBook
(unified.sim.funds), in v1's own words: errors in HTTP 200 bodies {"result": false,
"error_code": N}, money in records as JSON numbers, in the wallet as strings, withdrawal ids as
numbers, transfers without any id.

A withdrawal takes `amount + chargefee` from the wallet; its record's `amount` is what left the
account and `transaction_value` what was sent. v1 records carry no id: the FundsBook names each
transaction here by what its record shows (the id the client makes of a record), and
withdraw.do numbers it apart, for cancel_withdraw.do.

The user's wallet is funded, with past deposits, on the venue's first request
(see `seeded`), when its paper account is funded (unified.sim.server.fund_user).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from adapters.okex_v1.sim_common import _decimal, _form, _int, _need, _page, number, text, v1_error
from unified.convert import to_ms as ms
from unified.sim.book import Engine, EngineError, LedgerRecord
from unified.sim.funds import FundsBook, SimTransaction, funds_book
from unified.sim.server import USER, Handler, SimRequest, SimResponse, SimVenue

#: the user's trade password at the local venue
TRADE_PASSWORD = "sim-trade-password"
#: funds_transfer.do account numbers the local venue has ("3", futures, it has not)
KINDS = {"6": "main", "1": "trade"}
TARGETS = ("okcn", "okcom", "okex", "address")
#: withdraw.do per coin: (least amount, least chargefee, most chargefee) for an outer address
WITHDRAWALS = {"BTC": (Decimal("0.01"), Decimal("0.002"), Decimal("0.005")),
               "LTC": (Decimal("0.1"), Decimal("0.001"), Decimal("0.2")),
               "ETH": (Decimal("0.01"), Decimal("0.01"), Decimal("0.01")),
               "ETC": (Decimal("0.1"), Decimal("0.0001"), Decimal("0.2")),
               "BCH": (Decimal("0.01"), Decimal("0.0005"), Decimal("0.002"))}
#: account_records.do status numbers the local venue writes
WITHDRAWAL_STATUS = {"pending": 0, "ok": 2, "canceled": -2}
#: the wallet's past deposits (1,000 BTC: a money soak's hundreds of withdrawals go through)
SEED_DEPOSITS = {"BTC": [Decimal(1000), Decimal(20), Decimal("5.5")],
                 "ETH": [Decimal(40), Decimal(10)], "LTC": [Decimal(300)]}
FIRST_WITHDRAW_ID = 45001


class _Numbers:
    """withdraw.do's numbers for one engine's withdrawals."""

    def __init__(self) -> None:
        self.by_id: dict[str, SimTransaction] = {}
        self.seeded = False

    def number(self, tx: SimTransaction) -> str:
        ident = str(FIRST_WITHDRAW_ID + len(self.by_id))
        self.by_id[ident] = tx
        return ident


_NUMBERS: weakref.WeakKeyDictionary[Engine, _Numbers] = weakref.WeakKeyDictionary()


def numbers(engine: Engine) -> _Numbers:
    found = _NUMBERS.get(engine)
    if found is None:
        found = _NUMBERS[engine] = _Numbers()
    return found


def seeded(handler: Handler) -> Handler:
    """`handler`, after the user's wallet has been funded on this engine (once)."""
    def handle(sim: SimVenue, req: SimRequest) -> SimResponse:
        ids = numbers(sim.engine)
        if not ids.seeded:
            ids.seeded = True
            if sim.engine.wallets.get(USER):
                seed(funds_book(sim.engine))
        return handler(sim, req)

    return handle


def seed(book: FundsBook) -> None:
    """Past deposits, days ago, credited to the wallet. No past withdrawals: the seed comes
    with the first request, and a withdrawal appearing then would look like one just made."""
    now = book.now()
    day = 0
    for ccy, amounts in SEED_DEPOSITS.items():
        for amount in amounts:
            day += 1
            tx = book.deposit(USER, ccy, amount, ccy)
            tx.created_at = now - timedelta(days=40 - day)
            _name(tx)


def _moved(t: SimTransaction) -> Decimal:
    """What the record's `amount` says: what left (or reached) the account."""
    return t.amount + t.fee if t.kind == "withdrawal" else t.amount


def _name(tx: SimTransaction) -> None:
    """The FundsBook's id of a transaction: what its record shows (see the module doc)."""
    shown = format(Decimal(str(number(_moved(tx)))), "f")
    tx.id = f"{tx.kind}:{tx.currency}:{ms(tx.created_at)}:{tx.address}:{shown}"


def _coin(sim: SimVenue, params: Mapping[str, str]) -> str:
    # The docs name it a pair (ltc_usd) and answer a currency (btc): both are read as the coin.
    code = _need(params, "symbol").split("_")[0].upper()
    if code not in {c for m in sim.engine.markets.values() for c in (m.base, m.quote)}:
        raise v1_error(1024, f"currency {code} does not exist")
    return code


def _positive(params: Mapping[str, str], name: str) -> Decimal:
    _need(params, name)
    value = _decimal(params, name)
    if value is None or value <= 0:
        raise v1_error(10008, f"{name} must be above 0")
    return value


def _moving(fn: Any, code: int) -> Any:
    try:
        return fn()
    except EngineError as error:
        if error.kind == "insufficient_funds":
            raise v1_error(code, error.message) from None
        raise


# ---------------------------------------------------------------- wallet, transfer


def wallet_info(sim: SimVenue, req: SimRequest) -> SimResponse:
    _form(req)
    assert req.account is not None
    book = funds_book(sim.engine)
    currencies = sorted({c for m in sim.engine.markets.values() for c in (m.base, m.quote)})
    free = {c.lower(): text(book.available(req.account, "main", c)) for c in currencies}
    return SimResponse(200, {"info": {"funds": {"free": free,
                                                "holds": {c: "0" for c in free}}},
                             "result": True})


def funds_transfer(sim: SimVenue, req: SimRequest) -> SimResponse:
    params = _form(req)
    assert req.account is not None
    account = req.account
    currency, amount = _coin(sim, params), _positive(params, "amount")
    src, dst = _need(params, "from"), _need(params, "to")
    if src not in KINDS or dst not in KINDS:
        raise v1_error(1207, "transfer not supported between these accounts")
    if src == dst:
        raise v1_error(10008, "from and to must differ")
    # 20029, the docs' own example: "Amount is large than available funds"
    _moving(lambda: funds_book(sim.engine).transfer(account, currency, amount, KINDS[src],
                                                    KINDS[dst]), 20029)
    return SimResponse(200, {"result": True})


# ---------------------------------------------------------------- withdrawals


def _withdrawal(sim: SimVenue, params: Mapping[str, str]) -> tuple[str, Decimal, Decimal, str]:
    currency = _coin(sim, params)
    if currency not in WITHDRAWALS:
        raise v1_error(10008, f"{currency} cannot be withdrawn through withdraw.do")
    least, low, high = WITHDRAWALS[currency]
    password = _need(params, "trade_pwd")
    address = _need(params, "withdraw_address")
    amount = _positive(params, "withdraw_amount")
    _need(params, "chargefee")
    fee = _decimal(params, "chargefee")
    target = _need(params, "target")
    if target not in TARGETS or fee is None or fee < 0:
        raise v1_error(10008, "target or chargefee is not valid")
    if password != TRADE_PASSWORD:
        raise v1_error(10042, "admin password error")
    if amount < least:
        raise v1_error(10036, f"withdrawal amount below {least}")
    if target == "address" and fee < low:  # another OKCoin/OKEx account: 0 is fine
        raise v1_error(10034, "fee lower than minimum network transaction fee")
    if fee > high:
        raise v1_error(10033, "fee higher than maximum network transaction fee")
    return currency, amount, fee, address


def withdraw(sim: SimVenue, req: SimRequest) -> SimResponse:
    params = _form(req)
    assert req.account is not None
    account = req.account
    currency, amount, fee, address = _withdrawal(sim, params)
    tx: SimTransaction = _moving(lambda: funds_book(sim.engine).withdraw(
        account, currency, amount, address, None, currency, fee), 10010)
    _name(tx)
    return SimResponse(200, {"withdraw_id": int(numbers(sim.engine).number(tx)),
                             "result": True})


def cancel_withdraw(sim: SimVenue, req: SimRequest) -> SimResponse:
    params = _form(req)
    assert req.account is not None
    currency, ident = _coin(sim, params), _need(params, "withdraw_id")
    tx = numbers(sim.engine).by_id.get(ident)
    if tx is None or tx.account != req.account or tx.currency != currency:
        raise v1_error(10048, f"withdrawal {ident} does not exist")
    try:
        funds_book(sim.engine).cancel_withdrawal(req.account, tx.id)
    except EngineError:
        raise v1_error(10040, f"withdrawal {ident} is {tx.status(sim.now())}") from None
    return SimResponse(200, {"result": True, "withdraw_id": int(ident)})


# ---------------------------------------------------------------- records


def _book_record(sim: SimVenue, t: SimTransaction) -> dict[str, Any]:
    status = WITHDRAWAL_STATUS[t.status(sim.engine.clock.now())] \
        if t.kind == "withdrawal" else 1
    return {"addr": t.address, "account": t.account, "amount": number(_moved(t)), "bank": "",
            "benificiary_addr": "", "transaction_value": number(t.amount),
            "fee": number(t.fee), "date": ms(t.created_at), "status": status}


def _ledger_record(e: LedgerRecord, coin: str) -> dict[str, Any]:
    """Money the paper account got (or lost) straight at the engine: done at once."""
    return {"addr": f"sim-{coin.lower()}-address", "account": e.account,
            "amount": number(abs(e.amount)), "bank": "", "benificiary_addr": "",
            "transaction_value": number(abs(e.amount)), "fee": 0, "date": ms(e.at),
            "status": 2 if e.kind == "withdrawal" else 1}  # both mean complete


def account_records(sim: SimVenue, req: SimRequest) -> SimResponse:
    params = _form(req)
    assert req.account is not None
    coin = _need(params, "symbol").split("_")[0].upper()
    kind = "withdrawal" if _int(params, "type", 0, 0, 1) == 1 else "deposit"
    page = _int(params, "current_page", 1, 1, 10**9)
    size = _int(params, "page_length", 50, 1, 50)
    rows = [(e.at, _ledger_record(e, coin))
            for e in sim.engine.account_ledger(req.account, coin) if e.kind == kind]
    rows += [(t.created_at, _book_record(sim, t))
             for t in funds_book(sim.engine).history(req.account, kind, coin)]
    rows.sort(key=lambda row: row[0], reverse=True)  # newest first (stable on a tie)
    return SimResponse(200, {"records": [r for _, r in _page(rows, page, size)],
                             "symbol": coin.lower()})


HANDLERS: dict[str, Handler] = {
    "iter_ledger": account_records,
    "fetch_balance_main": wallet_info,
    "transfer": funds_transfer,
    "withdraw": withdraw,
    "cancel_withdrawal": cancel_withdraw,
}
