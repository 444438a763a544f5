"""Stream: what every watch_* returns. An async iterator that is also an async context manager.

Two delivery modes (DESIGN 3b): `conflate` (books, tickers: a slow consumer gets the newest
state, never a backlog) and queued (trades, orders, fills, balances: every event in order; a
consumer more than `max_backlog` behind gets StreamLagged after the events before it).

A conflated stream can also be told that a newer state exists without being handed it:
`push_latest(read)` keeps `read`, and the state is built when the consumer takes it (a book
that moves on a thousand times between two reads is built once, not a thousand times). The
producer guarantees that `read` answers a consistent state, and calls `settle()` before the
state behind it stops being one (a book about to be dropped): the state is then built at once,
and the consumer gets exactly what it would have got had every state been built.

The stream starts lazily (on `__aenter__` or the first `__anext__`) so that `watch_*` can stay
a plain method usable both as `async with ex.watch_x() as s` and `async for x in ex.watch_x()`.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from unified.errors import StreamLagged, UnifiedError

T = TypeVar("T")

#: Queued streams hold at most this many undelivered events before StreamLagged.
DEFAULT_BACKLOG = 10_000


class Stream(Generic[T]):
    """One subscription's events. Leaving `async with` or `aclose()` unsubscribes."""

    def __init__(self, name: str, *, conflate: bool,
                 start: Callable[[Stream[T]], Awaitable[None]],
                 stop: Callable[[Stream[T]], Awaitable[None]],
                 max_backlog: int = DEFAULT_BACKLOG) -> None:
        self.name = name
        self.conflate = conflate
        self.max_backlog = max_backlog
        self._start, self._stop = start, stop
        self._items: deque[T] = deque()
        self._pending: Callable[[], T] | None = None  # conflated: builds the newest state
        self._error: BaseException | None = None
        self._wake = asyncio.Event()
        self._woken = False  # True only while _wake is set: spares setting it once a frame
        self._started = False
        self._closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else "live" if self._started else "new"
        return f"<Stream {self.name} {state}>"

    @property
    def closed(self) -> bool:
        return self._closed

    # ---------------------------------------------------------------- the producer's side

    def push(self, item: T) -> None:
        if self._closed or self._error is not None:
            return
        if self.conflate:
            self._items.clear()
            self._pending = None
        elif len(self._items) >= self.max_backlog:
            self.fail(StreamLagged(f"{self.name}: the consumer is more than {self.max_backlog} "
                                   "events behind; the stream was closed"))
            return
        self._items.append(item)
        self._wake.set()

    def push_latest(self, read: Callable[[], T]) -> None:
        """A newer state, built by `read` when the consumer takes it (conflated streams; a
        queued one builds it now, as every event of its is delivered)."""
        if self._pending is read or self._closed or self._error is not None:
            return  # that read is waiting already: it builds the newest state anyway
        if not self.conflate:
            self.push(read())
            return
        self._items.clear()
        self._pending = read
        if not self._woken:
            self._woken = True
            self._wake.set()

    def settle(self) -> None:
        """Build the state a waiting `read` stands for now, while it is still consistent."""
        read, self._pending = self._pending, None
        if read is not None:
            self._items.append(read())

    def fail(self, error: BaseException) -> None:
        """End the stream with `error`, raised from the iterator after what was delivered."""
        if self._error is None and not self._closed:
            self.settle()  # what was delivered is the state at the failure, not a later one
            self._error = error
            self._wake.set()

    @property
    def failed(self) -> bool:
        return self._error is not None

    # ---------------------------------------------------------------- the consumer's side

    async def _ensure_started(self) -> None:
        if self._started:
            return
        if self._closed:
            raise UnifiedError(f"{self.name}: the stream is closed")
        self._started = True
        try:
            await self._start(self)
        except BaseException:
            await self.aclose()
            raise

    def __aiter__(self) -> Stream[T]:
        return self

    async def __anext__(self) -> T:
        if not self._started:
            await self._ensure_started()
        while True:
            read = self._pending
            if read is not None:
                self._pending = None
                return read()
            if self._items:
                return self._items.popleft()
            if self._error is not None:
                error = self._error
                await self.aclose()
                raise error
            if self._closed:
                raise StopAsyncIteration
            self._woken = False
            self._wake.clear()
            await self._wake.wait()

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._items.clear()
        self._pending = None
        self._wake.set()
        if self._started:
            await self._stop(self)

    async def __aenter__(self) -> Stream[T]:
        await self._ensure_started()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
