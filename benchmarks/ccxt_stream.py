"""ccxt.pro's own KuCoin WebSocket class driven with the feed's frames, with no network.

Everything that runs per frame is ccxt's: its `Client.handle_text_or_binary_message` (the
receive path of a real connection: ccxt's JSON parser, then `kucoin.handle_message`), its
`handle_order_book` / `handle_book_delta` and its order book sides. The only stand-ins are below
the parsers: the Client object is ccxt's own but never connected, and the REST call its
snapshot path makes (`privateGetMarketOrderbookLevel2`, what ccxt's kucoin.fetch_order_book asks
for when it has credentials: the full book, as KuCoin's calibration needs) answers with the
feed's snapshot body instead of going to the venue.

The book is seeded the way ccxt.pro seeds it: the subscription's state is laid out as
`subscribe_multiple`/`watch_multiple` leave it, the ack frame runs ccxt's
`handle_order_book_subscription`, the first deltas are cached by `handle_order_book`, which
spawns `load_order_book` after `snapshotDelay` of them; that task fetches the snapshot (through
ccxt's `fetch_order_book` and its parser), finds the cached delta it continues from
(`get_cache_index`) and replays the cache.
"""

from __future__ import annotations

import asyncio
import importlib
import json
from collections.abc import Callable
from typing import Any

from benchmarks.feed import Feed

SYMBOL = "BTC/USDT"
URL = "wss://ws-api-spot.kucoin.com/"  # only a key: nothing connects to it
REQUEST_ID = "1"


def available() -> bool:
    try:
        importlib.import_module("ccxt.pro")
    except ImportError:
        return False
    return True


def json_parser() -> str:
    """The JSON parser ccxt's WebSocket client uses here (orjson when it is importable)."""
    client = importlib.import_module("ccxt.async_support.base.ws.client")
    return str(client.json_parser.__name__)


class Seeded:
    """A ccxt.pro kucoin whose level2 book for the feed's symbol is live at the snapshot."""

    def __init__(self, exchange: Any, client: Any) -> None:
        self.exchange = exchange
        self.client = client
        #: one received text frame through ccxt's own receive path
        self.receive: Callable[[str], None] = client.handle_text_or_binary_message

    def book(self) -> Any:
        return self.exchange.orderbooks[SYMBOL]

    def yielded(self) -> Any:
        """What `watch_order_book` hands its caller after a frame: `orderbook.limit()`."""
        return self.exchange.orderbooks[SYMBOL].limit()

    async def close(self) -> None:
        await self.exchange.close()


def _exchange(snapshot_body: str) -> Any:
    pro = importlib.import_module("ccxt.pro")
    ex = pro.kucoin({"apiKey": "key", "secret": "secret", "password": "passphrase"})
    ex.set_markets([{
        "id": "BTC-USDT", "symbol": SYMBOL, "base": "BTC", "quote": "USDT", "baseId": "BTC",
        "quoteId": "USDT", "type": "spot", "spot": True, "active": True,
        "precision": {"price": 0.1, "amount": 1e-8}, "limits": {},
    }])
    answer = json.loads(snapshot_body)

    async def full_book(params: Any = None, context: Any = None) -> Any:
        return answer  # the REST answer, already parsed as ccxt's fetch would have it

    ex.privateGetMarketOrderbookLevel2 = full_book
    return ex


async def seeded(feed: Feed) -> Seeded:
    """ccxt's level2 book, seeded by its own code path from the feed's first `pre` frames and
    snapshot; the live frames (`feed.frames[feed.pre:]`) are the caller's to send."""
    ex = _exchange(feed.snapshot)
    try:
        client = ex.client(URL)
        topic = "/market/level2:" + feed.symbol
        # what subscribe_multiple and watch_multiple store before sending the subscribe
        client.subscriptions[REQUEST_ID] = topic
        client.subscriptions[topic] = {"method": ex.handle_order_book_subscription,
                                       "symbols": [SYMBOL], "limit": None}
        client.handle_text_or_binary_message(
            json.dumps({"id": REQUEST_ID, "type": "ack"}, separators=(",", ":")))
        for text in feed.frames[:feed.pre]:
            client.handle_text_or_binary_message(text)
        for _ in range(100):  # let the spawned load_order_book task run
            if ex.orderbooks[SYMBOL]["nonce"] is not None:
                break
            await asyncio.sleep(0)
        book = ex.orderbooks[SYMBOL]
        if book["nonce"] is None:
            raise RuntimeError("ccxt.pro did not seed its book from the snapshot")
        return Seeded(ex, client)
    except BaseException:
        await ex.close()
        raise


def levels(side: Any, n: int | None = None) -> list[tuple[float, float]]:
    """A ccxt book side as (price, amount) floats, best first (ccxt keeps floats)."""
    rows = list(side) if n is None else list(side)[:n]
    return [(float(row[0]), float(row[1])) for row in rows]
