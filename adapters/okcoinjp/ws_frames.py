"""OKCoinJapan v3 WebSocket frames, sans-IO: inflate, uplink messages, typed downlink events
(the pushes' data is read by ws_pushes.py; the dialect is ws.py).

Source: okcoinjp-v3-rest-ws.md (the project's reference library), section "WebSocketAPI":

- every server message is Deflate-compressed (raw DEFLATE: no zlib header, wbits=-15);
- requests are `{"op": "subscribe"|"unsubscribe"|"login", "args": [...]}`; channels are
  `spot/<channel>:<filter>` ("spot/ticker:ETH-JPY"); the channels of one request may total
  at most 4,096 bytes;
- login args are `[api_key, passphrase, timestamp, sign]`, timestamp in epoch SECONDS (decimals
  allowed, expires after 30 s), sign = base64(HMAC-SHA256(secret, timestamp + "GET" +
  "/users/self/verify")); a failed login cuts the connection;
- answers are `{"event": "subscribe"|"unsubscribe", "channel"}`, `{"event": "login",
  "success": true}`, `{"event": "error", "message", "errorCode"}` (30xxx codes, "error code"
  table) and pushes `{"table", "action"?, "data": [...]}` (`action` only on spot/depth);
- "Connect limit": connections once per second, subscriptions 240 times per hour; with nothing
  received for 30 s the server cuts the connection, so the client sends the text "ping" after
  N quiet seconds and expects "pong" within 5 s.

The connection layer owns sockets and timers; this module turns values into text and frames
into typed events. Anything unrecognised is a DecodeError, never a guess.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from adapters.okcoinjp.signing import hmac_b64
from unified.convert import dumps, loads, to_bool, to_ms, to_str
from unified.diagnostics import read_code
from unified.errors import ConfigurationError, DecodeError
from unified.streams.dialect import Kind, Unreadable
from unified.venue import Credentials

#: "The total length of multiple channels should not exceed 4,096 bytes" (WebSocketAPI >
#: Subscription). Measured here as the UTF-8 JSON of the args array, quotes and commas
#: included: never less than the channels' own length, so a batch within it is within the rule.
MAX_ARGS_BYTES = 4096
#: "Connect limit": connection limit once per second; subscription limit 240 times per hour
#: (the doc does not say whether a request naming several channels counts once or per channel:
#: the connection layer should count per channel, the safe reading)
CONNECTS_PER_SECOND = 1
SUBSCRIPTIONS_PER_HOUR = 240
#: the server cuts a connection that received nothing for 30 s; a "ping" wants "pong" in 5 s
IDLE_CUTOFF_SECONDS = 30
PONG_TIMEOUT_SECONDS = 5
PING = "ping"

TICKER = "spot/ticker"
DEPTH = "spot/depth"
TRADE = "spot/trade"
#: login required
ORDER = "spot/order"
ACCOUNT = "spot/account"
#: channel -> the kind of stream its pushes feed
KIND_OF: dict[str, Kind] = {DEPTH: "book", TICKER: "ticker", TRADE: "trades", ORDER: "orders",
                            ACCOUNT: "balance"}

#: WebSocket login signs this fixed request, not the connection's own
LOGIN_METHOD = "GET"
LOGIN_PATH = "/users/self/verify"

#: the biggest inflated frame accepted: a full 400-level depth push is tens of kB; the cap
#: stops a corrupt or hostile frame from inflating without bound
MAX_INFLATED_BYTES = 8 * 1024 * 1024


# -- frames -------------------------------------------------------------------------------------


def inflate(frame: bytes) -> str:
    """A binary frame (raw DEFLATE) -> its text."""
    if not isinstance(frame, bytes | bytearray):
        raise DecodeError(f"binary frame must be bytes, got {type(frame).__name__}")
    inflater = zlib.decompressobj(wbits=-15)
    try:
        data = inflater.decompress(frame, MAX_INFLATED_BYTES)
    except zlib.error as exc:
        raise DecodeError(f"frame is not raw DEFLATE: {exc}") from None
    if inflater.unconsumed_tail:
        raise DecodeError(f"frame inflates past {MAX_INFLATED_BYTES} bytes")
    if inflater.eof and inflater.unused_data:
        raise DecodeError("bytes after the end of the DEFLATE stream")
    # a stream that stops without its final block (a sync flush) is accepted: what it held is
    # complete text or the JSON step below refuses it
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise DecodeError("inflated frame is not UTF-8") from None


# -- uplink -------------------------------------------------------------------------------------


def channel(name: str, instrument_id: str) -> str:
    """`spot/ticker` + `BTC-JPY` -> `spot/ticker:BTC-JPY`."""
    if not name.startswith("spot/") or ":" in name:
        raise ConfigurationError(f"not an OKCoinJapan channel name: {name!r}")
    if not instrument_id or ":" in instrument_id:
        raise ConfigurationError(f"not an instrument id: {instrument_id!r}")
    return f"{name}:{instrument_id}"


def _op(op: str, args: list[str]) -> str:
    return dumps({"op": op, "args": args})


def batches(channels: Iterable[str], max_bytes: int = MAX_ARGS_BYTES) -> list[list[str]]:
    """Channels grouped so that each request's args stay within `max_bytes` (MAX_ARGS_BYTES);
    duplicates are dropped (first kept), order is kept."""
    groups: list[list[str]] = []
    current: list[str] = []
    seen: set[str] = set()
    for name in channels:
        if not isinstance(name, str) or not name:
            raise ConfigurationError(f"not a channel: {name!r}")
        if name in seen:
            continue
        seen.add(name)
        if len(dumps([name]).encode()) > max_bytes:
            raise ConfigurationError(f"channel alone is past {max_bytes} bytes: {name[:40]}...")
        if current and len(dumps([*current, name]).encode()) > max_bytes:
            groups.append(current)
            current = []
        current.append(name)
    if current:
        groups.append(current)
    if not groups:
        raise ConfigurationError("batches() needs at least one channel")
    return groups


def encode_subscribe(channels: list[str]) -> str:
    return _op("subscribe", _checked(channels))


def encode_unsubscribe(channels: list[str]) -> str:
    return _op("unsubscribe", _checked(channels))


def _checked(channels: list[str]) -> list[str]:
    if not channels or not all(isinstance(c, str) and c for c in channels):
        raise ConfigurationError("a request needs one or more channel names")
    if len(dumps(channels).encode()) > MAX_ARGS_BYTES:
        raise ConfigurationError(f"channels total past {MAX_ARGS_BYTES} bytes: use batches()")
    return channels


def login_timestamp(now: datetime) -> str:
    """Epoch seconds with milliseconds, "1552894010.123": integer arithmetic, no float."""
    ms = to_ms(now)
    return f"{ms // 1000}.{ms % 1000:03d}"


def login_sign(secret: str, timestamp: str) -> str:
    # the same HMAC recipe as REST, over the fixed verify request
    return hmac_b64(secret, (timestamp + LOGIN_METHOD + LOGIN_PATH).encode())


def encode_login(credentials: Credentials, now: datetime) -> str:
    """The login request; `now` is the venue clock (the timestamp expires after 30 s)."""
    if not credentials.passphrase:
        raise ConfigurationError("OKCoinJapan login needs the API key's passphrase")
    timestamp = login_timestamp(now)
    return _op("login", [credentials.api_key, credentials.passphrase, timestamp,
                         login_sign(credentials.secret, timestamp)])


# -- downlink -----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, slots=True)
class Pong:
    """The text "pong" answering our "ping"."""


@attrs.frozen(kw_only=True, slots=True)
class Subscribed:
    channel: str


@attrs.frozen(kw_only=True, slots=True)
class Unsubscribed:
    channel: str


@attrs.frozen(kw_only=True, slots=True)
class LoggedIn:
    success: bool


@attrs.frozen(kw_only=True, slots=True)
class Error:
    """`{"event": "error"}`: `code` is the venue's 30xxx code as text, for the spec's error
    table (30040: channel does not exist, 30041: not logged in, 30027: login failure...);
    None when the event carries none (the message alone is then classified)."""

    code: str | None
    message: str
    raw: Any = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen(kw_only=True, slots=True)
class Push:
    """A data push: `table` (channel name without filter), `action` ("partial"/"update" on
    spot/depth, None elsewhere), `data` one entry per instrument."""

    table: str
    action: str | None
    data: tuple[dict[str, Any], ...]
    raw: Any = attrs.field(default=None, eq=False, repr=False)


Event = Pong | Subscribed | Unsubscribed | LoggedIn | Error | Push


def field(obj: Mapping[str, Any], key: str, what: str) -> Any:
    try:
        return obj[key]
    except KeyError:
        raise DecodeError(f"{what}: missing field {key!r}") from None


def _error_code(frame: Mapping[str, Any]) -> str | None:
    """An error event's code, read as REST's envelope reads one (diagnostics.read_code):
    `errorCode` as the docs write it, else `error_code`; none when absent, null or ""."""
    return read_code(frame.get("errorCode")) or read_code(frame.get("error_code"))


def _event(frame: dict[str, Any]) -> Event:
    event = frame["event"]
    if event == "subscribe":
        return Subscribed(channel=to_str(field(frame, "channel", "subscribe event")))
    if event == "unsubscribe":
        return Unsubscribed(channel=to_str(field(frame, "channel", "unsubscribe event")))
    if event == "login":
        return LoggedIn(success=to_bool(field(frame, "success", "login event")))
    if event == "error":
        # the doc's error-code section writes the key " message" (leading space): read both
        message = frame.get("message", frame.get(" message", ""))
        return Error(code=_error_code(frame),
                     message=message if isinstance(message, str) else dumps(message),
                     raw=frame)
    raise DecodeError(f"OKCoinJapan event of unknown kind {event!r}")


def decode(text: str) -> Event:
    """One inflated (or text) frame -> its typed event."""
    if text == "pong":
        return Pong()
    frame = loads(text)
    if not isinstance(frame, dict):
        raise DecodeError(f"OKCoinJapan frame: expected an object, got {type(frame).__name__}")
    if "event" in frame:
        return _event(frame)
    if "table" in frame:
        data = field(frame, "data", "push")
        if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
            kind = KIND_OF.get(frame["table"])  # the channel read: its stream alone resyncs
            message = "push: data must be a list of objects"
            raise DecodeError(message) if kind is None else Unreadable(message, kind=kind)
        action = frame.get("action")
        return Push(table=to_str(frame["table"]),
                    action=None if action is None else to_str(action),
                    data=tuple(data), raw=frame)
    raise DecodeError("OKCoinJapan frame is neither an event nor a push")


def decode_frame(frame: bytes | str) -> Event:
    """A WebSocket message as received: binary frames are inflated first."""
    return decode(frame if isinstance(frame, str) else inflate(frame))
