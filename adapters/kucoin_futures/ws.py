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
from datetime import datetime
from typing import Any

import attrs

from adapters.kucoin.ws_frames import (
    Message,
    control,
    decode,
    encode_ping,
    encode_subscribe,
    encode_unsubscribe,
    endpoint,
)
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
from unified.streams.dialect import Dialect, Endpoint, Item, Outgoing, Want
from unified.venue import Context, Credentials

PUBLIC_PREFIXES = {"book": LEVEL2, "ticker": TICKER, "trades": EXECUTION}
PRIVATE_KEYS = {"orders": ORDERS, "my_trades": ORDERS, "balance": WALLET}
PRIVATE_TOPICS = frozenset({ORDERS, WALLET, POSITION_ALL})


def _private(key: str) -> bool:
    return key in PRIVATE_TOPICS or key.startswith(POSITION + ":")


def _items(message: Message, ctx: Context) -> list[dialect.Event]:
    prefix = message.topic.partition(":")[0]
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
        items: list[dialect.Event] = [
            Item(kind="orders", symbol=order.symbol, value=order, unreported=unreported)]
        if fill is not None:
            items.append(Item(kind="my_trades", symbol=fill.symbol, value=fill,
                              unreported=push.FILL_UNREPORTED))
        return items
    if prefix in (POSITION, POSITION_ALL):
        position = push.position_change(ctx, message)
        return [] if position is None else [
            Item(kind="positions", symbol=position.symbol, value=position)]
    if prefix == WALLET:
        change = push.wallet_change(ctx, message)
        return [] if change is None else [Item(kind="balance", symbol=None, value=change)]
    raise DecodeError(f"KuCoin futures push on a topic never subscribed: {message.topic}")


@attrs.frozen
class KucoinFuturesStreams:
    """KuCoin futures' dialect (unified.streams.dialect.Dialect); pure, stateless."""

    def endpoint_op(self, private: bool) -> str:
        return "ws_token_private" if private else "ws_token_public"

    def endpoint(self, origin: str, private: bool, answer: Any, connect_id: str) -> Endpoint:
        """The bullet's first instance server; `origin` plays no part (the answer names it)."""
        return endpoint(answer, connect_id)

    def login(self, credentials: Credentials, now: datetime) -> Outgoing | None:
        return None  # the private bullet's token is the authentication

    def ping(self, ref: str) -> str:
        return encode_ping(ref)

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

    def subscribe(self, keys: Sequence[str], new_ref: Any) -> list[Outgoing]:
        return self._outgoing(True, keys, new_ref)

    def unsubscribe(self, keys: Sequence[str], new_ref: Any) -> list[Outgoing]:
        return self._outgoing(False, keys, new_ref)

    @staticmethod
    def _outgoing(on: bool, keys: Sequence[str], new_ref: Any) -> list[Outgoing]:
        encode = encode_subscribe if on else encode_unsubscribe
        out = []
        for key in dict.fromkeys(keys):  # one topic a message, each once
            if not isinstance(key, str) or not key.startswith("/"):
                raise ConfigurationError(f"not a KuCoin futures topic: {key!r}")
            ref = str(new_ref())
            out.append(Outgoing(frame=encode(ref, key, private=_private(key)), refs=(ref,)))
        return out

    def decode(self, frame: str | bytes, ctx: Context) -> list[dialect.Event]:
        event = decode(frame)
        return _items(event, ctx) if isinstance(event, Message) else [control(event)]


STREAMS: Dialect = KucoinFuturesStreams()
