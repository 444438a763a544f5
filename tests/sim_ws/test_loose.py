"""sim.streams.loosely(rate, seed): pushed numbers that the docs write as strings sometimes
arrive as JSON numbers, as on live venues; ids and codes stay text, nothing else changes
(books rebuild, checksums hold), and the same seed words the same frames the same way."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..conftest import run
from .helpers import (
    before_pong,
    kucoin_ws,
    okcoinjp_before_pong,
    okcoinjp_send,
    okcoinjp_ws,
    subscribe,
    venue,
)
from .test_faults import still, trade
from .test_okcoinjp import crc, merge, ranked


def leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in leaves(v)]
    if isinstance(value, list):
        return [x for v in value for x in leaves(v)]
    return [value]


def test_kucoin_loose_numbers_keep_ids_as_text() -> None:
    async def go() -> list[Any]:
        async with still("kucoin") as (sim, _, http), kucoin_ws(sim, http) as ws:
            sim.streams.loosely(1.0, seed=3)
            await subscribe(ws, "/market/match:BTC-USDT")
            await subscribe(ws, "/market/level2:BTC-USDT", "s2")
            trade(sim, "BTC/USDT")
            return await before_pong(ws)

    frames = run(go())
    level2, match = frames
    [[price, size, _]] = level2["data"]["changes"]["asks"]
    assert not isinstance(price, str) and not isinstance(size, str)
    assert isinstance(match["data"]["tradeId"], str)
    assert isinstance(match["data"]["makerOrderId"], str)
    assert run(go()) == frames  # the same seed, the same words


def test_okcoinjp_loose_rows_still_checksum() -> None:
    async def go() -> None:
        async with venue("okcoinjp") as (sim, http, _), okcoinjp_ws(sim, http) as ws:
            sim.streams.loosely(0.5, seed=1)
            await okcoinjp_send(ws, "subscribe", ["spot/depth:BTC-JPY"])
            _, partial = await okcoinjp_before_pong(ws)
            assert any(isinstance(x, Decimal) for x in leaves(partial["data"]))
            book: dict[str, dict[str, str]] = {"bids": {}, "asks": {}}
            text = {"bids": [[str(x) for x in row] for row in partial["data"][0]["bids"]],
                    "asks": [[str(x) for x in row] for row in partial["data"][0]["asks"]]}
            merge(book, text)
            assert crc(*ranked(book)) == partial["data"][0]["checksum"]
            for _ in range(3):
                trade(sim, "BTC/JPY")
            for update in await okcoinjp_before_pong(ws):
                entry = update["data"][0]
                merge(book, {side: [[str(x) for x in row] for row in entry[side]]
                             for side in ("bids", "asks")})
                assert crc(*ranked(book)) == entry["checksum"]
                assert isinstance(entry["instrument_id"], str)

    run(go())
