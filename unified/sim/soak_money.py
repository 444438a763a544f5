"""The money soak: withdrawal and transfer intents on every local venue that has them, with
~20% of requests faulted, then a count of what each venue really holds per intent. Money
that moves twice is a duplicate; a write reported done but absent at the venue (or reported
refused but present) is lost. Both must be 0. An AmbiguousOutcome is honest (the write was
never resent): counted apart.

    python -m unified.sim.soak --money [--intents 200]
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import unified
from unified.clock import PacedClock
from unified.errors import AmbiguousOutcome, UnifiedError
from unified.sim.funds import funds_book
from unified.sim.server import USER, SimVenue
from unified.sim.soak import VenueSoak

#: the money-moving ops whose requests the soak faults (lookups are faulted too, at random)
MONEY_OPS = ("withdraw", "transfer")


async def soak_money(venue: str, intents: int, fault_rate: float, seed: int) -> VenueSoak:
    clock = PacedClock()
    result = VenueSoak(venue)
    async with SimVenue(venue, clock=clock, enforce_limits=False) as sim, unified.connect(
        venue, credentials=sim.credentials, base_url=sim.base_url, clock=clock,
        sleep=clock.sleep, max_wait=3600,
    ) as ex:
        can = [op for op in MONEY_OPS if ex.supports(op)]
        if not can:
            return result
        book = funds_book(sim.engine)
        currency, outgoing = sim.personality.markets[0].quote, withdraw_currency(sim)
        # enough to withdraw every intent's amount (about 1 each, plus fees): a refusal for
        # funds would say nothing about lost answers
        book.deposit(USER, outgoing, Decimal(3 * intents), network="soak")
        accounts = ex.accounts()
        extras: dict[str, Any] = dict(getattr(sim.personality, "withdraw_extras", {}))
        outcomes: list[tuple[str, Decimal, Any]] = []
        rng = random.Random(seed)
        sim.faults.randomly(fault_rate, seed)
        for i in range(intents):
            op = can[i % len(can)]
            amount = Decimal("1") + Decimal(i) / 1000  # unique: it names the intent
            try:
                if op == "withdraw":
                    outcome: Any = await ex.withdraw(outgoing, amount, f"soak-{seed}-{i}",
                                                     **extras)
                else:
                    there = accounts[:2] if rng.random() < 0.5 else accounts[1::-1]
                    outcome = await ex.transfer(currency, amount, *there)
            except (AmbiguousOutcome, UnifiedError) as exc:
                outcome = exc
            outcomes.append((op, amount, outcome))
        result.faults = sim.faults.injected
        result.requests = sum(sim.requests.values())
        sim.faults.clear()
        seen: dict[tuple[str, Decimal], int] = {}
        for tx in book.history(USER, "withdrawal"):
            seen[("withdraw", tx.amount)] = seen.get(("withdraw", tx.amount), 0) + 1
        for t in book.transfers:
            if t.account == USER:
                seen[("transfer", t.amount)] = seen.get(("transfer", t.amount), 0) + 1
        for op, amount, outcome in outcomes:
            found = seen.get((op, amount), 0)
            result.intents += 1
            result.duplicates += found > 1
            if isinstance(outcome, AmbiguousOutcome):
                result.ambiguous += 1
            elif isinstance(outcome, UnifiedError):
                result.failed += 1
                result.lost += found != 0
            else:
                result.placed += 1
                result.lost += found != 1
    return result


def withdraw_currency(sim: SimVenue) -> str:
    """What a money soak withdraws: the venue's own choice, else the first market's quote."""
    chosen: str | None = getattr(sim.personality, "withdraw_currency", None)
    return chosen or sim.personality.markets[0].quote
