"""The local KuCoin futures' positions, account overview, ledger and isolated margin, over the
neutral derivatives book (openapi-futures-positions.json, openapi-account-account.json): a
position's side is the sign of `currentQty`; the overview is of one settle currency; the
ledger pages newest first by `offset` with `hasMore`; a margin deposit is applied once per
`bizNo`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.kucoin_futures.sim import (
    code_of,
    currency_of,
    ms_param,
    ok,
    param,
    spec_of,
    unified_of,
    venue_id,
)
from adapters.kucoin_futures.sim_trading import book_of, decimal_field, flag, int_param, state_of
from unified.convert import to_ms as ms
from unified.sim.book import EngineError
from unified.sim.positions import SimPosition
from unified.sim.records import ZERO
from unified.sim.server import Handler, SimRequest, SimResponse, SimVenue

#: engine ledger kinds -> transaction-history types (margin moves are not ledger rows there)
LEDGER_TYPES = {"realised_pnl": "RealisedPNL", "fee": "RealisedPNL", "deposit": "TransferIn",
                "withdrawal": "TransferOut", "transfer": "TransferIn"}


# ---------------------------------------------------------------- positions


def position_json(sim: SimVenue, p: SimPosition) -> dict[str, Any]:
    book = book_of(sim)
    spec, view = book.spec(p.symbol), book.view(p)
    return {
        "id": p.id, "symbol": venue_id(p.symbol),
        "autoDeposit": state_of(sim.engine).auto_deposit.get((p.account, p.symbol), False),
        "crossMode": False, "maintMarginReq": spec.maintenance_rate, "riskLimit": 100000,
        "realLeverage": p.leverage, "delevPercentage": "0.1",
        "openingTimestamp": ms(p.opened_at), "currentTimestamp": ms(sim.now()),
        "currentQty": int(p.contracts), "currentCost": p.sign * p.entry_value,
        "currentComm": p.fees, "realisedGrossCost": ZERO, "realisedCost": p.fees,
        "isOpen": True, "markPrice": view.mark, "markValue": p.sign * view.value,
        "posCost": p.sign * p.entry_value, "posInit": p.margin, "posComm": ZERO,
        "posLoss": ZERO, "posMargin": p.margin, "posFunding": p.funding,
        "posMaint": view.maintenance_margin, "maintMargin": p.margin + view.unrealised_pnl,
        "realisedGrossPnl": p.realised_pnl, "realisedPnl": p.realised_pnl - p.fees,
        "unrealisedPnl": view.unrealised_pnl, "avgEntryPrice": view.entry_price,
        "liquidationPrice": view.liquidation_price or 0, "bankruptPrice": 0,
        "settleCurrency": code_of(spec.settle), "maintainMargin": spec.maintenance_rate,
        "riskLimitLevel": 1, "marginMode": "ISOLATED", "positionSide": "BOTH",
        "leverage": p.leverage,
    }


def positions(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/positions[?currency=]: the open positions."""
    assert req.account is not None
    currency = currency_of(req.query["currency"]) if req.query.get("currency") else None
    return ok([position_json(sim, p) for p in book_of(sim).positions(req.account)
               if currency is None or p.settle == currency])


