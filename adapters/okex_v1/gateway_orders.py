"""The gateway's v1 cancels, order lookups and histories (see gateway_calls for the shapes)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from adapters.okex_v1.gateway_calls import (
    CANCEL_MAX,
    DEPOSIT_STATUS,
    HISTORY_DAYS,
    HISTORY_STATUS,
    INFO_MAX,
    INFO_STATUS,
    WITHDRAWAL_STATUS,
    Call,
    Refused,
    order_row,
)
from unified.convert import to_ms
from unified.errors import OrderNotFound, UnifiedError
from unified.models import Order, OrderStatus, Transaction

#: a cancel that found the order already finished: 1050 "already canceled or being canceled"
#: would be a lie for a filled one, which gets 1051 "Order completed"
CANCELED = (OrderStatus.CANCELED, OrderStatus.CANCELING)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _ids(c: Call, most: int) -> list[str]:
    ids = [i.strip() for i in c.need("order_id").split(",") if i.strip()]
    if not 1 <= len(ids) <= most:
        raise Refused(10008, f"1 to {most} order ids per request")
    return ids


async def _cancel(c: Call, symbol: str, v1_id: str) -> Order:
    order = await c.ex.cancel_order(c.ids.target(v1_id), symbol)
    if order.status not in CANCELED:
        raise Refused(1051, f"order {v1_id} is {order.status.value}")
    return order


async def cancel_order(c: Call) -> Any:
    symbol, ids = c.symbol(), _ids(c, CANCEL_MAX)
    if len(ids) == 1:
        await _cancel(c, symbol, ids[0])
        return {"result": True, "order_id": ids[0]}
    done, refused = [], []
    for v1_id in ids:
        try:
            await _cancel(c, symbol, v1_id)
            done.append(v1_id)
        except (UnifiedError, Refused):
            refused.append(v1_id)
    return {"success": ",".join(done), "error": ",".join(refused)}


async def order_info(c: Call) -> Any:
    symbol, raw_id = c.symbol(), c.need("order_id")
    if raw_id == "-1":
        rows = await c.ex.fetch_open_orders(symbol)
    else:
        rows = [await c.ex.fetch_order(c.ids.target(raw_id), symbol)]
    return {"result": True, "orders": [order_row(o, c.ids, INFO_STATUS) for o in rows]}


async def orders_info(c: Call) -> Any:
    symbol, ids = c.symbol(), _ids(c, INFO_MAX)
    finished = c.integer("type", 0, 0, 1) == 1  # 0: unfilled (open) orders, 1: finished ones
    rows = []
    for v1_id in ids:
        try:
            order = await c.ex.fetch_order(c.ids.target(v1_id), symbol)
        except (OrderNotFound, Refused):
            continue  # v1 leaves out what it does not find
        if order.status.is_open != finished:
            rows.append(order_row(order, c.ids, INFO_STATUS))
    return {"result": True, "orders": rows}


def _page(c: Call, most: int) -> tuple[int, int]:
    return c.integer("current_page", 1, 1, 10**9), c.integer("page_length", most, 1, most)


async def order_history(c: Call) -> Any:
    """status 0: open orders; 1: finished ones of the last 2 days, newest first."""
    symbol, status = c.symbol(), c.integer("status", 0, 0, 1)
    page, size = _page(c, 200)
    if status == 0:
        rows = await c.ex.fetch_open_orders(symbol)
    else:
        since = c.now() - HISTORY_DAYS
        rows = [o async for o in c.ex.iter_closed_orders(symbol, since=since)]
    rows.sort(key=lambda o: o.created_at or EPOCH, reverse=True)
    shown = rows[(page - 1) * size: page * size]
    return {"current_page": page, "orders": [order_row(o, c.ids, HISTORY_STATUS)
                                             for o in shown],
            "page_length": size, "result": True, "total": len(rows)}


def record(tx: Transaction, withdrawal: bool) -> dict[str, Any]:
    """One account_records.do row: `amount` is what left (or reached) the account, and
    `transaction_value` the amount after the fee."""
    fee = tx.fee or 0
    moved = tx.amount + fee if withdrawal else tx.amount
    status = (WITHDRAWAL_STATUS if withdrawal else DEPOSIT_STATUS)[tx.status]
    return {"addr": tx.address or "", "account": "", "amount": moved, "bank": "",
            "benificiary_addr": "", "transaction_value": tx.amount, "fee": fee,
            "date": to_ms(tx.timestamp), "status": status}


async def account_records(c: Call) -> Any:
    """type 0: deposits, 1: withdrawals, of one currency (symbol=btc or btc_usd), newest first."""
    currency = c.need("symbol").partition("_")[0].upper()
    withdrawal = c.integer("type", 0, 0, 1) == 1
    page, size = _page(c, 50)
    walk = c.ex.iter_withdrawals if withdrawal else c.ex.iter_deposits
    rows = [tx async for tx in walk(currency)]
    rows.sort(key=lambda tx: tx.timestamp, reverse=True)
    return {"records": [record(tx, withdrawal) for tx in rows[(page - 1) * size: page * size]],
            "symbol": currency.lower()}
