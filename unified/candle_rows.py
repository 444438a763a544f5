"""Candles sent as rows of [ms, open, high, low, close, volume], the order that the legacy v1
API and KuCoin futures share (KuCoin spot and OKCoinJapan send other orders)."""

from __future__ import annotations

from typing import Any

from unified.convert import from_ms, to_decimal
from unified.errors import DecodeError
from unified.models import Candle


def decode_ms_ohlcv_rows(data: Any, what: str) -> list[Candle]:
    """Rows of at least six fields; `what` names the answer in errors (e.g. "kline.do")."""
    if not isinstance(data, list):
        raise DecodeError(f"{what}: expected a list")
    out = []
    for row in data:
        if not isinstance(row, list) or len(row) < 6:
            raise DecodeError(f"kline row {row!r} is not [ms, open, high, low, close, volume]")
        out.append(Candle(timestamp=from_ms(row[0]), open=to_decimal(row[1]),
                          high=to_decimal(row[2]), low=to_decimal(row[3]),
                          close=to_decimal(row[4]), volume=to_decimal(row[5]),
                          quote_volume=None))
    return out
