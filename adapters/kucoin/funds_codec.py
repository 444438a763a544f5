"""KuCoin's money outside trading <-> unified: balances of the funding (MAIN), cross margin and
isolated margin accounts, inner transfers, withdrawals and their cancel, deposit and
withdrawal histories, deposit addresses, withdrawal fees and the account's own trading fees.

Facts from the official files that shape this module (kucoin-openapi/rest/api/openapi-account-*):
deposits carry no id, so their walletTxId (which may end in "@address@index") is the key; the
wire `chain` is the chain id (`trx`), never the name (`TRC20`), and `memo` carries the tag;
withdrawals carry no client id; status words and the network names are in specs/kucoin.toml.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from adapters.kucoin import wire
from unified.convert import decimal_text as num
from unified.convert import from_ms, structure
from unified.errors import ConfigurationError, DecodeError
from unified.models import (
    Account,
    Balance,
    Balances,
    DepositAddress,
    TradingFee,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from unified.venue import Answered, Context, RequestParts

#: Account -> the inner transfer's `from` / `to` words
ACCOUNT_TYPES = {Account.MAIN: "main", Account.TRADE: "trade", Account.MARGIN: "margin",
                 Account.ISOLATED: "isolated"}
FEE_DEDUCT_TYPES = frozenset({"INTERNAL", "EXTERNAL"})


# ---------------------------------------------------------------- wire shapes


@attrs.frozen
class MarginAsset:
    currency: str
    total: Decimal
    available: Decimal
    hold: Decimal
    liability: Decimal | None = None


@attrs.frozen
class TransferAnswer:
    orderId: str


@attrs.frozen
class WithdrawAnswer:
    withdrawalId: str


@attrs.frozen
class DepositRow:
    currency: str
    amount: Decimal
    status: str
    createdAt: int
    chain: str | None = None
    address: str | None = None
    memo: str | None = None
    fee: Decimal | None = None
    walletTxId: str | None = None


@attrs.frozen
class WithdrawalRow:
    currency: str
    amount: Decimal
    status: str
    createdAt: int
    id: str | None = None  # in the schema, though the docs' example rows lack it
    chain: str | None = None
    address: str | None = None
    memo: str | None = None
    fee: Decimal | None = None
    walletTxId: str | None = None


@attrs.frozen
class AddressRow:
    address: str
    currency: str
    memo: str | None = None
    chainId: str | None = None


@attrs.frozen
class Quota:
    currency: str
    withdrawMinFee: Decimal
    chain: str | None = None


@attrs.frozen
class FeeRow:
    symbol: str
    takerFeeRate: Decimal
    makerFeeRate: Decimal


# ---------------------------------------------------------------- encoders


def encode_main(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(query=[("type", "main")])


def _account_type(account: Any) -> str:
    if account is Account.ISOLATED:
        raise ConfigurationError(
            "kucoin's isolated margin transfers name the pair (fromTag/toTag), which transfer() "
            "does not take: move funds to an isolated pair at the venue")
    if account not in ACCOUNT_TYPES:
        raise ConfigurationError(f"kucoin transfers between {', '.join(ACCOUNT_TYPES.values())}"
                                 f" only, not {account!r}")
    return ACCOUNT_TYPES[account]


def encode_transfer(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    client_id = args.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise ConfigurationError("kucoin inner transfers need a clientOid")
    return RequestParts(body={
        "clientOid": client_id, "currency": args["currency"], "amount": num(args["amount"]),
        "from": _account_type(args.get("from_account")),
        "to": _account_type(args.get("to_account")),
    })


def _withdraw_extras(args: Mapping[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if args.get("is_inner") is not None:
        if not isinstance(args["is_inner"], bool):
            raise ConfigurationError(f"is_inner must be True or False, got {args['is_inner']!r}")
        body["isInner"] = args["is_inner"]
    if args.get("remark") is not None:
        if not isinstance(args["remark"], str):
            raise ConfigurationError("remark must be a str")
        body["remark"] = args["remark"]
    deduct = args.get("fee_deduct_type")
    if deduct is not None:
        if deduct not in FEE_DEDUCT_TYPES:
            raise ConfigurationError(f"fee_deduct_type must be INTERNAL or EXTERNAL, got "
                                     f"{deduct!r}")
        body["feeDeductType"] = deduct
    return body


def encode_withdraw(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """Withdraw - V1. The docs type `amount` as an integer, yet their own example withdraws 3
    USDT and amounts are "a multiple of the amount precision": sent as a decimal string."""
    body: dict[str, Any] = {"currency": args["currency"], "address": args["address"],
                            "amount": num(args["amount"])}
    if args.get("tag"):
        body["memo"] = args["tag"]
    if args.get("network"):
        body["chain"] = args["network"]
    body.update(_withdraw_extras(args))
    return RequestParts(body=body)


def encode_cancel_withdrawal(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(path_params={"id": args["id"]})


def encode_history(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    currency = args.get("currency")
    if not currency:  # the core refuses first (funding_history_needs_currency)
        raise ConfigurationError("kucoin lists deposits and withdrawals per currency: pass "
                                 "currency=")
    query = [("currency", str(currency))]
    if args.get("since_ms") is not None:
        query.append(("startAt", str(args["since_ms"])))
    if args.get("until_ms") is not None:
        query.append(("endAt", str(args["until_ms"])))
    return RequestParts(query=query)


def encode_currency_chain(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """Deposit addresses and withdrawal quotas: the currency, and the chain id if given."""
    query = [("currency", str(args["currency"]))]
    if args.get("network"):
        query.append(("chain", str(args["network"])))
    return RequestParts(query=query)


def encode_trading_fees(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    symbols = list(args.get("symbols") or ())
    if not 1 <= len(symbols) <= 10:  # the core chunks them (trading_fees_symbols_max)
        raise ConfigurationError("kucoin tells the fees of 1 to 10 pairs a call")
    return RequestParts(query=[("symbols", ",".join(symbols))])


# ---------------------------------------------------------------- decoders


def _rows(data: Any, what: str) -> list[Any]:
    if not isinstance(data, list):
        raise DecodeError(f"kucoin {what}: expected a list, got {type(data).__name__}")
    return data


def _object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise DecodeError(f"kucoin {what}: expected an object, got {type(data).__name__}")
    return data


def decode_main(ctx: Context, data: Any) -> Balances:
    """GET /api/v1/accounts?type=main: the funding account's rows (others are skipped)."""
    out: dict[str, Balance] = {}
    for item in _rows(data, "accounts"):
        a = structure(item, wire.Account)
        if a.type == "main":
            out[a.currency.upper()] = _add(out.get(a.currency.upper()), a.currency, a.balance,
                                           a.available, a.holds)
    return Balances(out, raw=data)


