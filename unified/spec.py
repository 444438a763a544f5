"""Load and validate specs/<venue>.toml: the venue's tables as data.

Specs ship inside the wheel as adapters/_specs/*.toml; in a checkout they are read from specs/.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from unified.errors import VENUE_ERRORS, ConfigurationError
from unified.models import Liquidity, OrderStatus, OrderType, Side, TimeInForce

PAGING_STYLES = ("none", "page_number", "last_id", "before_after", "offset_has_more")
HTTP_METHODS = ("GET", "POST", "DELETE", "PUT")


@attrs.frozen
class Paging:
    style: str = "none"
    limit_param: str | None = None
    page_limit: int | None = None  # the venue's maximum page size
    page_min: int | None = None  # its minimum: a smaller page_size asks for this many
    items_field: str | None = None  # where the list sits in the payload (None: it is the list)
    # last_id: the request parameter and the response field carrying the cursor
    cursor_param: str | None = None
    cursor_field: str | None = None
    # page_number
    page_param: str | None = None
    first_page: int = 1
    total_pages_field: str | None = None
    # before_after: cursors come back in headers; `after` walks to older records
    after_param: str | None = None
    before_param: str | None = None
    after_header: str | None = None
    before_header: str | None = None
    # offset_has_more: the last item's `item_cursor_field` sent as cursor_param while the
    # answer's `more_field` is true
    item_cursor_field: str | None = None
    more_field: str | None = None


@attrs.frozen
class EndpointSpec:
    name: str
    method: str
    path: str
    auth: bool
    pool: str
    weight: int
    paging: Paging
    body: str = "none"  # none | json | form
    write: bool = False  # never retried blindly
    # walked one after another as one history (e.g. v1's deposits, then withdrawals); the
    # encoder gets the part's name as args["variant"], the decoder as ctx.variant
    variants: tuple[str, ...] = ()


@attrs.frozen
class ErrorRow:
    error: str
    code: str | None = None
    message: re.Pattern[str] | None = None
    http_status: int | None = None
    retry_after: float | None = None
    meaning: str = ""
    #: the venue does not trade the market asked about (a spec listing several hosts'
    #: markets): calls over every market leave that market out (unified.markets)
    untraded: bool = False

    def matches(self, http_status: int | None, code: str | None, message: str) -> bool:
        if self.code is not None and self.code != code:
            return False
        if self.http_status is not None and self.http_status != http_status:
            return False
        return self.message is None or self.message.search(message) is not None


@attrs.frozen
class Pool:
    name: str
    quota: int
    window_s: float
    scope: str = "account"  # account | ip


@attrs.frozen
class RateLimits:
    pools: Mapping[str, Pool]
    remaining_header: str | None = None
    reset_header: str | None = None
    reset_unit: str = "ms"
    retry_after_header: str | None = None


@attrs.frozen
class Signing:
    recipe: str
    headers: Mapping[str, str]
    timestamp: str  # ms | iso_ms | none
    window_s: float
    passphrase: str  # hmac | plain | none
    key_version: str | None
    vectors: tuple[Mapping[str, Any], ...]


@attrs.frozen
class VenueSpec:
    name: str
    adapter: str
    title: str
    base_urls: Mapping[str, str]
    symbol_format: str
    symbol_case: str
    capabilities: Mapping[str, Any]
    client_order_id: re.Pattern[str] | None
    signing: Signing
    rate_limits: RateLimits
    endpoints: Mapping[str, EndpointSpec]
    status: Mapping[str, OrderStatus]
    # an OCO pair's own statuses (KuCoin NEW/TRIGGERED/DONE/CANCELLED); empty without OCO
    oco_status: Mapping[str, OrderStatus]
    # a stop order's own statuses while in the venue's stop system (KuCoin NEW/TRIGGERED)
    stop_status: Mapping[str, OrderStatus]
    sides: Mapping[str, Side]
    order_types: Mapping[str, OrderType]
    time_in_force: Mapping[str, TimeInForce]
    liquidity: Mapping[str, Liquidity]
    timeframes: Mapping[str, str]
    errors: tuple[ErrorRow, ...]
    markets: tuple[Mapping[str, Any], ...]
    # default-tier trading fee rates ("maker", "taker"); accounts on other tiers differ
    fees: Mapping[str, Decimal]
    raw: Mapping[str, Any] = attrs.field(repr=False, eq=False)

    def capability(self, name: str) -> Any:
        return self.capabilities.get(name, False)


def specs_dir() -> Path:
    """Wheel: adapters/_specs; checkout: <root>/specs."""
    try:
        packaged = resources.files("adapters").joinpath("_specs")
        if packaged.is_dir():
            return Path(str(packaged))
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parent.parent / "specs"


def _fees(table: Mapping[str, Any]) -> dict[str, Decimal]:
    rates = {k: v for k, v in table.items() if k in ("maker", "taker")}
    if not all(isinstance(v, str) for v in rates.values()):
        raise ValueError("fees.maker / fees.taker must be decimal strings")
    return {k: Decimal(v) for k, v in rates.items()}


@functools.cache
def load_spec(adapter: str) -> VenueSpec:
    path = specs_dir() / f"{adapter}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"no spec file {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{path.name}: not valid TOML: {exc}") from None
    try:
        return parse_spec(data)
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise ConfigurationError(f"{path.name}: invalid spec: {exc!r}") from None


def _enum_map(table: Mapping[str, str], enum: Any, what: str) -> dict[str, Any]:
    out = {}
    for venue_value, unified_name in table.items():
        if unified_name not in enum.__members__:
            raise ValueError(f"{what}: {venue_value!r} maps to unknown {unified_name!r}")
        out[str(venue_value)] = enum.__members__[unified_name]
    return out


def _endpoint(name: str, raw: Mapping[str, Any], pools: Mapping[str, Pool]) -> EndpointSpec:
    method = raw["method"]
    if method not in HTTP_METHODS:
        raise ValueError(f"endpoint {name}: method {method!r}")
    pool = raw["pool"]
    if pool not in pools:
        raise ValueError(f"endpoint {name}: unknown pool {pool!r}")
    paging = Paging(**raw.get("paging", {}))
    if paging.style not in PAGING_STYLES:
        raise ValueError(f"endpoint {name}: paging style {paging.style!r}")
    required = {
        "last_id": ("cursor_param", "cursor_field"),
        "page_number": ("page_param",),
        "before_after": ("after_param", "after_header"),
        "offset_has_more": ("cursor_param", "item_cursor_field", "more_field"),
    }.get(paging.style, ())
    for field in required:
        if getattr(paging, field) is None:
            raise ValueError(f"endpoint {name}: {paging.style} paging needs {field}")
    if not str(raw["path"]).startswith("/"):
        raise ValueError(f"endpoint {name}: path must start with /")
    return EndpointSpec(
        name=name,
        method=method,
        path=raw["path"],
        auth=bool(raw.get("auth", False)),
        pool=pool,
        weight=int(raw.get("weight", 1)),
        paging=paging,
        body=raw.get("body", "none"),
        write=bool(raw.get("write", False)),
        variants=_variants(name, raw.get("variants", ())),
    )


def _variants(name: str, raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list | tuple) or not all(isinstance(v, str) and v for v in raw):
        raise ValueError(f"endpoint {name}: variants must be a list of names")
    if len(set(raw)) != len(raw):
        raise ValueError(f"endpoint {name}: repeated variant")
    return tuple(raw)


def _error_row(raw: Mapping[str, Any]) -> ErrorRow:
    error = raw["error"]
    if error not in VENUE_ERRORS:
        raise ValueError(f"error row {raw!r}: unknown error class {error!r}")
    message = raw.get("message")
    return ErrorRow(
        error=error,
        code=str(raw["code"]) if "code" in raw else None,
        message=re.compile(message, re.IGNORECASE) if message else None,
        http_status=raw.get("http_status"),
        retry_after=raw.get("retry_after"),
        meaning=raw.get("meaning", ""),
        untraded=bool(raw.get("untraded", False)),
    )


def parse_spec(data: Mapping[str, Any]) -> VenueSpec:
    venue = data["venue"]
    limits = data["rate_limits"]
    pools = {
        name: Pool(
            name=name,
            quota=int(p["quota"]),
            window_s=float(p["window_s"]),
            scope=p.get("scope", "account"),
        )
        for name, p in limits["pools"].items()
    }
    signing = data["signing"]
    coid = data.get("client_order_id", {}).get("pattern")
    symbols = data["symbols"]
    if "{base}" not in symbols["format"] or "{quote}" not in symbols["format"]:
        raise ValueError("symbols.format needs {base} and {quote}")
    return VenueSpec(
        name=venue["name"],
        adapter=venue["adapter"],
        title=venue.get("title", venue["name"]),
        base_urls=dict(data["base_urls"]),
        symbol_format=symbols["format"],
        symbol_case=symbols.get("case", "upper"),
        capabilities=dict(data.get("capabilities", {})),
        client_order_id=re.compile(coid) if coid else None,
        signing=Signing(
            recipe=signing["recipe"],
            headers=dict(signing.get("headers", {})),
            timestamp=signing.get("timestamp", "none"),
            window_s=float(signing.get("window_s", 0)),
            passphrase=signing.get("passphrase", "none"),
            key_version=signing.get("key_version"),
            vectors=tuple(signing.get("vectors", ())),
        ),
        rate_limits=RateLimits(
            pools=pools,
            remaining_header=limits.get("remaining_header"),
            reset_header=limits.get("reset_header"),
            reset_unit=limits.get("reset_unit", "ms"),
            retry_after_header=limits.get("retry_after_header"),
        ),
        endpoints={
            name: _endpoint(name, raw, pools) for name, raw in data["endpoints"].items()
        },
        status=_enum_map(data["status"], OrderStatus, "status"),
        oco_status=_enum_map(data.get("oco_status", {}), OrderStatus, "oco_status"),
        stop_status=_enum_map(data.get("stop_status", {}), OrderStatus, "stop_status"),
        sides=_enum_map(data["sides"], Side, "sides"),
        order_types=_enum_map(data["order_types"], OrderType, "order_types"),
        time_in_force=_enum_map(data.get("time_in_force", {}), TimeInForce, "time_in_force"),
        liquidity=_enum_map(data.get("liquidity", {}), Liquidity, "liquidity"),
        timeframes=dict(data.get("timeframes", {})),
        errors=tuple(_error_row(row) for row in data.get("errors", ())),
        markets=tuple(data.get("markets", ())),
        fees=_fees(data.get("fees", {})),
        raw=data,
    )
