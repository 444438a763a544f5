"""The adapter contract for streams: what a venue's WebSocket dialect must say, sans-IO.

The core (connection.py, hub.py) owns sockets, timers, ids, refcounts, resubscription and
reconciliation; a dialect only turns wants into wire topics and frames, and frames into
neutral events. An adapter offers one as `STREAMS` in `adapters/<venue>/ws.py`; the spec's
`websocket = true` capability says it exists.

Names:
  kind       one of KINDS: what a stream yields
  want       (kind, venue symbol or None for every market): what one stream asks for
  wire key   the venue's topic/channel text for a want; several wants may share one (KuCoin's
             /spotMarket/tradeOrdersV2 feeds both orders and my_trades)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, NamedTuple, Protocol

import attrs

from unified.derivative_models import Position
from unified.errors import DecodeError, UnifiedError
from unified.models import Fill, Order, Ticker, Trade
from unified.streams.checksummed import Depth
from unified.streams.sequenced import Delta
from unified.venue import Context, Credentials

Kind = Literal["book", "ticker", "trades", "orders", "my_trades", "balance", "positions"]
KINDS: tuple[Kind, ...] = ("book", "ticker", "trades", "orders", "my_trades", "balance",
                           "positions")
PRIVATE_KINDS = frozenset({"orders", "my_trades", "balance", "positions"})


@attrs.frozen(slots=True)
class Want:
    kind: Kind
    symbol: str | None  # the venue's symbol; None: every market (private kinds only)

    @property
    def private(self) -> bool:
        return self.kind in PRIVATE_KINDS


@attrs.frozen(kw_only=True, slots=True)
class Endpoint:
    """Where to connect and how often to ping. `url` may carry a token: never logged."""

    url: str = attrs.field(repr=False)
    ping_interval_s: float
    ping_timeout_s: float
    welcome: bool  # the venue greets first (KuCoin's welcome); subscribe only after it


@attrs.frozen(kw_only=True, slots=True)
class Outgoing:
    """One uplink frame and the references of the answers it expects (acks), if any."""

    frame: str
    refs: tuple[str, ...] = ()


# -- downlink, neutral ----------------------------------------------------------------------


@attrs.frozen(slots=True)
class Welcome:
    pass


@attrs.frozen(slots=True)
class Pong:
    pass


@attrs.frozen(slots=True)
class LoggedIn:
    pass


@attrs.frozen(slots=True)
class Acked:
    ref: str  # the id (KuCoin) or channel (OKCoinJapan) of the accepted (un)subscribe


@attrs.frozen(kw_only=True, slots=True)
class Refused:
    """The venue refused something: `ref` names what, when the venue says; `code` goes through
    the spec's error table. `token_expired`: fetch a new endpoint (KuCoin bullet) and reconnect."""

    ref: str | None
    code: str | None
    message: str
    token_expired: bool = False


@attrs.frozen(kw_only=True, slots=True)
class BalanceChange:
    """One currency's balance after a change (the venue's figures, not a difference)."""

    currency: str
    total: Decimal
    available: Decimal
    held: Decimal
    timestamp: datetime | None = None
    raw: Any = attrs.field(default=None, eq=False, repr=False)


#: What an item carries, by kind: book -> Delta (sequenced venues) or Depth (checksummed);
#: ticker -> Ticker; trades -> Trade; orders -> Order; my_trades -> Fill; balance ->
#: BalanceChange; positions -> Position (contracts 0: the position is now flat).
Value = Delta | Depth | Ticker | Trade | Order | Fill | BalanceChange | Position


class Item(NamedTuple):
    """One streamed value. `unreported` names the fields of `value` that this push does not
    carry although the REST answer does (KuCoin's order push has no cost, fee or time in
    force): they hold placeholders (None, zero, False) that the core may complete from the
    order as last seen, the fills it delivered, or REST. Empty: the value is whole. A named
    tuple, not an attrs class: one is made per pushed frame, and a tuple is made cheaply."""

    kind: Kind
    symbol: str | None  # unified symbol (None for balance)
    value: Value
    unreported: frozenset[str] = frozenset()


Event = Welcome | Pong | LoggedIn | Acked | Refused | Item


