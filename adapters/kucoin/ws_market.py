"""KuCoin spot public pushes -> streamed values: level2 deltas, tickers, matches.

Source: kucoin-openapi/ws/openapi-spot-public.json (topics, schemas and example pushes of
`trade.l2update`, `trade.ticker` and `trade.l3match`). Anything malformed is a DecodeError.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from adapters.kucoin.ws_frames import LEVEL2, MATCH, TICKER, Message, field
from unified.convert import EPOCH, from_ms, from_ns, to_decimal, to_int, to_str
from unified.errors import DecodeError
from unified.models import Side, Ticker, Trade
from unified.streams.sequenced import Delta

_tuple_new = tuple.__new__


def expect(message: Message, prefix: str, subject: str) -> dict[str, Any]:
    if not message.topic.startswith(prefix + ":") or message.subject != subject:
        raise DecodeError(f"expected {prefix} / {subject}, got {message.topic} / "
                          f"{message.subject}")
    if not isinstance(message.data, dict):
        raise DecodeError(f"{subject}: data must be an object")
    return message.data


def _rows(value: Any, what: str) -> Sequence[Sequence[object]]:
    if not isinstance(value, list) or not all(isinstance(r, list) for r in value):
        raise DecodeError(f"{what} must be a list of rows, got {value!r}")
    return value


_LEVEL2_TOPIC = LEVEL2 + ":"
#: the timedelta of each number of milliseconds below one second
_MILLIS = tuple(timedelta(milliseconds=i) for i in range(1000))
_second: tuple[int, datetime] = (0, EPOCH)  # the last whole second read, and its time


def _time_ms(value: int) -> datetime:
    """convert.from_ms of a whole number of ms, the same exact sum: the second's time (the
    last one reused: pushes come many a second) plus its milliseconds' ready timedelta."""
    global _second
    seconds, millis = divmod(value, 1000)
    try:
        if _second[0] != seconds:
            _second = (seconds, EPOCH + timedelta(seconds=seconds))
        return _second[1] + _MILLIS[millis]
    except OverflowError:
        return from_ms(value)  # words the refusal


def level2_delta(message: Message) -> tuple[str, Delta]:
    """`trade.l2update` -> (venue symbol, Delta for SequencedBook). Rows stay as sent; the book
    keeper checks them (strings only, sequence inside start..end). The shape every push has
    (numbers as ints, rows as lists) is read on one path; anything else is `_level2_checked`'s
    to convert or refuse."""
    topic, subject, data, _ = message
    if subject != "trade.l2update" or type(data) is not dict \
            or not topic.startswith(_LEVEL2_TOPIC):
        return _level2_checked(message)
    try:
        changes = data["changes"]
        bids, asks = changes["bids"], changes["asks"]
        start, end, stamp = data["sequenceStart"], data["sequenceEnd"], data["time"]
        symbol = data["symbol"]
    except (KeyError, TypeError):  # a field missing, or changes not an object
        return _level2_checked(message)
    if (type(changes) is not dict or type(start) is not int or type(end) is not int
            or type(stamp) is not int or type(symbol) is not str or type(bids) is not list
            or type(asks) is not list):
        return _level2_checked(message)
    for row in bids:
        if type(row) is not list:
            return _level2_checked(message)
    for row in asks:
        if type(row) is not list:
            return _level2_checked(message)
    delta: Delta = _tuple_new(Delta, (start, end, bids, asks, _time_ms(stamp), data))
    return symbol, delta


def _level2_checked(message: Message) -> tuple[str, Delta]:
    data = expect(message, LEVEL2, "trade.l2update")
    changes = field(data, "changes", "trade.l2update")
    if not isinstance(changes, dict):
        raise DecodeError("trade.l2update: changes must be an object")
    delta = Delta(
        start=to_int(field(data, "sequenceStart", "trade.l2update")),
        end=to_int(field(data, "sequenceEnd", "trade.l2update")),
        bids=_rows(field(changes, "bids", "changes"), "bids"),
        asks=_rows(field(changes, "asks", "changes"), "asks"),
        timestamp=from_ms(field(data, "time", "trade.l2update")),
        raw=data,
    )
    return to_str(field(data, "symbol", "trade.l2update")), delta


def _topic_symbol(topic: str) -> str:
    # a ticker push names its symbol only in the topic, one symbol per push
    symbol = topic.partition(":")[2]
    if not symbol or "," in symbol:
        raise DecodeError(f"ticker push topic names no single symbol: {topic!r}")
    return symbol


#: every symbol's ticker on one topic; each push names its symbol in `subject`
#: (openapi-spot-public.json, /allTickers/market/ticker:all)
TICKER_ALL = TICKER + ":all"


def ticker(message: Message, unified_symbol: Callable[[str], str]) -> Ticker:
    """`trade.ticker` (best bid/ask and last trade; no 24 h fields, those are None), or a
    `/market/ticker:all` push, whose subject is the symbol."""
    if message.topic == TICKER_ALL:
        if not isinstance(message.data, dict) or not message.subject:
            raise DecodeError("ticker:all push: expected data object and a symbol subject")
        data, venue_symbol = message.data, message.subject
    else:
        data = expect(message, TICKER, "trade.ticker")
        venue_symbol = _topic_symbol(message.topic)
    # the schema names the field `time`; the official example writes `Time`
    stamp = data["time"] if "time" in data else field(data, "Time", "trade.ticker")
    return Ticker(
        symbol=unified_symbol(venue_symbol),
        timestamp=from_ms(stamp),
        last=to_decimal(field(data, "price", "trade.ticker")),
        bid=to_decimal(field(data, "bestBid", "trade.ticker")),
        ask=to_decimal(field(data, "bestAsk", "trade.ticker")),
        bid_size=to_decimal(field(data, "bestBidSize", "trade.ticker")),
        ask_size=to_decimal(field(data, "bestAskSize", "trade.ticker")),
        open=None, high=None, low=None, base_volume=None, quote_volume=None,
        raw=data,
    )


_SIDES = {"buy": Side.BUY, "sell": Side.SELL}


def trade(message: Message, unified_symbol: Callable[[str], str]) -> Trade:
    """`trade.l3match`: the taker's side; `time` is nanoseconds (a string)."""
    data = expect(message, MATCH, "trade.l3match")
    side = field(data, "side", "trade.l3match")
    if not isinstance(side, str) or side not in _SIDES:
        raise DecodeError(f"trade.l3match: unknown side {side!r}")
    return Trade(
        id=to_str(field(data, "tradeId", "trade.l3match")),
        symbol=unified_symbol(to_str(field(data, "symbol", "trade.l3match"))),
        timestamp=from_ns(field(data, "time", "trade.l3match")),
        side=_SIDES[side],
        price=to_decimal(field(data, "price", "trade.l3match")),
        amount=to_decimal(field(data, "size", "trade.l3match")),
        raw=data,
    )
