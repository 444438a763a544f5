"""OKCoinJapan v3 pushes -> streamed values: depth, tickers, trades, orders, fills, balances.

Source: okcoinjp-v3-rest-ws.md, "WebSocketAPI": the field tables and example responses of
spot/depth (Public-Depth400, Checksum), spot/ticker, spot/trade, spot/order (User Orders) and
spot/account (User Spot Account). Orders and balances are read by the REST decoders
(adapters/okcoinjp/codec.py: the same wire classes and the spec's status table), since the
pushes name their fields as the REST answers do. Anything malformed is a DecodeError.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from adapters.okcoinjp import codec, wire
from adapters.okcoinjp.ws_frames import ACCOUNT, DEPTH, ORDER, TICKER, TRADE, Push, field
from unified.convert import from_iso, structure, to_decimal, to_decimal_or_none, to_int, to_str
from unified.errors import DecodeError
from unified.models import Fill, Order, Side, Ticker, Trade
from unified.streams.checksummed import Depth
from unified.streams.dialect import BalanceChange
from unified.venue import Context


def _table(push: Push, table: str) -> None:
    if push.table != table:
        raise DecodeError(f"expected a {table} push, got {push.table}")


_ACTIONS = {"partial": True, "update": False}


def _time(value: Any) -> datetime | None:
    return None if value is None or value == "" else from_iso(value)


def depths(push: Push) -> list[tuple[str, Depth]]:
    """A spot/depth push -> (instrument id, Depth) per entry. Rows keep the venue's strings
    (the checksum is over them); the book keeper checks them."""
    _table(push, DEPTH)
    if push.action not in _ACTIONS:
        raise DecodeError(f"spot/depth push with action {push.action!r}")
    out = []
    for entry in push.data:
        bids, asks = field(entry, "bids", "spot/depth"), field(entry, "asks", "spot/depth")
        for side in (bids, asks):
            if not isinstance(side, list) or not all(isinstance(r, list) for r in side):
                raise DecodeError(f"spot/depth: a side must be a list of rows, got {side!r}")
        out.append((to_str(field(entry, "instrument_id", "spot/depth")), Depth(
            partial=_ACTIONS[push.action],
            bids=bids,
            asks=asks,
            # documented as String in the field table, sent as a number in every example
            checksum=to_int(field(entry, "checksum", "spot/depth")),
            # diagnostic only (the checksum orders the book): absent, it is None
            timestamp=_time(entry.get("timestamp")),
            raw=entry,
        )))
    return out


def _optional(entry: Mapping[str, Any], key: str) -> Any:
    # the subscription example's ticker has no best sizes: absent fields are None, not zero
    return to_decimal_or_none(entry.get(key))


def tickers(push: Push, unified_symbol: Callable[[str], str]) -> list[Ticker]:
    _table(push, TICKER)
    return [Ticker(
        symbol=unified_symbol(to_str(field(e, "instrument_id", "spot/ticker"))),
        timestamp=from_iso(field(e, "timestamp", "spot/ticker")),
        last=_optional(e, "last"),
        bid=_optional(e, "best_bid"),
        ask=_optional(e, "best_ask"),
        bid_size=_optional(e, "best_bid_size"),
        ask_size=_optional(e, "best_ask_size"),
        open=_optional(e, "open_24h"),
        high=_optional(e, "high_24h"),
        low=_optional(e, "low_24h"),
        base_volume=_optional(e, "base_volume_24h"),
        quote_volume=_optional(e, "quote_volume_24h"),
        raw=e,
    ) for e in push.data]


_SIDES = {"buy": Side.BUY, "sell": Side.SELL}


def _side(value: Any) -> Side:
    if not isinstance(value, str) or value not in _SIDES:
        raise DecodeError(f"spot/trade: unknown side {value!r}")
    return _SIDES[value]


def trades(push: Push, unified_symbol: Callable[[str], str]) -> list[Trade]:
    _table(push, TRADE)
    return [Trade(
        id=to_str(field(e, "trade_id", "spot/trade")),
        symbol=unified_symbol(to_str(field(e, "instrument_id", "spot/trade"))),
        timestamp=from_iso(field(e, "timestamp", "spot/trade")),
        side=_side(field(e, "side", "spot/trade")),
        price=to_decimal(field(e, "price", "spot/trade")),
        amount=to_decimal(field(e, "size", "spot/trade")),
        raw=e,
    ) for e in push.data]


# -- private channels ----------------------------------------------------------------------------

#: "'0' will be returned if the data is empty" (last_fill_id, last_fill_px, last_fill_qty)
NO_FILL = ("", "0")


@attrs.frozen
class LastFill:
    """The latest execution a spot/order push reports (User Orders field table). The fields
    persist: a later push of the same order (a cancel) repeats them, so the core drops a Fill
    whose id it has delivered."""

    order_id: str
    instrument_id: str
    side: str
    last_fill_id: str | None = None
    last_fill_px: Decimal | None = None
    last_fill_qty: Decimal | None = None
    last_fill_time: str | None = None


def order(ctx: Context, entry: dict[str, Any]) -> Order:
    """One spot/order entry, read as the REST order is; but here `timestamp` is "Time of order
    being updated" and `created_at` the creation (REST orders' `timestamp` is the creation)."""
    base = codec.decode_order(ctx, entry)
    created = entry.get("created_at")
    return attrs.evolve(base, created_at=from_iso(created) if created else None,
                        updated_at=from_iso(field(entry, "timestamp", "spot/order")))


