"""The order fields beyond OrderRequest that KuCoin's HF and WebSocket order APIs take (time in
force GTT with cancel_after, hidden, iceberg with visible_size, self-trade prevention, tags,
remark, a client timestamp with its allowed window, margin orders). Checked here, before
anything is sent, with the same ConfigurationError naming the argument as every other rule;
the adapter's encoder writes them in the venue's words (args["extras"]).

The rules are the venue docs' (the HF create's field table and the order API's request
type): cancel_after with GTT only, 0 < cancel_after < 2592000; tags and remark at most 20
ASCII characters; an order hidden or iceberg, not both, and only a limit order; an iceberg's
visible_size at most the amount, and its client_timestamp given (the order API: "Required
when iceberg is specified"); allow_max_time_window only with client_timestamp.

Venue-neutral names; a venue whose spec does not grant `order_extras` refuses them
(NotSupported), and margin orders need `margin_orders`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict

from unified.arguments import flag, positive_decimal, positive_int
from unified.errors import ConfigurationError, NotSupported
from unified.models import MarginMode, OrderType, TimeInForce
from unified.spec import VenueSpec


class SelfTradePrevention(enum.Enum):
    """What the venue does when an order would trade with one of the same user's orders."""

    DECREASE_AND_CANCEL = "DC"
    CANCEL_OLDEST = "CO"
    CANCEL_NEWEST = "CN"
    CANCEL_BOTH = "CB"


class OrderOptions(TypedDict, total=False):
    """Keyword arguments of create_order_ws (unified.ws_orders documents each)."""

    client_order_id: str | None
    time_in_force: TimeInForce | None
    post_only: bool
    cost: Decimal | None
    fetch: bool
    sync: bool
    cancel_after: int | None
    hidden: bool
    iceberg: bool
    visible_size: Decimal | None
    stp: SelfTradePrevention | None
    tags: str | None
    remark: str | None
    client_timestamp: datetime | None
    allow_max_time_window: int | None
    margin_mode: MarginMode | None
    auto_borrow: bool
    auto_repay: bool


#: the request's own fields (OrderRequest) and the call's switches; the rest are extras
BASICS = ("client_order_id", "time_in_force", "post_only", "cost", "fetch", "sync")
MAX_TEXT = 20  # tags, remark: "length cannot exceed 20 characters (ASCII)"
#: cancelAfter's schema bounds, both exclusive (kucoin-spot-hf-openapi.md, Add Order)
CANCEL_AFTER_BOUND = 2592000  # 30 days


def _text(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= MAX_TEXT or not value.isascii():
        raise ConfigurationError(f"{name} must be 1 to {MAX_TEXT} ASCII characters")
    return value


def _enum(name: str, kind: type[enum.Enum], value: Any) -> Any:
    if value is not None and not isinstance(value, kind):
        raise ConfigurationError(f"{name} must be a {kind.__name__}, got {value!r}")
    return value


def extras(spec: VenueSpec, options: OrderOptions, order_type: OrderType,
           tif: TimeInForce | None, amount: Decimal | None = None) -> dict[str, Any]:
    """The checked extras (only those given), ready for the encoder. `amount`: the order's
    (an iceberg shows at most all of it)."""
    unknown = set(options) - set(OrderOptions.__annotations__)
    if unknown:
        raise ConfigurationError(f"unknown order options: {', '.join(sorted(unknown))}")
    given = {k: v for k, v in options.items() if k not in BASICS and v not in (None, False)}
    if given and not spec.capability("order_extras"):
        raise NotSupported(f"{spec.name} takes none of {', '.join(sorted(given))}")
    out: dict[str, Any] = {}
    cancel_after = positive_int("cancel_after", options.get("cancel_after"))
    if (tif is TimeInForce.GTT) != (cancel_after is not None):
        raise ConfigurationError("time_in_force=GTT and cancel_after= go together")
    if cancel_after is not None and cancel_after >= CANCEL_AFTER_BOUND:
        raise ConfigurationError(f"cancel_after must be under {CANCEL_AFTER_BOUND} s (30 days)")
    if cancel_after is not None:
        out["cancel_after"] = cancel_after
    _flags(options, out, order_type, amount)
    for name in ("tags", "remark"):
        if (text := _text(name, options.get(name))) is not None:
            out[name] = text
    if (stp := _enum("stp", SelfTradePrevention, options.get("stp"))) is not None:
        out["stp"] = stp.value
    _window(options, out)
    _margin(spec, options, out)
    return out


def _flags(options: OrderOptions, out: dict[str, Any], order_type: OrderType,
           amount: Decimal | None) -> None:
    hidden, iceberg = flag("hidden", options.get("hidden", False)), flag(
        "iceberg", options.get("iceberg", False))
    visible = positive_decimal("visible_size", options.get("visible_size"), allow_none=True)
    if (hidden or iceberg) and order_type is not OrderType.LIMIT:
        raise ConfigurationError("hidden and iceberg apply to limit orders only")
    if hidden and iceberg:
        raise ConfigurationError("an order is hidden or iceberg, not both")
    if iceberg != (visible is not None):
        raise ConfigurationError("iceberg=True and visible_size= go together")
    if visible is not None and isinstance(amount, Decimal) and visible > amount:
        raise ConfigurationError(f"visible_size {visible} is more than the amount {amount}")
    if iceberg and options.get("client_timestamp") is None:
        # the order API's SubmitHFOrderRequest: clientTimestamp "Required when iceberg is
        # specified" (kucoin-ws-order-api.md)
        raise ConfigurationError("iceberg orders need client_timestamp")
    if hidden:
        out["hidden"] = True
    if iceberg:
        out["iceberg"], out["visible_size"] = True, visible


def _window(options: OrderOptions, out: dict[str, Any]) -> None:
    stamp = options.get("client_timestamp")
    window = positive_int("allow_max_time_window", options.get("allow_max_time_window"))
    if stamp is not None and (not isinstance(stamp, datetime) or stamp.tzinfo is None):
        raise ConfigurationError("client_timestamp must be an aware datetime")
    if window is not None and stamp is None:
        raise ConfigurationError("allow_max_time_window (ms) needs client_timestamp")
    if stamp is not None:
        out["client_timestamp"] = stamp
    if window is not None:
        out["allow_max_time_window"] = window


def _margin(spec: VenueSpec, options: OrderOptions, out: dict[str, Any]) -> None:
    mode = _enum("margin_mode", MarginMode, options.get("margin_mode"))
    borrow = flag("auto_borrow", options.get("auto_borrow", False))
    repay = flag("auto_repay", options.get("auto_repay", False))
    if mode is None:
        if borrow or repay:
            raise ConfigurationError("auto_borrow and auto_repay need margin_mode")
        return
    if not spec.capability("margin_orders"):
        raise NotSupported(f"{spec.name} has no margin orders")
    out["margin_mode"], out["auto_borrow"], out["auto_repay"] = mode, borrow, repay
