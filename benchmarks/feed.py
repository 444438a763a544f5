"""A recorded-style KuCoin level2 feed: deterministic push frames plus the matching REST snapshot.

The frames have exactly the documented shape of a `/market/level2:{symbol}` push (subject
`trade.l2update`; the official example is tests/data/streams/kucoin_ws_level2_increment.json,
from kucoin-openapi/ws/openapi-spot-public.json): compact JSON, keys in the example's order,
prices and sizes as strings, rows `[price, size, sequence]` with the sequence as a string,
`sequenceStart`/`sequenceEnd`/`time` as numbers. The snapshot is the `data` of the full REST book
(`GET /api/v3/market/orderbook/level2`, tests/data/streams/kucoin_rest_level2_snapshot.json):
`sequence` a string, bids high to low, asks low to high, wrapped in the `{"code", "data"}`
envelope.

The mix is what a busy book looks like: most changes land within a few levels of the top (a
geometric rank from the best price), the rest anywhere in the book; about a fifth are removals
(size "0"); about one in a hundred is a price "0" row that only uses up a sequence number; most
pushes carry one change, some a batch. The book's size stays near `depth` per side, so a long
feed neither grows nor drains it, and it never crosses.

Arrival order is that of a subscriber following the venue's calibration: the first `pre` frames
arrive before the snapshot's answer (they are buffered), and the snapshot was taken in the middle
of one of them (its earlier changes are in the snapshot already, the later ones are not).
The generator keeps its own model of the book, so the feed carries the book every correct
consumer must end with.
"""

from __future__ import annotations

import bisect
import json
import random

import attrs

SYMBOL = "BTC-USDT"
TOPIC = "/market/level2:" + SYMBOL
FIRST_SEQUENCE = 14_701_689_783  # the official example's
FIRST_TIME_MS = 1_729_816_425_625
MID_TICKS = 670_000  # 67000.0 at a 0.1 tick (the example's price scale)

TOP_SHARE = 0.85  # changes near the top of the book
TOP_RANK_MEAN = 3.0  # mean rank from the best price of those
REMOVE_SHARE = 0.2
PRICE_ZERO_SHARE = 0.01
CHECK_TOP = 20  # levels a side compared at each checkpoint
CHECKPOINTS = 10  # checkpoints over the live frames (the last frame is always one)

Rows = list[tuple[str, str]]  # (price text, size text), best first


def price_text(ticks: int) -> str:
    return f"{ticks // 10}.{ticks % 10}"


def size_text(units: int) -> str:
    """Sizes in 1e-8 units, written as the venue does ("0.0005", "1.21427407")."""
    whole, frac = divmod(units, 100_000_000)
    tail = f"{frac:08d}".rstrip("0")
    return f"{whole}.{tail}" if tail else str(whole)


@attrs.frozen
class Feed:
    """`frames` in arrival order; the snapshot's answer arrives after the first `pre` of them."""

    symbol: str
    frames: list[str]
    pre: int
    snapshot: str  # the REST answer's body
    snapshot_sequence: int
    #: the model's final book: (price text, size text), best first
    final_bids: Rows
    final_asks: Rows
    final_sequence: int
    #: frame index -> the model's best CHECK_TOP bids and asks once that frame is applied
    checkpoints: dict[int, tuple[Rows, Rows]]
    changes: int  # rows over all frames (price "0" rows included)
    removals: int
    price_zero_rows: int


class _Side:
    """One side of the model book: price ticks -> size units, prices kept sorted."""

    def __init__(self, bid: bool) -> None:
        self.bid = bid
        self.sizes: dict[int, int] = {}
        self.prices: list[int] = []  # ascending

    def best(self) -> int:
        return self.prices[-1] if self.bid else self.prices[0]

    def at_rank(self, rank: int) -> int:
        rank = min(rank, len(self.prices) - 1)
        return self.prices[-1 - rank] if self.bid else self.prices[rank]

    def put(self, price: int, size: int) -> None:
        if size == 0:
            del self.sizes[price]
            del self.prices[bisect.bisect_left(self.prices, price)]
            return
        if price not in self.sizes:
            bisect.insort(self.prices, price)
        self.sizes[price] = size

    def rows(self, n: int | None = None) -> Rows:
        if self.bid:
            prices = list(reversed(self.prices if n is None else self.prices[-n:]))
        else:
            prices = self.prices if n is None else self.prices[:n]
        return [(price_text(p), size_text(self.sizes[p])) for p in prices]


