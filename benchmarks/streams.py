"""Scenario 9: a KuCoin level2 stream, unified vs ccxt.pro, on one recorded-style feed.

The feed (benchmarks.feed) is generated once: `stream_frames` pushes in the documented shape
on a book of `stream_depth` levels a side, plus the matching REST snapshot. Both libraries are
seeded from it by their own code (the first frames buffered, the snapshot applied, the buffer
replayed) outside the timed region; then every live frame goes, as text, through:

- unified: `adapters.kucoin.ws.decode` -> `level2_delta` -> `BookFeed.take` (the keeper behind
  `watch_order_book`, which tells its conflated Stream a newer book exists), and the
  consumer's read of the stream, which builds the book. The timed consumer is a coroutine
  awaiting `stream.__anext__()` as `async for` does (it never waits: a book is ready), run to
  its end in one step: no per-frame cost is timed that a real consumer does not pay (calling
  a coroutine's `send` from plain code, as the latency and memory probes do, adds a
  StopIteration a frame). Timed with a reader of every book trimmed to BOOK_LIMIT levels (what
  a bot reads; the keeper still holds the whole book), a reader of every READ_EVERY-th book (a
  consumer slower than the feed: conflation), a reader of every whole book (limit=None), and
  no reader at all (deltas applied, no book built); and once through the whole receive path
  past the socket, as a live stream takes a frame: the connection keeper's
  `Connection._take` (the dialect's `STREAMS.decode`: events, Items, the unified symbol) and
  the routing of the book Item to its feed (hub._route's book branch), reading every
  top-BOOK_LIMIT book;
- ccxt.pro: its `Client.handle_text_or_binary_message` (ccxt's JSON parser and
  `kucoin.handle_message`), then `orderbook.limit()`, what `watch_order_book` returns (its
  consumer's own await of the future that `watch_order_book` makes per call is not timed).

Measured: frames per second (median of `stream_reps` interleaved passes), unified's added
latency per frame (frame text in, the newest book read out: median, p99, max), traced memory
sampled over the whole feed (flat or not), the JSON decoders on the same frames
(benchmarks.jsondecode), and correctness: at checkpoints and at the end, each library's book
against the feed's own model.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import statistics
import time
import tracemalloc
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

from adapters.kucoin import ws
from benchmarks import ccxt_stream, jsondecode
from benchmarks.feed import CHECK_TOP, Feed, Rows, generate
from benchmarks.sizes import Sizes
from unified import convert
from unified.clock import SystemClock
from unified.errors import UnifiedError
from unified.models import BookLevel, Market, OrderBook
from unified.spec import load_spec
from unified.streams.books import BookFeed
from unified.streams.connection import Connection
from unified.streams.dialect import Endpoint, Item
from unified.streams.pacing import Settings
from unified.streams.stream import Stream
from unified.tables import Tables
from unified.venue import Context

SYMBOL = "BTC/USDT"
#: what the dialect consults to name the symbol: the spec's tables and the market loaded, as
#: a live stream has them (watch_* loads the markets first)
MARKET = Market(symbol=SYMBOL, venue_symbol="BTC-USDT", base="BTC", quote="USDT",
                price_increment=Decimal("0.1"), amount_increment=Decimal("0.00000001"),
                min_amount=Decimal("0.00001"), min_cost=None, active=True)
CTX = Context("kucoin", Tables(load_spec("kucoin")), {SYMBOL: MARKET}, {"BTC-USDT": MARKET})
BOOK_LIMIT = 20
#: the conflated reader: it reads the newest book once every this many frames
READ_EVERY = 10
Step = Callable[[str], Any]


def rest_book(feed: Feed) -> OrderBook:
    """The feed's REST snapshot as the venue's REST decoder answers it (exact decimals)."""
    data = convert.loads(feed.snapshot)["data"]
    return OrderBook(symbol=SYMBOL, timestamp=convert.from_ms(data["time"]),
                     sequence=int(data["sequence"]), raw=data,
                     bids=tuple(BookLevel(price=Decimal(p), amount=Decimal(a))
                                for p, a in data["bids"]),
                     asks=tuple(BookLevel(price=Decimal(p), amount=Decimal(a))
                                for p, a in data["asks"]))


async def _nothing(*_: Any) -> None:
    return None


class Unified:
    """unified's book stream as `watch_order_book` runs it, minus the socket: one BookFeed
    (keeper and consistency rules) feeding one conflated Stream trimmed to `limit`. Each
    frame goes through the KuCoin dialect's decoders into `BookFeed.take`; a read is the
    consumer's `anext(stream)`, run to completion (nothing to wait for: a book is ready)."""

    def __init__(self, limit: int | None) -> None:
        self.books = BookFeed(SYMBOL, "sequence", snapshot=self._snapshot, renew=_nothing,
                              sleep=asyncio.sleep)
        self.stream: Stream[OrderBook] = Stream(SYMBOL, conflate=True, start=_nothing,
                                                stop=_nothing)
        self.books.add(self.stream, limit)
        self._rest: OrderBook | None = None

    async def _snapshot(self) -> OrderBook:
        assert self._rest is not None
        return self._rest

    async def seed(self, feed: Feed) -> Unified:
        """Live at the snapshot: the first frames buffered, then seeded by the feed's own
        start() (the REST snapshot, the buffer replayed)."""
        await self.stream.__aenter__()
        for text in feed.frames[:feed.pre]:
            self.take(text)
        self._rest = rest_book(feed)
        await self.books.start()
        self._rest = None  # the REST answer is gone once seeded, as in the library
        if self.books.keeper.book() is None:
            raise RuntimeError("the snapshot did not seed unified's book")
        self.read()
        return self

    def take(self, text: str) -> None:
        self.books.take(ws.level2_delta(_message(text))[1])

    def read(self) -> OrderBook:
        """What `await anext(stream)` answers now."""
        waiting = self.stream.__anext__()
        try:
            waiting.send(None)
        except StopIteration as done:
            book: OrderBook = done.value
            return book
        waiting.close()
        raise RuntimeError("no book to read")

    def dispatched(self) -> Step:
        """`routed()`, then the consumer's read of the newest book."""
        take, read = self.routed(), self.read

        def each(text: str) -> Any:
            take(text)
            return read()
        return each

    def routed(self) -> Step:
        """A frame as a live stream takes it past the socket: the connection keeper's own
        `Connection._take` (the dialect's decode, the Items from the control events), then
        the routing of each book Item to its feed by symbol (hub._route's book branch)."""
        feeds = {SYMBOL: self.books}

        def route(items: list[Item]) -> None:
            for item in items:
                if item.kind == "book":
                    feed = feeds.get(item.symbol or "")
                    if feed is not None:
                        feed.take(item.value)

        take = keeper(route)._take

        def each(text: str) -> Any:
            if take(text) is not None:  # a push is taken at once: nothing to wait for
                raise RuntimeError("a frame cost a resync")
        return each

    def direct(self) -> Step:
        """A frame through the KuCoin dialect's decoders into `BookFeed.take`."""
        take, decode, delta_of = self.books.take, ws.decode, ws.level2_delta

        def apply(text: str) -> Any:
            take(delta_of(decode(text))[1])  # type: ignore[arg-type]
        return apply

    def step(self, every: int = 1) -> Step:
        """One frame of unified's path: taken, and the newest book read once every `every`
        frames (1: every book; 0: never, deltas applied only)."""
        apply, read = self.direct(), self.read
        if every == 0:
            return apply
        count = itertools.count(1)

        def some(text: str) -> Any:
            apply(text)
            return read() if next(count) % every == 0 else None
        return some

    async def consume(self, frames: list[str], take: Step, every: int) -> None:
        """`take` each frame, the consumer awaiting the stream's next book (as `async for`
        does; never a wait: a book is ready) after every `every`-th frame (0: never)."""
        read = self.stream.__anext__
        if every == 1:
            for text in frames:
                take(text)
                await read()
        elif every == 0:
            for text in frames:
                take(text)
        else:
            for i, text in enumerate(frames, 1):
                take(text)
                if i % every == 0:
                    await read()


