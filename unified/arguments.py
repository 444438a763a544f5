"""Checks of public arguments, in one place: a bad argument is a ConfigurationError naming it,
raised before anything is sent.

Its own module so that every room (and later the WebSocket order API) refuses the same
inputs with the same words, and so that the rules can be read and tested on their own.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def flag(name: str, value: Any) -> bool:
    """A yes/no argument: only a real bool (a string "no" is truthy, and would mean yes)."""
    if not isinstance(value, bool):
        raise ConfigurationError(f"{name} must be True or False, got {value!r}")
    return value


def references(name: str, values: Any) -> list[str]:
    """Several order ids: a list of non-empty strings (a lone string is not a list of ids)."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise ConfigurationError(f"{name} must be a list of id strings, got {values!r}")
    refs = list(values)
    if not refs or not all(isinstance(i, str) and i for i in refs):
        raise ConfigurationError(f"{name} must be non-empty strings")
    return refs


def symbols(name: str, values: Any) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise ConfigurationError(f"{name} must be a list of symbols, got {values!r}")
    return list(values)


def window(since: datetime | None, until: datetime | None) -> None:
    aware("since", since)
    aware("until", until)
    if since is not None and until is not None and since > until:
        raise ConfigurationError(f"since ({since.isoformat()}) is after until "
                                 f"({until.isoformat()})")
