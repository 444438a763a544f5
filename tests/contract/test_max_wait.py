"""No call waits silently for long (DESIGN.md section 6): past `max_wait`, the limiter, a 429
hint or a ban raise RateLimited with retry_after at once; shorter waits stay automatic.
All on a manual clock: every wait is recorded, none costs wall time."""

from __future__ import annotations

import asyncio

import pytest

from unified import ConfigurationError, RateLimited, UnifiedError
from unified.limits import MAX_HINT_S

from ..conftest import VENUES, run
from .harness import session
from .test_faults import manual_time


@pytest.mark.parametrize("venue", VENUES)
def test_a_queue_past_max_wait_is_refused_at_once(venue: str) -> None:
    async def scenario() -> None:
        time = manual_time()
        async with session(venue, max_wait=0.5, **time) as s:
            ep = s.ex.spec.endpoints["fetch_ticker"]
            pool = s.ex.spec.rate_limits.pools[ep.pool]
            burst = pool.quota // max(ep.weight, 1) + 3  # one window's worth and more
            results = await asyncio.gather(
                *(s.ex.fetch_ticker(s.symbol) for _ in range(burst)), return_exceptions=True)
            refused = [r for r in results if isinstance(r, RateLimited)]
            assert refused and all(isinstance(r, RateLimited) or not isinstance(r, Exception)
                                   for r in results)
            assert all(r.retry_after is not None and r.retry_after > 0.5 for r in refused)
            assert "max_wait" in str(refused[0])
            assert max(time["sleep"].waits, default=0.0) <= 0.5  # type: ignore[attr-defined]
            assert s.sim.rejected_429 == 0
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("fault", [{"kind": "rate_limit", "reset_ms": 999_999_999},
                                   {"kind": "status", "status": 403}],
                         ids=["absurd-429-hint", "http-403"])
def test_hints_and_bans_never_hold_a_call_past_max_wait(venue: str, fault: dict[str, object]
                                                         ) -> None:
    async def scenario() -> None:
        time = manual_time()
        async with session(venue, **time) as s:
            s.sim.faults.add(op="fetch_ticker", **fault)  # type: ignore[arg-type]
            try:
                await s.ex.fetch_ticker(s.symbol)
                first: UnifiedError | None = None
            except UnifiedError as exc:
                first = exc
            if isinstance(first, RateLimited):
                assert first.retry_after is not None and first.retry_after <= MAX_HINT_S
            if isinstance(first, RateLimited) and (first.retry_after or 0) > 30:
                sent = s.sim.requests.get("fetch_ticker", 0)
                with pytest.raises(RateLimited) as again:
                    await s.ex.fetch_ticker(s.symbol)
                assert again.value.retry_after is not None
                assert 30 < again.value.retry_after <= MAX_HINT_S + 1  # the block is clamped
                assert s.sim.requests.get("fetch_ticker", 0) == sent  # nothing was sent
            if s.ex.spec.rate_limits.reset_header and fault["kind"] == "rate_limit":
                assert isinstance(first, RateLimited)  # the hint was heard, and clamped
            assert max(time["sleep"].waits, default=0.0) <= 30  # type: ignore[attr-defined]
    run(scenario())


@pytest.mark.parametrize("bad", [-1, "30", None, float("nan"), True])
def test_max_wait_is_checked(bad: object) -> None:
    async def scenario() -> None:
        with pytest.raises(ConfigurationError, match="max_wait"):
            async with session(VENUES[0], max_wait=bad):
                pass
    run(scenario())
