"""The v1 calls the gateway serves, each carried out through the unified API and answered in
v1's documented shapes (shared/reference/venue-docs/okex-v1-rest.md): v1 symbols (btc_usdt),
money as JSON numbers (strings in ticker and userinfo, as documented), times in ms (seconds in
`date`), v1 status numbers and integer order ids.

Order ids: v1 ids are integers. A target id that is already a plain integer (OKCoinJapan's)
is used as it is; any other (KuCoin's hex ids) is numbered 1, 2, ... by the gateway the first
time it is seen, for as long as the gateway runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from unified.client import Exchange
from unified.convert import from_ms, to_ms
from unified.errors import (
    AmbiguousOutcome,
    ConfigurationError,
    InvalidOrder,
    UnifiedError,
    VenueError,
)
from unified.models import (
    Balances,
    Order,
    OrderBook,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Ticker,
    Trade,
    TransactionStatus,
)
from unified.spec import load_spec

ORDER_TYPES = {"buy": (Side.BUY, OrderType.LIMIT), "sell": (Side.SELL, OrderType.LIMIT),
               "buy_market": (Side.BUY, OrderType.MARKET),
               "sell_market": (Side.SELL, OrderType.MARKET)}
#: order_info.do / orders_info.do: "-1 = cancelled, 0 = unfilled, 1 = partially filled,
#: 2 = fully filled, 3 = cancel request in process, 4 = order Failed, 5 = order placing"
INFO_STATUS = {OrderStatus.PENDING: 0, OrderStatus.OPEN: 0, OrderStatus.PARTIALLY_FILLED: 1,
               OrderStatus.FILLED: 2, OrderStatus.CANCELING: 3, OrderStatus.CANCELED: -1,
               OrderStatus.EXPIRED: -1, OrderStatus.REJECTED: 4}
#: order_history.do: "... 2 = fully filled, 4 = cancel request in process" (no "failed")
HISTORY_STATUS = {**INFO_STATUS, OrderStatus.CANCELING: 4, OrderStatus.REJECTED: -1}
#: account_records.do: deposits "-1:Failure;0:Wait Confirmation;1:Complete", withdrawals
#: "-2:Cancelled;-1:Failure;0:Pending;...;2:Complete"
DEPOSIT_STATUS = {TransactionStatus.FAILED: -1, TransactionStatus.PENDING: 0,
                  TransactionStatus.OK: 1, TransactionStatus.CANCELED: -1}
WITHDRAWAL_STATUS = {TransactionStatus.CANCELED: -2, TransactionStatus.FAILED: -1,
                     TransactionStatus.PENDING: 0, TransactionStatus.OK: 2}
HISTORY_DAYS = timedelta(days=2)  # "order_history: only the most recent 2 days are returned"
TRADES_SHOWN = 60  # "Get Trade Recently 60"
BATCH_MAX, CANCEL_MAX, INFO_MAX = 5, 3, 50
#: v1 kline types -> unified timeframes (the v1 spec's table, inverted)
KLINE_TYPES = {v: k for k, v in load_spec("okex_v1").timeframes.items()}
_INTEGER = re.compile(r"[1-9]\d{0,17}")
_JS_KEY = re.compile(r"([{,]\s*)([A-Za-z_]\w*)\s*:")


class Refused(Exception):
    """A request the gateway answers with v1 error `code` without asking the target."""

    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        super().__init__(f"{code}: {reason}")


class OrderIds:
    """Target order ids <-> v1's integer ids (see the module docstring)."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self._targets: dict[int, str] = {}

    def number(self, target_id: str) -> int:
        if _INTEGER.fullmatch(target_id):
            return int(target_id)
        if target_id not in self._numbers:
            n = len(self._numbers) + 1
            self._numbers[target_id], self._targets[n] = n, target_id
        return self._numbers[target_id]

    def target(self, v1_id: str) -> str:
        v1_id = v1_id.strip()
        if not v1_id.isdigit():
            raise Refused(10009, f"order {v1_id!r} does not exist")
        return self._targets.get(int(v1_id), str(int(v1_id)))


@attrs.frozen
class Call:
    """One v1 request's parameters (signature checked, `api_key`/`sign` removed)."""

    params: Mapping[str, str]
    ex: Exchange
    ids: OrderIds

    def need(self, name: str) -> str:
        value = self.params.get(name, "").strip()
        if not value:
            raise Refused(10000, f"{name} is required")
        return value

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.params.get(name, "").strip()
        if not raw:
            return default
        if not raw.lstrip("-").isdigit() or not low <= int(raw) <= high:
            raise Refused(10008, f"{name} must be between {low} and {high}")
        return int(raw)

    def symbol(self) -> str:
        base, sep, quote = self.need("symbol").partition("_")
        if not sep or not base or not quote:
            raise Refused(1007, "symbol is not a pair like ltc_btc")
        return f"{base}/{quote}".upper()

    def now(self) -> datetime:
        return self.ex.clock.now()


