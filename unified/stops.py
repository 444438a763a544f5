"""Stop orders' arguments (DESIGN 3c): `create_order(..., stop_price=, trigger=)` where the
venue's spec has them (`create_stop_order` and its lookups), else NotSupported before anything
is sent.

A stop order lives in the venue's stop system until its trigger is reached, apart from the
orders that rest in the book (KuCoin's /api/v1/stop-order): it is the order family "stop"
(unified.families: placed, looked up, listed and canceled through its own endpoints, under
placement's rules). Once triggered, the venue places it as an ordinary order under the same
id: the ordinary lookups find it from then on, so those are asked first (unified.lookups).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from unified.arguments import positive_decimal
from unified.errors import ConfigurationError
from unified.models import Trigger
from unified.order_ops import require
from unified.pipeline import Pipeline
from unified.precision import check_order

#: the journal's name for a stop create (recovery resolves it through the stop lookups)
CREATE = "create_stop_order"


def stop_fields(stop_price: Decimal | None, trigger: Trigger | None) -> dict[str, Any]:
    """The encoder's stop args ({} for an ordinary order); both or neither must be given."""
    if stop_price is None and trigger is None:
        return {}
    if stop_price is None or trigger is None:
        raise ConfigurationError("a stop order takes stop_price= and trigger= (Trigger.ABOVE "
                                 "fires when the price rises to it, Trigger.BELOW when it falls)")
    if not isinstance(trigger, Trigger):
        raise ConfigurationError(f"trigger must be a Trigger, got {trigger!r}")
    return {"stop_price": positive_decimal("stop_price", stop_price), "trigger": trigger}


def check_stop(pipe: Pipeline, args: Mapping[str, Any]) -> None:
    """Refusals before sending: the venue has stop orders; the stop is on the price step."""
    require(pipe, CREATE)
    check_order(args["market"], pipe.venue, price=args["stop_price"], amount=None, cost=None)
