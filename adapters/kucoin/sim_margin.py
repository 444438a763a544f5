"""The local KuCoin's margin loans: POST /api/v3/margin/borrow (IOC or FOK, up to what is
still borrowable) and /repay (up to what is owed, principal and interest), cross or isolated
(isIsolated + symbol), and their histories paged by currentPage, newest first, in KuCoin's
words (orderNo, actualSize, principal / interest, SUCCESS). Loans live in the engine's
FundsBook: lent into the margin (or isolated pair) account, accruing hourly interest on the
venue's clock.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from adapters.kucoin.sim import _int_param, _ms_param, ok, s
from adapters.kucoin.sim_funds import Refused, _amount, _body, _currency
from unified.convert import to_ms as ms
from unified.sim.funds import SimLoan, SimRepay, funds_book
from unified.sim.server import Handler, SimRequest, SimResponse, SimVenue

#: what one account may owe at most per currency (the local venue's borrowing limit)
BORROW_LIMIT = {"USDT": Decimal(1_000_000), "BTC": Decimal(20), "ETH": Decimal(200)}


def _pair(sim: SimVenue, fields: dict[str, Any], currency: str) -> str | None:
    """The unified pair of an isolated loan (None for cross); its currency one of the two."""
    if fields.get("isIsolated") not in (True, "true"):
        return None
    name = fields.get("symbol")
    if not isinstance(name, str) or not name:
        raise Refused("400100", "symbol is mandatory for isolated margin")
    symbol = sim.unified_symbol(name)
    market = sim.engine.market(symbol)
    if currency not in (market.base, market.quote):
        raise Refused("400100", f"{currency} is not lent on {name}")
    return symbol


def borrow(sim: SimVenue, req: SimRequest) -> SimResponse:
    assert req.account is not None
    body = _body(req)
    currency, size = _currency(sim, body.get("currency")), _amount(body, "size")
    tif = body.get("timeInForce")
    if tif not in ("IOC", "FOK"):
        raise Refused("400100", "timeInForce must be IOC or FOK")
    symbol, book = _pair(sim, body, currency), funds_book(sim.engine)
    room = BORROW_LIMIT.get(currency, Decimal(0)) - book.liabilities(req.account, symbol).get(
        currency, Decimal(0))
    lent = size if size <= room else room if tif == "IOC" else Decimal(0)
    if lent <= 0:
        raise Refused("400100", f"{currency} borrowable amount is {s(max(room, Decimal(0)))}")
    loan = book.borrow(req.account, currency, lent, symbol)
    return ok({"orderNo": loan.id, "actualSize": s(lent)})


def repay(sim: SimVenue, req: SimRequest) -> SimResponse:
    """Up to what is owed; from the margin (or isolated pair) account."""
    assert req.account is not None
    body = _body(req)
    currency, size = _currency(sim, body.get("currency")), _amount(body, "size")
    done = funds_book(sim.engine).repay(req.account, currency, size,
                                        _pair(sim, body, currency))
    return ok({"timestamp": ms(sim.now()), "orderNo": done.id, "actualSize": s(done.amount)})


def _listed(sim: SimVenue, req: SimRequest, rows: list[Any]) -> tuple[list[Any], dict[str, Any]]:
    """The account's loans (or repays) of the asked currency and pair, in the time window,
    newest first, one page of them and the page counts."""
    assert req.account is not None
    currency = _currency(sim, req.query.get("currency"))
    symbol = _pair(sim, dict(req.query), currency)
    start, end = _ms_param(req, "startTime"), _ms_param(req, "endTime")
    page = _int_param(req, "currentPage", 1, 1, 10**9)
    size = _int_param(req, "pageSize", 50, 10, 500)

    def wanted(at: datetime, row: SimLoan | SimRepay) -> bool:
        return (row.account == req.account and row.currency == currency
                and row.symbol == symbol and (start is None or at >= start)
                and (end is None or at <= end))

    kept = sorted((r for r in rows if wanted(r.at, r)), key=lambda r: r.at, reverse=True)
    head = {"timestamp": ms(sim.now()), "currentPage": page, "pageSize": size,
            "totalNum": len(kept), "totalPage": (len(kept) + size - 1) // size}
    return kept[(page - 1) * size:page * size], head


def borrows(sim: SimVenue, req: SimRequest) -> SimResponse:
    rows, head = _listed(sim, req, funds_book(sim.engine).loans)
    return ok({**head, "items": [
        {"orderNo": r.id, "symbol": sim.venue_symbol(r.symbol) if r.symbol else None,
         "currency": r.currency, "size": s(r.principal), "actualSize": s(r.principal),
         "status": "SUCCESS", "createdTime": ms(r.at)} for r in rows]})


def repays(sim: SimVenue, req: SimRequest) -> SimResponse:
    # the book keeps what each repay paid, not its split: all of it is shown as principal
    rows, head = _listed(sim, req, funds_book(sim.engine).repays)
    return ok({**head, "items": [
        {"orderNo": r.id, "symbol": sim.venue_symbol(r.symbol) if r.symbol else None,
         "currency": r.currency, "size": s(r.amount), "principal": s(r.amount),
         "interest": "0", "status": "SUCCESS", "createdTime": ms(r.at)} for r in rows]})


HANDLERS: dict[str, Handler] = {
    "borrow_margin": borrow,
    "repay_margin": repay,
    "iter_margin_borrows": borrows,
    "iter_margin_repays": repays,
}
