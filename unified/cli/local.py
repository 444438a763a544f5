"""`unified demo` and `unified serve`: the local venues, toured or served to other processes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import unified
from unified.cli.format import fmt as _fmt
from unified.cli.format import table
from unified.models import Market, OrderType, Side

# ---------------------------------------------------------------- demo


async def _tour(venue_id: str, out: list[str]) -> dict[str, Any]:
    from unified.sim.server import SimVenue

    started = time.perf_counter()
    async with SimVenue(venue_id) as sim, unified.connect(
        venue_id, credentials=sim.credentials, base_url=sim.base_url
    ) as ex:
        markets = await ex.load_markets()
        market: Market = markets[sim.personality.markets[0].symbol]
        symbol = market.symbol
        ticker = await ex.fetch_ticker(symbol)
        book = await ex.fetch_order_book(symbol, limit=5)
        balances = await ex.fetch_balance()
        out.append(f"\n== {venue_id} ({ex.spec.title}) at {sim.base_url}")
        out.append(f"{len(markets)} markets; trading {symbol}: last {_fmt(ticker.last)}, "
                   f"bid {_fmt(book.bids[0].price)} / ask {_fmt(book.asks[0].price)}")
        out.append(table(["currency", "total", "available", "held"],
                         [(b.currency, _fmt(b.total), _fmt(b.available), _fmt(b.held))
                          for b in balances.values()]))
        amount = market.min_amount * 10
        bid = book.bids[0].price
        resting = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount,
                                        (bid * Decimal("0.95")).quantize(market.price_increment))
        if ex.has("market_buy_by_amount"):
            bought = await ex.create_order(symbol, OrderType.MARKET, Side.BUY, amount, fetch=True)
        else:
            cost = (book.asks[0].price * amount * Decimal("1.01")).quantize(
                market.price_increment)
            bought = await ex.create_order(symbol, OrderType.MARKET, Side.BUY, None, cost=cost,
                                           fetch=True)
        if ex.has("derivatives"):  # contracts: the position the buy opened, funding
            out.append(await _contract_line(ex, symbol))
        # fetch=True throughout: the tour shows each order's state at the venue (fills, prices)
        sold = await ex.create_order(symbol, OrderType.LIMIT, Side.SELL, amount,
                                     (bid * Decimal("0.98")).quantize(market.price_increment),
                                     fetch=True)
        canceled = await ex.cancel_order(resting.id, symbol, fetch=True)
        out.append(table(
            ["order", "type", "side", "status", "amount", "filled", "avg price"],
            [(o.id[-10:], o.type.value, o.side.value, o.status.value, _fmt(o.amount),
              _fmt(o.filled), _fmt(o.average, 2))
             for o in (canceled, bought, sold)],
        ))
        # A history longer than one page, walked page by page.
        for i in range(12):
            o = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount,
                                      (bid * Decimal("0.9") - i * market.price_increment)
                                      .quantize(market.price_increment))
            await ex.cancel_order(o.id, symbol)
        pages, seen = 0, 0
        async for page in ex.iter_closed_orders(symbol, page_size=5).pages():
            pages += 1
            seen += len(page.items)
        fills = await ex.fetch_my_trades(symbol, limit=50) \
            if ex.supports("iter_my_trades") else []
        out.append(f"closed orders walked: {seen} in {pages} pages of 5; fills: {len(fills)}")
        return {"venue": venue_id, "markets": len(markets), "symbol": symbol,
                "orders": 3 + 12, "closed": seen, "pages": pages, "fills": len(fills),
                "seconds": time.perf_counter() - started}


async def _contract_line(ex: unified.Exchange, symbol: str) -> str:
    held = ", ".join(f"{p.symbol} {p.side.value} {_fmt(p.contracts)} contracts at "
                     f"{_fmt(p.entry_price)} (margin {_fmt(p.margin)})"
                     for p in await ex.fetch_positions()) or "none"
    funding = await ex.fetch_funding_rate(symbol)
    return (f"positions: {held}\nfunding rate {_fmt(funding.rate)}, next settlement "
            f"{funding.next_funding_at:%Y-%m-%d %H:%M} UTC")


async def demo(venue_ids: Sequence[str]) -> int:
    summary = []
    for venue_id in venue_ids:
        out: list[str] = []
        try:
            summary.append(await _tour(venue_id, out))
        finally:
            print("\n".join(out))
    print("\n== summary")
    print(table(["venue", "symbol", "markets", "orders", "closed walked", "pages", "fills", "s"],
                [(s["venue"], s["symbol"], s["markets"], s["orders"], s["closed"], s["pages"],
                  s["fills"], f"{s['seconds']:.2f}") for s in summary]))
    return 0


# ---------------------------------------------------------------- serve


async def serve(venue_ids: Sequence[str], port: int, history: bool = False) -> int:
    from unified.sim.server import SimVenue

    sims = []
    for v in venue_ids:
        at = port if port and len(venue_ids) == 1 else 0
        sim = await _seeded(v, at) if history else SimVenue(v, port=at)
        if not history:
            await sim.start()
        sims.append(sim)
        creds = sim.credentials
        print(f"{sim.venue_id}: {sim.base_url}")
        print(f"  api_key={creds.api_key} secret={creds.secret} passphrase={creds.passphrase}")
        print(f"  unified.connect({sim.venue_id!r}, credentials=Credentials({creds.api_key!r}, "
              f"{creds.secret!r}, {creds.passphrase!r}), base_url={sim.base_url!r})")
    print("local venues running (test credentials, paper balances"
          + (", the seeded history of --local" if history else "") + "); Ctrl-C to stop",
          flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        for sim in sims:
            await sim.stop()
    return 0


async def _seeded(venue_id: str, port: int) -> Any:
    """The account `--local` commands see (same orders, fills and ledger), served to other
    processes: from here on the venue keeps real time, as their signatures do."""
    from unified.clock import SystemClock
    from unified.sim.history import start_seeded

    sim, _ = await start_seeded(venue_id, port=port)
    sim.clock = sim.engine.clock = SystemClock()
    sim.engine.seed_tape()  # recent public trades, for tickers and candles
    return sim
