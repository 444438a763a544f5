"""OKCoinJapan v3 funding account <-> unified: the wallet (MAIN), transfers between it and the
spot account (TRADE), withdrawals, deposit and withdrawal histories, deposit addresses,
withdrawal fees and the account's trading fee rate.

Which account id is which, what each withdrawal extra means and how status numbers map are in
specs/okcoinjp.toml ([capabilities] account_ids, withdraw_extras, deposit_status,
withdrawal_status). The fund password (extra `trade_password`) is sent as `trade_pwd` and never
appears in any message raised here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from adapters.okcoinjp.codec import _list, _when, decode_balances
from unified.convert import decimal_text as num
from unified.convert import structure
from unified.diagnostics import Flag
from unified.errors import ConfigurationError, DecodeError
from unified.models import (
    Account,
    Balances,
    DepositAddress,
    TradingFee,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from unified.venue import Answered, Context, RequestParts

#: "Must be set in increments of 0.0001"
FEE_STEP = Decimal("0.0001")
#: the docs' reasons for a withdrawal (see the spec's withdraw_extras comment)
REASONS = frozenset({*(str(n) for n in range(1, 13)), "99"})
#: destination: -1 a digital currency address, 5 an OKCoinJapan account (email or phone)
DESTINATIONS = frozenset({"-1", "5"})
#: a history fee carries the currency after the number: "0.01000000eth"
_FEE = re.compile(r"^([0-9]+(?:\.[0-9]+)?)([A-Za-z]*)$")


# ---------------------------------------------------------------- wire shapes


@attrs.frozen
class TransferResult:
    transfer_id: str
    currency: str | None = None
    amount: Decimal | None = None
    result: Flag = None


@attrs.frozen
class WithdrawResult:
    withdraw_id: str  # a JSON number in the docs' example
    amount: Decimal | None = None
    currency: str | None = None
    chain: str | None = None
    result: Flag = None


@attrs.frozen
class WithdrawalRow:
    withdraw_id: str
    currency: str
    amount: Decimal
    timestamp: str
    status: str
    to: str | None = None
    tag: str | None = None
    txid: str | None = None
    fee: str | None = None  # "0.01000000eth"
    chain: str | None = None


@attrs.frozen
class DepositRow:
    deposit_id: str
    currency: str
    amount: Decimal
    timestamp: str
    status: str
    to: str | None = None
    tag: str | None = None
    txid: str | None = None
    chain: str | None = None


@attrs.frozen
class AddressRow:
    address: str
    currency: str
    tag: str | None = None
    chain: str | None = None


@attrs.frozen
class FeeRow:
    currency: str
    min_fee: Decimal
    max_fee: Decimal | None = None
    chain: str | None = None


@attrs.frozen
class TradeFee:
    maker: Decimal
    taker: Decimal
    timestamp: str | None = None


# ---------------------------------------------------------------- encoders


def _account_id(ctx: Context, account: Any) -> str:
    ids: Mapping[str, str] = ctx.tables.spec.capability("account_ids") or {}
    if not isinstance(account, Account) or account.value not in ids:
        raise ConfigurationError(f"okcoinjp transfers between {', '.join(sorted(ids))} only")
    return str(ids[account.value])


def encode_transfer(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(body={
        "currency": args["currency"], "amount": num(args["amount"]),
        "from": _account_id(ctx, args.get("from_account")),
        "to": _account_id(ctx, args.get("to_account")),
    })


def _fee(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise ConfigurationError("fee= (the network fee, a Decimal like Decimal('0.0005')) "
                                 "is required by okcoinjp withdrawals")
    try:
        fee = Decimal(value)
    except InvalidOperation:
        raise ConfigurationError(f"fee must be a number, got {value!r}") from None
    if not fee.is_finite() or fee < 0 or fee % FEE_STEP != 0:
        raise ConfigurationError(f"fee must be >= 0 in increments of {FEE_STEP}, got {value!r}")
    return fee


def _code(value: Any, allowed: frozenset[str], what: str) -> str:
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if text not in allowed:
        raise ConfigurationError(f"{what} must be one of {', '.join(sorted(allowed, key=int))},"
                                 f" got {value!r}")
    return text


def _password(value: Any) -> str:
    # the message never shows the value: it is the fund password
    if not isinstance(value, str) or not value:
        raise ConfigurationError("trade_password= (the fund password, a str) is required by "
                                 "okcoinjp withdrawals")
    return value


def encode_withdraw(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    if args["currency"] == "JPY":
        # the core sends JPY to withdraw_fiat (spec fiat_currencies): only a direct call gets here
        raise ConfigurationError(
            "okcoinjp withdraws JPY to the registered bank account only, through "
            "/api/account/v3/jpywithdrawal (adapters/okcoinjp/fiat_codec.py)")
    if args.get("usage_agreement") not in (True, "1", 1):
        raise ConfigurationError(
            "usage_agreement=True is required: it declares that the address is NOT from "
            "okcoinjp's list of forbidden countries nor controlled by foreign PEPs")
    destination = args.get("destination")
    address = args["address"] + (f":{args['tag']}" if args.get("tag") else "")
    body = {
        "currency": args["currency"], "amount": num(args["amount"]),
        "destination": "-1" if destination is None
        else _code(destination, DESTINATIONS, "destination"),
        "to_address": address, "trade_pwd": _password(args.get("trade_password")),
        "fee": num(_fee(args.get("fee"))), "usage_agreement": "1",
        "reason": _code(args.get("reason"), REASONS, "reason"),
    }
    if args.get("network"):
        body["chain"] = args["network"]
    return RequestParts(body=body)


def encode_history(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    currency = args.get("currency")
    if not currency:  # the core refuses first (funding_history_needs_currency)
        raise ConfigurationError("okcoinjp lists deposits and withdrawals per currency: "
                                 "pass currency=")
    return RequestParts(path_params={"currency": str(currency).lower()})


def encode_currency(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(query=[("currency", str(args["currency"]).lower())])


# ---------------------------------------------------------------- decoders


def decode_wallet(ctx: Context, data: Any) -> Balances:
    """The funding wallet: the same rows as the spot accounts (currency, balance, hold,
    available)."""
    return decode_balances(ctx, data)


def decode_transfer(ctx: Context, data: Any) -> Answered:
    r = structure(data, TransferResult)
    return Answered(id=r.transfer_id, status=TransactionStatus.OK, raw=data)


def decode_withdraw(ctx: Context, data: Any) -> Answered:
    r = structure(data, WithdrawResult)
    return Answered(id=r.withdraw_id, status=TransactionStatus.PENDING, raw=data)


def _status(ctx: Context, table: str, value: str) -> TransactionStatus:
    words: Mapping[str, str] = ctx.tables.spec.capability(table) or {}
    if value not in words:
        raise DecodeError(f"okcoinjp {table}: unknown status {value!r}")
    return TransactionStatus(words[value])


def _history_fee(text: str | None, currency: str) -> Decimal | None:
    if text is None:
        return None
    m = _FEE.match(text)
    if m is None or (m.group(2) and m.group(2).upper() != currency.upper()):
        raise DecodeError(f"okcoinjp withdrawal fee is not '<number><currency>': {text!r}")
    return Decimal(m.group(1))


def decode_withdrawal(ctx: Context, item: Any) -> Transaction:
    w = structure(item, WithdrawalRow)
    return Transaction(
        id=w.withdraw_id, kind=TransactionKind.WITHDRAWAL, currency=w.currency.upper(),
        amount=w.amount, fee=_history_fee(w.fee, w.currency), address=w.to or None,
        tag=w.tag, network=w.chain, txid=w.txid or None,
        status=_status(ctx, "withdrawal_status", w.status), timestamp=_when(w.timestamp),
        raw=item)


def decode_deposit(ctx: Context, item: Any) -> Transaction:
    d = structure(item, DepositRow)
    return Transaction(
        id=d.deposit_id, kind=TransactionKind.DEPOSIT, currency=d.currency.upper(),
        amount=d.amount, fee=None, address=d.to or None, tag=d.tag, network=d.chain,
        txid=d.txid or None, status=_status(ctx, "deposit_status", d.status),
        timestamp=_when(d.timestamp), raw=item)


def decode_addresses(ctx: Context, data: Any) -> list[DepositAddress]:
    out = []
    for item in _list(data, "deposit addresses"):
        a = structure(item, AddressRow)
        out.append(DepositAddress(currency=a.currency.upper(), address=a.address,
                                  tag=a.tag, network=a.chain, raw=item))
    return out


def decode_withdrawal_fee(ctx: Context, data: Any) -> Decimal:
    """The least fee the venue accepts (min_fee: below it, error 34004). Several chains of one
    currency with different fees cannot be told apart here (the decoder is not told which
    chain was asked for): refused rather than guessed."""
    rows = [structure(item, FeeRow) for item in _list(data, "withdrawal fees")]
    fees = {r.min_fee for r in rows}
    if len(fees) != 1:
        raise DecodeError(f"okcoinjp withdrawal fee: expected one min_fee, got "
                          f"{sorted(fees)} over chains {[r.chain for r in rows]}")
    return fees.pop()


def decode_trading_fees(ctx: Context, data: Any) -> list[TradingFee]:
    """One rate for the account ("corresponding to your current account transaction level"):
    the same for every pair, so told for every loaded market."""
    f = structure(data, TradeFee)
    if not ctx.markets:
        raise DecodeError("okcoinjp's trade_fee names no pair: load the markets to tell it "
                          "for each")
    return [TradingFee(symbol=m.symbol, maker=f.maker, taker=f.taker, raw=data)
            for m in ctx.markets.values()]
