"""Spec-driven lookups: enum maps (both directions), the ordered error table, symbol codec."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from unified.errors import (
    VENUE_ERRORS,
    BadSymbol,
    ConfigurationError,
    DecodeError,
    RateLimited,
    VenueError,
)
from unified.spec import ErrorRow, VenueSpec

E = TypeVar("E")


class EnumTable(Generic[E]):
    """venue value <-> unified enum. Unknown venue values are a DecodeError, never a default."""

    def __init__(self, what: str, forward: Mapping[str, E]) -> None:
        self.what = what
        self.forward = dict(forward)
        # Reverse map derived from the forward one: the first venue value listed wins.
        self.reverse: dict[E, str] = {}
        for venue_value, unified in forward.items():
            self.reverse.setdefault(unified, venue_value)

    def decode(self, venue_value: Any) -> E:
        try:
            return self.forward[str(venue_value)]
        except KeyError:
            raise DecodeError(f"unknown {self.what} {venue_value!r}") from None

    def encode(self, unified: E) -> str:
        try:
            return self.reverse[unified]
        except KeyError:
            raise ConfigurationError(f"this venue has no {self.what} for {unified}") from None


class ErrorTable:
    """The ordered error rows of a spec; the first matching row names the error class."""

    def __init__(self, venue: str, rows: tuple[ErrorRow, ...]) -> None:
        self.venue = venue
        self.rows = rows

    def row_for(self, http_status: int | None, code: str | None, message: str) -> ErrorRow | None:
        for row in self.rows:
            if row.matches(http_status, code, message):
                return row
        return None

    def classify(
        self,
        *,
        http_status: int | None,
        code: str | None,
        message: str,
        raw: Any = None,
        retry_after: float | None = None,
    ) -> VenueError:
        row = self.row_for(http_status, code, message)
        if row is not None:
            name = row.error
        elif http_status is not None and http_status >= 500:
            name = "VenueUnavailable"
        elif http_status == 429:
            name = "RateLimited"
        elif http_status in (401, 403):
            name = "AuthenticationError"
        else:
            name = "VenueError"
        cls = VENUE_ERRORS[name]
        kw: dict[str, Any] = {
            "venue": self.venue,
            "code": code,
            "http_status": http_status,
            "raw": raw,
        }
        text = message or (row.meaning if row else "") or "venue error"
        if issubclass(cls, RateLimited):
            hint = retry_after if retry_after is not None else (row.retry_after if row else None)
            return cls(text, retry_after=hint, **kw)
        return cls(text, **kw)


class SymbolCodec:
    """BASE/QUOTE <-> the venue's id (e.g. BTC-USDT, ltc_btc)."""

    def __init__(self, fmt: str, case: str) -> None:
        self.fmt = fmt
        self.case = case
        self.separator = fmt.replace("{base}", "").replace("{quote}", "")

    def to_venue(self, symbol: str) -> str:
        base, sep, quote = symbol.partition("/")
        if not sep or not base or not quote:
            raise BadSymbol(f"symbol {symbol!r} is not BASE/QUOTE")
        venue = self.fmt.format(base=base, quote=quote)
        return venue.lower() if self.case == "lower" else venue.upper()

    def to_unified(self, venue_symbol: str) -> str:
        base, sep, quote = venue_symbol.partition(self.separator)
        if not sep or not base or not quote:
            raise DecodeError(f"venue symbol {venue_symbol!r} does not match {self.fmt!r}")
        return f"{base.upper()}/{quote.upper()}"


class Tables:
    """Everything the adapters and the core look up in a spec, built once per spec."""

    def __init__(self, spec: VenueSpec) -> None:
        self.spec = spec
        self.status = EnumTable("order status", spec.status)
        self.oco_status = EnumTable("OCO status", spec.oco_status)
        self.stop_status = EnumTable("stop order status", spec.stop_status)
        self.sides = EnumTable("side", spec.sides)
        self.order_types = EnumTable("order type", spec.order_types)
        self.time_in_force = EnumTable("time in force", spec.time_in_force)
        self.liquidity = EnumTable("liquidity", spec.liquidity)
        self.errors = ErrorTable(spec.name, spec.errors)
        self.symbols = SymbolCodec(spec.symbol_format, spec.symbol_case)
