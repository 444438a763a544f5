"""Unified models (DESIGN.md section 4): attrs, frozen, slots, keyword-only; field names pinned."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

import attrs


class Side(enum.Enum):
    BUY = "buy"
    SELL = "sell"


class OrderType(enum.Enum):
    LIMIT = "limit"
    MARKET = "market"


class TimeInForce(enum.Enum):
    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"
    GTT = "GTT"


class MarginMode(enum.Enum):
    """DESIGN 3c: a margin order borrows against the cross or an isolated margin account."""

    CROSS = "cross"
    ISOLATED = "isolated"


class Account(enum.Enum):
    """DESIGN 3c: the account kinds a venue may have (each venue's spec says which it has and
    its own name for each: KuCoin main/trade/margin/isolated, OKCoinJapan's funding wallet is
    MAIN and its spot wallet TRADE, v1's wallet MAIN, spot TRADE and futures FUTURES)."""

    MAIN = "main"
    TRADE = "trade"
    MARGIN = "margin"
    ISOLATED = "isolated"
    FUTURES = "futures"


class TransactionKind(enum.Enum):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"


class TransactionStatus(enum.Enum):
    PENDING = "pending"
    OK = "ok"
    FAILED = "failed"
    CANCELED = "canceled"


class Trigger(enum.Enum):
    """A stop order's direction: ABOVE fires when the price rises to stop_price (KuCoin
    stop=entry), BELOW when it falls to it (stop=loss)."""

    ABOVE = "above"
    BELOW = "below"


class MarketKind(enum.Enum):
    """DESIGN 3c: a spot pair, a perpetual swap or a dated future."""

    SPOT = "spot"
    SWAP = "swap"
    FUTURE = "future"


class Liquidity(enum.Enum):
    MAKER = "maker"
    TAKER = "taker"


class OrderStatus(enum.Enum):
    PENDING = "pending"
    OPEN = "open"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELING = "canceling"
    CANCELED = "canceled"
    REJECTED = "rejected"
    EXPIRED = "expired"

    @property
    def is_open(self) -> bool:
        return self in _OPEN_STATUSES

    @property
    def is_final(self) -> bool:
        return self in _FINAL_STATUSES


_OPEN_STATUSES = frozenset(
    {OrderStatus.PENDING, OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED, OrderStatus.CANCELING}
)
_FINAL_STATUSES = frozenset(
    {OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.REJECTED, OrderStatus.EXPIRED}
)

_raw = attrs.field(default=None, eq=False, repr=False, hash=False)


@attrs.frozen(kw_only=True, slots=True)
class Market:
    symbol: str
    venue_symbol: str
    base: str
    quote: str
    price_increment: Decimal
    amount_increment: Decimal
    min_amount: Decimal
    min_cost: Decimal | None
    active: bool
    raw: Any = _raw
    # the step of a quote amount (a market buy's cost), where the venue has one
    cost_increment: Decimal | None = None
    # DESIGN 3c, derivatives (unified.contracts): amounts are in contracts of contract_size
    # (base per contract when linear, quote per contract when inverse); None on spot
    kind: MarketKind = MarketKind.SPOT
    settle: str | None = None
    contract_size: Decimal | None = None
    linear: bool | None = None
    expiry: datetime | None = None


@attrs.frozen(kw_only=True, slots=True)
class Ticker:
    symbol: str
    timestamp: datetime
    last: Decimal | None
    bid: Decimal | None
    ask: Decimal | None
    bid_size: Decimal | None
    ask_size: Decimal | None
    open: Decimal | None
    high: Decimal | None
    low: Decimal | None
    base_volume: Decimal | None
    quote_volume: Decimal | None
    raw: Any = _raw


@attrs.frozen(kw_only=True, slots=True)
class BookLevel:
    price: Decimal
    amount: Decimal


@attrs.frozen(kw_only=True, slots=True)
class OrderBook:
    symbol: str
    timestamp: datetime | None
    bids: tuple[BookLevel, ...]
    asks: tuple[BookLevel, ...]
    sequence: int | None
    raw: Any = _raw


@attrs.frozen(kw_only=True, slots=True)
class Trade:
    id: str
    symbol: str
    timestamp: datetime
    side: Side | None
    price: Decimal
    amount: Decimal
    raw: Any = _raw


@attrs.frozen(kw_only=True, slots=True)
class Candle:
    timestamp: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    quote_volume: Decimal | None


@attrs.frozen(kw_only=True, slots=True)
class Balance:
    currency: str
    total: Decimal
    available: Decimal
    held: Decimal
    # a margin account's debt in this currency: principal and interest owed (0 elsewhere)
    borrowed: Decimal = Decimal(0)


class Balances(Mapping[str, Balance]):
    """Balances keyed by upper-case currency."""

    __slots__ = ("_by_currency", "raw")

    def __init__(self, balances: Mapping[str, Balance], raw: Any = None) -> None:
        self._by_currency = {k.upper(): v for k, v in balances.items()}
        self.raw = raw

    def __getitem__(self, currency: str) -> Balance:
        return self._by_currency[currency.upper()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_currency)

    def __len__(self) -> int:
        return len(self._by_currency)

    def __repr__(self) -> str:
        return f"Balances({self._by_currency!r})"


@attrs.frozen(kw_only=True, slots=True)
class Fee:
    cost: Decimal
    currency: str
    rate: Decimal | None = None


@attrs.frozen(kw_only=True, slots=True)
class Order:
    id: str
    client_order_id: str | None
    symbol: str
    side: Side
    type: OrderType
    status: OrderStatus
    price: Decimal | None
    amount: Decimal | None
    filled: Decimal
    remaining: Decimal | None
    average: Decimal | None
    cost: Decimal
    fee: Fee | None
    time_in_force: TimeInForce | None
    post_only: bool
    created_at: datetime | None
    updated_at: datetime | None
    raw: Any = _raw
    # DESIGN 3c: a stop order's trigger price (None for every other order)
    stop_price: Decimal | None = None


@attrs.frozen(kw_only=True, slots=True)
class Transaction:
    """A deposit or a withdrawal. `id` is the venue's id (KuCoin deposits have none: their
    walletTxId is the key); `network` is the venue's own chain id (KuCoin `trx`)."""

    id: str
    kind: TransactionKind
    currency: str
    amount: Decimal
    fee: Decimal | None
    address: str | None
    tag: str | None
    network: str | None
    txid: str | None
    status: TransactionStatus
    timestamp: datetime
    raw: Any = _raw


@attrs.frozen(kw_only=True, slots=True)
class DepositAddress:
    currency: str
    address: str
    tag: str | None
    network: str | None
    raw: Any = _raw


@attrs.frozen(kw_only=True, slots=True)
class Transfer:
    """Money moved between two of one's own accounts at a venue."""

    id: str
    currency: str
    amount: Decimal
    from_account: Account
    to_account: Account
    status: TransactionStatus
    timestamp: datetime | None
    raw: Any = _raw


@attrs.frozen(kw_only=True, slots=True)
class MarginLoan:
    """A margin borrow or repay as the venue answered it (`symbol` for isolated margin)."""

    id: str
    currency: str
    amount: Decimal
    symbol: str | None
    timestamp: datetime | None
    raw: Any = _raw


@attrs.frozen(kw_only=True, slots=True)
class TradingFee:
    """An account's own maker and taker rates on one market (fractions: 0.001 is 0.1 %)."""

    symbol: str
    maker: Decimal
    taker: Decimal
    raw: Any = _raw


@attrs.frozen(kw_only=True, slots=True)
class OcoOrder:
    """A one-cancels-the-other pair (DESIGN 3d): its two legs as Orders where the venue reports
    them (KuCoin's detail endpoint), else an empty tuple (its list endpoint names no legs)."""

    id: str
    client_order_id: str | None
    symbol: str
    status: OrderStatus
    legs: tuple[Order, ...]
    raw: Any = _raw

    @property
    def fired(self) -> Order | None:
        """The leg that executed or triggered (the other one is canceled), if one has."""
        return next((leg for leg in self.legs if leg.status is OrderStatus.FILLED
                     or (isinstance(leg.raw, Mapping) and leg.raw.get("triggered"))), None)


@attrs.frozen(kw_only=True, slots=True)
class DeadManSwitch:
    """A dead-man switch as the venue reports it: every open order of `symbols` (all markets
    when empty) is canceled at `fires_at` unless it is set again before."""

    seconds: int
    symbols: tuple[str, ...]
    fires_at: datetime
    raw: Any = _raw


@attrs.frozen(kw_only=True, slots=True)
class OrderRequest:
    """One order of a `create_orders` batch: the arguments `create_order` takes."""

    type: OrderType
    side: Side
    amount: Decimal | None
    price: Decimal | None = None
    client_order_id: str | None = None
    time_in_force: TimeInForce | None = None
    post_only: bool = False
    cost: Decimal | None = None


@attrs.frozen(kw_only=True, slots=True)
class Fill:
    id: str
    order_id: str
    symbol: str
    side: Side
    price: Decimal
    amount: Decimal
    cost: Decimal
    fee: Fee | None
    liquidity: Liquidity | None
    timestamp: datetime
    raw: Any = _raw


@attrs.frozen(kw_only=True, slots=True)
class LedgerEntry:
    id: str
    currency: str
    amount: Decimal
    balance: Decimal | None
    kind: str
    reference: str | None
    timestamp: datetime
    raw: Any = _raw


T = TypeVar("T")


@attrs.frozen(slots=True)
class Page(Generic[T]):
    """One page of a walk; `cursor` resumes after this page (after the last page: with only
    the records made since, an incremental sync point)."""

    items: tuple[T, ...]
    cursor: str | None