def position(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/position?symbol=: the position, or a flat one (currentQty 0)."""
    assert req.account is not None
    symbol = unified_of(param(req, "symbol"))
    found = book_of(sim).position(req.account, symbol)
    if found is not None:
        return ok(position_json(sim, found))
    spec = spec_of(sim, symbol)
    return ok({"id": "", "symbol": venue_id(symbol), "autoDeposit": False, "crossMode": False,
               "currentQty": 0, "isOpen": False, "realisedPnl": 0, "unrealisedPnl": 0,
               "settleCurrency": code_of(spec.settle), "marginMode": "ISOLATED",
               "currentTimestamp": ms(sim.now()), "positionSide": "BOTH"})


def deposit_margin(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/v1/position/margin/deposit-margin {symbol, margin, bizNo}: margin from the
    wallet into the position, once per bizNo (a repeated one answers the position again)."""
    assert req.account is not None
    body = req.json()
    if not isinstance(body, dict) or not isinstance(body.get("bizNo"), str) \
            or not body["bizNo"]:
        raise EngineError("invalid", "bizNo is required")
    symbol = unified_of(str(body.get("symbol")))
    amount = decimal_field(body, "margin")
    if amount is None or amount <= 0:
        raise EngineError("invalid", "margin must be positive")
    book = book_of(sim)
    found = book.position(req.account, symbol)
    if found is None:
        raise EngineError("nothing_to_close", "no open position")
    key = (req.account, body["bizNo"])
    if key not in state_of(sim.engine).deposits:
        spec = book.spec(symbol)
        amount = spec.money(amount)
        if sim.engine.wallet(req.account, spec.settle).available < amount:
            raise EngineError("insufficient_funds", "balance insufficient")
        sim.engine._move(req.account, spec.settle, -amount, ZERO, "transfer")
        found.margin += amount
        state_of(sim.engine).deposits.add(key)
    return ok(position_json(sim, found))


def auto_deposit(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/v1/position/margin/auto-deposit-status {symbol, status}: data true. The
    switch is reported on the position; the local venue never tops margin up by itself."""
    assert req.account is not None
    body = req.json()
    if not isinstance(body, dict):
        raise EngineError("invalid", "body must be an object")
    symbol = unified_of(str(body.get("symbol")))
    state_of(sim.engine).auto_deposit[(req.account, symbol)] = flag(body, "status")
    return ok(True)


# ---------------------------------------------------------------- the account


def overview(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/account-overview?currency= (XBT by default)."""
    assert req.account is not None
    code = (req.query.get("currency") or "XBT").upper()
    currency = currency_of(code)
    if currency not in {spec.settle for spec in book_of(sim).specs.values()}:
        raise EngineError("invalid", f"currency {code} is not a settle currency")
    a = book_of(sim).account(req.account, currency)
    risk = (a.position_margin / a.equity).quantize(Decimal("0.0000000001")) if a.equity else 0
    return ok({"accountEquity": a.equity, "unrealisedPNL": a.unrealised_pnl,
               "marginBalance": a.margin_balance, "positionMargin": a.position_margin,
               "orderMargin": a.order_margin, "frozenFunds": 0,
               "availableBalance": a.available, "currency": code, "riskRatio": risk,
               "maxWithdrawAmount": a.available})


def ledger(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/transaction-history: newest first, maxCount a page (default 50), `offset`
    the last row's offset of the previous page, hasMore."""
    assert req.account is not None
    currency = currency_of(req.query["currency"]) if req.query.get("currency") else None
    start, end = ms_param(req, "startAt"), ms_param(req, "endAt")
    count = int_param(req, "maxCount", 50, 1, 200)
    rows = [e for e in sorted(sim.engine.account_ledger(req.account, currency),
                              key=lambda e: e.seq, reverse=True)
            if e.kind in LEDGER_TYPES and (start is None or e.at >= start)
            and (end is None or e.at <= end)]
    offset = req.query.get("offset")
    if offset:
        if not offset.isdigit():
            raise EngineError("invalid", "offset is invalid")
        rows = [e for e in rows if e.seq < int(offset)]
    page = rows[:count]
    return ok({"dataList": [
        {"time": ms(e.at), "type": LEDGER_TYPES[e.kind], "amount": e.amount, "fee": 0,
         "accountEquity": e.balance, "status": "Completed",
         "remark": f"order {e.reference}" if e.reference else "",  # text, as KuCoin's are
         "offset": e.seq, "currency": code_of(e.currency)} for e in page],
        "hasMore": len(rows) > count})


HANDLERS: dict[str, Handler] = {
    "fetch_positions": positions, "fetch_position": position,
    "add_margin": deposit_margin, "set_auto_deposit_margin": auto_deposit,
    "fetch_balance": overview, "iter_ledger": ledger,
}
