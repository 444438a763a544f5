"""OKEx / OKCoin v1 JSON objects, named exactly like their fields.

v1 sends money as JSON numbers (parsed to exact Decimals by the core) or as strings (ticker,
userinfo); ids as numbers or strings depending on the endpoint: the converter accepts both.

Meaningful fields (ids, prices, amounts, statuses, times) are read strictly by the core. The two
fields that only report an outcome are typed Code and Flag and read by tolerant hooks: a batch
item's error_code comes as 0, "", null (none) or a code; `result` as true, "true", 1 or empty.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from unified.diagnostics import Code, Flag


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


@attrs.frozen
class WalletFunds:
    """wallet_info.do info.funds: `holds` where userinfo.do says `freezed`."""

    free: dict[str, Decimal]
    holds: dict[str, Decimal] = attrs.field(factory=dict)


@attrs.frozen
class WalletBody:
    funds: WalletFunds


@attrs.frozen
class WalletInfo:
    info: WalletBody


@attrs.frozen
class Transferred:
    """funds_transfer.do: {"result": true} (no id)."""

    result: Flag = None


@attrs.frozen
class Withdrawn:
    """withdraw.do and cancel_withdraw.do: {"withdraw_id": 301, "result": true}."""

    withdraw_id: str
    result: Flag = None