def decimal(raw: Any, name: str) -> Decimal | None:
    if raw is None or str(raw).strip() == "":
        return None
    if isinstance(raw, float | bool):
        raise Refused(10008, f"{name} must be a decimal number")  # never through a float
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise Refused(10008, f"{name} is not a number") from None
    if not value.is_finite():
        raise Refused(10008, f"{name} is not a number")
    return value


def v1_symbol(symbol: str) -> str:
    return symbol.replace("/", "_").lower()


def text(value: Decimal | None) -> str:
    return "0" if value is None else format(value.normalize(), "f") if value else "0"


def seconds(moment: datetime) -> str:
    return str(int(moment.timestamp()))


# ---------------------------------------------------------------- market data


def _ticker_fields(t: Ticker) -> dict[str, str]:
    return {"buy": text(t.bid), "high": text(t.high), "last": text(t.last),
            "low": text(t.low), "sell": text(t.ask), "vol": text(t.base_volume)}


async def ticker(c: Call) -> Any:
    t = await c.ex.fetch_ticker(c.symbol())
    return {"date": seconds(t.timestamp), "ticker": _ticker_fields(t)}


async def tickers(c: Call) -> Any:
    rows = await c.ex.fetch_tickers(None)
    return {"date": seconds(c.now()),
            "tickers": [{"symbol": v1_symbol(s), **_ticker_fields(t)} for s, t in rows.items()]}


def book_answer(book: OrderBook) -> Any:
    # v1 lists asks from the highest price down to the best one
    return {"asks": [[lv.price, lv.amount] for lv in reversed(book.asks)],
            "bids": [[lv.price, lv.amount] for lv in book.bids]}


async def depth(c: Call) -> Any:
    size = c.integer("size", 200, 1, 200)
    return book_answer(await c.ex.fetch_order_book(c.symbol(), limit=size))


def _after(rows: list[Trade], since: str) -> list[Trade]:
    """Trades after tid `since`: by position among these, else by number."""
    ids = [t.id for t in rows]
    if since in ids:
        return rows[ids.index(since) + 1:]
    if not since.isdigit():
        raise Refused(10008, "since must be a trade id")
    return [t for t in rows if t.id.isdigit() and int(t.id) > int(since)]


async def trades(c: Call) -> Any:
    rows = sorted(await c.ex.fetch_trades(c.symbol()), key=lambda t: t.timestamp)
    since = c.params.get("since", "").strip()
    rows = _after(rows, since)[:TRADES_SHOWN] if since else rows[-TRADES_SHOWN:]
    return [{"date": seconds(t.timestamp), "date_ms": str(to_ms(t.timestamp)),
             "price": t.price, "amount": t.amount, "tid": t.id,
             "type": t.side.value if t.side else ""} for t in rows]


async def kline(c: Call) -> Any:
    kind = c.need("type")
    if kind not in KLINE_TYPES:
        raise Refused(1025, f"no chart type {kind}")
    size = c.integer("size", 0, 1, 2000) or None
    raw_since = c.params.get("since", "").strip()
    if raw_since and not raw_since.isdigit():
        raise Refused(10008, "since must be milliseconds")
    since = from_ms(int(raw_since)) if raw_since else None
    rows = await c.ex.fetch_ohlcv(c.symbol(), KLINE_TYPES[kind], since=since, limit=size)
    return [[to_ms(k.timestamp), k.open, k.high, k.low, k.close, k.volume]
            for k in sorted(rows, key=lambda k: k.timestamp)]


# ---------------------------------------------------------------- account


def funds(balances: Balances) -> Any:
    free = {ccy.lower(): text(b.available) for ccy, b in balances.items()}
    freezed = {ccy.lower(): text(b.held) for ccy, b in balances.items()}
    return {"info": {"funds": {"free": free, "freezed": freezed}}, "result": True}


async def userinfo(c: Call) -> Any:
    return funds(await c.ex.fetch_balance())


