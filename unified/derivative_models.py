"""Derivatives models (DESIGN 3c and 4): positions, funding rates, mark prices.

Apart from unified.models so that each file stays one job (and under 400 lines); re-exported
from `unified`. attrs, frozen, slots, keyword-only, like every model.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from unified.models import MarginMode

_raw = attrs.field(default=None, eq=False, repr=False, hash=False)


class PositionSide(enum.Enum):
    LONG = "long"
    SHORT = "short"


class StopPriceType(enum.Enum):
    """Which price a contract stop order watches: the last trade's, the index or the mark."""

    LAST = "last"
    INDEX = "index"
    MARK = "mark"


@attrs.frozen(kw_only=True, slots=True)
class Position:
    """An open position; `contracts` is a count of contracts of `contract_size` each."""

    symbol: str
    side: PositionSide
    contracts: Decimal
    contract_size: Decimal | None
    entry_price: Decimal | None
    mark_price: Decimal | None
    liquidation_price: Decimal | None
    leverage: Decimal | None
    margin_mode: MarginMode | None
    margin: Decimal | None
    unrealized_pnl: Decimal | None
    realized_pnl: Decimal | None
    timestamp: datetime | None
    raw: Any = _raw


@attrs.frozen(kw_only=True, slots=True)
class FundingRate:
    """A funding rate: the current period's (or, in a history, a settled one's) and, where
    the venue tells it, the predicted next one and when the next settlement is."""

    symbol: str
    rate: Decimal
    predicted_rate: Decimal | None
    timestamp: datetime
    next_funding_at: datetime | None
    raw: Any = _raw


@attrs.frozen(kw_only=True, slots=True)
class MarkPrice:
    symbol: str
    mark_price: Decimal
    index_price: Decimal | None
    timestamp: datetime
    raw: Any = _raw


@attrs.frozen(kw_only=True, slots=True)
class IndexPrice:
    """A contract's index (spot composite) price, where the venue serves it apart."""

    symbol: str
    index_price: Decimal
    timestamp: datetime
    raw: Any = _raw
