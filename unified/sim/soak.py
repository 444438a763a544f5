"""Soak: many order intents on every local venue with ~20% of requests faulted, then a count of
what each venue really holds per intent, plus a 500-call burst against enforced rate limits.
`--ws` soaks the WebSocket order API instead (the venues that have one): creates over it with
its faults (answers lost after the venue acted, internal errors, sessions ended, and definite
refusals: KuCoin's 200004 "Balance insufficient", counted as `refused`) and REST faults on the
lookups that reconcile them.

    python -m unified.sim.soak [--intents 1000] [--fault-rate 0.2] [--seed 1] [--ws | --money]

`--money` soaks withdrawals and transfers instead (unified.sim.soak_money).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
from collections.abc import Awaitable, Sequence
from decimal import Decimal
from typing import Any

import attrs

import unified
from unified import registry
from unified.clock import PacedClock
from unified.errors import AmbiguousOutcome, InsufficientFunds, UnifiedError
from unified.models import OrderStatus, OrderType, Side
from unified.sim.server import USER, SimVenue
from unified.text_table import table


@attrs.define
class VenueSoak:
    venue: str
    intents: int = 0
    placed: int = 0
    failed: int = 0
    ambiguous: int = 0
    duplicates: int = 0
    lost: int = 0  # reported placed but absent, or reported failed but present
    canceled: int = 0
    refused: int = 0  # intents whose create drew a definite refusal (--ws): each must fail
    misreported: int = 0  # a refused intent not reported as InsufficientFunds, or vice versa
    requests: int = 0
    faults: int = 0
    burst_429: int = 0

    @property
    def sound(self) -> bool:
        return (self.duplicates == 0 and self.lost == 0 and self.burst_429 == 0
                and self.misreported == 0)


#: order API faults a WebSocket soak draws from (a late answer is a lost one: the same path):
#: a lost answer, an internal error (500000: the outcome is unknown), a session ended, and a
#: definite refusal with a code of KuCoin's error table (200004: InsufficientFunds, not placed)
WS_FAULTS: tuple[tuple[str, str, str], ...] = (  # (kind, code, msg)
    ("drop_after_accept", "", ""), ("reject", "", ""), ("expire_session", "", ""),
    ("reject", "200004", "Balance insufficient!"),
)
REFUSAL = WS_FAULTS[-1]


async def _ws_create(ex: Any, sim: SimVenue, rng: random.Random, fault_rate: float,
                     args: tuple[Any, ...], coid: str | None) -> tuple[Any, bool]:
    """The create over the order API, a fault drawn for about `fault_rate` of them; its
    outcome, and whether the fault drawn was the definite refusal."""
    api = sim.order_api
    assert api is not None
    refusing = False
    if rng.random() < fault_rate:
        kind, code, msg = drawn = rng.choice(WS_FAULTS)
        api.faults.add(kind, code=code, msg=msg)
        refusing = drawn is REFUSAL
    try:
        return await _outcome(ex.create_order_ws(*args, client_order_id=coid)), refusing
    finally:
        api.faults.clear()


async def _outcome(placing: Awaitable[Any]) -> Any:
    """The Order, or the UnifiedError (AmbiguousOutcome included) the create raised."""
    try:
        return await placing
    except UnifiedError as exc:
        return exc


async def soak_venue(venue: str, intents: int, fault_rate: float, seed: int,
                     ws: bool = False) -> VenueSoak:
    clock = PacedClock()
    result = VenueSoak(venue)
    async with SimVenue(venue, clock=clock) as sim, unified.connect(
        venue, credentials=sim.credentials, base_url=sim.base_url, clock=clock,
        sleep=clock.sleep, max_wait=3600,
    ) as ex:
        market = (await ex.load_markets())[sim.personality.markets[0].symbol]
        base_price = sim.personality.markets[0].mid / 2
        outcomes: list[tuple[Decimal, bool, Any]] = []
        sim.faults.randomly(fault_rate, seed)
        rng = random.Random(seed)
        for i in range(intents):
            # A unique price per intent identifies its order at the venue, client id or not.
            price = (base_price + i * market.price_increment).quantize(market.price_increment)
            coid = f"soak{seed}x{i}" if ex.has("client_order_id") else None
            create = (market.symbol, OrderType.LIMIT, Side.BUY, market.min_amount, price)
            order, refusing = (await _ws_create(ex, sim, rng, fault_rate, create, coid) if ws
                               else (await _outcome(ex.create_order(*create,
                                                                    client_order_id=coid)),
                                     False))
            outcomes.append((price, refusing, order))
            if isinstance(order, unified.Order):
                # One request; the venue's own state is counted below.
                with contextlib.suppress(UnifiedError):
                    await ex.cancel_order(order.id, market.symbol)
        api = sim.order_api if ws else None
        result.faults = sim.faults.injected + (api.faults.injected if api else 0)
        result.requests = sum(sim.requests.values()) + (sum(api.requests.values()) if api else 0)
        sim.faults.clear()
        _count(result, sim, outcomes)
        result.burst_429 = await burst(venue)
    return result


def _count(result: VenueSoak, sim: SimVenue, outcomes: Sequence[tuple[Decimal, bool, Any]]
           ) -> None:
    """What the venue holds per intent (by its unique price) against what each reported."""
    at_venue: dict[Decimal, int] = {}
    for o in sim.engine.orders.values():
        if o.account == USER and o.price is not None:
            at_venue[o.price] = at_venue.get(o.price, 0) + 1
            result.canceled += o.status is OrderStatus.CANCELED
    for price, refusing, outcome in outcomes:
        found = at_venue.get(price, 0)
        result.intents += 1
        result.duplicates += found > 1
        result.refused += refusing
        # a definite refusal is reported as that refusal, and nothing else is
        result.misreported += refusing != isinstance(outcome, InsufficientFunds)
        if isinstance(outcome, unified.Order):
            result.placed += 1
            result.lost += found != 1
        elif isinstance(outcome, AmbiguousOutcome):
            result.ambiguous += 1  # honestly unknown: counted, neither placed nor failed
        else:
            result.failed += 1
            result.lost += found != 0


async def burst(venue: str, calls: int = 500) -> int:
    """500 concurrent reads against the documented limits: the 429 answers the venue gave."""
    clock = PacedClock()
    async with SimVenue(venue, clock=clock, enforce_limits=True) as sim, unified.connect(
        venue, credentials=sim.credentials, base_url=sim.base_url, clock=clock,
        sleep=clock.sleep, max_wait=3600,  # a burst queues on purpose
    ) as ex:
        symbol = sim.personality.markets[0].symbol
        await ex.load_markets()
        await asyncio.gather(*(ex.fetch_ticker(symbol) if i % 2 else ex.fetch_balance()
                               for i in range(calls)))
        return sim.rejected_429


async def soak(venues: Sequence[str], intents: int, fault_rate: float, seed: int,
               ws: bool = False) -> list[VenueSoak]:
    if ws:
        venues = [v for v in venues if registry.get(v).spec.capability("ws_order_api")]
    per_venue = max(intents // len(venues), 1)
    return [await soak_venue(v, per_venue, fault_rate, seed, ws) for v in venues]


def report(results: Sequence[VenueSoak]) -> str:
    columns = ("intents", "requests", "faults", "placed", "failed", "ambiguous", "duplicates",
               "lost", "canceled", "burst_429")
    rows: list[list[Any]] = [[r.venue, *(getattr(r, c) for c in columns)] for r in results]
    rows.append(["all", *(sum(getattr(r, c) for r in results) for c in columns)])
    headers = ["venue", "intents", "requests", "faults", "placed", "failed", "ambiguous",
               "dupes", "lost", "canceled", "429s"]
    refused = sum(r.refused for r in results)
    return table(headers, rows) + (
        "\nplaced: exactly 1 order at the venue for each; failed: 0 orders there for each; "
        "dupes/lost/429s must be 0") + (
        f"\n{refused} creates drew a definite refusal (200004); refused intents reported as "
        f"anything but InsufficientFunds, or others reported so: "
        f"{sum(r.misreported for r in results)} (must be 0)" if refused else "")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m unified.sim.soak", description=__doc__)
    p.add_argument("--intents", type=int, default=1000, help="order intents over all venues")
    p.add_argument("--fault-rate", type=float, default=0.2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--venue", action="append")
    p.add_argument("--ws", action="store_true", help="creates over the WebSocket order API")
    p.add_argument("--money", action="store_true", help="withdrawals and transfers")
    args = p.parse_args(argv)
    venues = args.venue or list(registry.venues())
    if args.money:
        from unified.sim.soak_money import soak_money  # it builds on this module

        per_venue = max(args.intents // len(venues), 1)
        results = [asyncio.run(soak_money(v, per_venue, args.fault_rate, args.seed))
                   for v in venues]
    else:
        results = asyncio.run(soak(venues, args.intents, args.fault_rate, args.seed, args.ws))
    print(report(results))
    return 0 if all(r.sound for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