def order_row(o: Order, ids: OrderIds, status: Mapping[OrderStatus, int]) -> dict[str, Any]:
    """One order as order_info.do lists it. A market buy's `price` is what it spends (here:
    what it spent) and its `amount` what it got; a market sell's `price` its average."""
    average = o.average or Decimal(0)
    if o.type is not OrderType.MARKET:
        price, amount = o.price or Decimal(0), o.amount or Decimal(0)
    elif o.side is Side.BUY:
        price, amount = o.cost, o.filled
    else:
        price, amount = average, o.amount or o.filled
    number = ids.number(o.id)
    return {"amount": amount, "avg_price": average,
            "create_date": to_ms(o.created_at) if o.created_at else 0,
            "deal_amount": o.filled, "order_id": number, "orders_id": number,
            "price": price, "status": status[o.status], "symbol": v1_symbol(o.symbol),
            "type": o.side.value + ("_market" if o.type is OrderType.MARKET else "")}


def order_request(fields: Mapping[str, Any]) -> OrderRequest:
    """trade.do's type/price/amount as a unified order (a market buy spends `price`)."""
    kind = str(fields.get("type") or "").strip()
    if kind not in ORDER_TYPES:
        raise Refused(10101, f"order type {kind!r} is wrong")
    side, otype = ORDER_TYPES[kind]
    price, amount = decimal(fields.get("price"), "price"), decimal(fields.get("amount"), "amount")
    if otype is OrderType.LIMIT:
        if price is None or amount is None:
            raise Refused(10000, "price and amount are required")
        if price <= 0:  # v1's own cap (1,000,000) is not applied: BTC/JPY is above it
            raise Refused(10014, "order price must be above 0")
        return OrderRequest(type=otype, side=side, amount=amount, price=price)
    if side is Side.BUY:
        if price is None:
            raise Refused(10000, "price (the amount to spend) is required")
        return OrderRequest(type=otype, side=side, amount=None, cost=price)
    if amount is None:
        raise Refused(10000, "amount is required")
    return OrderRequest(type=otype, side=side, amount=amount)


async def trade(c: Call) -> Any:
    r = order_request(c.params)
    order = await c.ex.create_order(c.symbol(), r.type, r.side, r.amount, r.price, cost=r.cost)
    return {"result": True, "order_id": c.ids.number(order.id)}


def orders_data(raw: str) -> list[Mapping[str, Any]]:
    """JSON, or the docs' JavaScript-like [{price:3,amount:5,type:'sell'}]."""
    for attempt in (raw, _JS_KEY.sub(r'\1"\2":', raw.replace("'", '"'))):
        try:
            data = json.loads(attempt, parse_float=Decimal)
        except ValueError:
            continue
        if isinstance(data, list) and all(isinstance(i, dict) for i in data):
            return data
        break
    raise Refused(10008, "orders_data must be a list of orders")


BatchResult = Order | VenueError | AmbiguousOutcome


async def _one(c: Call, symbol: str, r: OrderRequest) -> Order | UnifiedError:
    try:
        return await c.ex.create_order(symbol, r.type, r.side, r.amount, r.price, cost=r.cost)
    except UnifiedError as error:
        return error


async def batch_trade(c: Call, code_for: Callable[[BaseException], int]) -> Any:
    symbol = c.symbol()
    items = orders_data(c.need("orders_data"))
    if not 1 <= len(items) <= BATCH_MAX:
        raise Refused(10008, f"orders_data takes 1 to {BATCH_MAX} orders")
    requests: list[OrderRequest | Refused] = []
    for item in items:
        try:
            requests.append(order_request({"type": c.params.get("type"), **item}))
        except Refused as refused:
            requests.append(refused)
    wanted = [r for r in requests if isinstance(r, OrderRequest)]
    placed: Sequence[BatchResult | UnifiedError] = []
    if wanted:
        try:
            placed = await c.ex.create_orders(wanted, symbol)
        except (ConfigurationError, InvalidOrder):
            # refused before anything was placed: an item failed the checks, or the target
            # takes no such batch (KuCoin's: limit orders only). v1 answers per item.
            placed = [await _one(c, symbol, r) for r in wanted]
        except UnifiedError as error:  # the whole batch refused
            placed = [error] * len(wanted)
    results, answers = [], iter(placed)
    for r in requests:
        outcome = r if isinstance(r, Refused) else next(answers)
        if isinstance(outcome, Order):
            results.append({"order_id": c.ids.number(outcome.id)})
        else:
            results.append({"error_code": code_for(outcome), "order_id": -1})
    if all(r["order_id"] == -1 for r in results):
        raise Refused(int(results[0]["error_code"]), "no order of the batch was placed")
    return {"order_info": results, "result": True}


Handler = Callable[[Call], Awaitable[Any]]
