"""OKCoinJapan v3 JPY (fiat) money <-> unified: the bank withdrawal (POST
/api/account/v3/jpywithdrawal) and the fiat withdrawal and deposit histories
(/jpyWithdrawal/history, /jpyDeposit/history).

JPY leaves only to the account holder's registered bank account, so the request names no
address: the unified call says where it goes with the address "bank" (BANK), refused otherwise
before sending, and the histories' rows carry that word back, which lets a lost withdrawal be
matched as any other. The rows carry no id either: each gets one made of what does not change
in it (kind, time, amount, fee), the same on every read whatever its status, as the v1
adapter does for its account records. The id `withdraw()` returns is the venue's withdraw_id,
which no row shows. Which currencies take this path and their status words: specs/okcoinjp.toml
([capabilities] fiat_currencies, fiat_endpoints, fiat_withdrawal_status, fiat_deposit_status).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from adapters.okcoinjp.codec import _when
from adapters.okcoinjp.funds_codec import _history_fee, _password, _status
from unified.convert import decimal_text as num
from unified.convert import structure, to_ms
from unified.diagnostics import Flag
from unified.errors import ConfigurationError
from unified.models import Transaction, TransactionKind, TransactionStatus
from unified.venue import Answered, Context, RequestParts

#: the address of a JPY withdrawal: the registered bank account (the only place JPY can go)
BANK = "bank"
CURRENCY = "JPY"


@attrs.frozen
class FiatWithdrawResult:
    withdraw_id: str  # a JSON number in the docs' example
    amount: Decimal | None = None
    result: Flag = None


@attrs.frozen
class FiatRow:
    amount: Decimal
    timestamp: str
    status: str
    fee: str | None = None  # "400"; withdrawals only


def encode_withdraw_fiat(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    if args.get("address") != BANK:
        raise ConfigurationError(
            f"okcoinjp sends {args.get('currency')} only to the registered bank account: pass "
            f"address={BANK!r} (the request names no address)")
    if args.get("tag") or args.get("network"):
        raise ConfigurationError("okcoinjp bank withdrawals take no tag= nor network=")
    return RequestParts(body={"amount": num(args["amount"]),
                              "trade_pwd": _password(args.get("trade_password"))})


def encode_fiat_history(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    # the paths are JPY's own: any other currency reaching here is the spec's mistake
    if str(args.get("currency") or "").upper() != CURRENCY:
        raise ConfigurationError(f"okcoinjp's fiat histories list {CURRENCY} only")
    return RequestParts()


def decode_withdraw_fiat(ctx: Context, data: Any) -> Answered:
    r = structure(data, FiatWithdrawResult)
    return Answered(id=r.withdraw_id, status=TransactionStatus.PENDING, raw=data)


def row_id(kind: TransactionKind, row: FiatRow, fee: Decimal | None) -> str:
    """Made of the decoded values (not their text), so a number worded "10000" or 10000 and
    a time with or without its milliseconds' zeros name the same row."""
    amount = num(row.amount.normalize())
    paid = num(fee.normalize()) if fee is not None else ""
    return f"{kind.value}:{CURRENCY}:{to_ms(_when(row.timestamp))}:{amount}:{paid}"


def _decode(ctx: Context, item: Any, kind: TransactionKind, table: str) -> Transaction:
    row = structure(item, FiatRow)
    fee = _history_fee(row.fee, CURRENCY)
    withdrawal = kind is TransactionKind.WITHDRAWAL
    return Transaction(
        id=row_id(kind, row, fee), kind=kind, currency=CURRENCY, amount=row.amount, fee=fee,
        address=BANK if withdrawal else None, tag=None, network=None, txid=None,
        status=_status(ctx, table, row.status), timestamp=_when(row.timestamp), raw=item)


def decode_fiat_withdrawal(ctx: Context, item: Any) -> Transaction:
    return _decode(ctx, item, TransactionKind.WITHDRAWAL, "fiat_withdrawal_status")


def decode_fiat_deposit(ctx: Context, item: Any) -> Transaction:
    return _decode(ctx, item, TransactionKind.DEPOSIT, "fiat_deposit_status")
