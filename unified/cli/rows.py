"""Flat rows for exported history: a stable column set per kind, exact numbers, ISO-8601 UTC
times; written as CSV (header once) or JSON lines."""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from unified.cli.format import iso
from unified.convert import decimal_text
from unified.models import Fee, Fill, LedgerEntry, Order, Transaction

Row = dict[str, str | bool | None]

ORDER_COLUMNS = ("id", "client_order_id", "symbol", "side", "type", "status", "price", "amount",
                 "filled", "remaining", "average", "cost", "fee", "fee_currency", "fee_rate",
                 "time_in_force", "post_only", "created_at", "updated_at")
FILL_COLUMNS = ("id", "order_id", "symbol", "side", "price", "amount", "cost", "fee",
                "fee_currency", "fee_rate", "liquidity", "timestamp")
LEDGER_COLUMNS = ("id", "currency", "amount", "balance", "kind", "reference", "timestamp")
TRANSACTION_COLUMNS = ("id", "kind", "currency", "amount", "fee", "address", "tag", "network",
                       "txid", "status", "timestamp")


def _value(value: Any) -> str | bool | None:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _fee(fee: Fee | None) -> dict[str, Any]:
    return {"fee": fee.cost if fee else None, "fee_currency": fee.currency if fee else None,
            "fee_rate": fee.rate if fee else None}


def _row(item: Order | Fill, columns: Sequence[str]) -> Row:
    values = {c: getattr(item, c, None) for c in columns}
    values.update(_fee(item.fee))  # the Fee object becomes three flat columns
    return {c: _value(values[c]) for c in columns}


def order_row(o: Order) -> Row:
    return _row(o, ORDER_COLUMNS)


def fill_row(f: Fill) -> Row:
    return _row(f, FILL_COLUMNS)


def ledger_row(e: LedgerEntry) -> Row:
    return {c: _value(getattr(e, c)) for c in LEDGER_COLUMNS}


def transaction_row(t: Transaction) -> Row:
    return {c: _value(getattr(t, c)) for c in TRANSACTION_COLUMNS}


#: kind -> (Exchange method walking it, columns, row maker)
KINDS: Mapping[str, tuple[str, Sequence[str], Callable[[Any], Row]]] = {
    "orders": ("iter_closed_orders", ORDER_COLUMNS, order_row),
    "fills": ("iter_my_trades", FILL_COLUMNS, fill_row),
    "ledger": ("iter_ledger", LEDGER_COLUMNS, ledger_row),
    "deposits": ("iter_deposits", TRANSACTION_COLUMNS, transaction_row),
    "withdrawals": ("iter_withdrawals", TRANSACTION_COLUMNS, transaction_row),
}
#: the kinds walked per currency (the others per market)
BY_CURRENCY = ("ledger", "deposits", "withdrawals")


def header(kind: str, fmt: str) -> str:
    if fmt != "csv":
        return ""
    return _csv([dict(zip(KINDS[kind][1], KINDS[kind][1], strict=True))], KINDS[kind][1])


def encode(kind: str, fmt: str, rows: Sequence[Row]) -> str:
    if fmt == "csv":
        return _csv(rows, KINDS[kind][1])
    return "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows)


def _csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for r in rows:
        writer.writerow(["" if r[c] is None else ("true" if r[c] is True else
                                                  "false" if r[c] is False else r[c])
                         for c in columns])
    return buf.getvalue()
