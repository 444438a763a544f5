"""The requests a connection waits on (its login, its subscribes), by ref, and the refusal a
close may mean.

A venue may refuse a request and close the socket right after (OKCoinJapan does so for a
failed login). The refusal, not the close, is then what happened: while a refusal that no
retry can cure (AuthenticationError, PermissionDenied, ...) of a request someone waited on is
the last thing the venue said, `fatal` holds it, and the connection ends with it instead of
reconnecting. A refusal a retry may cure (rate limited, venue unavailable, clock skew) is not
held: the connection reconnects with backoff."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from unified.errors import ClockSkew, UnifiedError
from unified.retry import RetryPolicy


def curable(error: UnifiedError) -> bool:
    """Whether connecting again may get past this refusal (ClockSkew: the venue clock may be
    resynced in between, as REST does)."""
    return RetryPolicy.retryable(error) or isinstance(error, ClockSkew)


class Pending:
    """Futures by ref, resolved by the venue's acks or failed by its refusals."""

    def __init__(self) -> None:
        self._futures: dict[str, asyncio.Future[None]] = {}
        #: the incurable refusal of a waited-on request, while nothing else was heard since
        self.fatal: UnifiedError | None = None

    def __contains__(self, ref: object) -> bool:
        return ref in self._futures

    def __bool__(self) -> bool:
        return bool(self._futures)

    def expect(self, refs: Iterable[str]) -> list[asyncio.Future[None]]:
        """A future for each ref (the same one for a ref already expected)."""
        loop = asyncio.get_running_loop()
        return [self._futures.setdefault(ref, loop.create_future()) for ref in refs]

    def forget(self, refs: Iterable[str]) -> None:
        for ref in refs:
            self._futures.pop(ref, None)

    def resolve(self, ref: str) -> None:
        future = self._futures.get(ref)
        if future is not None and not future.done():
            future.set_result(None)

    def refuse(self, ref: str | None, error: UnifiedError) -> bool:
        """The venue refused `ref`: fail it (a ref nobody waits on, or None: the venue did not
        say which, so every pending request). False when no request was pending."""
        if ref is not None and ref in self._futures:
            failed = self._fail([self._futures[ref]], error)
        else:
            failed = self._fail(self._futures.values(), error)
        if failed and not curable(error):
            self.fatal = error
        return bool(self._futures)

    def fail_all(self, error: BaseException) -> None:
        self._fail(self._futures.values(), error)

    @staticmethod
    def _fail(futures: Iterable[asyncio.Future[None]], error: BaseException) -> bool:
        failed = False
        for future in futures:
            if not future.done():
                future.set_exception(error)
                future.exception()  # retrieved here: nobody may be waiting any more
                failed = True
        return failed