def kinds_of(*topics: Mapping[Kind, str]) -> dict[str, Kind]:
    """Wire topic -> the kind of stream its pushes feed, from a dialect's kind -> topic maps
    (a topic feeding several kinds is told as the first: orders before my_trades)."""
    out: dict[str, Kind] = {}
    for mapping in topics:
        for kind, topic in mapping.items():
            out.setdefault(topic, kind)
    return out


def order_items(order: Order, unreported: frozenset[str], fill: Fill | None,
                fill_unreported: frozenset[str]) -> list[Event]:
    """One order push's items: the order, then the fill it carries, if any."""
    items: list[Event] = [Item(kind="orders", symbol=order.symbol, value=order,
                               unreported=unreported)]
    if fill is not None:
        items.append(Item(kind="my_trades", symbol=fill.symbol, value=fill,
                          unreported=fill_unreported))
    return items


class Unreadable(DecodeError):
    """A push whose stream is known (its topic or channel was read) but whose content is not:
    the core resynchronises that stream alone, not every stream on the connection. `symbol`
    is the unified symbol, None when the push names no single market."""

    def __init__(self, message: str, *, kind: Kind, symbol: str | None = None) -> None:
        super().__init__(message)
        self.kind, self.symbol = kind, symbol


def unreadable(error: DecodeError, kind: Kind | None, venue_symbol: str | None,
               ctx: Context) -> DecodeError:
    """`error` as the Unreadable of the stream a push names (its kind known; its one market,
    when the topic names one), or as it is when the push names no stream."""
    if kind is None or isinstance(error, Unreadable):
        return error
    symbol = None
    if venue_symbol and "," not in venue_symbol:
        try:
            symbol = ctx.unified_symbol(venue_symbol)
        except UnifiedError:
            symbol = None
    return Unreadable(str(error), kind=kind, symbol=symbol)


class Dialect(Protocol):
    """A venue's WebSocket dialect. Every method is pure (no I/O, no clocks but `now`)."""

    #: the spec's REST operation answering the connect details (KuCoin's bullet), per
    #: private-ness; None when the endpoint is fixed (OKCoinJapan's /ws/v3)
    def endpoint_op(self, private: bool) -> str | None: ...

    def endpoint(self, origin: str, private: bool, answer: Any, connect_id: str) -> Endpoint:
        """`origin` is the REST base_url (fixed endpoints keep their path on its origin, ws://
        for http); `answer` the decoded endpoint_op answer (None without one)."""
        ...

    def login(self, credentials: Credentials, now: datetime) -> Outgoing | None:
        """The frame that authenticates a private connection after connecting, if the venue
        has one (OKCoinJapan's login op); its answer is LoggedIn or Refused. Its refs are
        ("login",): the ref of a Refused of the login (LoggedIn names none)."""
        ...

    def ping(self, ref: str) -> str:
        """The ping frame; `ref` is its id where the venue wants one (KuCoin), else unused.
        The answer is Pong."""
        ...

    def wire_keys(self, want: Want, markets: Sequence[str]) -> list[str]:
        """The topics a want needs (`markets`: every venue symbol, for wants of every market
        on venues whose private channels are per market or per currency). A want of one
        market may get a topic of every market (KuCoin's private topics): the core keeps the
        items of its symbol. Keys are one per market, so that streams share and drop them
        one by one; subscribe() merges them where the venue allows."""
        ...

    def subscribe(self, keys: Sequence[str], new_ref: Any) -> list[Outgoing]:
        """Frames subscribing `keys`, batched within the venue's per-message limits;
        `new_ref()` gives a fresh message id where the venue wants one. Each Outgoing's refs
        are what the venue's acks name: the message id (KuCoin) or each channel
        (OKCoinJapan). No keys, no frames."""
        ...

    def unsubscribe(self, keys: Sequence[str], new_ref: Any) -> list[Outgoing]: ...

    def decode(self, frame: str | bytes, ctx: Context) -> list[Event]:
        """One downlink frame -> events; possibly none (a KuCoin balance change of another
        account than the spot one). Anything unrecognised raises DecodeError: Unreadable
        when the push still names its stream (`unreadable`)."""
        ...


def book_kind(capabilities: Mapping[str, Any]) -> str:
    """"sequence" (deltas on a REST snapshot) or "checksum" (partial + CRC-checked updates)."""
    return str(capabilities.get("stream_book_sync", ""))
