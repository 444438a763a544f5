"""A deterministic trading history for a local venue's paper account.

The history is made through the venue's own protocol (the client against the local venue), so
its orders carry the ids, statuses and records the venue itself gives; the house's side of
each trade is placed in the neutral engine directly. A clock that stands still between steps
makes the same records, ids and timestamps on every run: an export from a fresh local venue is
reproducible byte for byte, and an interrupted one can be resumed against a new process.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import unified
from unified import registry
from unified.client import Exchange
from unified.clock import ManualClock, PacedClock
from unified.models import OrderType, Side, TimeInForce
from unified.sim.book import HOUSE_ACCOUNT, Engine, SimMarket
from unified.sim.derivatives import derivatives_book
from unified.sim.positions import is_unit
from unified.sim.server import USER, SimVenue, fund_user

HISTORY_START = datetime(2024, 3, 1, tzinfo=UTC)
STEP = 60.0  # seconds between two events of the history
SETTLE = timedelta(seconds=30)  # from the last event to "now": no event sits on a boundary
MARKETS = 3  # the history covers the venue's first markets (its default market first)


async def start_seeded(venue_id: str, rounds: int = 20, port: int = 0, seed: int = 11
                       ) -> tuple[SimVenue, PacedClock]:
    """A started local venue with a seeded book, tape, paper funds and trading history; its
    clock stands still just after the last event. The caller stops the venue."""
    # Wall time moves only between history steps, then never; rate-limit waits pass at once:
    # every run sees the same venue state.
    wall = ManualClock(HISTORY_START)
    clock = PacedClock(wall)
    personality = registry.get(venue_id).descriptor.load_simulator()
    markets = personality.markets
    make = getattr(personality, "make_engine", None)  # a contract venue's engine
    engine = make(clock) if make is not None else Engine(markets, clock)
    engine.seed_book()
    engine.seed_tape()  # the tape ends where the history starts: trades stay in time order
    getattr(personality, "fund_user", fund_user)(engine)
    sim = SimVenue(venue_id, clock=clock, engine=engine, port=port)
    await sim.start()
    try:
        async with connect(sim, clock) as ex:
            await seed_history(ex, engine, wall, markets[:MARKETS], rounds, random.Random(seed))
    except BaseException:
        await sim.stop()
        raise
    wall.advance(SETTLE.total_seconds())
    return sim, clock


def connect(sim: SimVenue, clock: PacedClock) -> Exchange:
    """A client of the local venue sharing its still clock."""
    return unified.connect(sim.venue_id, credentials=sim.credentials, base_url=sim.base_url,
                           clock=clock, sleep=clock.sleep)


async def seed_history(ex: Exchange, engine: Engine, clock: ManualClock,
                       markets: Sequence[SimMarket], rounds: int, rng: random.Random) -> None:
    """Per market and round: a taker buy, a market sell, a maker sell half filled then
    canceled, a resting buy canceled unfilled, a maker buy filled; now and then a deposit or a
    withdrawal; at the end a resting buy and a half-filled sell stay open. Small sizes (a few
    minimum amounts) keep the default paper funds sufficient."""
    script = _Script(ex, engine, clock, rng)
    for n in range(rounds):
        for market in markets:
            await script.round(market)
        if n % 4 == 3:
            quotes = sorted({money_currency(engine, m) for m in markets})
            withdraw = n % 8 == 7
            amount = Decimal(rng.randint(1, 9))
            engine.deposit(USER, quotes[n // 4 % len(quotes)], -amount if withdraw else amount,
                           kind="withdrawal" if withdraw else "deposit")
            script.tick()
    for market in markets:
        await script.still_open(market)


def money_currency(engine: Engine, m: SimMarket) -> str:
    """What a market's money is counted in: its quote, a contract's settle currency."""
    return derivatives_book(engine).spec(m.symbol).settle if is_unit(m.quote) else m.quote


class _Script:
    def __init__(self, ex: Exchange, engine: Engine, clock: ManualClock,
                 rng: random.Random) -> None:
        self.ex, self.engine, self.clock, self.rng = ex, engine, clock, rng
        self.placed = 0

    def tick(self) -> None:
        self.clock.advance(STEP)

    def size(self, m: SimMarket) -> Decimal:
        return (m.min_amount * self.rng.randint(1, 5)).quantize(m.amount_increment)

    async def place(self, m: SimMarket, side: Side, amount: Decimal,
                    price: Decimal | None) -> unified.Order:
        self.placed += 1
        coid = f"hist{self.placed}" if self.ex.has("client_order_id") else None
        kind = OrderType.LIMIT if price is not None else OrderType.MARKET
        order = await self.ex.create_order(m.symbol, kind, side, amount, price,
                                           client_order_id=coid)
        self.tick()
        return order

    def house_takes(self, m: SimMarket, side: Side, amount: Decimal, price: Decimal) -> None:
        if is_unit(m.base):  # a contract: the house trades through the derivatives book too
            derivatives_book(self.engine).place(
                HOUSE_ACCOUNT, m.symbol, side, OrderType.LIMIT, amount, price,
                leverage=Decimal(1), time_in_force=TimeInForce.IOC)
        else:
            self.engine.place(HOUSE_ACCOUNT, m.symbol, side, OrderType.LIMIT, amount=amount,
                              price=price, time_in_force=TimeInForce.IOC)
        self.tick()

    async def cancel(self, m: SimMarket, order: unified.Order) -> None:
        await self.ex.cancel_order(order.id, m.symbol)
        self.tick()

    def top(self, m: SimMarket) -> tuple[Decimal, Decimal]:
        bids, asks = self.engine.depth(m.symbol, 1)
        return bids[0][0], asks[0][0]

    async def round(self, m: SimMarket) -> None:
        bid, ask = self.top(m)
        await self.place(m, Side.BUY, self.size(m), ask)
        await self.place(m, Side.SELL, self.size(m), None)
        bid, ask = self.top(m)
        amount = self.size(m) * 2
        sell = await self.place(m, Side.SELL, amount, ask - m.price_increment)
        self.house_takes(m, Side.BUY, amount / 2, ask - m.price_increment)
        resting = await self.place(m, Side.BUY, self.size(m),
                                   (bid * Decimal("0.9")).quantize(m.price_increment))
        await self.cancel(m, sell)
        await self.cancel(m, resting)
        bid, _ = self.top(m)
        amount = self.size(m)
        await self.place(m, Side.BUY, amount, bid + m.price_increment)
        self.house_takes(m, Side.SELL, amount, bid + m.price_increment)

    async def still_open(self, m: SimMarket) -> None:
        bid, ask = self.top(m)
        await self.place(m, Side.BUY, m.min_amount * 3,
                         (bid * Decimal("0.8")).quantize(m.price_increment))
        await self.place(m, Side.SELL, m.min_amount * 4, ask - m.price_increment)
        self.house_takes(m, Side.BUY, m.min_amount, ask - m.price_increment)
