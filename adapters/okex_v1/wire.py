"""OKEx / OKCoin v1 JSON objects, named exactly like their fields.

v1 sends money as JSON numbers (parsed to exact Decimals by the core) or as strings (ticker,
userinfo); ids as numbers or strings depending on the endpoint: the converter accepts both.

Meaningful fields (ids, prices, amounts, statuses, times) are read strictly by the core. The two
fields that only report an outcome are typed Code and Flag and read by tolerant hooks: a batch
item's error_code comes as 0, "", null (none) or a code; `result` as true, "true", 1 or empty.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

import attrs

from unified.convert import CONVERTER
from unified.errors import DecodeError

Code = Annotated[str | None, "okex_v1: error code"]
Flag = Annotated[bool | None, "okex_v1: result flag"]
EMPTY: tuple[Any, ...] = (None, "", {}, [])


def read_code(value: Any, _type: Any = None) -> str | None:
    """An error code: 0, "0", "", {}, null and false mean none (v1 has no code 0). A code that is
    neither text nor an integer is refused: it decides between success and failure."""
    if value in EMPTY or isinstance(value, bool):
        return None
    if isinstance(value, (str, int)):
        text = str(value).strip()
        return None if text in ("", "0") else text
    raise DecodeError(f"unreadable error code {value!r}")


def read_flag(value: Any, _type: Any = None) -> bool | None:
    """`result`: true / "true" / 1, false / "false" / 0, or empty (None); anything else is
    refused, since a false one means the request failed."""
    if value in EMPTY:
        return None
    if value in (True, "true", 1):
        return True
    if value in (False, "false", 0):
        return False
    raise DecodeError(f"unreadable result flag {value!r}")


def _read_as(alias: Any, read: Callable[[Any, Any], Any]) -> None:
    # The core's converter dispatches these marked types to our readers; plain types keep its
    # strict hooks.
    CONVERTER.register_structure_hook_func(lambda t: bool(t == alias), read)


_read_as(Code, read_code)
_read_as(Flag, read_flag)


@attrs.frozen
class TickerFields:
    buy: Decimal | None = None
    sell: Decimal | None = None
    last: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    vol: Decimal | None = None


@attrs.frozen
class TickerAnswer:
    """ticker.do: {"date": "1410431279", "ticker": {...}} (date in seconds)."""

    date: int
    ticker: TickerFields


@attrs.frozen
class TickersItem:
    """One row of tickers.do: a ticker that names its pair."""

    symbol: str
    buy: Decimal | None = None
    sell: Decimal | None = None
    last: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    vol: Decimal | None = None


@attrs.frozen
class PublicTrade:
    date_ms: int
    price: Decimal
    amount: Decimal
    tid: str
    type: str
    date: int | None = None


@attrs.frozen
class Funds:
    free: dict[str, Decimal]
    freezed: dict[str, Decimal]


@attrs.frozen
class Info:
    funds: Funds


@attrs.frozen
class UserInfo:
    info: Info


@attrs.frozen
class Placed:
    """trade.do: {"result": true, "order_id": 123456}."""

    order_id: str


@attrs.frozen
class BatchItem:
    """batch_trade.do order_info[]: {"order_id": 41724206} or {"error_code": 10011,
    "order_id": -1}."""

    order_id: str
    error_code: Code = None


@attrs.frozen
class Canceled:
    """cancel_order.do: {"result": true, "order_id": "1"} for one id; {"success": "1,2",
    "error": "3"} for several."""

    result: Flag = None
    order_id: str | None = None
    success: str | None = None
    error: str | None = None


@attrs.frozen
class Order:
    """order_info.do / orders_info.do / order_history.do orders[]."""

    order_id: str
    symbol: str
    type: str
    status: str
    price: Decimal
    amount: Decimal
    deal_amount: Decimal
    avg_price: Decimal
    create_date: int | None = None
    orders_id: str | None = None


@attrs.frozen
class AccountRecord:
    """account_records.do records[] (a deposit or a withdrawal; the record does not say which)."""

    amount: Decimal
    date: int
    status: int
    addr: str | None = None
    account: str | None = None
    bank: str | None = None
    benificiary_addr: str | None = None
    transaction_value: Decimal | None = None
    fee: Decimal | None = None