def _add(seen: Balance | None, currency: str, total: Decimal, available: Decimal,
         held: Decimal, borrowed: Decimal | None = None) -> Balance:
    owed = borrowed or Decimal(0)
    if seen is not None:
        total, available, held, owed = (total + seen.total, available + seen.available,
                                        held + seen.held, owed + seen.borrowed)
    return Balance(currency=currency.upper(), total=total, available=available, held=held,
                   borrowed=owed)


def decode_margin(ctx: Context, data: Any) -> Balances:
    """GET /api/v3/margin/accounts: each currency's assets and `liability` (principal and
    interest owed) as Balance.borrowed."""
    out: dict[str, Balance] = {}
    for item in _rows(_object(data, "margin account").get("accounts"), "margin accounts"):
        a = structure(item, MarginAsset)
        out[a.currency.upper()] = _add(out.get(a.currency.upper()), a.currency, a.total,
                                       a.available, a.hold, a.liability)
    return Balances(out, raw=data)


def decode_isolated(ctx: Context, data: Any) -> Balances:
    """GET /api/v3/isolated/accounts: every pair's base and quote assets, summed per currency
    (each pair is its own account: raw keeps them apart)."""
    out: dict[str, Balance] = {}
    for pair in _rows(_object(data, "isolated accounts").get("assets"), "isolated assets"):
        for side in ("baseAsset", "quoteAsset"):
            a = structure(_object(pair, "isolated pair").get(side), MarginAsset)
            out[a.currency.upper()] = _add(out.get(a.currency.upper()), a.currency, a.total,
                                           a.available, a.hold, a.liability)
    return Balances(out, raw=data)


