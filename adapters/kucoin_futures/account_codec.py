"""KuCoin futures account, positions, ledger and isolated margin <-> unified.

Facts from kucoin-openapi/rest/api/openapi-account-account.json (account-overview,
transaction-history) and openapi-futures-positions.json, with their examples:
- the account overview is of ONE currency (`currency`, default XBT): availableBalance,
  positionMargin, orderMargin, frozenFunds, marginBalance (without unrealised PnL),
  accountEquity (with it), unrealisedPNL;
- a position's side is the sign of `currentQty` (contracts); avgEntryPrice, markPrice,
  liquidationPrice, leverage (realLeverage on isolated ones), marginMode ISOLATED | CROSS
  (older answers say crossMode true | false), posMargin, unrealisedPnl, realisedPnl;
- ledger rows: time (ms), type, amount (signed), fee, accountEquity (the equity after it),
  remark, offset (the row's id and the paging cursor), currency;
- Add Isolated Margin {symbol, margin, bizNo} answers the position after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from adapters.kucoin_futures.symbols import unified_currency, unified_symbol, venue_currency
from unified.convert import decimal_text as num
from unified.convert import from_ms, structure
from unified.derivative_models import Position, PositionSide
from unified.diagnostics import read_flag
from unified.errors import DecodeError
from unified.models import Balance, Balances, LedgerEntry, MarginMode
from unified.venue import Answered, Context, RequestParts

MARGIN_MODES = {"ISOLATED": MarginMode.ISOLATED, "CROSS": MarginMode.CROSS}


@attrs.frozen
class Overview:
    currency: str
    availableBalance: Decimal
    marginBalance: Decimal
    positionMargin: Decimal | None = None
    orderMargin: Decimal | None = None
    frozenFunds: Decimal | None = None


@attrs.frozen
class FuturesPosition:
    symbol: str
    currentQty: Decimal
    avgEntryPrice: Decimal | None = None
    markPrice: Decimal | None = None
    liquidationPrice: Decimal | None = None
    leverage: Decimal | None = None
    realLeverage: Decimal | None = None
    marginMode: str | None = None
    crossMode: bool | None = None
    posMargin: Decimal | None = None
    maintMargin: Decimal | None = None
    unrealisedPnl: Decimal | None = None
    realisedPnl: Decimal | None = None
    currentTimestamp: int | None = None


@attrs.frozen
class LedgerRow:
    offset: str
    time: int
    type: str
    amount: Decimal
    currency: str
    accountEquity: Decimal | None = None
    remark: str | None = None


@attrs.frozen
class MarginAnswer:
    id: str


# ---------------------------------------------------------------- encoders


def encode_balance(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """One settle currency a call (capability balance_per_settle_currency), BTC sent as XBT."""
    currency = args.get("currency")
    return RequestParts(query=[("currency", venue_currency(ctx, currency))] if currency else [])


def symbol_query(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(query=[("symbol", args["symbol"])])


def encode_ledger(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    query = []
    if args.get("currency"):
        query.append(("currency", venue_currency(ctx, args["currency"])))
    if args.get("since_ms") is not None:
        query.append(("startAt", str(args["since_ms"])))
    if args.get("until_ms") is not None:
        query.append(("endAt", str(args["until_ms"])))
    return RequestParts(query=query)


def encode_add_margin(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """bizNo: the caller's unique id of this deposit (the core's client_id)."""
    return RequestParts(body={"symbol": args["symbol"], "margin": num(args["amount"]),
                              "bizNo": args["client_id"]})


def encode_auto_deposit(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(body={"symbol": args["symbol"], "status": bool(args["enabled"])})


# ---------------------------------------------------------------- decoders


def decode_balance(ctx: Context, data: Any) -> Balances:
    """held is what the venue says is locked: positionMargin + orderMargin + frozenFunds;
    available its availableBalance; total the two together (by the docs' formulas, the
    accountEquity: marginBalance = those four - unrealisedPNL, accountEquity = marginBalance
    + unrealisedPNL). marginBalance - availableBalance would count the unrealised PnL as
    held, with its sign turned (a profitable account had a negative held). An answer without
    the margin figures falls back to that difference."""
    o = structure(data, Overview)
    code = unified_currency(ctx, o.currency)
    parts = [p for p in (o.positionMargin, o.orderMargin, o.frozenFunds) if p is not None]
    held = sum(parts, Decimal(0)) if len(parts) == 3 else o.marginBalance - o.availableBalance
    return Balances({code: Balance(currency=code, total=o.availableBalance + held,
                                   available=o.availableBalance, held=held)}, raw=data)


def _margin_mode(p: FuturesPosition) -> MarginMode | None:
    if p.marginMode:
        mode = MARGIN_MODES.get(p.marginMode)
        if mode is None:
            raise DecodeError(f"{p.symbol}: unknown marginMode {p.marginMode!r}")
        return mode
    if p.crossMode is not None:
        return MarginMode.CROSS if p.crossMode else MarginMode.ISOLATED
    return None


def decode_position_item(ctx: Context, data: Any) -> Position:
    p = structure(data, FuturesPosition)
    market = ctx.markets_by_id.get(p.symbol)
    return Position(
        symbol=unified_symbol(ctx, p.symbol),
        side=PositionSide.SHORT if p.currentQty < 0 else PositionSide.LONG,
        contracts=abs(p.currentQty),
        contract_size=market.contract_size if market is not None else None,
        entry_price=p.avgEntryPrice, mark_price=p.markPrice,
        liquidation_price=p.liquidationPrice or None,  # 0 when there is none
        leverage=p.leverage if p.leverage is not None else p.realLeverage,
        margin_mode=_margin_mode(p),
        margin=p.posMargin if p.posMargin is not None else p.maintMargin,
        unrealized_pnl=p.unrealisedPnl, realized_pnl=p.realisedPnl,
        timestamp=from_ms(p.currentTimestamp) if p.currentTimestamp else None, raw=data,
    )


def decode_positions(ctx: Context, data: Any) -> list[Position]:
    """Every position the venue lists; flat ones (currentQty 0) are left out."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise DecodeError("positions: expected a list")
    found = [decode_position_item(ctx, item) for item in data]
    return [p for p in found if p.contracts]


def decode_position(ctx: Context, data: Any) -> Position | None:
    """One contract's position; None when flat (or when the venue answers no data)."""
    if data is None or data == {}:
        return None
    position = decode_position_item(ctx, data)
    return position if position.contracts else None


def decode_ledger(ctx: Context, data: Any) -> LedgerEntry:
    e = structure(data, LedgerRow)
    return LedgerEntry(
        id=e.offset, currency=unified_currency(ctx, e.currency), amount=e.amount,
        balance=e.accountEquity, kind=e.type, reference=e.remark or None,
        timestamp=from_ms(e.time), raw=data,
    )


def decode_add_margin(ctx: Context, data: Any) -> Answered:
    """The position after the deposit; its id names what took the margin."""
    return Answered(id=structure(data, MarginAnswer).id, raw=data)


def decode_auto_deposit(ctx: Context, data: Any) -> bool:
    """data true: set. Anything else readable as a flag is the venue's no."""
    answer = read_flag(data)
    if answer is None:
        raise DecodeError(f"auto-deposit-status: expected true or false, got {data!r}")
    return answer
