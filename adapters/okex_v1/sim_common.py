"""The local v1 venue's shared helpers: v1's error bodies, its JSON numbers and the signed
form of a private POST, used by the trading handlers (sim.py) and the money ones
(sim_funds.py) alike."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from urllib.parse import parse_qsl

from unified.sim.book import EngineError
from unified.sim.server import SimRequest, SimResponse, SimVenue


def v1_error(code: int, text: str) -> EngineError:
    """A rejection with v1's own code (render_error reads it back from the message)."""
    return EngineError("invalid", f"{code}: {text}")


def fail(code: int) -> SimResponse:
    return SimResponse(200, {"result": False, "error_code": code})


def number(value: Decimal) -> int | float:
    """A JSON number for `value`, exactly: v1 sends numbers, and the client reads them as Decimal.

    The server writes Decimals as strings, so non-integers go out as floats, rounded (to at most
    8 decimals, like the venue) until the float's shortest repr is that very decimal: the client
    then reads exactly the number written (always so for <= 15 significant digits).
    """
    for places in range(8, 0, -1):
        rounded = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
        if rounded == rounded.to_integral_value():
            return int(rounded)
        as_float = float(rounded)
        if Decimal(repr(as_float)) == rounded:
            return as_float
    return int(value.to_integral_value(ROUND_HALF_EVEN))


def text(value: Decimal | None) -> str:
    return "0" if value is None else format(value.normalize(), "f")


def seconds(moment: datetime) -> int:
    return int(moment.timestamp())


# ---------------------------------------------------------------- requests


def _form(req: SimRequest) -> dict[str, str]:
    """The signed form of a private POST. Query parameters would be part of the signed set at
    the venue; since the signature covers the form only, any of them makes it not match."""
    if req.query:
        raise v1_error(10007, "parameters outside the signed form")
    params = dict(parse_qsl(req.body.decode(errors="replace"), keep_blank_values=True))
    params.pop("sign", None)
    params.pop("api_key", None)
    return params


def _need(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise v1_error(10000, f"{name} is required")
    return value


def _int(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.lstrip("-").isdigit() or not low <= int(raw) <= high:
        raise v1_error(10008, f"{name} must be between {low} and {high}")
    return int(raw)


def _decimal(params: Mapping[str, Any], name: str) -> Decimal | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw))
    except ArithmeticError:
        raise v1_error(10008, f"{name} is not a number") from None
    if not value.is_finite():
        raise v1_error(10008, f"{name} is not a number")
    return value


def _symbol(sim: SimVenue, params: Mapping[str, str]) -> str:
    return sim.unified_symbol(_need(params, "symbol"))


def _page(rows: list[Any], page: int, size: int) -> list[Any]:
    return rows[(page - 1) * size: page * size]
