"""KuCoin spot WebSocket frames, sans-IO: the bullet answer, uplink messages, downlink events.

Sources (the project's reference library, beside the checkout):

- kucoin-classic-rest.md, "WebSocket API": `POST /api/v1/bullet-public` / `bullet-private`
  answer `{token, instanceServers: [{endpoint, pingInterval, pingTimeout}]}`, the connect URL
  `{endpoint}?token={token}&connectId={unique_id}`, ping `{"id", "type": "ping"}` every
  `pingInterval` ms, subscribe `{"id", "type", "topic", "privateChannel", "response": true}`.
- kucoin-openapi/examples/post_api_v1_bullet_public.json (and _private): the full server entry
  (`endpoint`, `encrypt`, `protocol`, `pingInterval` 18000, `pingTimeout` 10000).
- kucoin-openapi/ws/openapi-spot-public.json: topics and example pushes for ticker
  (`trade.ticker`), level2 (`trade.l2update`) and match (`trade.l3match`).

The connection layer owns sockets, timers and ids; this module only turns values into text and
text into typed events. Anything it does not recognise is a DecodeError, never a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import attrs

from unified.convert import dumps, from_ms, from_ns, loads, to_bool, to_decimal, to_int, to_str
from unified.errors import ConfigurationError, DecodeError
from unified.models import Side, Ticker, Trade
from unified.streams.sequenced import Delta
from unified.venue import Context

#: "a topic supports up to 100 symbols": the topic descriptions of orderbookLevel1/5/50,
#: orderbookIncrement (/market/level2) and trade (/market/match) in
#: kucoin-openapi/ws/openapi-spot-public.json. The ticker topic's description names no number;
#: the same 100 is used for it (one rule for every multi-symbol topic, and the safe side).
#: One subscribe message carries one topic, so this is also the symbols per subscribe.
MAX_SYMBOLS_PER_TOPIC = 100

# Not in the reference copies: symbols per connection, connections per user and uplink messages
# per 10 s. Public third-party notes disagree on them, so none is hard-coded here; the
# connection layer should take them as settings (and the spec file is the place to pin them
# once a primary source is in the reference library).

TICKER = "/market/ticker"
LEVEL2 = "/market/level2"
MATCH = "/market/match"
#: private topics: every change of the user's orders (v2 adds status "new"), balance changes
ORDERS = "/spotMarket/tradeOrdersV2"
BALANCE = "/account/balance"

#: KuCoin's error frame for an expired or invalid token carries code 401 (the bullet token
#: lives 24 h; the connection layer answers this by fetching a new bullet and reconnecting).
TOKEN_EXPIRED_CODE = "401"


# -- the bullet answer --------------------------------------------------------------------------


@attrs.frozen(kw_only=True, slots=True)
class InstanceServer:
    """One server the token may be used on. Intervals are milliseconds, as the venue sends."""

    endpoint: str
    encrypt: bool
    protocol: str
    ping_interval_ms: int
    ping_timeout_ms: int


@attrs.frozen(kw_only=True, slots=True)
class Bullet:
    """The token and its servers (the `data` of the bullet answer, envelope already unwrapped).
    The token is a credential for the connection: kept out of the repr."""

    token: str = attrs.field(repr=False)
    servers: tuple[InstanceServer, ...]


def _field(obj: Mapping[str, Any], key: str, what: str) -> Any:
    try:
        return obj[key]
    except KeyError:
        raise DecodeError(f"{what}: missing field {key!r}") from None


def _positive_ms(value: Any, what: str) -> int:
    number = to_int(value)
    if number <= 0:
        raise DecodeError(f"{what} must be a positive number of ms, got {value!r}")
    return number


def parse_bullet(data: Any) -> Bullet:
    """`data` of `POST /api/v1/bullet-public` or `bullet-private` -> Bullet."""
    if not isinstance(data, dict):
        raise DecodeError(f"bullet: expected an object, got {type(data).__name__}")
    token = to_str(_field(data, "token", "bullet"))
    if not token:
        raise DecodeError("bullet: empty token")
    rows = _field(data, "instanceServers", "bullet")
    if not isinstance(rows, list) or not rows:
        raise DecodeError("bullet: instanceServers must be a non-empty list")
    servers = []
    for row in rows:
        if not isinstance(row, dict):
            raise DecodeError(f"bullet: instance server must be an object, got {row!r}")
        servers.append(InstanceServer(
            endpoint=to_str(_field(row, "endpoint", "instance server")),
            # `encrypt` and `protocol` are in the official examples but not in the classic
            # doc's shorter sample: absent means the documented values (wss, websocket)
            encrypt=to_bool(row.get("encrypt", True)),
            protocol=to_str(row.get("protocol", "websocket")),
            ping_interval_ms=_positive_ms(_field(row, "pingInterval", "instance server"),
                                          "pingInterval"),
            ping_timeout_ms=_positive_ms(_field(row, "pingTimeout", "instance server"),
                                         "pingTimeout"),
        ))
    return Bullet(token=token, servers=tuple(servers))


def bullet_answer(ctx: Context, data: Any) -> Bullet:
    """The REST decoder of ws_token_public / ws_token_private."""
    return parse_bullet(data)


def connect_url(server: InstanceServer, token: str, connect_id: str) -> str:
    """`{endpoint}?token=...&connectId=...`. Both values are percent-encoded: tokens are
    base64-like and a raw "+" would reach the server as a space."""
    if not connect_id:
        raise ConfigurationError("connect_id must be a non-empty string")
    joiner = "&" if "?" in server.endpoint else "?"
    return server.endpoint + joiner + urlencode({"token": token, "connectId": connect_id})


# -- uplink -------------------------------------------------------------------------------------


def encode_ping(message_id: str) -> str:
    return dumps({"id": message_id, "type": "ping"})


def _subscription(kind: str, message_id: str, topic: str, private: bool) -> str:
    if not topic.startswith("/"):
        raise ConfigurationError(f"not a KuCoin topic: {topic!r}")
    # response: true asks for an ack carrying our id: the only way to know the topic is live
    return dumps({"id": message_id, "type": kind, "topic": topic,
                  "privateChannel": private, "response": True})


def encode_subscribe(message_id: str, topic: str, *, private: bool = False) -> str:
    return _subscription("subscribe", message_id, topic, private)


def encode_unsubscribe(message_id: str, topic: str, *, private: bool = False) -> str:
    return _subscription("unsubscribe", message_id, topic, private)


def topics(prefix: str, symbols: Iterable[str],
           per_topic: int = MAX_SYMBOLS_PER_TOPIC) -> list[str]:
    """`prefix:SYM1,SYM2,...` topics of at most `per_topic` symbols each (documented limit:
    MAX_SYMBOLS_PER_TOPIC). Duplicates are dropped, first occurrence kept, so a caller's
    repeated symbol never costs a second slot."""
    if not 1 <= per_topic <= MAX_SYMBOLS_PER_TOPIC:
        raise ConfigurationError(f"per_topic must be 1..{MAX_SYMBOLS_PER_TOPIC}")
    unique: list[str] = []
    seen: set[str] = set()
    for symbol in symbols:
        # "," separates symbols and ":" the topic: either inside a symbol would change the topic
        if not isinstance(symbol, str) or not symbol or "," in symbol or ":" in symbol:
            raise ConfigurationError(f"not a KuCoin symbol: {symbol!r}")
        if symbol not in seen:
            seen.add(symbol)
            unique.append(symbol)
    if not unique:
        raise ConfigurationError("topics() needs at least one symbol")
    return [f"{prefix}:{','.join(unique[i:i + per_topic])}"
            for i in range(0, len(unique), per_topic)]


# -- downlink -----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, slots=True)
class Welcome:
    """First frame of a connection; its id is our connectId. Subscribe only after it."""

    id: str


@attrs.frozen(kw_only=True, slots=True)
class Ack:
    """A subscribe/unsubscribe was accepted; `id` is the id we sent."""

    id: str


@attrs.frozen(kw_only=True, slots=True)
class Pong:
    id: str


@attrs.frozen(kw_only=True, slots=True)
class Message:
    topic: str
    subject: str
    data: Any
    raw: Any = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen(kw_only=True, slots=True)
class Error:
    """An error frame: `id` (our message's id, or the connectId), `code` as text, `data` the
    venue's words. `token_expired` tells the connection layer to fetch a new bullet."""

    id: str | None
    code: str
    data: str
    raw: Any = attrs.field(default=None, eq=False, repr=False)

    @property
    def token_expired(self) -> bool:
        return self.code == TOKEN_EXPIRED_CODE


Event = Welcome | Ack | Pong | Message | Error


def _id(frame: Mapping[str, Any]) -> str:
    return to_str(_field(frame, "id", f"{frame.get('type')} frame"))


def decode(text: str | bytes) -> Event:
    """One downlink text frame -> its typed event."""
    frame = loads(text)
    if not isinstance(frame, dict):
        raise DecodeError(f"KuCoin frame: expected an object, got {type(frame).__name__}")
    kind = frame.get("type")
    if kind == "message":
        return Message(topic=to_str(_field(frame, "topic", "message")),
                       subject=to_str(_field(frame, "subject", "message")),
                       data=_field(frame, "data", "message"), raw=frame)
    if kind == "welcome":
        return Welcome(id=_id(frame))
    if kind == "ack":
        return Ack(id=_id(frame))
    if kind == "pong":
        return Pong(id=_id(frame))
    if kind == "error":
        frame_id = frame.get("id")
        data = frame.get("data", "")
        return Error(id=None if frame_id is None else to_str(frame_id),
                     code=to_str(_field(frame, "code", "error frame")),
                     data=data if isinstance(data, str) else dumps(data), raw=frame)
    raise DecodeError(f"KuCoin frame of unknown type {kind!r}")


# -- message data -> streamed models -------------------------------------------------------------


def _expect(message: Message, prefix: str, subject: str) -> dict[str, Any]:
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


def level2_delta(message: Message) -> tuple[str, Delta]:
    """`trade.l2update` -> (venue symbol, Delta for SequencedBook). Rows stay as sent; the book
    keeper checks them (strings only, sequence inside start..end)."""
    data = _expect(message, LEVEL2, "trade.l2update")
    changes = _field(data, "changes", "trade.l2update")
    if not isinstance(changes, dict):
        raise DecodeError("trade.l2update: changes must be an object")
    delta = Delta(
        start=to_int(_field(data, "sequenceStart", "trade.l2update")),
        end=to_int(_field(data, "sequenceEnd", "trade.l2update")),
        bids=_rows(_field(changes, "bids", "changes"), "bids"),
        asks=_rows(_field(changes, "asks", "changes"), "asks"),
        timestamp=from_ms(_field(data, "time", "trade.l2update")),
        raw=data,
    )
    return to_str(_field(data, "symbol", "trade.l2update")), delta


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
        data = _expect(message, TICKER, "trade.ticker")
        venue_symbol = _topic_symbol(message.topic)
    # the schema names the field `time`; the official example writes `Time`
    stamp = data["time"] if "time" in data else _field(data, "Time", "trade.ticker")
    return Ticker(
        symbol=unified_symbol(venue_symbol),
        timestamp=from_ms(stamp),
        last=to_decimal(_field(data, "price", "trade.ticker")),
        bid=to_decimal(_field(data, "bestBid", "trade.ticker")),
        ask=to_decimal(_field(data, "bestAsk", "trade.ticker")),
        bid_size=to_decimal(_field(data, "bestBidSize", "trade.ticker")),
        ask_size=to_decimal(_field(data, "bestAskSize", "trade.ticker")),
        open=None, high=None, low=None, base_volume=None, quote_volume=None,
        raw=data,
    )


_SIDES = {"buy": Side.BUY, "sell": Side.SELL}


def trade(message: Message, unified_symbol: Callable[[str], str]) -> Trade:
    """`trade.l3match`: the taker's side; `time` is nanoseconds (a string)."""
    data = _expect(message, MATCH, "trade.l3match")
    side = _field(data, "side", "trade.l3match")
    if not isinstance(side, str) or side not in _SIDES:
        raise DecodeError(f"trade.l3match: unknown side {side!r}")
    return Trade(
        id=to_str(_field(data, "tradeId", "trade.l3match")),
        symbol=unified_symbol(to_str(_field(data, "symbol", "trade.l3match"))),
        timestamp=from_ns(_field(data, "time", "trade.l3match")),
        side=_SIDES[side],
        price=to_decimal(_field(data, "price", "trade.l3match")),
        amount=to_decimal(_field(data, "size", "trade.l3match")),
        raw=data,
    )
