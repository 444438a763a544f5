"""Timing primitives: interleaved rounds so drift hits every contender alike, and summaries."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import attrs

Call = Callable[[], Awaitable[Any]]


@attrs.frozen
class Summary:
    """Microseconds per call."""

    median_us: float
    p90_us: float
    n: int

    def as_json(self) -> dict[str, float]:
        return {"median_us": round(self.median_us, 1), "p90_us": round(self.p90_us, 1),
                "n": self.n}


def summarize(seconds: list[float]) -> Summary:
    ordered = sorted(seconds)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return Summary(statistics.median(ordered) * 1e6, p90 * 1e6, len(ordered))


async def interleaved(
    contenders: Mapping[str, Call],
    rounds: int,
    warmup: int = 0,
    before_round: Callable[[], None] | None = None,
) -> dict[str, Summary]:
    """Run every contender once per round, in an order rotated each round; warm-up rounds are
    not recorded. `before_round` runs outside the timed region (e.g. fresh signatures)."""
    names = list(contenders)
    samples: dict[str, list[float]] = {name: [] for name in names}
    clock = time.perf_counter
    for i in range(warmup + rounds):
        if before_round is not None:
            before_round()
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            call = contenders[name]
            start = clock()
            await call()
            elapsed = clock() - start
            if i >= warmup:
                samples[name].append(elapsed)
    return {name: summarize(values) for name, values in samples.items()}


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b
