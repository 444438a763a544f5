"""Stream: lazy start, conflation, StreamLagged, closing (no venue involved)."""

from __future__ import annotations

import asyncio

import pytest

from unified.errors import ConnectionFailed, StreamLagged, TransportError
from unified.streams.stream import Stream

from ..conftest import run


class Probe:
    def __init__(self) -> None:
        self.started = 0
        self.stopped = 0

    async def start(self, stream: Stream[int]) -> None:
        self.started += 1

    async def stop(self, stream: Stream[int]) -> None:
        self.stopped += 1


def make(conflate: bool, backlog: int = 3) -> tuple[Stream[int], Probe]:
    probe = Probe()
    return Stream("test", conflate=conflate, start=probe.start, stop=probe.stop,
                  max_backlog=backlog), probe


def test_starts_lazily_and_stops_once() -> None:
    run(_starts_lazily_and_stops_once())


async def _starts_lazily_and_stops_once() -> None:
    stream, probe = make(conflate=False)
    assert probe.started == 0
    async with stream as s:
        assert probe.started == 1
        s.push(1)
        assert await anext(s) == 1
    assert probe.stopped == 1
    await stream.aclose()
    assert probe.stopped == 1
    with pytest.raises(StopAsyncIteration):
        await anext(stream)


def test_conflated_stream_keeps_only_the_newest() -> None:
    run(_conflated_stream_keeps_only_the_newest())


async def _conflated_stream_keeps_only_the_newest() -> None:
    stream, _ = make(conflate=True)
    async with stream:
        for i in range(10):
            stream.push(i)
        assert await anext(stream) == 9


def test_queued_stream_delivers_in_order_then_lags() -> None:
    run(_queued_stream_delivers_in_order_then_lags())


async def _queued_stream_delivers_in_order_then_lags() -> None:
    stream, probe = make(conflate=False, backlog=3)
    async with stream:
        for i in range(5):
            stream.push(i)
        assert [await anext(stream) for _ in range(3)] == [0, 1, 2]
        with pytest.raises(StreamLagged) as caught:
            await anext(stream)
        assert isinstance(caught.value, TransportError)
    assert probe.stopped == 1 and stream.closed


def test_a_waiting_consumer_wakes_on_push_and_on_failure() -> None:
    run(_a_waiting_consumer_wakes_on_push_and_on_failure())


async def _a_waiting_consumer_wakes_on_push_and_on_failure() -> None:
    stream, _ = make(conflate=False)
    async with stream:
        waiter = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0)
        assert not waiter.done()
        stream.push(7)
        assert await waiter == 7
        waiter = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0)
        stream.fail(ConnectionFailed("gone"))
        with pytest.raises(ConnectionFailed):
            await waiter


def test_closing_ends_a_waiting_consumer() -> None:
    run(_closing_ends_a_waiting_consumer())


async def _closing_ends_a_waiting_consumer() -> None:
    stream, _ = make(conflate=False)
    await stream.__aenter__()
    waiter = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    await stream.aclose()
    with pytest.raises(StopAsyncIteration):
        await waiter


def test_a_failed_start_closes_the_stream() -> None:
    run(_a_failed_start_closes_the_stream())


async def _a_failed_start_closes_the_stream() -> None:
    async def boom(stream: Stream[int]) -> None:
        raise ConnectionFailed("no venue")

    probe = Probe()
    stream: Stream[int] = Stream("t", conflate=False, start=boom, stop=probe.stop)
    with pytest.raises(ConnectionFailed):
        await anext(stream)
    assert stream.closed


class Reads:
    """A state that moves on, and how often it was built."""

    def __init__(self) -> None:
        self.state = 0
        self.built = 0

    def read(self) -> int:
        self.built += 1
        return self.state


def test_a_lazy_state_is_built_once_when_read_and_is_the_newest() -> None:
    run(_a_lazy_state_is_built_once_when_read_and_is_the_newest())


async def _a_lazy_state_is_built_once_when_read_and_is_the_newest() -> None:
    stream, _ = make(conflate=True)
    reads = Reads()
    async with stream:
        for i in range(1, 1001):
            reads.state = i
            stream.push_latest(reads.read)
        assert reads.built == 0
        assert await anext(stream) == 1000 and reads.built == 1
        waiter = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0)
        assert not waiter.done()  # nothing newer was announced
        reads.state = 1001
        stream.push_latest(reads.read)
        assert await waiter == 1001 and reads.built == 2


def test_settle_builds_the_state_now_and_a_plain_push_supersedes_a_lazy_one() -> None:
    run(_settle_builds_the_state_now_and_a_plain_push_supersedes_a_lazy_one())


async def _settle_builds_the_state_now_and_a_plain_push_supersedes_a_lazy_one() -> None:
    stream, _ = make(conflate=True)
    reads = Reads()
    async with stream:
        reads.state = 5
        stream.push_latest(reads.read)
        stream.settle()  # the producer is about to drop the state behind the read
        reads.state = -1
        assert await anext(stream) == 5 and reads.built == 1
        stream.push_latest(reads.read)
        stream.push(7)
        assert await anext(stream) == 7 and reads.built == 1
        stream.push(8)
        stream.push_latest(reads.read)
        assert await anext(stream) == -1


def test_a_failure_keeps_the_state_at_the_failure_and_closing_drops_it() -> None:
    run(_a_failure_keeps_the_state_at_the_failure_and_closing_drops_it())


async def _a_failure_keeps_the_state_at_the_failure_and_closing_drops_it() -> None:
    stream, _ = make(conflate=True)
    reads = Reads()
    await stream.__aenter__()
    reads.state = 3
    stream.push_latest(reads.read)
    stream.fail(ConnectionFailed("gone"))
    reads.state = 4  # moved on after the failure: not what the consumer is told
    assert await anext(stream) == 3
    with pytest.raises(ConnectionFailed):
        await anext(stream)
    closed, _ = make(conflate=True)
    await closed.__aenter__()
    closed.push_latest(reads.read)
    await closed.aclose()
    with pytest.raises(StopAsyncIteration):
        await anext(closed)
    assert reads.built == 1


def test_a_queued_stream_builds_each_state_when_told() -> None:
    run(_a_queued_stream_builds_each_state_when_told())


async def _a_queued_stream_builds_each_state_when_told() -> None:
    stream, _ = make(conflate=False)
    reads = Reads()
    async with stream:
        for i in range(3):
            reads.state = i
            stream.push_latest(reads.read)
        assert [await anext(stream) for _ in range(3)] == [0, 1, 2]
