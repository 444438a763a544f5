"""More order operations (DESIGN 3d): the dead-man switch, test creates, the markets with open
orders (edits: unified.edits).

Its own module because each of these follows a rule of its own that differs from a create's:
a test create places nothing, so
it is neither journaled nor reconciled, and, being a write, never retried blindly; the
dead-man switch is safe to repeat (the last setting wins), like a cancel. Whether a venue has
an operation is read from its spec's endpoints; without one, NotSupported before anything is
sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from unified.arguments import symbols
from unified.cancels import Cancels
from unified.errors import (
    ConfigurationError,
    NotSupported,
)
from unified.markets import Markets
from unified.models import DeadManSwitch, Order, OrderRequest
from unified.order_args import OrderChecks
from unified.pipeline import Pipeline
from unified.placement import order_from_answer
from unified.venue import PlacedOrder

#: KuCoin's documented DCP range: "timeout=-1 (meaning unset) or 5 <= timeout <= 86400".
#: A venue whose spec says otherwise sets capabilities dead_man_min_s / dead_man_max_s.
DEAD_MAN_MIN_S, DEAD_MAN_MAX_S, DEAD_MAN_SYMBOLS_MAX = 5, 86400, 50


def require(pipe: Pipeline, op: str) -> None:
    """NotSupported (a ConfigurationError) unless the venue's spec has the endpoint."""
    if op not in pipe.spec.endpoints:
        raise NotSupported(f"{pipe.venue} does not support {op}")


def dead_man_seconds(value: object, low: int, high: int) -> int:
    """0 (clear the switch) or a whole number of seconds within the venue's range."""
    if isinstance(value, bool) or not isinstance(value, int) or not (
            value == 0 or low <= value <= high):
        raise ConfigurationError(f"seconds must be 0 (clear) or an int from {low} to {high}, "
                                 f"got {value!r}")
    return value


class OrderOps:
    def __init__(self, pipeline: Pipeline, markets: Markets, checks: OrderChecks,
                 cancels: Cancels) -> None:
        self._pipe = pipeline
        self._markets = markets
        self._checks = checks
        self._cancels = cancels

    async def cancel_all_after(self, seconds: int, names: Sequence[str] | None
                               ) -> datetime | None:
        """Arm (or, with 0, clear) the dead-man switch; when the venue will cancel, if armed.
        Safe to repeat: the last setting wins, so a lost answer is retried like a cancel."""
        require(self._pipe, "cancel_all_orders_after")
        has = self._pipe.spec.capability
        dead_man_seconds(seconds, int(has("dead_man_min_s") or DEAD_MAN_MIN_S),
                         int(has("dead_man_max_s") or DEAD_MAN_MAX_S))
        wanted = symbols("symbols", names)
        limit = int(has("dead_man_symbols_max") or DEAD_MAN_SYMBOLS_MAX)
        if wanted is not None and not 0 < len(wanted) <= limit:
            raise ConfigurationError(f"symbols must name 1 to {limit} markets")
        venue_ids = [(await self._markets.market(s)).venue_symbol for s in wanted or ()]
        result: datetime | None = await self._cancels.repeat(
            "cancel_all_orders_after", {"seconds": seconds, "symbols": venue_ids},
            journaled=False)  # nothing to reconcile: setting it again is the same setting
        return result

    async def dead_man(self) -> DeadManSwitch | None:
        """The dead-man switch as the venue has it now; None when it is not armed."""
        require(self._pipe, "fetch_cancel_all_orders_after")
        await self._markets.load()  # venue ids -> unified symbols
        result: DeadManSwitch | None = await self._pipe.fetch("fetch_cancel_all_orders_after")
        return result

    async def test_create(self, symbol: str, request: OrderRequest, fetch: bool = False
                          ) -> Order:
        """Validated at the venue, never placed: the Order from the request with the id the
        venue answers, status PENDING, raw["test"] True. Not journaled (nothing to
        reconcile), not remembered, and a lost answer is raised as is (never resent)."""
        require(self._pipe, "create_order_test")
        if fetch:
            raise ConfigurationError("test=True places nothing: there is nothing to fetch")
        args = await self._checks.prepare(symbol, request)
        sent_at = self._pipe.clock.now()
        answer: PlacedOrder = await self._pipe.fetch("create_order_test", args)
        order = order_from_answer(args, answer, sent_at)
        return attrs.evolve(order, raw={"test": True, "orderId": answer.id,
                                        "clientOid": answer.client_order_id})

    async def open_symbols(self) -> list[str]:
        """The unified symbols of the markets with open orders, as the venue lists them."""
        require(self._pipe, "fetch_open_order_symbols")
        await self._markets.load()  # venue ids -> unified symbols
        names: list[str] = await self._pipe.fetch("fetch_open_order_symbols")
        return names
