"""Strict conversions of venue values: exact Decimals, aware UTC datetimes, typed wire classes.

Venues mix strings and numbers for the same field; JSON is parsed with every non-integer as a
Decimal from its own text, so no float ever exists. Anything else (floats, bools, "NaN", junk)
is a DecodeError.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import cattrs
import msgspec
from cattrs.gen import make_dict_structure_fn

from unified.errors import DecodeError

T = TypeVar("T")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"non-finite number {name}")


# One decoder for every answer: json.loads(..., parse_float=...) would build a new one per call.
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_refuse_constant)
# The fast reader: msgspec's C decoder, every float literal handed to Decimal as its text.
# On what it accepts it answers exactly what the stdlib reader does (same values, same types:
# Decimal from the text, ints as int of any size); whatever it refuses goes to the stdlib reader,
# which accepts the few valid inputs msgspec does not (a lone surrogate escape, a UTF-8 BOM or
# UTF-16/32 bytes) and words every refusal. The stream benchmark (benchmarks/jsondecode.py)
# measured the choice: on KuCoin level2 frames about 3x the stdlib reader's speed (0.90 vs
# 2.84 us a frame in the full run; 3-4x across runs).
_FAST = msgspec.json.Decoder(float_hook=Decimal).decode


def loads(body: bytes | str) -> Any:
    """Parse JSON exactly: non-integers become Decimal; NaN/Infinity are refused."""
    if not isinstance(body, (bytes, bytearray, str)):
        raise DecodeError(f"JSON must be str or bytes, not {type(body).__name__}")
    try:
        return _FAST(body)
    except (msgspec.DecodeError, RecursionError):
        return loads_stdlib(body)


def loads_stdlib(body: bytes | str) -> Any:
    """`loads` on the stdlib decoder alone (parse_float=Decimal): the reference semantics."""
    try:
        # json.loads' own steps, around the one shared decoder.
        if isinstance(body, (bytes, bytearray)):
            text = body.decode(json.detect_encoding(body), "surrogatepass")
        elif isinstance(body, str):
            text = body
        else:
            raise DecodeError(f"JSON must be str or bytes, not {type(body).__name__}")
        if text.startswith("\ufeff"):
            raise json.JSONDecodeError("Unexpected UTF-8 BOM", text, 0)
        return _DECODER.decode(text)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise DecodeError(f"body is not valid JSON: {exc}") from None


def dumps(value: Any) -> str:
    """Compact JSON; Decimals are written as strings (what the venues' docs show)."""
    return json.dumps(value, separators=(",", ":"), default=_json_default)


def decimal_text(value: Decimal) -> str:
    """Plain notation, as the venues write numbers: never an exponent."""
    return format(value, "f")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_text(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def to_decimal(value: Any, _type: Any = None) -> Decimal:
    """Decimal from a str, int or an already-exact Decimal; never from float or bool.

    (`_type` lets the function serve as its own cattrs hook: one call per field.)"""
    if isinstance(value, str):  # the common case first; Decimal() ignores surrounding spaces
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise DecodeError(f"not a decimal number: {value!r}") from None
    elif isinstance(value, Decimal):
        result = value
    elif isinstance(value, int) and not isinstance(value, bool):
        result = Decimal(value)
    else:
        raise DecodeError(f"expected a decimal string or integer, got {type(value).__name__}")
    if not result.is_finite():
        raise DecodeError(f"not a finite number: {value!r}")
    return result


def to_decimal_or_none(value: Any, _type: Any = None) -> Decimal | None:
    if value is None or value == "":
        return None
    return to_decimal(value)


def to_int(value: Any, _type: Any = None) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise DecodeError(f"expected an integer, got {value!r}")


def to_bool(value: Any, _type: Any = None) -> bool:
    if value is True or value is False:
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise DecodeError(f"expected a boolean, got {value!r}")


def to_str(value: Any, _type: Any = None) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise DecodeError(f"expected a string, got {type(value).__name__}")


# An optional field may arrive empty as null or "" (real answers use both): both are absent.
def _optional_int(value: Any, _type: Any = None) -> int | None:
    return None if value is None or value == "" else to_int(value)


def _optional_bool(value: Any, _type: Any = None) -> bool | None:
    return None if value is None or value == "" else to_bool(value)


def _optional_str(value: Any, _type: Any = None) -> str | None:
    return None if value is None else to_str(value)


def from_ms(value: Any) -> datetime:
    return _from_units(value, 1_000)


def from_seconds(value: Any) -> datetime:
    return _from_units(value, 1)


def from_ns(value: Any) -> datetime:
    return _from_units(value, 1_000_000_000)


def _from_units(value: Any, per_second: int) -> datetime:
    if type(value) is int and 1_000_000 % per_second == 0:
        # Whole microseconds already: the exact product, no Decimal needed.
        try:
            return EPOCH + timedelta(microseconds=value * (1_000_000 // per_second))
        except OverflowError:
            raise DecodeError(f"timestamp out of range: {value!r}") from None
    number = to_decimal(value)
    micros = number * 1_000_000 / per_second
    try:
        return EPOCH + timedelta(microseconds=int(micros))
    except OverflowError:
        raise DecodeError(f"timestamp out of range: {value!r}") from None


def from_iso(value: Any) -> datetime:
    """ISO-8601 (e.g. 2019-03-18T07:26:50.123Z) to aware UTC."""
    text = to_str(value)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise DecodeError(f"not an ISO-8601 time: {text!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def to_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware UTC datetime")
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def to_iso_ms(moment: datetime) -> str:
    """UTC ISO-8601 with milliseconds and a Z, as OK-ACCESS-TIMESTAMP wants."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def make_converter() -> cattrs.Converter:
    # The converters take (value, type) themselves: no wrapper call per field.
    conv = cattrs.Converter(forbid_extra_keys=False, detailed_validation=False)
    conv.register_structure_hook(Decimal, to_decimal)
    conv.register_structure_hook(int, to_int)
    conv.register_structure_hook(bool, to_bool)
    conv.register_structure_hook(str, to_str)
    conv.register_structure_hook(Decimal | None, to_decimal_or_none)
    conv.register_structure_hook(str | None, _optional_str)
    conv.register_structure_hook(int | None, _optional_int)
    conv.register_structure_hook(bool | None, _optional_bool)
    return conv


CONVERTER = make_converter()
_structurers: dict[type[Any], Any] = {}


def structure(value: Any, cls: type[T]) -> T:
    """Build a wire attrs class from a venue dict; every failure is a DecodeError."""
    fn = _structurers.get(cls)
    if fn is None:
        fn = make_dict_structure_fn(cls, CONVERTER)
        _structurers[cls] = fn
    if not isinstance(value, dict):
        raise DecodeError(f"expected an object for {cls.__name__}, got {type(value).__name__}")
    try:
        return fn(value, cls)  # type: ignore[no-any-return]
    except DecodeError as exc:
        raise DecodeError(f"{cls.__name__}: {exc}") from None
    except (KeyError, TypeError, ValueError, AttributeError, cattrs.BaseValidationError) as exc:
        raise DecodeError(f"{cls.__name__}: missing or malformed field {exc}") from None


_TIMEFRAME_UNITS = {"m": 60, "h": 3600, "d": 86_400, "w": 604_800, "M": 2_592_000}


def timeframe_seconds(timeframe: str) -> int:
    """'1m' -> 60, '4h' -> 14400, '1M' -> 30 days (an upper bound for windows)."""
    count, unit = timeframe[:-1], timeframe[-1:]
    if not count.isdigit() or unit not in _TIMEFRAME_UNITS:
        raise ValueError(f"not a timeframe: {timeframe!r}")
    return int(count) * _TIMEFRAME_UNITS[unit]
