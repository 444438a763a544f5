"""fetch_order_book deeper than 100 levels, on a book seeded 160 levels deep: every venue gives
the levels asked for, up to its deepest (KuCoin's whole book is its signed
/api/v3/market/orderbook/level2, the spec's order_book_full_depth)."""

from __future__ import annotations

from typing import Any

import pytest

from unified import registry

from ..conftest import VENUES, run
from .harness import session

#: Until fetch_order_book routes a limit past the partial books to the venue's full-book
#: endpoint (unified/market_data.py picks the operation; it is not this change's file), the
#: venues whose deep book is that endpoint answer 100 levels. Strict: this marker must go
#: when the routing lands.
ROUTING = ("fetch_order_book(limit > 100) needs unified/market_data.py to use the "
           "fetch_order_book_full operation where the spec has it")


def _venues() -> list[Any]:
    return [pytest.param(v, marks=[pytest.mark.xfail(strict=True, reason=ROUTING)]
                         if registry.get(v).spec.capability("order_book_full_depth") else [])
            for v in VENUES]


@pytest.mark.parametrize("venue", _venues())
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
