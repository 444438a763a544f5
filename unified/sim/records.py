"""The neutral engine's records: markets, orders, fills, public trades, ledger rows, wallets.

Apart from the engine (unified.sim.book) so that personalities can read and build these
plain records without the matching rules, and each file stays one job.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import attrs

from unified.models import Liquidity, OrderStatus, OrderType, Side, TimeInForce

ZERO = Decimal(0)
VENUE_ACCOUNT = "__venue__"  # fees land here, so every currency's total is conserved
HOUSE_ACCOUNT = "__house__"  # the seeded market maker


class EngineError(Exception):
    """A neutral rejection; `kind` is one of the KINDS below, rendered by each personality."""

    KINDS = (
        "unknown_symbol",
        "invalid",
        "insufficient_funds",
        "duplicate_client_id",
        "not_found",
        "not_cancelable",
        "nothing_to_close",  # a reduce-only or closing order, margin, with no such position
    )

    def __init__(self, kind: str, message: str) -> None:
        assert kind in self.KINDS
        self.kind = kind
        self.message = message
        super().__init__(kind, message)


@attrs.define
class SimMarket:
    symbol: str  # BASE/QUOTE
    base: str
    quote: str
    price_increment: Decimal
    amount_increment: Decimal
    min_amount: Decimal
    min_cost: Decimal
    mid: Decimal  # where the seeded book is centred
    maker_fee: Decimal = Decimal("0.001")
    taker_fee: Decimal = Decimal("0.001")

    def limit_buy_hold(self, price: Decimal, amount: Decimal) -> Decimal:
        """What a limit buy holds of the quote: its cost plus the larger of the two fees."""
        return price * amount * (1 + max(self.maker_fee, self.taker_fee))


@attrs.define
class SimOrder:
    seq: int
    id: str
    client_id: str | None
    account: str
    symbol: str
    side: Side
    type: OrderType
    price: Decimal | None
    amount: Decimal | None  # base amount; None for a market buy by cost
    cost_limit: Decimal | None  # quote to spend (market buy by cost)
    time_in_force: TimeInForce
    post_only: bool
    created_at: datetime
    updated_at: datetime
    status: OrderStatus = OrderStatus.OPEN
    filled: Decimal = ZERO
    filled_cost: Decimal = ZERO
    fee: Decimal = ZERO
    fee_currency: str = ""
    held: Decimal = ZERO  # still on hold for this order
    canceled_amount: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return (self.amount - self.filled) if self.amount is not None else ZERO

    @property
    def is_open(self) -> bool:
        return self.status in (OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED)


@attrs.define
class SimFill:
    seq: int
    trade_id: int
    order_id: str
    account: str
    symbol: str
    side: Side
    price: Decimal
    amount: Decimal
    cost: Decimal
    fee: Decimal
    fee_currency: str
    fee_rate: Decimal
    liquidity: Liquidity
    at: datetime


@attrs.define
class PublicTrade:
    seq: int
    symbol: str
    price: Decimal
    amount: Decimal
    taker_side: Side
    at: datetime


@attrs.define
class LedgerRecord:
    seq: int
    account: str
    currency: str
    amount: Decimal  # signed
    balance: Decimal  # total after this entry
    kind: str  # trade | fee | deposit | withdrawal
    reference: str
    at: datetime


@attrs.define
class Wallet:
    available: Decimal = ZERO
    held: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.available + self.held