def keeper(route: Callable[[list[Item]], None]) -> Connection:
    """The stream connection keeper on KuCoin's dialect, without a socket: only its frame
    intake is used."""
    def refusal(refused: Any) -> UnifiedError:
        return UnifiedError(str(refused))

    async def no_endpoint(fresh: bool) -> Endpoint:
        raise RuntimeError("the benchmark's keeper never connects")

    return Connection("bench", dialect=ws.STREAMS, private=False, endpoint=no_endpoint,
                      login=lambda: None, decode=lambda frame: ws.STREAMS.decode(frame, CTX),
                      on_items=route, on_lost=lambda conn: None, on_resync=_nothing,
                      on_broken=lambda conn, error: None, refusal=refusal,
                      clock=SystemClock(), settings=Settings())


async def seeded(feed: Feed, limit: int | None) -> Unified:
    return await Unified(limit).seed(feed)


def _message(text: str) -> ws.Message:
    event = ws.decode(text)
    if not isinstance(event, ws.Message):
        raise RuntimeError(f"not a push: {text[:80]}")
    return event


def _pass(step: Step, frames: list[str]) -> float:
    gc.collect()
    start = time.perf_counter()
    for text in frames:
        step(text)
    return time.perf_counter() - start


def _run_once(job: Coroutine[Any, Any, None]) -> float:
    """Seconds to run `job`, which never waits, to its end in one step."""
    gc.collect()
    start = time.perf_counter()
    try:
        job.send(None)
    except StopIteration:
        return time.perf_counter() - start
    job.close()
    raise RuntimeError("the consumer waited for a book")


