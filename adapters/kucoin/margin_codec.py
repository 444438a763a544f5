"""KuCoin margin loans <-> unified: cross and isolated borrow and repay (/api/v3/margin/borrow
and /repay, kucoin-openapi/rest/api/openapi-margin-debit.json) and their histories.

A borrow is sent FOK: the whole amount or nothing, so the loan the answer reports is the loan
asked for (IOC could lend less; the answer's actualSize is what was lent either way). The
histories need `currency` and page by currentPage; their times are `startTime` / `endTime`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from unified.convert import decimal_text as num
from unified.convert import from_ms, structure
from unified.errors import ConfigurationError
from unified.models import MarginLoan
from unified.venue import Answered, Context, RequestParts


@attrs.frozen
class LoanAnswer:
    orderNo: str
    actualSize: Decimal
    timestamp: int | None = None  # the repay answer's


@attrs.frozen
class BorrowRow:
    orderNo: str
    currency: str
    actualSize: Decimal
    status: str
    createdTime: int
    symbol: str | None = None  # "empty for cross margin" (null in the docs' example)
    size: Decimal | None = None


@attrs.frozen
class RepayRow:
    orderNo: str
    currency: str
    principal: Decimal
    interest: Decimal
    status: str
    createdTime: int
    symbol: str | None = None
    size: Decimal | None = None


def _where(args: Mapping[str, Any]) -> dict[str, Any]:
    """isIsolated, and the pair of an isolated loan ("mandatory for isolated margin")."""
    if not args.get("isolated"):
        return {"isIsolated": False}
    if not args.get("symbol"):
        raise ConfigurationError("an isolated margin loan names its pair: pass symbol=")
    return {"symbol": args["symbol"], "isIsolated": True}


def encode_borrow(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(body={"currency": args["currency"], "size": num(args["amount"]),
                              "timeInForce": "FOK", **_where(args)})


def encode_repay(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(body={"currency": args["currency"], "size": num(args["amount"]),
                              **_where(args)})


def encode_history(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    if not args.get("currency"):  # the core refuses first (margin_history_needs_currency)
        raise ConfigurationError("kucoin lists margin loans per currency: pass currency=")
    where = _where(args)
    query = [("currency", str(args["currency"])),
             ("isIsolated", "true" if where["isIsolated"] else "false")]
    if "symbol" in where:
        query.append(("symbol", str(where["symbol"])))
    if args.get("since_ms") is not None:
        query.append(("startTime", str(args["since_ms"])))
    if args.get("until_ms") is not None:
        query.append(("endTime", str(args["until_ms"])))
    return RequestParts(query=query)


def decode_loan(ctx: Context, data: Any) -> Answered:
    """A borrow's or repay's answer: its order number and what actually moved."""
    a = structure(data, LoanAnswer)
    return Answered(id=a.orderNo, amount=a.actualSize,
                    timestamp=from_ms(a.timestamp) if a.timestamp is not None else None,
                    raw=data)


def _symbol(ctx: Context, venue_symbol: str | None) -> str | None:
    return ctx.unified_symbol(venue_symbol) if venue_symbol else None


def decode_borrow_row(ctx: Context, item: Any) -> MarginLoan:
    """A borrow as lent: actualSize (0 for a FAILED one; raw keeps its status)."""
    r = structure(item, BorrowRow)
    return MarginLoan(id=r.orderNo, currency=r.currency.upper(), amount=r.actualSize,
                      symbol=_symbol(ctx, r.symbol), timestamp=from_ms(r.createdTime), raw=item)


def decode_repay_row(ctx: Context, item: Any) -> MarginLoan:
    """A repay as paid: principal plus interest (`size`, what was asked, may be more)."""
    r = structure(item, RepayRow)
    return MarginLoan(id=r.orderNo, currency=r.currency.upper(), amount=r.principal + r.interest,
                      symbol=_symbol(ctx, r.symbol), timestamp=from_ms(r.createdTime), raw=item)
