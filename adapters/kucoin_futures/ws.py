"""KuCoin futures WebSocket, sans-IO: `STREAMS`, the dialect the stream core drives
(unified/streams/dialect.py). The connection is KuCoin's own (adapters/kucoin/ws_frames.py:
bullet from the futures host's `POST /api/v1/bullet-public` / `bullet-private`, welcome, ping
at the answered interval, subscribe with `response: true` and its ack, error frames, token
expiry); the topics and their pushes are the futures ones (ws_pushes.py).

Topics, one a subscribe message (kucoin-openapi/ws/openapi-futures-*.json, ws.csv):
  book       /contractMarket/level2:{symbol}     deltas by sequence on the REST snapshot
  ticker     /contractMarket/ticker:{symbol}     the one with the last trade (tickerV2 has
                                                 only the best bid and ask)
  trades     /contractMarket/execution:{symbol}
  orders     /contractMarket/tradeOrders         every contract's order changes (my_trades
  my_trades                                      are its "match" pushes)
  balance    /contractAccount/wallet             every settle currency
  positions  /contract/position:{symbol}, or /contract/positionAll for every contract
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from adapters.kucoin.ws_frames import BulletStreams, Message
from adapters.kucoin_futures import ws_pushes as push
from adapters.kucoin_futures.ws_pushes import (
    EXECUTION,
    LEVEL2,
    ORDERS,
    POSITION,
    POSITION_ALL,
    TICKER,
    WALLET,
)
from unified.errors import ConfigurationError, DecodeError
from unified.streams import dialect
from unified.streams.dialect import Dialect, Item, Want
from unified.venue import Context

PUBLIC_PREFIXES: dict[dialect.Kind, str] = {"book": LEVEL2, "ticker": TICKER,
                                             "trades": EXECUTION}
PRIVATE_KEYS: dict[dialect.Kind, str] = {"orders": ORDERS, "my_trades": ORDERS,
                                          "balance": WALLET}
PRIVATE_TOPICS = frozenset({ORDERS, WALLET, POSITION_ALL})


def _private(key: str) -> bool:
    return key in PRIVATE_TOPICS or key.startswith(POSITION + ":")


#: topic prefix -> the kind of stream its pushes feed (private ones: every contract's)
KIND_OF = dialect.kinds_of(PUBLIC_PREFIXES, PRIVATE_KEYS,
                           {"positions": POSITION}, {"positions": POSITION_ALL})


def _items(message: Message, ctx: Context) -> list[dialect.Event]:
    prefix, _, names = message.topic.partition(":")
    try:
        if prefix == LEVEL2:
            symbol, delta = push.level2_delta(message)
            return [Item(kind="book", symbol=ctx.unified_symbol(symbol), value=delta)]
        if prefix == TICKER:
            t = push.ticker(ctx, message)
            return [Item(kind="ticker", symbol=t.symbol, value=t)]
        if prefix == EXECUTION:
            tr = push.trade(ctx, message)
            return [Item(kind="trades", symbol=tr.symbol, value=tr)]
        if prefix == ORDERS:
            order, unreported, fill = push.order_change(ctx, message)
            return dialect.order_items(order, unreported, fill, push.FILL_UNREPORTED)
        if prefix in (POSITION, POSITION_ALL):
            position = push.position_change(ctx, message)
            return [] if position is None else [
                Item(kind="positions", symbol=position.symbol, value=position)]
        if prefix == WALLET:
            change = push.wallet_change(ctx, message)
            return [] if change is None else [Item(kind="balance", symbol=None, value=change)]
        raise DecodeError(f"KuCoin futures push on a topic never subscribed: {message.topic}")
    except DecodeError as exc:  # told as its own stream's, when the topic names one
        raise dialect.unreadable(exc, KIND_OF.get(prefix), names, ctx) from exc


@attrs.frozen
class KucoinFuturesStreams(BulletStreams):
    """KuCoin futures' dialect (unified.streams.dialect.Dialect); pure, stateless. The
    connection's grammar is spot's (ws_frames.BulletStreams); the topics are its own."""

    def wire_keys(self, want: Want, markets: Sequence[str]) -> list[str]:
        if want.kind == "positions":
            return [f"{POSITION}:{want.symbol}" if want.symbol else POSITION_ALL]
        if want.kind in PRIVATE_KEYS:
            return [PRIVATE_KEYS[want.kind]]
        prefix = PUBLIC_PREFIXES.get(want.kind)
        if prefix is None:
            raise ConfigurationError(f"no KuCoin futures topic for {want.kind!r}")
        if want.symbol is None:
            raise ConfigurationError(f"a {want.kind} stream needs a symbol")
        return [f"{prefix}:{want.symbol}"]

    def topics_of(self, keys: Sequence[str]) -> list[tuple[str, bool]]:
        """One topic a message, each once."""
        for key in keys:
            if not isinstance(key, str) or not key.startswith("/"):
                raise ConfigurationError(f"not a KuCoin futures topic: {key!r}")
        return [(key, _private(key)) for key in dict.fromkeys(keys)]

    def items(self, message: Message, ctx: Context) -> list[dialect.Event]:
        return _items(message, ctx)


STREAMS: Dialect = KucoinFuturesStreams()
