"""Local venues and unified clients for the benchmarks, with rate limits out of the way.

Both sides get the venue's spec with every pool's quota raised: the simulator (which also stops
enforcing) then reports matching remaining-quota headers, and the client's limiter still does
its bookkeeping on every call (its cost is measured) but never has to wait.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from decimal import Decimal

import attrs

from unified import OrderStatus, OrderType, Side, TimeInForce, registry
from unified.client import Exchange
from unified.sim.book import Engine, SimOrder
from unified.sim.server import USER, SimVenue
from unified.spec import VenueSpec
from unified.transport import Transport
from unified.venue import Adapter, Credentials

QUOTA = 10**12


def unlimited(spec: VenueSpec) -> VenueSpec:
    limits = spec.rate_limits
    pools = {name: attrs.evolve(pool, quota=QUOTA) for name, pool in limits.pools.items()}
    return attrs.evolve(spec, rate_limits=attrs.evolve(limits, pools=pools))


def local_venue(venue_id: str, port: int = 0) -> SimVenue:
    sim = SimVenue(venue_id, enforce_limits=False, port=port)
    sim.spec = unlimited(sim.spec)
    return sim


@asynccontextmanager
async def running(venue_id: str) -> AsyncIterator[SimVenue]:
    async with local_venue(venue_id) as sim:
        yield sim


def client(venue_id: str, base_url: str, credentials: Credentials | None,
           transport: Transport | None = None, adapter: Adapter | None = None) -> Exchange:
    """What unified.connect() builds, with the unlimited spec."""
    reg = registry.get(venue_id)
    return Exchange(venue=venue_id, spec=unlimited(reg.spec),
                    adapter=adapter or reg.descriptor.load_adapter(), origin=base_url,
                    credentials=credentials, transport=transport)


def seed_closed_orders(engine: Engine, symbol: str, count: int, account: str = USER) -> None:
    """`count` filled limit orders straight into the engine, one millisecond apart and ending
    now: no matching, no balances (the walk only reads them)."""
    market = engine.market(symbol)
    amount = market.min_amount * 10
    now = engine.clock.now()
    for i in range(count):
        seq = next(engine._seq)  # the engine's own sequence keeps ids and cursors unique
        at = now - timedelta(milliseconds=count - i)
        side = Side.BUY if i % 2 else Side.SELL
        price = market.mid + market.price_increment * (i % 50)
        cost = price * amount
        order = SimOrder(
            seq=seq, id=f"{0x6717422b00000000 + seq:024x}", client_id=f"b{seq}",
            account=account, symbol=symbol, side=side, type=OrderType.LIMIT, price=price,
            amount=amount, cost_limit=None, time_in_force=TimeInForce.GTC, post_only=False,
            created_at=at, updated_at=at, status=OrderStatus.FILLED, filled=amount,
            filled_cost=cost, fee=cost * market.taker_fee, fee_currency=market.quote,
        )
        engine.orders[order.id] = order
        engine.by_client_id[(account, order.client_id or "")] = order


def resting_order_args(sim: SimVenue) -> tuple[str, Decimal, Decimal]:
    """(symbol, amount, price) of a buy limit order that rests well below the market."""
    market = sim.personality.markets[0]
    price = (market.mid * Decimal("0.8")).quantize(market.price_increment)
    return market.symbol, market.min_amount * 10, price
