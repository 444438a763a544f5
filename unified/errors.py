"""The one exception tree (DESIGN.md section 5). Nothing else escapes a public call."""

from __future__ import annotations

from typing import Any


class UnifiedError(Exception):
    """Base of every error raised by a public call."""


class ConfigurationError(UnifiedError):
    """Bad arguments, caught before anything is sent."""


class BadSymbol(ConfigurationError):
    """The symbol is not a market of this venue."""


class NotSupported(ConfigurationError):
    """The venue has no way to do what was asked (a capability the spec does not grant)."""


class TransportError(UnifiedError):
    """The request did not get a complete HTTP answer."""


class RequestTimeout(TransportError):
    pass


class ConnectionFailed(TransportError):
    def __init__(self, message: str, *, request_sent: bool = True) -> None:
        # False only when no byte left this machine (connection refused): safe to resend.
        self.request_sent = request_sent
        super().__init__(message)


class StreamLagged(TransportError):
    """A stream's consumer fell so far behind that the next event would have been dropped;
    the stream is closed (events before this one were all delivered)."""


class VenueError(UnifiedError):
    """The venue answered with an error."""

    def __init__(
        self,
        message: str,
        *,
        venue: str,
        code: str | None = None,
        http_status: int | None = None,
        raw: Any = None,
    ) -> None:
        self.venue = venue
        self.code = code
        self.message = message
        self.http_status = http_status
        self.raw = raw
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = [self.venue]
        if self.code is not None:
            parts.append(f"code {self.code}")
        if self.http_status is not None:
            parts.append(f"HTTP {self.http_status}")
        return f"{self.message} ({', '.join(parts)})"


class AuthenticationError(VenueError):
    pass


class PermissionDenied(AuthenticationError):
    pass


class ClockSkew(VenueError):
    pass


class RateLimited(VenueError):
    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)


class InsufficientFunds(VenueError):
    pass


class InvalidOrder(VenueError):
    pass


class DuplicateClientOrderId(InvalidOrder):
    pass


class OrderNotFound(VenueError):
    pass


class VenueUnavailable(VenueError):
    pass


class AmbiguousOutcome(UnifiedError):
    """An order request whose result could not be established."""

    def __init__(self, message: str, *, venue: str, client_order_id: str | None) -> None:
        self.venue = venue
        self.client_order_id = client_order_id
        super().__init__(f"{message} ({venue}, client_order_id={client_order_id})")


class DecodeError(UnifiedError):
    """The venue answered something we do not understand."""


#: Names an error table row may use; the spec validator checks against this.
VENUE_ERRORS: dict[str, type[VenueError]] = {
    cls.__name__: cls
    for cls in (
        VenueError,
        AuthenticationError,
        PermissionDenied,
        ClockSkew,
        RateLimited,
        InsufficientFunds,
        InvalidOrder,
        DuplicateClientOrderId,
        OrderNotFound,
        VenueUnavailable,
    )
}

__all__ = [
    "VENUE_ERRORS",
    "AmbiguousOutcome",
    "AuthenticationError",
    "BadSymbol",
    "ClockSkew",
    "ConfigurationError",
    "ConnectionFailed",
    "DecodeError",
    "DuplicateClientOrderId",
    "InsufficientFunds",
    "InvalidOrder",
    "NotSupported",
    "OrderNotFound",
    "PermissionDenied",
    "RateLimited",
    "RequestTimeout",
    "TransportError",
    "UnifiedError",
    "VenueError",
    "VenueUnavailable",
]
