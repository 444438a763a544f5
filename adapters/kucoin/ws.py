"""KuCoin spot WebSocket, sans-IO: `STREAMS`, the dialect the stream core drives
(unified/streams/dialect.py), over the frame codec of ws_frames.py and the push decoders of
ws_market.py (public) and ws_private.py (private). The codec's names are re-exported here.

Venue facts the dialect encodes (kucoin-classic-rest.md "WebSocket API", kucoin-openapi/ws/):

- connect details come from `POST /api/v1/bullet-public` / `bullet-private` (spec operations
  ws_token_public / ws_token_private): the first instance server, its pingInterval and
  pingTimeout (ms); the server greets with `welcome` before anything may be subscribed;
- no login frame: the private bullet's token authenticates the connection;
- one topic per subscribe message, up to MAX_SYMBOLS_PER_TOPIC symbols per topic, each message
  with its own id, acknowledged by an `ack` with that id (we always send response: true);
- /spotMarket/tradeOrdersV2 carries every order change of every market (orders and my_trades
  share it); /account/balance every balance change (only the spot account's are yielded).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from adapters.kucoin import ws_private
from adapters.kucoin.ws_frames import (
    BALANCE,
    LEVEL2,
    MATCH,
    MAX_SYMBOLS_PER_TOPIC,
    ORDERS,
    TICKER,
    TOKEN_EXPIRED_CODE,
    Ack,
    Bullet,
    BulletStreams,
    Error,
    Event,
    InstanceServer,
    Message,
    Pong,
    Welcome,
    bullet_answer,
    connect_url,
    decode,
    encode_ping,
    encode_subscribe,
    encode_unsubscribe,
    parse_bullet,
    topics,
)
from adapters.kucoin.ws_market import TICKER_ALL, level2_delta, ticker, trade
from unified.errors import ConfigurationError, DecodeError
from unified.streams import dialect
from unified.streams.dialect import Dialect, Item, Want
from unified.venue import Context

__all__ = [
    "BALANCE", "LEVEL2", "MATCH", "MAX_SYMBOLS_PER_TOPIC", "ORDERS", "PRIVATE_TOPICS", "STREAMS",
    "TICKER", "TICKER_ALL", "TOKEN_EXPIRED_CODE", "Ack", "Bullet", "Error", "Event",
    "InstanceServer", "KucoinStreams", "Message", "Pong", "Welcome", "bullet_answer",
    "connect_url", "decode", "encode_ping", "encode_subscribe", "encode_unsubscribe",
    "level2_delta", "parse_bullet", "ticker", "topics", "trade",
]

#: topics that need the private bullet's connection (privateChannel: true)
PRIVATE_TOPICS = frozenset({ORDERS, BALANCE})
#: public kinds -> topic prefix (`prefix:SYM1,SYM2`)
PUBLIC_PREFIXES: dict[dialect.Kind, str] = {"book": LEVEL2, "ticker": TICKER, "trades": MATCH}
#: private kinds -> their one topic, for every market
PRIVATE_KEYS: dict[dialect.Kind, str] = {"orders": ORDERS, "my_trades": ORDERS,
                                          "balance": BALANCE}



def merged_topics(keys: Sequence[str]) -> list[tuple[str, bool]]:
    """Wire keys -> (topic, private) per subscribe message: the symbols of one prefix merged
    into topics of at most MAX_SYMBOLS_PER_TOPIC (duplicates dropped), prefixes in the order
    they first appear; private topics as they are."""
    groups: dict[str, list[str]] = {}
    for key in keys:
        if not isinstance(key, str):
            raise ConfigurationError(f"not a KuCoin wire key: {key!r}")
        if key in PRIVATE_TOPICS:
            groups.setdefault(key, [])
            continue
        prefix, colon, symbols = key.partition(":")
        if not colon or prefix not in PUBLIC_PREFIXES.values():
            raise ConfigurationError(f"not a KuCoin wire key: {key!r}")
        groups.setdefault(prefix, []).extend(symbols.split(","))
    out: list[tuple[str, bool]] = []
    for prefix, names in groups.items():
        if prefix in PRIVATE_TOPICS:
            out.append((prefix, True))
        else:
            out.extend((topic, False) for topic in topics(prefix, names))
    return out


_tuple_new = tuple.__new__
_WHOLE: frozenset[str] = frozenset()
#: topic prefix -> the kind of stream its pushes feed
KIND_OF = dialect.kinds_of(PUBLIC_PREFIXES, PRIVATE_KEYS)


def _items(message: Message, ctx: Context) -> list[dialect.Event]:
    prefix, _, names = message.topic.partition(":")
    try:
        if prefix == LEVEL2:
            symbol, delta = level2_delta(message)
            book: Item = _tuple_new(Item, ("book", ctx.unified_symbol(symbol), delta, _WHOLE))
            return [book]  # Item(...) without the keyword handling: once a frame
        if prefix == TICKER:
            t = ticker(message, ctx.unified_symbol)
            return [Item(kind="ticker", symbol=t.symbol, value=t)]
        if prefix == MATCH:
            tr = trade(message, ctx.unified_symbol)
            return [Item(kind="trades", symbol=tr.symbol, value=tr)]
        if prefix == ORDERS:
            order, fill = ws_private.order_change(ctx, message)
            unreported = ws_private.FILLED_UNREPORTED if order.filled > 0 \
                else ws_private.ORDER_UNREPORTED
            return dialect.order_items(order, unreported, fill, ws_private.FILL_UNREPORTED)
        if prefix == BALANCE:
            change = ws_private.balance_change(message)
            return [] if change is None else [Item(kind="balance", symbol=None, value=change)]
        raise DecodeError("KuCoin push on a topic this dialect never subscribes: "
                          f"{message.topic}")
    except DecodeError as exc:  # told as its own stream's, when the topic names one
        name = message.subject if prefix + ":" + names == TICKER_ALL else names
        raise dialect.unreadable(exc, KIND_OF.get(prefix), name, ctx) from exc


@attrs.frozen
class KucoinStreams(BulletStreams):
    """KuCoin's dialect (unified.streams.dialect.Dialect); pure, stateless."""

    def wire_keys(self, want: Want, markets: Sequence[str]) -> list[str]:
        """One key per want; private kinds share one topic of every market, so a want of one
        market is fed every market's changes: the core keeps the items of its symbol."""
        if want.kind in PRIVATE_KEYS:
            return [PRIVATE_KEYS[want.kind]]
        prefix = PUBLIC_PREFIXES.get(want.kind)
        if prefix is None:
            raise ConfigurationError(f"no KuCoin topic for {want.kind!r}")
        if want.symbol is None:
            raise ConfigurationError(f"a {want.kind} stream needs a symbol")
        return topics(prefix, [want.symbol])

    def topics_of(self, keys: Sequence[str]) -> list[tuple[str, bool]]:
        return merged_topics(keys)

    def items(self, message: Message, ctx: Context) -> list[dialect.Event]:
        return _items(message, ctx)


STREAMS: Dialect = KucoinStreams()
