"""KuCoin spot WebSocket frames, sans-IO: the bullet answer, uplink messages, downlink events
(the pushes' data is read by ws_market.py and ws_private.py; the dialect is ws.py).

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
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple
from urllib.parse import urlencode

import attrs
import msgspec

from unified.convert import dumps, loads, to_bool, to_int, to_str
from unified.errors import ConfigurationError, DecodeError
from unified.streams import dialect
from unified.venue import Context, Credentials

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


def field(obj: Mapping[str, Any], key: str, what: str) -> Any:
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
    token = to_str(field(data, "token", "bullet"))
    if not token:
        raise DecodeError("bullet: empty token")
    rows = field(data, "instanceServers", "bullet")
    if not isinstance(rows, list) or not rows:
        raise DecodeError("bullet: instanceServers must be a non-empty list")
    servers = []
    for row in rows:
        if not isinstance(row, dict):
            raise DecodeError(f"bullet: instance server must be an object, got {row!r}")
        servers.append(InstanceServer(
            endpoint=to_str(field(row, "endpoint", "instance server")),
            # `encrypt` and `protocol` are in the official examples but not in the classic
            # doc's shorter sample: absent means the documented values (wss, websocket)
            encrypt=to_bool(row.get("encrypt", True)),
            protocol=to_str(row.get("protocol", "websocket")),
            ping_interval_ms=_positive_ms(field(row, "pingInterval", "instance server"),
                                          "pingInterval"),
            ping_timeout_ms=_positive_ms(field(row, "pingTimeout", "instance server"),
                                         "pingTimeout"),
        ))
    return Bullet(token=token, servers=tuple(servers))


def bullet_answer(ctx: Context, data: Any) -> Bullet:
    """The REST decoder of ws_token_public / ws_token_private."""
    return parse_bullet(data)


def endpoint(answer: Any, connect_id: str) -> dialect.Endpoint:
    """The bullet's first instance server, as the stream core connects to it (the local
    venue's answer points at itself)."""
    bullet = answer if isinstance(answer, Bullet) else parse_bullet(answer)
    server = bullet.servers[0]
    return dialect.Endpoint(url=connect_url(server, bullet.token, connect_id),
                            ping_interval_s=server.ping_interval_ms / 1000,
                            ping_timeout_s=server.ping_timeout_ms / 1000, welcome=True)


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


class Message(NamedTuple):
    """A push. A named tuple, one built per frame (a fraction of the cost of frozen slots);
    like the attrs events, `raw` (the whole frame) is left out of equality, hash and repr."""

    topic: str
    subject: str
    data: Any
    raw: Any = None

    def __eq__(self, other: object) -> bool:
        return type(other) is Message and self[:3] == other[:3]

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self[:3])

    def __repr__(self) -> str:
        return f"Message(topic={self.topic!r}, subject={self.subject!r}, data={self.data!r})"


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
    return to_str(field(frame, "id", f"{frame.get('type')} frame"))


_tuple_new = tuple.__new__
#: convert.loads reads with this decoder first: the same one, to spare a call per frame
_READ = msgspec.json.Decoder(float_hook=Decimal).decode


def decode(text: str | bytes) -> Event:
    """One downlink text frame -> its typed event."""
    try:  # convert.loads' own reader, without its checks around it (a text frame is a str)
        frame = _READ(text) if type(text) is str else loads(text)
    except (msgspec.DecodeError, RecursionError):
        frame = loads(text)  # the stdlib reader: it takes what msgspec refuses, or words it
    if type(frame) is dict and frame.get("type") == "message":  # a push: the common frame
        topic, subject = frame.get("topic"), frame.get("subject")
        if type(topic) is str and type(subject) is str and "data" in frame:
            message: Message = _tuple_new(Message, (topic, subject, frame["data"], frame))
            return message
    if not isinstance(frame, dict):
        raise DecodeError(f"KuCoin frame: expected an object, got {type(frame).__name__}")
    kind = frame.get("type")
    if kind == "message":
        return Message(topic=to_str(field(frame, "topic", "message")),
                       subject=to_str(field(frame, "subject", "message")),
                       data=field(frame, "data", "message"), raw=frame)
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
                     code=to_str(field(frame, "code", "error frame")),
                     data=data if isinstance(data, str) else dumps(data), raw=frame)
    raise DecodeError(f"KuCoin frame of unknown type {kind!r}")


def control(event: Welcome | Ack | Pong | Error) -> dialect.Event:
    """A frame that is not a push, as the stream core's neutral event."""
    if isinstance(event, Welcome):
        return dialect.Welcome()
    if isinstance(event, Pong):
        return dialect.Pong()
    if isinstance(event, Ack):
        return dialect.Acked(ref=event.id)
    return dialect.Refused(ref=event.id, code=event.code, message=event.data,
                           token_expired=event.token_expired)


class BulletStreams:
    """What KuCoin's dialects (spot's, futures') share: connect details from a bullet, no
    login frame (the private bullet's token authenticates), pings by id, one topic a
    subscribe message acknowledged by its id, and the control frames. A dialect says which
    topics its wire keys make (`topics_of`) and what a push yields (`items`)."""

    def endpoint_op(self, private: bool) -> str:
        return "ws_token_private" if private else "ws_token_public"

    def endpoint(self, origin: str, private: bool, answer: Any, connect_id: str
                 ) -> dialect.Endpoint:
        """The bullet's first instance server; `origin` plays no part (the answer names it)."""
        return endpoint(answer, connect_id)

    def login(self, credentials: Credentials, now: datetime) -> dialect.Outgoing | None:
        return None

    def ping(self, ref: str) -> str:
        return encode_ping(ref)

    def subscribe(self, keys: Sequence[str], new_ref: Any) -> list[dialect.Outgoing]:
        return self._outgoing(encode_subscribe, keys, new_ref)

    def unsubscribe(self, keys: Sequence[str], new_ref: Any) -> list[dialect.Outgoing]:
        return self._outgoing(encode_unsubscribe, keys, new_ref)

    def _outgoing(self, encode: Callable[..., str], keys: Sequence[str], new_ref: Any
                  ) -> list[dialect.Outgoing]:
        out = []
        for topic, private in self.topics_of(keys):
            ref = str(new_ref())
            out.append(dialect.Outgoing(frame=encode(ref, topic, private=private), refs=(ref,)))
        return out

    def decode(self, frame: str | bytes, ctx: Context) -> list[dialect.Event]:
        event = decode(frame)
        return self.items(event, ctx) if isinstance(event, Message) else [control(event)]

    def topics_of(self, keys: Sequence[str]) -> list[tuple[str, bool]]:
        """(topic, private) for each subscribe message the keys need."""
        raise NotImplementedError

    def items(self, message: Message, ctx: Context) -> list[dialect.Event]:
        raise NotImplementedError
