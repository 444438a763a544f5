"""A small page_size works on every venue and every history walk: below a venue's minimum
(KuCoin's ledgers and OCO lists: 10) the walk asks for the minimum, and limits still trim."""

from __future__ import annotations

import pytest

from unified import OrderType, Side

from ..conftest import run
from .harness import history_walks, market_buy, session


@pytest.mark.parametrize(("venue", "op"), history_walks())
def test_a_page_size_of_three_walks_every_record_once(venue: str, op: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            for _ in range(4):
                await market_buy(s, s.amount)
                o = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9"))
                await s.ex.cancel_order(o.id, s.symbol)
            if op == "iter_ledger":
                walk = s.ex.iter_ledger(currency=s.market.quote, page_size=3)
                whole = s.ex.iter_ledger(currency=s.market.quote)
            else:
                walk = getattr(s.ex, op)(s.symbol, page_size=3)
                whole = getattr(s.ex, op)(s.symbol)
            small = [item.id async for item in walk]
            assert small and len(small) == len(set(small))
            assert sorted(small) == sorted([item.id async for item in whole])
            if op != "iter_ledger":
                few = await (s.ex.fetch_closed_orders if op == "iter_closed_orders"
                             else s.ex.fetch_my_trades)(s.symbol, limit=2)
                assert len(few) == 2
    run(scenario())