def fill(ctx: Context, entry: dict[str, Any]) -> Fill | None:
    """The execution the entry reports, if any: none when last_fill_id is '0' (or "") or
    last_fill_qty is '0' (or absent). An execution (a positive last_fill_qty) that names no
    last_fill_id (the docs' example omits the key) is a DecodeError: a Fill is delivered once
    by its trade id, so none is made up; the unreadable push makes the core reconcile the
    private streams through REST, which delivers that fill under its real id."""
    f = structure(entry, LastFill)
    if f.last_fill_id is None:
        if f.last_fill_qty is None or f.last_fill_qty == 0:
            return None
        raise DecodeError(f"spot/order: order {f.order_id} reports a fill of "
                          f"{f.last_fill_qty} without last_fill_id")
    if f.last_fill_id in NO_FILL:
        return None
    if f.last_fill_px is None or f.last_fill_qty is None or not f.last_fill_time:
        raise DecodeError(f"spot/order: fill {f.last_fill_id} without price, size or time")
    if f.last_fill_qty <= 0 or f.last_fill_px <= 0:
        raise DecodeError(f"spot/order: fill {f.last_fill_id} of {f.last_fill_qty} at "
                          f"{f.last_fill_px}")
    return Fill(
        id=f.last_fill_id, order_id=f.order_id, symbol=ctx.unified_symbol(f.instrument_id),
        side=ctx.tables.sides.decode(f.side), price=f.last_fill_px, amount=f.last_fill_qty,
        cost=f.last_fill_px * f.last_fill_qty,
        fee=None, liquidity=None,  # not in the push (the REST fills have both)
        timestamp=from_iso(f.last_fill_time), raw=entry,
    )


def orders(push: Push, ctx: Context) -> list[tuple[Order, Fill | None]]:
    _table(push, ORDER)
    return [(order(ctx, entry), fill(ctx, entry)) for entry in push.data]


def balances(push: Push) -> list[BalanceChange]:
    """spot/account: `balance` is the total, `hold` what open orders hold. The push carries
    no time."""
    _table(push, ACCOUNT)
    out = []
    for entry in push.data:
        a = structure(entry, wire.Account)
        out.append(BalanceChange(currency=a.currency.upper(), total=a.balance,
                                 available=a.available, held=a.hold, raw=entry))
    return out
