"""Checks of public arguments, in one place: a bad argument is a ConfigurationError naming it,
raised before anything is sent.

Its own module so that every room (and later the WebSocket order API) refuses the same
inputs with the same words, and so that the rules can be read and tested on their own.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from unified.errors import ConfigurationError


def positive_decimal(name: str, value: Any, *, allow_none: bool = False) -> Decimal | None:
    if value is None:
        if allow_none:
            return None
        raise ConfigurationError(f"{name} is required")
    if not isinstance(value, Decimal):
        raise ConfigurationError(f"{name} must be a Decimal, got {type(value).__name__}")
    if not value.is_finite() or value <= 0:
        raise ConfigurationError(f"{name} must be a positive finite Decimal, got {value}")
    return value


def aware(name: str, value: datetime | None) -> datetime | None:
    if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
        raise ConfigurationError(f"{name} must be an aware datetime")
    return value


def positive_int(name: str, value: Any) -> int | None:
    # bool is an int subclass; True is not a page size
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                              or value <= 0):
        raise ConfigurationError(f"{name} must be a positive int")
    return value


def reference(name: str, value: Any) -> str:
    """An order id or client order id."""
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{name} must be a non-empty string")
    return value


def cursor(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ConfigurationError("cursor must be a string from Page.cursor")
    return value


def non_negative_seconds(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ConfigurationError(f"{name} must be a number of seconds >= 0, got {value!r}")
    return float(value)