async def _ccxt_pass(feed: Feed) -> float:
    ccxt = await ccxt_stream.seeded(feed)
    try:
        receive, yielded = ccxt.receive, ccxt.yielded

        def step(text: str) -> Any:
            receive(text)
            return yielded()

        return _pass(step, feed.frames[feed.pre:])
    finally:
        await ccxt.close()


#: contender -> (book limit, read every n frames; -1: every book, through the dispatch)
UNIFIED = {"unified": (BOOK_LIMIT, 1), "unified_read_every_10": (BOOK_LIMIT, READ_EVERY),
           "unified_whole_book": (None, 1), "unified_apply_only": (None, 0),
           "unified_dispatched": (BOOK_LIMIT, -1)}


async def throughput(feed: Feed, reps: int, use_ccxt: bool) -> dict[str, Any]:
    """Frames per second, median over `reps` passes; every contender once per rep, in an
    order rotated each rep so drift hits them alike."""
    live = feed.frames[feed.pre:]
    names = [*UNIFIED, "ccxt"] if use_ccxt else list(UNIFIED)
    secs: dict[str, list[float]] = {name: [] for name in [*UNIFIED, "ccxt"]}
    for rep in range(reps):
        shift = rep % len(names)
        for name in names[shift:] + names[:shift]:
            if name == "ccxt":
                secs[name].append(await _ccxt_pass(feed))
            else:
                limit, every = UNIFIED[name]
                contender = await seeded(feed, limit)
                take = contender.routed() if every < 0 else contender.direct()
                secs[name].append(_run_once(contender.consume(live, take, abs(every))))
    per_s = {k: (round(len(live) / statistics.median(v)) if v else None)
             for k, v in secs.items()}
    us = {k: (round(1e6 / v, 2) if v else None) for k, v in per_s.items()}
    return {"frames": len(live), "frames_per_s": per_s, "us_per_frame": us,
            "read_every": READ_EVERY}


