"""The one retry policy: which failures a call may retry, and how long to wait before it does."""

from __future__ import annotations

import random

import attrs

from unified.errors import RateLimited, TransportError, UnifiedError, VenueUnavailable


@attrs.define
class RetryPolicy:
    """Exponential backoff with full jitter, bounded by attempts and by total waiting time."""

    attempts: int = 4  # tries in all, the first included
    base_s: float = 0.05
    cap_s: float = 2.0
    budget_s: float = 10.0
    rng: random.Random = attrs.field(factory=random.Random, repr=False)

    @staticmethod
    def retryable(exc: UnifiedError) -> bool:
        """Failures after which repeating a read is safe and may succeed."""
        return isinstance(exc, (TransportError, RateLimited, VenueUnavailable))

    def delay(self, attempt: int, exc: UnifiedError) -> float:
        """Seconds to wait before try number `attempt + 1` (attempt counts from 1)."""
        hint = exc.retry_after if isinstance(exc, RateLimited) else None
        backoff = self.rng.uniform(0, min(self.cap_s, self.base_s * 2 ** (attempt - 1)))
        return max(backoff, hint or 0.0)
