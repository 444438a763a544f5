"""unified: one typed async interface to KuCoin spot, OKCoinJapan v3 and OKEx/OKCoin v1."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from unified import contracts, errors
from unified.client import Exchange
from unified.derivative_models import (
    FundingRate,
    IndexPrice,
    MarkPrice,
    Position,
    PositionSide,
    StopPriceType,
)
from unified.errors import (
    AmbiguousOutcome,
    AuthenticationError,
    BadSymbol,
    ClockSkew,
    ConfigurationError,
    ConnectionFailed,
    DecodeError,
    DuplicateClientOrderId,
    InsufficientFunds,
    InvalidOrder,
    NotSupported,
    OrderNotFound,
    PermissionDenied,
    RateLimited,
    RequestTimeout,
    StreamLagged,
    TransportError,
    UnifiedError,
    VenueError,
    VenueUnavailable,
)
from unified.journal import Intent, Reconciled
from unified.models import (
    Account,
    Balance,
    Balances,
    BookLevel,
    Candle,
    DeadManSwitch,
    DepositAddress,
    Fee,
    Fill,
    LedgerEntry,
    Liquidity,
    MarginLoan,
    MarginMode,
    Market,
    MarketKind,
    OcoOrder,
    Order,
    OrderBook,
    OrderRequest,
    OrderStatus,
    OrderType,
    Page,
    Side,
    Ticker,
    TimeInForce,
    Trade,
    TradingFee,
    Transaction,
    TransactionKind,
    TransactionStatus,
    Transfer,
    Trigger,
)
from unified.order_options import OrderOptions, SelfTradePrevention
from unified.streams.stream import Stream
from unified.venue import Credentials

__version__ = "0.1.0"


def _origin(base_url: str, has_credentials: bool) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"base_url must be scheme://host[:port], got {base_url!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigurationError(
            f"base_url is an origin only (scheme://host[:port]); paths keep their own prefix: "
            f"{base_url!r}"
        )
    if parts.scheme == "http" and has_credentials and not _loopback(parts.hostname):
        raise ConfigurationError("credentials are only sent over https (or http to loopback)")
    try:
        port = parts.port
    except ValueError:
        raise ConfigurationError(f"bad port in base_url {base_url!r}") from None
    return f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port else "")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def connect(
    venue: str,
    credentials: Credentials | None = None,
    base_url: str | None = None,
    **options: Any,
) -> Exchange:
    """An Exchange for `venue`; use it as an async context manager so its session closes."""
    from unified import registry

    registered = registry.get(venue)
    if credentials is not None and not isinstance(credentials, Credentials):
        raise ConfigurationError("credentials must be unified.Credentials(api_key, secret, ...)")
    origin = _origin(base_url or registered.base_url, credentials is not None)
    return Exchange(
        venue=venue,
        spec=registered.spec,
        adapter=registered.descriptor.load_adapter(),
        origin=origin,
        credentials=credentials,
        **options,
    )


def venues() -> list[str]:
    from unified import registry

    return list(registry.venues())


__all__ = [
    "Account",
    "AmbiguousOutcome",
    "AuthenticationError",
    "BadSymbol",
    "Balance",
    "Balances",
    "BookLevel",
    "Candle",
    "ClockSkew",
    "ConfigurationError",
    "ConnectionFailed",
    "Credentials",
    "DeadManSwitch",
    "DecodeError",
    "DepositAddress",
    "DuplicateClientOrderId",
    "Exchange",
    "Fee",
    "Fill",
    "FundingRate",
    "IndexPrice",
    "InsufficientFunds",
    "Intent",
    "InvalidOrder",
    "LedgerEntry",
    "Liquidity",
    "MarginLoan",
    "MarginMode",
    "MarkPrice",
    "Market",
    "MarketKind",
    "NotSupported",
    "OcoOrder",
    "Order",
    "OrderBook",
    "OrderNotFound",
    "OrderOptions",
    "OrderRequest",
    "OrderStatus",
    "OrderType",
    "Page",
    "PermissionDenied",
    "Position",
    "PositionSide",
    "RateLimited",
    "Reconciled",
    "RequestTimeout",
    "SelfTradePrevention",
    "Side",
    "StopPriceType",
    "Stream",
    "StreamLagged",
    "Ticker",
    "TimeInForce",
    "Trade",
    "TradingFee",
    "Transaction",
    "TransactionKind",
    "TransactionStatus",
    "Transfer",
    "TransportError",
    "Trigger",
    "UnifiedError",
    "VenueError",
    "VenueUnavailable",
    "__version__",
    "connect",
    "contracts",
    "errors",
    "venues",
]
