"""The local KuCoin's checks of an HF create's optional fields, shared by every create (REST
/api/v1/hf/orders, .../sync, .../multi, .../test, and the WebSocket order API's spot.order,
spot.sync_order and margin.order), and what the venue keeps of them per order.

From KuCoin's docs of the HF create (kucoin-spot-hf-openapi.md, "Add Order"): timeInForce is
GTC, GTT, IOC or FOK; cancelAfter (seconds, -1 = never, the default) goes with GTT; postOnly
"is disabled when the order timing strategy is IOC or FOK"; hidden and iceberg are flags, an
iceberg shows visibleSize; stp is DC, CO, CN or CB; tags and remark are ASCII, at most 20
characters; "If clientTimestamp + allowMaxTimeWindow < Gateway received the message time, this
order will fail", and clientTimestamp "need[s] to be defined if allowMaxTimeWindow is
specified".

Decided here, where the docs say no more: a flag must be a JSON boolean and a count a JSON
integer; hidden, iceberg and postOnly are for limit orders; an order is hidden or iceberg,
not both; visibleSize is for icebergs only (positive, at most the size, on the size step);
cancelAfter other than -1 without GTT is refused, and must be 1 to 2591999 s (the docs'
schema bounds are exclusive); postOnly with IOC or FOK is accepted and ignored ("disabled").
Every refusal is the create's invalid-parameter error (400100), as the other field checks.

The engine has no hidden books, icebergs, self-trade prevention or timed cancels: the venue
checks these fields and echoes them where an order is shown (GET /api/v1/hf/orders/{id}:
stp, hidden, iceberg, visibleSize, cancelAfter, remark, tags, tradeType), but the order rests
in full view and until it is canceled or filled.
"""

from __future__ import annotations

import weakref
from decimal import Decimal, InvalidOperation
from typing import Any

from unified.models import OrderType, TimeInForce
from unified.sim.book import Engine, EngineError

STP = frozenset({"DC", "CO", "CN", "CB"})
TEXT_MAX = 20
CANCEL_AFTER_BOUND = 2592000  # 30 days, exclusive
#: what an order shows when it was created without them
SHOWN_DEFAULTS: dict[str, Any] = {
    "stp": None, "hidden": False, "iceberg": False, "visibleSize": "0", "cancelAfter": 0,
    "remark": None, "tags": None, "tradeType": "TRADE"}

_EXTRAS: weakref.WeakKeyDictionary[Engine, dict[str, dict[str, Any]]] = \
    weakref.WeakKeyDictionary()


def shown(engine: Engine, order_id: str) -> dict[str, Any]:
    """The order's optional fields as the venue shows them."""
    return {**SHOWN_DEFAULTS, **_EXTRAS.get(engine, {}).get(order_id, {})}


#: the tradeType of a margin order (cross, isolated): the margin HF system's, not spot's
MARGIN = ("MARGIN_TRADE", "MARGIN_ISOLATED_TRADE")


def is_margin(engine: Engine, order_id: str) -> bool:
    return shown(engine, order_id)["tradeType"] in MARGIN


def keep(engine: Engine, order_id: str, fields: dict[str, Any]) -> None:
    """Remember an order's optional fields (what `shown` gives back)."""
    _EXTRAS.setdefault(engine, {})[order_id] = dict(fields)


def decimal_field(body: dict[str, Any], name: str) -> Decimal | None:
    raw = body.get(name)
    if raw is None:
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise EngineError("invalid", f"{name} is invalid") from None
    if not value.is_finite():
        raise EngineError("invalid", f"{name} is invalid")
    return value


def flag(body: dict[str, Any], name: str) -> bool:
    raw = body.get(name, False)
    if not isinstance(raw, bool):
        raise EngineError("invalid", f"{name} must be a boolean")
    return raw


def _count(body: dict[str, Any], name: str) -> int | None:
    raw = body.get(name)
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise EngineError("invalid", f"{name} must be an integer")
    return raw


def _text(body: dict[str, Any], name: str) -> str | None:
    raw = body.get(name)
    if raw is None:
        return None
    if not isinstance(raw, str) or len(raw) > TEXT_MAX or not raw.isascii():
        raise EngineError("invalid", f"{name} must be ASCII text of at most {TEXT_MAX} "
                                     "characters")
    return raw


def _display(body: dict[str, Any], kind: OrderType, size: Decimal | None, step: Decimal
             ) -> dict[str, Any]:
    """postOnly, hidden, iceberg and visibleSize, checked."""
    post_only, hidden, iceberg = flag(body, "postOnly"), flag(body, "hidden"), \
        flag(body, "iceberg")
    if kind is OrderType.MARKET and (post_only or hidden or iceberg):
        raise EngineError("invalid", "postOnly, hidden and iceberg are for limit orders")
    if hidden and iceberg:
        raise EngineError("invalid", "an order is hidden or iceberg, not both")
    visible = decimal_field(body, "visibleSize")
    if iceberg:
        if visible is None or visible <= 0 or size is None or visible > size \
                or visible % step != 0:
            raise EngineError("invalid", "an iceberg needs a visibleSize above 0, at most the "
                                         f"size and a multiple of {format(step, 'f')}")
    elif visible is not None:
        raise EngineError("invalid", "visibleSize is for iceberg orders")
    return {"hidden": hidden, "iceberg": iceberg,
            "visibleSize": format(visible, "f") if visible is not None else "0"}


def _timing(body: dict[str, Any], tif: TimeInForce, received_ms: int) -> int:
    """cancelAfter (what the order shows: 0 if none), clientTimestamp and allowMaxTimeWindow."""
    cancel_after = _count(body, "cancelAfter")
    if cancel_after is not None and cancel_after != -1:
        if tif is not TimeInForce.GTT:
            raise EngineError("invalid", "cancelAfter goes with timeInForce GTT")
        if not 0 < cancel_after < CANCEL_AFTER_BOUND:
            raise EngineError("invalid", f"cancelAfter must be -1 or between 1 and "
                                         f"{CANCEL_AFTER_BOUND - 1} seconds")
    window, stamp = _count(body, "allowMaxTimeWindow"), _count(body, "clientTimestamp")
    if window is not None:
        if stamp is None:
            raise EngineError("invalid", "clientTimestamp is required with allowMaxTimeWindow")
        if window < 0:
            raise EngineError("invalid", "allowMaxTimeWindow must not be negative")
        if stamp + window < received_ms:
            raise EngineError("invalid", "the order arrived after clientTimestamp + "
                                         "allowMaxTimeWindow")
    return cancel_after if cancel_after is not None and cancel_after > 0 else 0


def options(body: dict[str, Any], kind: OrderType, tif: TimeInForce, size: Decimal | None,
            step: Decimal, received_ms: int) -> tuple[bool, dict[str, Any]]:
    """The create's optional fields checked: whether the order is post-only for the engine,
    and the fields to `keep` for it once placed. `step`: the market's size step;
    `received_ms`: when the venue received the order, on its clock."""
    fields = _display(body, kind, size, step)
    fields["cancelAfter"] = _timing(body, tif, received_ms)
    stp = body.get("stp")
    if stp is not None and (not isinstance(stp, str) or stp not in STP):
        raise EngineError("invalid", "stp must be one of CN, CO, CB, DC")
    fields.update(stp=stp, remark=_text(body, "remark"), tags=_text(body, "tags"))
    post_only = flag(body, "postOnly") and tif not in (TimeInForce.IOC, TimeInForce.FOK)
    return post_only, fields
