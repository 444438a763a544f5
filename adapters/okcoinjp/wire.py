"""OKCoinJapan v3 JSON objects, named exactly like its fields.

Numbers arrive as strings or JSON numbers for the same field ("balance": 0, "available": "37.1"):
the core's converter takes both exactly. Empty strings ("price": "", "notional": "") read as None.

Fields that carry meaning (ids, prices, amounts, states, times) are read strictly by the core's
converter. Fields that only explain an answer are worded loosely by the real servers (a successful
cancel says "error_message": {}; "error_code" is "0", 0, "" or null; "result" is true or "true"):
they are typed Text, Code and Flag below and read by these tolerant hooks instead.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import attrs

from unified.convert import CONVERTER
from unified.diagnostics import Code, Flag, Text
from unified.errors import DecodeError

Details = Annotated[dict[str, Any] | None, "okcoinjp: ledger details"]


def read_details(value: Any, _type: Any = None) -> dict[str, Any] | None:
    """A ledger row's details: an object, or empty as "" or null (rows that name no order)."""
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        return value
    raise DecodeError(f"ledger details are not an object: {value!r}")


CONVERTER.register_structure_hook_func(lambda t: bool(t == Details), read_details)


@attrs.frozen
class ServerTime:
    iso: str
    epoch: Decimal | None = None  # a string on the live servers, a number in the docs


@attrs.frozen
class Instrument:
    instrument_id: str
    base_currency: str
    quote_currency: str
    min_size: Decimal
    size_increment: Decimal
    tick_size: Decimal


@attrs.frozen
class Ticker:
    instrument_id: str
    timestamp: str
    last: Decimal | None = None
    best_bid: Decimal | None = None
    best_ask: Decimal | None = None
    best_bid_size: Decimal | None = None
    best_ask_size: Decimal | None = None
    open_24h: Decimal | None = None
    high_24h: Decimal | None = None
    low_24h: Decimal | None = None
    base_volume_24h: Decimal | None = None
    quote_volume_24h: Decimal | None = None


@attrs.frozen
class Book:
    asks: list[Any]  # [price, size, num_orders] rows
    bids: list[Any]
    timestamp: str | None = None
    time: str | None = None  # the name some OKEx v3 books use instead


@attrs.frozen
class PublicTrade:
    trade_id: str
    price: Decimal
    size: Decimal
    side: str
    timestamp: str | None = None
    time: str | None = None


@attrs.frozen
class Account:
    currency: str
    balance: Decimal
    hold: Decimal
    available: Decimal


@attrs.frozen
class OrderResult:
    """The answer to a place or cancel: ids (strict) plus result / error_code / error_message
    (diagnostics: a failure is told apart by unwrap before this is read)."""

    order_id: str | None = None
    client_oid: str | None = None
    result: Flag = None
    error_code: Code = None
    error_message: Text = None


@attrs.frozen
class SpotOrder:
    order_id: str
    instrument_id: str
    side: str
    type: str | None = None  # "limit,market (defaulted as limit)": absent or null is limit
    price: Decimal | None = None
    size: Decimal | None = None
    notional: Decimal | None = None
    filled_size: Decimal | None = None
    filled_notional: Decimal | None = None
    price_avg: Decimal | None = None
    order_type: str | None = None
    state: str | None = None
    status: str | None = None  # the older name of state, in answers that lack `state`
    client_oid: str | None = None
    timestamp: str | None = None
    created_at: str | None = None


@attrs.frozen
class FillLeg:
    """One of the two rows /fills returns per trade: one per currency of the pair."""

    ledger_id: str
    trade_id: str
    instrument_id: str
    order_id: str
    currency: str
    side: str
    price: Decimal
    size: Decimal
    fee: Decimal | None = None  # "" or null on some legs: no fee reported on that leg
    exec_type: str | None = None
    liquidity: str | None = None
    timestamp: str | None = None
    created_at: str | None = None


@attrs.frozen
class LedgerRow:
    ledger_id: str
    currency: str
    amount: Decimal
    type: str
    balance: Decimal | None = None
    timestamp: str | None = None
    created_at: str | None = None
    details: Details = None
