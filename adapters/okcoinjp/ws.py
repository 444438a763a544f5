"""OKCoinJapan v3 WebSocket, sans-IO: `STREAMS`, the dialect the stream core drives
(unified/streams/dialect.py), over the frame codec of ws_frames.py and the push decoders of
ws_pushes.py. The codec's names are re-exported here.

Venue facts the dialect encodes (okcoinjp-v3-rest-ws.md, "WebSocketAPI"):

- one fixed endpoint, `wss://connect.okcoin.jp:443/ws/v3` (the REST API is on www.okcoin.jp);
  any other REST origin (a local venue, a sandbox) keeps the path on its own origin, ws:// for
  http (DESIGN 3b);
- the server cuts a connection that has received nothing for 30 s and answers the text "ping"
  with "pong", to be expected within 5 s: ping every PING_INTERVAL_SECONDS, pong timeout
  PONG_TIMEOUT_SECONDS (the doc's own figure; 20 + 5 < 30, so a dead link is noticed before
  the server would give up on a silent one);
- private channels need the `login` op first (signed like REST); a failed login cuts the
  connection;
- every channel is per filter: spot/order per instrument ("spot/order:LTC-JPY"), spot/account
  per currency ("spot/account:BTC"), so the wants of every market expand over the markets;
- each channel of a subscribe/unsubscribe is acknowledged by name; error events name no request
  (the dialect recovers the login, or the channel from a 30040 message, where it can).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import attrs

from adapters.okcoinjp import ws_pushes
from adapters.okcoinjp.ws_frames import (
    ACCOUNT,
    CONNECTS_PER_SECOND,
    DEPTH,
    IDLE_CUTOFF_SECONDS,
    KIND_OF,
    MAX_ARGS_BYTES,
    MAX_INFLATED_BYTES,
    ORDER,
    PING,
    PONG_TIMEOUT_SECONDS,
    SUBSCRIPTIONS_PER_HOUR,
    TICKER,
    TRADE,
    Error,
    Event,
    LoggedIn,
    Pong,
    Push,
    Subscribed,
    Unsubscribed,
    batches,
    channel,
    decode,
    decode_frame,
    encode_login,
    encode_subscribe,
    encode_unsubscribe,
    inflate,
    login_sign,
    login_timestamp,
)
from adapters.okcoinjp.ws_pushes import depths, tickers, trades
from unified.errors import ConfigurationError, DecodeError
from unified.streams import dialect
from unified.streams.dialect import Dialect, Endpoint, Item, Outgoing, Want
from unified.venue import Context, Credentials

__all__ = [
    "ACCOUNT", "CONNECTS_PER_SECOND", "DEPTH", "IDLE_CUTOFF_SECONDS", "LOGIN_REF",
    "MAX_ARGS_BYTES", "MAX_INFLATED_BYTES", "ORDER", "PING", "PING_INTERVAL_SECONDS",
    "PONG_TIMEOUT_SECONDS", "STREAMS", "SUBSCRIPTIONS_PER_HOUR", "TICKER", "TRADE", "Error",
    "Event", "LoggedIn", "OkcoinjpStreams", "Pong", "Push", "Subscribed", "Unsubscribed",
    "batches", "channel", "decode", "decode_frame", "depths", "encode_login", "encode_subscribe",
    "encode_unsubscribe", "inflate", "login_sign", "login_timestamp", "tickers", "trades",
    "ws_url",
]

#: the documented endpoint, for the venue's own REST origin (the spec's base URL)
VENUE_REST_ORIGIN = "https://www.okcoin.jp"
VENUE_WS_URL = "wss://connect.okcoin.jp:443/ws/v3"
WS_PATH = "/ws/v3"
#: a ping after 20 quiet seconds keeps the connection inside the 30 s idle cut-off
PING_INTERVAL_SECONDS = 20.0

#: the ref of the login request (its answer names no request: the login event, or an error
#: event whose code is one of LOGIN_CODES)
LOGIN_REF = "login"
#: the error table's authentication codes a login can draw (WebSocketAPI > error code, and the
#: REST auth codes the same check gives: 30003, 30010, 30012, 30015, 30016)
LOGIN_CODES = frozenset({"30001", "30002", "30003", "30004", "30005", "30006", "30008", "30010",
                         "30012", "30013", "30015", "30016", "30027"})
#: "Already logged in": the connection is authenticated, which is what a login asks
ALREADY_LOGGED_IN = "30042"
#: "{0} Channel : {1} doesn't exist"; the doc's failure example reads "Channel spot/tickr:BTC-JPY
#: doesn't exist". Both spellings give the channel back as the ref; anything else gives none.
CHANNEL_MISSING = "30040"
_MISSING_FULL = re.compile(r"Channel\s*:?\s*(spot/\S+:\S+)\s+doesn.t exist")
_MISSING_SPLIT = re.compile(r"(spot/[^\s:]+)\s+Channel\s*:\s*(\S+)\s+doesn.t exist")

#: public kinds -> their channel (the inverse of the frame layer's KIND_OF)
PUBLIC_CHANNELS: dict[dialect.Kind, str] = {kind: name for name, kind in KIND_OF.items()
                                             if kind in ("book", "ticker", "trades")}


def ws_url(origin: str) -> str:
    """The endpoint for a REST origin (`scheme://host[:port]`)."""
    parts = urlsplit(origin)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme.lower())
    if scheme is None or not parts.netloc or parts.path not in ("", "/") or parts.query \
            or parts.fragment:
        raise ConfigurationError(f"not an http(s) origin: {origin!r}")
    if f"{parts.scheme}://{parts.netloc}".lower() == VENUE_REST_ORIGIN:
        return VENUE_WS_URL
    return f"{scheme}://{parts.netloc}{WS_PATH}"


def currencies(instrument_id: str) -> tuple[str, str]:
    base, dash, quote = instrument_id.partition("-")
    if not dash or not base or not quote or "-" in quote:
        raise ConfigurationError(f"not an OKCoinJapan instrument id: {instrument_id!r}")
    return base, quote


def _private_keys(want: Want, markets: Sequence[str]) -> list[str]:
    symbols = [want.symbol] if want.symbol is not None else list(markets)
    if not symbols:
        raise ConfigurationError(f"a {want.kind} stream of every market needs the markets")
    if want.kind == "balance":
        names = [c for s in symbols for c in currencies(s)]
        keys = [channel(ACCOUNT, c) for c in names]
    else:
        keys = [channel(ORDER, s) for s in symbols]
    return list(dict.fromkeys(keys))


def refused(error: Error) -> dialect.Event:
    if error.code == ALREADY_LOGGED_IN:
        return dialect.LoggedIn()
    ref: str | None = None
    if error.code in LOGIN_CODES:
        ref = LOGIN_REF
    elif error.code == CHANNEL_MISSING:
        full, split = _MISSING_FULL.search(error.message), _MISSING_SPLIT.search(error.message)
        ref = full.group(1) if full else f"{split.group(1)}:{split.group(2)}" if split else None
    return dialect.Refused(ref=ref, code=error.code, message=error.message)


#: what a spot/order push does not say of its fill
FILL_UNREPORTED = frozenset({"fee", "liquidity"})


def _items(push: Push, ctx: Context) -> list[dialect.Event]:
    try:
        if push.table == DEPTH:
            return [Item(kind="book", symbol=ctx.unified_symbol(i), value=d)
                    for i, d in depths(push)]
        if push.table == TICKER:
            return [Item(kind="ticker", symbol=t.symbol, value=t)
                    for t in tickers(push, ctx.unified_symbol)]
        if push.table == TRADE:
            return [Item(kind="trades", symbol=t.symbol, value=t)
                    for t in trades(push, ctx.unified_symbol)]
        if push.table == ORDER:
            return [item for order, fill in ws_pushes.orders(push, ctx)
                    for item in dialect.order_items(order, frozenset(), fill, FILL_UNREPORTED)]
        if push.table == ACCOUNT:
            return [Item(kind="balance", symbol=None, value=b) for b in ws_pushes.balances(push)]
        raise DecodeError(f"OKCoinJapan push on a channel this dialect never subscribes: "
                          f"{push.table}")
    except DecodeError as exc:  # told as its own stream's: the channel, its one instrument
        names = {row.get("instrument_id") for row in push.data}
        name = names.pop() if len(names) == 1 else None
        raise dialect.unreadable(exc, KIND_OF.get(push.table), name if type(name) is str
                                 else None, ctx) from exc


@attrs.frozen
class OkcoinjpStreams:
    """OKCoinJapan's dialect (unified.streams.dialect.Dialect); pure, stateless."""

    def endpoint_op(self, private: bool) -> None:
        return None  # a fixed endpoint

    def endpoint(self, origin: str, private: bool, answer: Any, connect_id: str) -> Endpoint:
        return Endpoint(url=ws_url(origin), ping_interval_s=PING_INTERVAL_SECONDS,
                        ping_timeout_s=float(PONG_TIMEOUT_SECONDS), welcome=False)

    def login(self, credentials: Credentials, now: datetime) -> Outgoing | None:
        """`now` is the venue clock: the login timestamp expires after 30 s."""
        return Outgoing(frame=encode_login(credentials, now), refs=(LOGIN_REF,))

    def ping(self, ref: str) -> str:
        return PING  # the venue's ping is bare text: it carries no ref

    def wire_keys(self, want: Want, markets: Sequence[str]) -> list[str]:
        name = PUBLIC_CHANNELS.get(want.kind)
        if name is None:
            return _private_keys(want, markets)
        if want.symbol is None:
            raise ConfigurationError(f"a {want.kind} stream needs a symbol")
        return [channel(name, want.symbol)]

    def subscribe(self, keys: Sequence[str], new_ref: Any) -> list[Outgoing]:
        """Batches within MAX_ARGS_BYTES; refs are the channels, each acked by name."""
        if not keys:
            return []
        return [Outgoing(frame=encode_subscribe(g), refs=tuple(g)) for g in batches(keys)]

    def unsubscribe(self, keys: Sequence[str], new_ref: Any) -> list[Outgoing]:
        if not keys:
            return []
        return [Outgoing(frame=encode_unsubscribe(g), refs=tuple(g)) for g in batches(keys)]

    def decode(self, frame: str | bytes, ctx: Context) -> list[dialect.Event]:
        """Binary frames are inflated first (raw DEFLATE); text frames are read as they are."""
        event = decode_frame(frame)
        if isinstance(event, Push):
            return _items(event, ctx)
        if isinstance(event, Pong):
            return [dialect.Pong()]
        if isinstance(event, Subscribed | Unsubscribed):
            return [dialect.Acked(ref=event.channel)]
        if isinstance(event, LoggedIn):
            return [dialect.LoggedIn() if event.success else dialect.Refused(
                ref=LOGIN_REF, code=None, message="login refused")]
        return [refused(event)]


STREAMS: Dialect = OkcoinjpStreams()