def decode_transfer(ctx: Context, data: Any) -> Answered:
    return Answered(id=structure(data, TransferAnswer).orderId, status=TransactionStatus.OK,
                    raw=data)


def decode_withdraw(ctx: Context, data: Any) -> Answered:
    return Answered(id=structure(data, WithdrawAnswer).withdrawalId,
                    status=TransactionStatus.PENDING, raw=data)


def decode_canceled_withdrawal(ctx: Context, data: Any) -> None:
    """data null: the cancel was taken (its refusals are error codes)."""
    if data not in (None, "", {}):
        raise DecodeError(f"kucoin cancel withdrawal: unexpected data {data!r}")


def _status(ctx: Context, table: str, value: str) -> TransactionStatus:
    words: Mapping[str, str] = ctx.tables.spec.capability(table) or {}
    if value not in words:
        raise DecodeError(f"kucoin {table}: unknown status {value!r}")
    return TransactionStatus(words[value])


def _key(tx_id: str | None, row: Any) -> str:
    """A record's key: its own id, else one made of what the row says (the docs' internal
    deposits and withdrawals have neither an id nor a walletTxId)."""
    if tx_id:
        return tx_id
    return f"{row.createdAt}-{row.currency.upper()}-{num(row.amount)}-{row.address or ''}"


def decode_deposit(ctx: Context, item: Any) -> Transaction:
    d = structure(item, DepositRow)
    return Transaction(
        id=_key(d.walletTxId, d), kind=TransactionKind.DEPOSIT, currency=d.currency.upper(),
        amount=d.amount, fee=d.fee, address=d.address or None, tag=d.memo or None,
        network=d.chain or None, txid=(d.walletTxId or "").split("@")[0] or None,
        status=_status(ctx, "deposit_status", d.status), timestamp=from_ms(d.createdAt),
        raw=item)


def decode_withdrawal(ctx: Context, item: Any) -> Transaction:
    w = structure(item, WithdrawalRow)
    return Transaction(
        id=_key(w.id or w.walletTxId, w), kind=TransactionKind.WITHDRAWAL,
        currency=w.currency.upper(), amount=w.amount, fee=w.fee, address=w.address or None,
        tag=w.memo or None, network=w.chain or None, txid=w.walletTxId or None,
        status=_status(ctx, "withdrawal_status", w.status), timestamp=from_ms(w.createdAt),
        raw=item)


def decode_addresses(ctx: Context, data: Any) -> list[DepositAddress]:
    """Every address of the currency, one per chain ([] when none was made yet)."""
    out = []
    for item in _rows(data if data is not None else [], "deposit addresses"):
        a = structure(item, AddressRow)
        out.append(DepositAddress(currency=a.currency.upper(), address=a.address,
                                  tag=a.memo or None, network=a.chainId or None, raw=item))
    return out


def decode_withdrawal_fee(ctx: Context, data: Any) -> Decimal:
    """The least fee of a withdrawal (withdrawMinFee) on the chain asked for."""
    return structure(data, Quota).withdrawMinFee


def decode_trading_fees(ctx: Context, data: Any) -> list[TradingFee]:
    out = []
    for item in _rows(data, "trade fees"):
        f = structure(item, FeeRow)
        out.append(TradingFee(symbol=ctx.unified_symbol(f.symbol), maker=f.makerFeeRate,
                              taker=f.takerFeeRate, raw=item))
    return out
