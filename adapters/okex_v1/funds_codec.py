"""OKEx / OKCoin v1 moving money <-> unified: the wallet (MAIN, wallet_info.do), transfers
between it and the spot account (funds_transfer.do), withdrawals (withdraw.do) and their
cancellation (cancel_withdraw.do), deposit and withdrawal records (account_records.do).

Which account number is which, what each withdrawal extra means and how record statuses map
are in specs/okex_v1.toml ([capabilities] account_ids, withdraw_extras, deposit_status,
withdrawal_status). The trade password (extra `trade_password`) is sent as `trade_pwd` and
never appears in any message raised here.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.okex_v1 import wire
from adapters.okex_v1.codec import record, record_id
from unified.convert import decimal_text as num
from unified.convert import from_ms, structure
from unified.errors import ConfigurationError, DecodeError
from unified.models import (
    Account,
    Balance,
    Balances,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from unified.venue import Answered, Context, RequestParts

#: account_records.do `type`: 0 deposits, 1 withdrawals
DEPOSITS, WITHDRAWALS = "0", "1"
#: withdraw.do `target` when none is given: an outer (blockchain) address
OUTER_ADDRESS = "address"


# ---------------------------------------------------------------- encoders


def coin(currency: Any) -> str:
    """The `symbol` of a money request: the coin, lower case, as account_records.do answers
    it ("symbol": "btc"); the docs' tables all say "Pairs like ltc_btc" (one copied row)."""
    return str(currency).lower()


def _account_id(ctx: Context, account: Any) -> str:
    ids: Mapping[str, str] = ctx.tables.spec.capability("account_ids") or {}
    if not isinstance(account, Account) or account.value not in ids:
        raise ConfigurationError(f"v1 transfers between {', '.join(sorted(ids))} only")
    return str(ids[account.value])


def encode_transfer(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(body=[
        ("symbol", coin(args["currency"])), ("amount", num(args["amount"])),
        ("from", _account_id(ctx, args.get("from_account"))),
        ("to", _account_id(ctx, args.get("to_account")))])


def _fee(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise ConfigurationError("fee= (chargefee, the network fee, a Decimal like "
                                 "Decimal('0.002')) is required by v1 withdrawals")
    try:
        fee = Decimal(value)
    except InvalidOperation:
        raise ConfigurationError(f"fee must be a number, got {value!r}") from None
    if not fee.is_finite() or fee < 0:
        raise ConfigurationError(f"fee must be a number >= 0, got {value!r}")
    return fee


def _password(value: Any) -> str:
    # the message never shows the value: it is the trade password
    if not isinstance(value, str) or not value:
        raise ConfigurationError("trade_password= (the trade/admin password, a str) is "
                                 "required by v1 withdrawals")
    return value


def _target(ctx: Context, value: Any) -> str:
    targets = list(ctx.tables.spec.capability("withdraw_targets") or [OUTER_ADDRESS])
    target = OUTER_ADDRESS if value is None else value
    if target not in targets:
        raise ConfigurationError(f"target must be one of {', '.join(targets)}, got {value!r}")
    return str(target)


def encode_withdraw(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    if args.get("tag"):
        raise ConfigurationError("v1 withdraw.do has no tag (memo) field")
    if args.get("network"):
        raise ConfigurationError("v1 withdraw.do has no chain field: leave network= out")
    return RequestParts(body=[
        ("symbol", coin(args["currency"])), ("chargefee", num(_fee(args.get("fee")))),
        ("trade_pwd", _password(args.get("trade_password"))),
        ("withdraw_address", args["address"]), ("withdraw_amount", num(args["amount"])),
        ("target", _target(ctx, args.get("target")))])


def encode_cancel_withdrawal(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    ident, currency = str(args["id"]), args.get("currency")
    if not ident.isdigit():
        raise ConfigurationError(f"v1 withdrawal ids are withdraw.do's numbers, got {ident!r}"
                                 " (account_records.do rows carry none)")
    if not currency:  # the core refuses first (cancel_withdrawal_needs_currency)
        raise ConfigurationError("v1 cancels a withdrawal of one currency: pass currency=")
    return RequestParts(body=[("symbol", coin(currency)), ("withdraw_id", ident)])


def _records(record_type: str, args: Mapping[str, Any]) -> RequestParts:
    currency = args.get("currency")
    if not currency:  # the core refuses first (funding_history_needs_currency)
        raise ConfigurationError("v1 account_records.do lists one currency: pass currency=")
    return RequestParts(body=[("symbol", coin(currency)), ("type", record_type)])


def encode_deposits(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return _records(DEPOSITS, args)


def encode_withdrawals(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return _records(WITHDRAWALS, args)


# ---------------------------------------------------------------- decoders


def decode_wallet(ctx: Context, data: Any) -> Balances:
    funds = structure(data, wire.WalletInfo).info.funds
    out = {}
    for ccy in sorted(set(funds.free) | set(funds.holds)):
        free = funds.free.get(ccy, Decimal(0))
        held = funds.holds.get(ccy, Decimal(0))
        out[ccy.upper()] = Balance(currency=ccy.upper(), total=free + held, available=free,
                                   held=held)
    return Balances(out, raw=data)


def decode_transfer(ctx: Context, data: Any) -> Answered:
    """{"result": true}: done, and unnamed (v1 gives a transfer no id)."""
    structure(data, wire.Transferred)
    return Answered(id="", status=TransactionStatus.OK, raw=data)


def decode_withdraw(ctx: Context, data: Any) -> Answered:
    w = structure(data, wire.Withdrawn)
    return Answered(id=w.withdraw_id, status=TransactionStatus.PENDING, raw=data)


def decode_cancel_withdrawal(ctx: Context, data: Any) -> None:
    structure(data, wire.Withdrawn)


def _status(ctx: Context, table: str, value: int) -> TransactionStatus:
    words: Mapping[str, str] = ctx.tables.spec.capability(table) or {}
    if str(value) not in words:
        raise DecodeError(f"v1 {table}: unknown status {value!r}")
    return TransactionStatus(words[str(value)])


def decode_deposit(ctx: Context, data: Any) -> Transaction:
    currency, r, raw = record(data)
    return Transaction(
        id=record_id("deposit", currency, r), kind=TransactionKind.DEPOSIT, currency=currency,
        amount=r.amount, fee=r.fee, address=r.addr or None, tag=None, network=None,
        txid=None, status=_status(ctx, "deposit_status", r.status),
        timestamp=from_ms(r.date), raw=raw)


def decode_withdrawal(ctx: Context, data: Any) -> Transaction:
    """`amount` is what left the account and `transaction_value` "withdraw amount after fee
    deduction": the Transaction's amount is the latter, what was asked to be sent."""
    currency, r, raw = record(data)
    fee = r.fee if r.fee is not None else Decimal(0)
    sent = r.transaction_value if r.transaction_value is not None else r.amount - fee
    return Transaction(
        id=record_id("withdrawal", currency, r), kind=TransactionKind.WITHDRAWAL,
        currency=currency, amount=sent, fee=r.fee, address=r.addr or None, tag=None,
        network=None, txid=None, status=_status(ctx, "withdrawal_status", r.status),
        timestamp=from_ms(r.date), raw=raw)
