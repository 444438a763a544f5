"""KuCoin futures pushes -> streamed values (the dialect is ws.py; frames are KuCoin's own,
read by adapters/kucoin/ws_frames.py).

Sources: kucoin-openapi/ws/openapi-futures-public.json and openapi-futures-private.json, the
topics' schemas and example pushes:

- `/contractMarket/level2:{symbol}`, subject `level2`: one change a push, `change` is
  "price,side,size" (size in contracts, "0" removes the level) and `sequence` the book's
  sequence after it (the numbers GET /api/v1/level2/snapshot reports); the symbol is only in
  the topic;
- `/contractMarket/ticker:{symbol}`, subject `ticker`: the REST ticker's fields (last trade and
  best bid / ask); `/contractMarket/execution:{symbol}`, subject `match`: one public trade;
- `/contractMarket/tradeOrders`, subject `symbolOrderChange` (older pages: `orderChange`);
  `orderTime` is milliseconds in the schema and nanoseconds in the example: both are read;
- `/contract/position:{symbol}`, subject `position.change`: the REST position's fields, money
  written as JSON numbers (read as Decimal, never float); the legacy docs' change "caused by
  mark price" carries only the mark-dependent figures (no symbol, no currentQty): a note;
- `/contractAccount/wallet`, subject `walletBalance.change`: walletBalance (REST's
  marginBalance) and availableBalance of one settle currency.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from adapters.kucoin.ws_frames import Message
from adapters.kucoin_futures import account_codec, market_codec
from adapters.kucoin_futures.symbols import unified_currency, unified_symbol
from unified.contracts import to_quote
from unified.convert import from_ms, from_ns, structure, to_int
from unified.derivative_models import Position
from unified.errors import ConfigurationError, DecodeError
from unified.models import Fill, Order, OrderType, Trade
from unified.streams.dialect import BalanceChange
from unified.streams.sequenced import Delta
from unified.venue import Context

ZERO = Decimal(0)
LEVEL2 = "/contractMarket/level2"
TICKER = "/contractMarket/ticker"
EXECUTION = "/contractMarket/execution"
ORDERS = "/contractMarket/tradeOrders"
POSITION = "/contract/position"
POSITION_ALL = "/contract/positionAll"
WALLET = "/contractAccount/wallet"

#: The order push names no fee, time in force or post-only, and no value once filled;
#: `orderType` is in the schema but not in the example push (dialect.Item.unreported).
ORDER_UNREPORTED = frozenset({"fee", "time_in_force", "post_only"})
FILLED_UNREPORTED = ORDER_UNREPORTED | {"cost", "average"}
FILL_UNREPORTED = frozenset({"fee"})
ORDER_SUBJECTS = frozenset({"symbolOrderChange", "orderChange"})
EVENTS = frozenset({"open", "match", "update", "filled", "canceled"})
STATUSES = frozenset({"open", "match", "done"})
#: position-topic subjects that carry no whole position (funding settled, risk limit moved):
#: the position.change that follows says the position's new state
POSITION_NOTES = frozenset({"position.settlement", "position.adjustRiskLimit"})
#: wallet subjects of older pages, each one figure only: walletBalance.change says all
WALLET_NOTES = frozenset({"availableBalance.change", "orderMargin.change",
                          "withdrawHold.change"})
_NS_FROM = 10**15  # a time past this many units is nanoseconds, not milliseconds


def topic_symbol(message: Message) -> str:
    symbol = message.topic.partition(":")[2]
    if not symbol or "," in symbol:
        raise DecodeError(f"push topic names no single contract: {message.topic!r}")
    return symbol


def _data(message: Message, subjects: frozenset[str] | str) -> dict[str, Any]:
    wanted = {subjects} if isinstance(subjects, str) else subjects
    if message.subject not in wanted:
        raise DecodeError(f"{message.topic}: unexpected subject {message.subject!r}")
    if not isinstance(message.data, dict):
        raise DecodeError(f"{message.subject}: data must be an object")
    return message.data


def level2_delta(message: Message) -> tuple[str, Delta]:
    """One change -> (contract id, Delta of that one sequence, rows as text)."""
    data = _data(message, "level2")
    try:
        seq, change, stamp = data["sequence"], data["change"], data["timestamp"]
    except KeyError as exc:
        raise DecodeError(f"level2 push: missing {exc}") from None
    sequence = to_int(seq)
    parts = change.split(",") if isinstance(change, str) else []
    if len(parts) != 3 or parts[1] not in ("buy", "sell"):
        raise DecodeError(f"level2 push: change {change!r} is not 'price,side,size'")
    price, side, size = parts
    row = [price, size, str(sequence)]
    bids, asks = ([row], []) if side == "buy" else ([], [row])
    return topic_symbol(message), Delta(start=sequence, end=sequence, bids=bids, asks=asks,
                                        timestamp=from_ms(stamp), raw=data)


def ticker(ctx: Context, message: Message) -> Any:
    return market_codec.decode_ticker(ctx, _data(message, "ticker"))


def trade(ctx: Context, message: Message) -> Trade:
    data = _data(message, "match")
    t = structure(data, market_codec.PublicTrade)
    return Trade(id=t.tradeId, symbol=unified_symbol(ctx, topic_symbol(message)),
                 timestamp=from_ns(t.ts), side=ctx.tables.sides.decode(t.side), price=t.price,
                 amount=t.size, raw=data)


@attrs.frozen
class OrderChange:
    orderId: str
    symbol: str
    side: str
    status: str
    type: str
    ts: int
    orderTime: int | None = None
    orderType: str | None = None
    clientOid: str | None = None
    size: Decimal | None = None
    price: Decimal | None = None
    filledSize: Decimal | None = None
    canceledSize: Decimal | None = None
    matchPrice: Decimal | None = None
    matchSize: Decimal | None = None
    tradeId: str | None = None
    liquidity: str | None = None


def _moment(value: int) -> Any:
    return from_ns(value) if value > _NS_FROM else from_ms(value)


def _state(o: OrderChange) -> str:
    """The status table's names (as REST's orders_codec.order_state gives them)."""
    if o.status not in STATUSES or o.type not in EVENTS:
        raise DecodeError(f"order push: unknown status/type {o.status!r}/{o.type!r}")
    filled = o.filledSize or ZERO
    if o.status != "done":  # the match that fills the last lot still says "match"
        if o.size is not None and o.size > 0 and filled >= o.size:
            return "done-filled"
        return "active-dealt" if filled > 0 else "active"
    if o.type == "filled" or (o.size is not None and filled >= o.size > 0):
        return "done-filled"
    return "done-canceled"


def order_change(ctx: Context, message: Message
                 ) -> tuple[Order, frozenset[str], Fill | None]:
    """An order push -> the order as it stands, its unreported fields, and its fill (type
    "match"), if any."""
    data = _data(message, ORDER_SUBJECTS)
    o = structure(data, OrderChange)
    tables = ctx.tables
    unreported = FILLED_UNREPORTED if (o.filledSize or ZERO) > 0 else ORDER_UNREPORTED
    order_type = tables.order_types.decode(o.orderType) if o.orderType else OrderType.LIMIT
    if o.orderType is None:
        unreported |= {"type"}
    filled = o.filledSize or ZERO
    amount = o.size if o.size is not None and o.size > 0 else None
    order = Order(
        id=o.orderId, client_order_id=o.clientOid or None, symbol=unified_symbol(ctx, o.symbol),
        side=tables.sides.decode(o.side), type=order_type, status=tables.status.decode(_state(o)),
        price=o.price if order_type is OrderType.LIMIT and o.price else None, amount=amount,
        filled=filled, remaining=max(amount - filled, ZERO) if amount is not None else None,
        average=None, cost=ZERO, fee=None, time_in_force=None, post_only=False,
        created_at=_moment(o.orderTime) if o.orderTime else from_ns(o.ts),
        updated_at=from_ns(o.ts), raw=data)
    return order, unreported, _fill(ctx, o, data) if o.type == "match" else None


def _fill(ctx: Context, o: OrderChange, raw: Any) -> Fill:
    if o.tradeId is None or o.matchPrice is None or o.matchSize is None:
        raise DecodeError("order push of a match without tradeId, matchPrice and matchSize")
    market = ctx.markets_by_id.get(o.symbol)
    try:  # the quote value, as REST's fills report `value`
        cost = to_quote(market, o.matchSize, o.matchPrice) if market is not None else ZERO
    except ConfigurationError as exc:
        raise DecodeError(f"order push: {exc}") from None
    return Fill(id=o.tradeId, order_id=o.orderId, symbol=unified_symbol(ctx, o.symbol),
                side=ctx.tables.sides.decode(o.side), price=o.matchPrice, amount=o.matchSize,
                cost=cost, fee=None,
                liquidity=ctx.tables.liquidity.decode(o.liquidity) if o.liquidity else None,
                timestamp=from_ns(o.ts), raw=raw)


def position_change(ctx: Context, message: Message) -> Position | None:
    """The position after a change (contracts 0 once closed); None for a settlement note or
    a mark-price note."""
    if message.subject in POSITION_NOTES:
        return None
    data = _data(message, "position.change")
    if is_mark_price_note(data):
        return None
    return account_codec.decode_position_item(ctx, data)


def is_mark_price_note(data: dict[str, Any]) -> bool:
    """A position.change "caused by mark price" (KuCoin's legacy futures docs): only the
    mark-dependent figures (markPrice, markValue, maintMargin, realLeverage, unrealisedPnl...,
    currentTimestamp, settleCurrency), no symbol and no currentQty. The contracts held are
    unchanged, so it says no new position (a note, like a settlement). Told by that
    shape, so a whole position missing one of its fields is still unreadable."""
    return "symbol" not in data and "currentQty" not in data and "markPrice" in data


@attrs.frozen
class Wallet:
    currency: str
    walletBalance: Decimal
    availableBalance: Decimal
    timestamp: int | None = None  # ms, written as text in the example


def wallet_change(ctx: Context, message: Message) -> BalanceChange | None:
    if message.subject in WALLET_NOTES:
        return None
    data = _data(message, "walletBalance.change")
    w = structure(data, Wallet)
    return BalanceChange(currency=unified_currency(ctx, w.currency), total=w.walletBalance,
                         available=w.availableBalance,
                         held=w.walletBalance - w.availableBalance,
                         timestamp=from_ms(w.timestamp) if w.timestamp else None, raw=data)
