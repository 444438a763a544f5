"""fetch_order_book deeper than 100 levels, on a book seeded 160 levels deep: every venue gives
the levels asked for, up to its deepest (KuCoin's whole book is its signed
/api/v3/market/orderbook/level2, the spec's order_book_full_depth)."""

from __future__ import annotations

import pytest

from ..conftest import VENUES, run
from .harness import session


@pytest.mark.parametrize("venue", VENUES)
def test_a_book_deeper_than_100_levels(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            s.sim.engine.seed_book(levels=160)
            deepest = s.ex.spec.capability("order_book_max_depth")
            wanted = min(150, int(deepest)) if deepest else 150
            book = await s.ex.fetch_order_book(s.symbol, limit=wanted)
            assert len(book.bids) == len(book.asks) == wanted
            assert [b.price for b in book.bids] == sorted((b.price for b in book.bids),
                                                          reverse=True)
            assert book.bids[0].price < book.asks[0].price
    run(scenario())
