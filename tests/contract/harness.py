"""Start a local venue and a client pointed at it, through real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import attrs

import unified
from unified import Market, OrderStatus, registry
from unified.client import Exchange
from unified.clock import PacedClock
from unified.sim.server import SimVenue


@attrs.frozen
class Session:
    sim: SimVenue
    ex: Exchange
    market: Market

    @property
    def symbol(self) -> str:
        return self.market.symbol

    @property
    def amount(self) -> Decimal:
        return self.market.min_amount * 10

    @property
    def mid(self) -> Decimal:
        return self.sim.personality.markets[0].mid

    def price(self, factor: str) -> Decimal:
        """A valid price at `factor` x mid."""
        return (self.mid * Decimal(factor)).quantize(self.market.price_increment)

    def orders_at_venue(self) -> list[Any]:
        return [o for o in self.sim.engine.orders.values() if o.account == "user"]


@asynccontextmanager
async def session(venue_id: str, *, venue_clock: Any = None, **options: Any
                  ) -> AsyncIterator[Session]:
    """`venue_clock`: the local venue's clock (e.g. the client's manual one, so that moving it
    moves both and no clock skew appears); the system clock by default."""
    async with SimVenue(venue_id, clock=venue_clock) as sim, unified.connect(
        venue_id, credentials=sim.credentials, base_url=sim.base_url, **options
    ) as ex:
        markets = await ex.load_markets()
        yield Session(sim, ex, markets[sim.personality.markets[0].symbol])


@asynccontextmanager
async def paced(venue_id: str, **options: Any) -> AsyncIterator[tuple[SimVenue, Exchange, str]]:
    """A local venue (its own limits off) and a client on paced time: backoff, retries and
    polls pass at once. Yields (sim, ex, the venue's first market)."""
    clock = PacedClock()
    async with SimVenue(venue_id, enforce_limits=False) as sim, unified.connect(
        venue_id, credentials=sim.credentials, base_url=sim.base_url, clock=clock,
        sleep=clock.sleep, **options,
    ) as ex:
        await ex.load_markets()
        yield sim, ex, sim.personality.markets[0].symbol


def size(market: Market, tenths: int) -> Decimal:
    """`tenths` tenths of a unit where the market takes them, else that many of its steps
    (whole contracts)."""
    return tenths * max(market.amount_increment, Decimal("0.1"))


async def market_buy(s: Session, amount: Decimal) -> unified.Order:
    """A market buy of about `amount`, by amount or by cost as the venue allows; its state as
    the venue reports it (fetched: the one-trip answers do not price fills)."""
    if s.ex.has("market_buy_by_amount"):
        return await s.ex.create_order(s.symbol, unified.OrderType.MARKET, unified.Side.BUY,
                                       amount, fetch=True)
    book = await s.ex.fetch_order_book(s.symbol, limit=5)
    cost = (book.asks[0].price * amount).quantize(Decimal(1)) + 1
    return await s.ex.create_order(s.symbol, unified.OrderType.MARKET, unified.Side.BUY, None,
                                   cost=cost, fetch=True)


def placed_status(s: Session) -> OrderStatus:
    """A resting order's status as a one-trip create reports it: OPEN where the venue's answer
    says so (the spec's create_answers_state), else PENDING (accepted, state not reported)."""
    return OrderStatus.OPEN if s.ex.has("create_answers_state") else OrderStatus.PENDING


def canceled_status(s: Session) -> OrderStatus:
    """A one-trip cancel's status: CANCELED where the answer says the order is done
    (cancel_answers_state), else CANCELING (the venue took the cancel)."""
    return OrderStatus.CANCELED if s.ex.has("cancel_answers_state") else OrderStatus.CANCELING


def sent(s: Session) -> int:
    """Every request the local venue has received so far."""
    return sum(s.sim.requests.values())


def history_walks() -> list[tuple[str, str]]:
    """(venue, iter_* method) for every history walk each venue's spec declares."""
    pairs = []
    for venue in unified.venues():
        spec = registry.get(venue).spec
        for op in ("iter_closed_orders", "iter_my_trades", "iter_ledger"):
            if op in spec.endpoints and (op != "iter_ledger" or spec.capability("ledger")):
                pairs.append((venue, op))
    return pairs