class _Generator:
    def __init__(self, depth: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.depth = depth
        self.bids, self.asks = _Side(bid=True), _Side(bid=False)
        for i in range(depth):
            self.bids.put(MID_TICKS - 5 - 2 * i - self.rng.randrange(2), self._size())
            self.asks.put(MID_TICKS + 5 + 2 * i + self.rng.randrange(2), self._size())
        self.sequence = FIRST_SEQUENCE - 1  # the last sequence used
        self.time_ms = FIRST_TIME_MS
        self.removals = self.price_zero = self.changes = 0

    def _size(self) -> int:
        return int(self.rng.expovariate(1 / 40_000_000)) + 1_000  # mean about 0.4

    def _rank(self, side: _Side) -> int:
        if self.rng.random() < TOP_SHARE:
            return int(self.rng.expovariate(1 / TOP_RANK_MEAN))
        return self.rng.randrange(len(side.prices))

    def _new_price(self, side: _Side) -> int:
        """A price not on the side: mostly a few ticks from the spread (so the spread stays
        tight however often the best level goes), sometimes deep; never crossing."""
        other = self.asks if side.bid else self.bids
        sign = -1 if side.bid else 1
        inner = other.best() + sign  # the best price that does not cross
        for _ in range(50):
            if self.rng.random() < TOP_SHARE:
                away = int(self.rng.expovariate(1 / (2 * TOP_RANK_MEAN)))
            else:
                away = self.rng.randrange(2 * len(side.prices) + 10)
            price = inner + sign * away
            if price > 0 and price not in side.sizes:
                return price
        return side.prices[0] - 1 if side.bid else side.prices[-1] + 1  # past the far end

    def change(self) -> tuple[bool, str, str]:
        """One change applied to the model: (bid, price text, size text)."""
        self.changes += 1
        if self.rng.random() < PRICE_ZERO_SHARE:
            self.price_zero += 1
            return self.rng.random() < 0.5, "0", "0"
        side = self.bids if self.rng.random() < 0.5 else self.asks
        r = self.rng.random()
        if r < REMOVE_SHARE and len(side.prices) > 1:
            price = side.at_rank(self._rank(side))
            side.put(price, 0)
            self.removals += 1
            return side.bid, price_text(price), "0"
        # new levels as often as removals, a little more or less to hold the side near depth
        grow = REMOVE_SHARE * (0.8 if len(side.prices) > self.depth else 1.2)
        new = r < REMOVE_SHARE + grow
        price = self._new_price(side) if new else side.at_rank(self._rank(side))
        size = self._size()
        side.put(price, size)
        return side.bid, price_text(price), size_text(size)

    def frame(self, changes: int) -> str:
        start = self.sequence + 1
        asks: list[list[str]] = []
        bids: list[list[str]] = []
        for _ in range(changes):
            self.sequence += 1
            bid, price, size = self.change()
            (bids if bid else asks).append([price, size, str(self.sequence)])
        self.time_ms += self.rng.randrange(4)
        return frame_text(asks, bids, start, self.sequence, self.time_ms)

    def batch(self) -> int:
        """Changes in one push: mostly one, sometimes a handful, rarely a burst."""
        r = self.rng.random()
        return 1 if r < 0.6 else self.rng.randint(2, 5) if r < 0.97 else self.rng.randint(6, 20)

    def snapshot(self) -> str:
        data = {"time": self.time_ms, "sequence": str(self.sequence),
                "bids": [list(r) for r in self.bids.rows()],
                "asks": [list(r) for r in self.asks.rows()]}
        return json.dumps({"code": "200000", "data": data}, separators=(",", ":"))


def frame_text(asks: list[list[str]], bids: list[list[str]], start: int, end: int,
               time_ms: int, symbol: str = SYMBOL) -> str:
    """One push, byte for byte in the documented layout."""
    data = {"changes": {"asks": asks, "bids": bids}, "sequenceEnd": end,
            "sequenceStart": start, "symbol": symbol, "time": time_ms}
    return json.dumps({"topic": "/market/level2:" + symbol, "type": "message",
                       "subject": "trade.l2update", "data": data}, separators=(",", ":"))


def generate(frames: int, depth: int, seed: int = 14, pre: int = 8) -> Feed:
    """`frames` pushes on a book of about `depth` levels a side. The snapshot is taken inside
    frame `pre - 3` (after its first change), and answered after frame `pre - 1` arrived."""
    if frames <= pre or depth < 10:
        raise ValueError("a feed needs more frames than `pre` and a depth of at least 10")
    gen = _Generator(depth, seed)
    texts: list[str] = []
    snapshot = ""
    snapshot_sequence = 0
    every = max((frames - pre) // CHECKPOINTS, 1)
    checkpoints: dict[int, tuple[Rows, Rows]] = {}
    for i in range(frames):
        if i == pre - 3:  # three changes: one before the snapshot, two after it
            start = gen.sequence + 1
            first = gen.frame(1)
            snapshot, snapshot_sequence = gen.snapshot(), gen.sequence
            rest = json.loads(gen.frame(2))["data"]
            data = json.loads(first)["data"]
            for key in ("asks", "bids"):
                data["changes"][key] += rest["changes"][key]
            texts.append(frame_text(data["changes"]["asks"], data["changes"]["bids"], start,
                                    gen.sequence, rest["time"]))
            continue
        texts.append(gen.frame(gen.batch()))
        if i >= pre and ((i - pre + 1) % every == 0 or i == frames - 1):
            checkpoints[i] = (gen.bids.rows(CHECK_TOP), gen.asks.rows(CHECK_TOP))
    return Feed(symbol=SYMBOL, frames=texts, pre=pre, snapshot=snapshot,
                snapshot_sequence=snapshot_sequence, final_bids=gen.bids.rows(),
                final_asks=gen.asks.rows(), final_sequence=gen.sequence,
                checkpoints=checkpoints, changes=gen.changes, removals=gen.removals,
                price_zero_rows=gen.price_zero)