async def latency(feed: Feed, limit: int | None) -> dict[str, Any]:
    """unified's added latency per frame: text in, the newest book read out."""
    step = (await seeded(feed, limit)).step()
    clock = time.perf_counter_ns
    samples = []
    gc.collect()
    for text in feed.frames[feed.pre:]:
        start = clock()
        step(text)
        samples.append(clock() - start)
    samples.sort()
    n = len(samples)
    return {"n": n, "median_us": round(samples[n // 2] / 1000, 1),
            "p99_us": round(samples[min(n - 1, n * 99 // 100)] / 1000, 1),
            "max_us": round(samples[-1] / 1000, 1)}


async def memory(feed: Feed, samples: int) -> dict[str, Any]:
    """Traced memory while unified's path runs over the whole feed (frames already in memory,
    so not counted), sampled `samples` times at even intervals; every book is read and
    dropped, as a consumer that keeps up reads and drops them."""
    live = feed.frames[feed.pre:]
    every = max(len(live) // samples, 1)
    gc.collect()
    tracemalloc.start()
    try:
        step = (await seeded(feed, BOOK_LIMIT)).step()
        points = []
        for i, text in enumerate(live, 1):
            step(text)
            if i % every == 0:
                gc.collect()  # what is held, not what a free list still keeps
                points.append(round(tracemalloc.get_traced_memory()[0] / 1024, 1))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    first, last = points[0], points[-1]
    return {"frames": len(live), "samples_kib": points, "first_kib": first, "last_kib": last,
            "growth_kib": round(last - first, 1), "growth": round(last / first, 3),
            "peak_kib": round(peak / 1024, 1)}


def _exact(rows: Rows) -> list[tuple[Decimal, Decimal]]:
    return [(Decimal(p), Decimal(s)) for p, s in rows]


def _floats(rows: Rows) -> list[tuple[float, float]]:
    return [(float(p), float(s)) for p, s in rows]


def _unified_levels(levels: tuple[BookLevel, ...]) -> list[tuple[Decimal, Decimal]]:
    return [(lv.price, lv.amount) for lv in levels]


def _disagreement(what: str, got: list[Any], want: list[Any]) -> str | None:
    if got == want:
        return None
    for i, (g, w) in enumerate(zip(got, want, strict=False)):
        if g != w:
            return f"{what}: level {i} is {g}, the model has {w}"
    return f"{what}: {len(got)} levels, the model has {len(want)}"


async def verify_unified(feed: Feed) -> list[str]:
    """unified's books against the model: the top at every checkpoint, the whole at the end,
    each read from the stream as a consumer reads it (and no resync on the way)."""
    problems: list[str] = []
    unified = await seeded(feed, None)
    book, read_at = unified.books.keeper.book(), -1
    for i in range(feed.pre, len(feed.frames)):
        unified.take(feed.frames[i])
        if unified.books.resyncs or unified.books.keeper.book() is None:
            return [f"frame {i}: lost ({unified.books.keeper.resync})"]
        if i in feed.checkpoints:
            book, read_at = unified.read(), i
            bids, asks = feed.checkpoints[i]
            for what, got, want in (("bids", book.bids, bids), ("asks", book.asks, asks)):
                problem = _disagreement(f"frame {i} {what}",
                                        _unified_levels(got[:CHECK_TOP]), _exact(want))
                if problem:
                    problems.append(problem)
    if read_at != len(feed.frames) - 1:
        book = unified.read()
    assert book is not None
    for what, got, want in (("bids", book.bids, feed.final_bids),
                            ("asks", book.asks, feed.final_asks)):
        problem = _disagreement(f"final {what}", _unified_levels(got), _exact(want))
        if problem:
            problems.append(problem)
    if book.sequence != feed.final_sequence:
        problems.append(f"final sequence {book.sequence}, the model's {feed.final_sequence}")
    return problems


async def verify_ccxt(feed: Feed) -> list[str]:
    """ccxt.pro's book against the model (as floats, which is what ccxt keeps)."""
    problems: list[str] = []
    ccxt = await ccxt_stream.seeded(feed)
    try:
        for i in range(feed.pre, len(feed.frames)):
            ccxt.receive(feed.frames[i])
            if i in feed.checkpoints:
                bids, asks = feed.checkpoints[i]
                ob = ccxt.yielded()
                for what, want in (("bids", bids), ("asks", asks)):
                    problem = _disagreement(f"frame {i} {what}",
                                            ccxt_stream.levels(ob[what], CHECK_TOP),
                                            _floats(want))
                    if problem:
                        problems.append(problem)
        ob = ccxt.yielded()
        for what, want in (("bids", feed.final_bids), ("asks", feed.final_asks)):
            problem = _disagreement(f"final {what}", ccxt_stream.levels(ob[what]),
                                    _floats(want))
            if problem:
                problems.append(problem)
        if ob["nonce"] != feed.final_sequence:
            problems.append(f"final nonce {ob['nonce']}, the model's {feed.final_sequence}")
    finally:
        await ccxt.close()
    return problems


def _ratio(a: int | None, b: int | None) -> float | None:
    return round(a / b, 2) if a and b else None


async def run(sizes: Sizes, use_ccxt: bool) -> dict[str, Any]:
    use_ccxt = use_ccxt and ccxt_stream.available()
    feed = generate(sizes.stream_frames, sizes.stream_depth)
    out: dict[str, Any] = {
        "feed": {"frames": len(feed.frames), "buffered_before_snapshot": feed.pre,
                 "depth": sizes.stream_depth, "changes": feed.changes,
                 "removals": feed.removals, "price_zero_rows": feed.price_zero_rows,
                 "final_levels": [len(feed.final_bids), len(feed.final_asks)],
                 "bytes": sum(len(t) for t in feed.frames)},
        "book_limit": BOOK_LIMIT,
        "check": {"top": CHECK_TOP, "checkpoints": len(feed.checkpoints)},
        "ccxt_json_parser": ccxt_stream.json_parser() if use_ccxt else None,
    }
    # correctness first: a fast wrong book is no result
    out["agree"] = {"unified": await verify_unified(feed),
                    "ccxt": await verify_ccxt(feed) if use_ccxt else None}
    t = await throughput(feed, sizes.stream_reps, use_ccxt)
    per_s = t["frames_per_s"]
    t["unified_over_ccxt"] = _ratio(per_s["unified"], per_s["ccxt"])
    t["whole_book_over_ccxt"] = _ratio(per_s["unified_whole_book"], per_s["ccxt"])
    t["apply_only_over_ccxt"] = _ratio(per_s["unified_apply_only"], per_s["ccxt"])
    t["read_every_10_over_ccxt"] = _ratio(per_s["unified_read_every_10"], per_s["ccxt"])
    t["dispatched_over_ccxt"] = _ratio(per_s["unified_dispatched"], per_s["ccxt"])
    out["throughput"] = t
    out["latency"] = await latency(feed, BOOK_LIMIT)
    out["latency_whole_book"] = await latency(feed, None)
    out["memory"] = await memory(feed, sizes.stream_samples)
    out["json"] = jsondecode.run(feed, sizes.stream_reps, t["us_per_frame"]["unified"])
    return out
