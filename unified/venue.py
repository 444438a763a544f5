"""THE adapter contract. Adapters are sans-IO: pure encode / sign / unwrap / decode functions."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from unified.errors import ConfigurationError, VenueError
from unified.models import Market, OrderStatus, TransactionStatus
from unified.tables import Tables
from unified.wire import WireRequest, WireResponse


def _text(instance: Credentials, attribute: attrs.Attribute[Any], value: object) -> None:
    # Anything but text would fail inside a signer, whose frames (shown by tracebacks with
    # locals) hold the secret in plain view. The message names the field, never the value.
    if not isinstance(value, str) and not (value is None and attribute.name == "passphrase"):
        raise ConfigurationError(f"Credentials.{attribute.name} must be a str")


@attrs.frozen(repr=False)
class Credentials:
    """API credentials. Never shown in a repr, log line, error message or traceback."""

    api_key: str = attrs.field(validator=_text)
    secret: str = attrs.field(validator=_text)
    passphrase: str | None = attrs.field(default=None, validator=_text)

    def __repr__(self) -> str:
        return "Credentials(<redacted>)"

    __str__ = __repr__


@attrs.frozen
class RequestParts:
    """What an encoder decides; the core turns it into exact bytes."""

    path_params: Mapping[str, str] = attrs.field(factory=dict)
    query: Sequence[tuple[str, str]] = ()
    body: Any = None  # a JSON-able object, or (name, value) pairs for form bodies


@attrs.frozen
class Context:
    """What encoders and decoders may consult: the spec tables and the loaded markets."""

    venue: str
    tables: Tables
    markets: Mapping[str, Market]
    markets_by_id: Mapping[str, Market]
    # which part of a multi-part walk is being decoded (EndpointSpec.variants), else None
    variant: str | None = None

    def venue_symbol(self, symbol: str) -> str:
        market = self.markets.get(symbol)
        return market.venue_symbol if market else self.tables.symbols.to_venue(symbol)

    def unified_symbol(self, venue_symbol: str) -> str:
        market = self.markets_by_id.get(venue_symbol)
        return market.symbol if market else self.tables.symbols.to_unified(venue_symbol)


@attrs.frozen
class PlacedOrder:
    """What a venue answers to a create or cancel when it does not return the whole order."""

    id: str
    client_order_id: str | None = None
    # an item of a batch answer that the venue refused, with its classified error
    error: VenueError | None = None


@attrs.frozen(kw_only=True)
class Answered:
    """What a venue answers to a write that moves money (a transfer, a withdrawal, a margin
    borrow or repay): its id and whatever else it says; the core builds the model from the
    request and this."""

    id: str
    status: TransactionStatus | None = None
    timestamp: datetime | None = None
    fee: Decimal | None = None
    # what a margin borrow or repay actually moved (IOC: maybe less than asked)
    amount: Decimal | None = None
    raw: Any = None


@attrs.frozen(kw_only=True)
class ReportedState(PlacedOrder):
    """What a one-trip create or cancel answer reports beyond the ids (KuCoin's sync endpoints):
    the order's status and sizes. The rest of the Order (symbol, side, type, price, amount)
    comes from the request or from the order as last reported; these answers do not say what
    the fills cost. A PlacedOrder, so that callers reading only ids need not know it."""

    status: OrderStatus
    filled: Decimal
    created_at: datetime | None = None
    updated_at: datetime | None = None
    raw: Any = attrs.field(default=None, eq=False, repr=False)


class VenueRejected(Exception):
    """Raised by an unwrapper: the venue answered with an error (code, message)."""

    def __init__(self, code: str | None, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(code, message)


Encoder = Callable[[Context, Mapping[str, Any]], RequestParts]
Decoder = Callable[[Context, Any], Any]
#: Regroups one page's raw rows before they are decoded one by one (e.g. two legs per fill).
Regrouper = Callable[[Context, Sequence[Any]], Sequence[Any]]
Signer = Callable[[WireRequest, Credentials, datetime], WireRequest]
#: (response, parsed JSON) -> payload; raises VenueRejected for an error answer.
Unwrapper = Callable[[WireResponse, Any], Any]


def _no_encode(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts()


@attrs.frozen
class Endpoint:
    """One operation: how to build its request and how to read its answer.

    For a paged operation `decode` reads ONE item; the core's pagination loop finds the items.
    """

    decode: Decoder
    encode: Encoder = _no_encode
    regroup: Regrouper | None = None


@attrs.frozen
class Adapter:
    endpoints: Mapping[str, Endpoint]
    sign: Signer
    unwrap: Unwrapper
    #: the venue's WebSocket dialect (unified.streams.dialect.Dialect), where it has one
    streams: Any = None
    #: the venue's WebSocket order API (unified.streams.rpc.OrderApi), where it has one
    order_api: Any = None


def _resolve(ref: str) -> Any:
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


@attrs.frozen
class VenueDescriptor:
    """Declared in adapters/<venue>/__init__.py; names modules lazily (nothing imported eagerly)."""

    spec: str  # specs/<spec>.toml
    adapter: str  # "module:ATTRIBUTE" of the Adapter
    simulator: str  # "module:ATTRIBUTE" of the simulator personality

    def load_adapter(self) -> Adapter:
        adapter = _resolve(self.adapter)
        assert isinstance(adapter, Adapter)
        return adapter

    def load_simulator(self) -> Any:
        return _resolve(self.simulator)
