"""The `unified` command: a demo tour and local venues (more subcommands build on these)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import textwrap
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import unified
from unified import registry
from unified.errors import UnifiedError
from unified.models import Market, OrderType, Side


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain text table sized to its content."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: Decimal | None, places: int = 8) -> str:
    if value is None:
        return "-"
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return text or "0"


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
            bought = await ex.create_order(symbol, OrderType.MARKET, Side.BUY, amount)
        else:
            cost = (book.asks[0].price * amount * Decimal("1.01")).quantize(
                market.price_increment)
            bought = await ex.create_order(symbol, OrderType.MARKET, Side.BUY, None, cost=cost)
        sold = await ex.create_order(symbol, OrderType.LIMIT, Side.SELL, amount,
                                     (bid * Decimal("0.98")).quantize(market.price_increment))
        canceled = await ex.cancel_order(resting.id, symbol)
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


async def serve(venue_ids: Sequence[str], port: int) -> int:
    from unified.sim.server import SimVenue

    sims = [SimVenue(v, port=port if port and len(venue_ids) == 1 else 0) for v in venue_ids]
    for sim in sims:
        await sim.start()
        creds = sim.credentials
        print(f"{sim.venue_id}: {sim.base_url}")
        print(f"  api_key={creds.api_key} secret={creds.secret} passphrase={creds.passphrase}")
        print(f"  unified.connect({sim.venue_id!r}, credentials=Credentials({creds.api_key!r}, "
              f"{creds.secret!r}, {creds.passphrase!r}), base_url={sim.base_url!r})")
    print("local venues running (test credentials, paper balances); Ctrl-C to stop", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        for sim in sims:
            await sim.stop()
    return 0


# ---------------------------------------------------------------- venues and codes


def venues_command() -> int:
    for venue_id, reg in registry.venues().items():
        caps = [k for k, v in reg.spec.capabilities.items() if v is True]
        pools = ", ".join(f"{p.name} {p.quota}/{p.window_s:g}s ({p.scope})"
                          for p in reg.spec.rate_limits.pools.values())
        print(f"{venue_id:<11} {reg.base_url}  ({reg.spec.title})")
        for label, text in (("rate limits", pools), ("can", ", ".join(caps))):
            print(textwrap.fill(text, 78, initial_indent=f"  {label}: ",
                                subsequent_indent=" " * (len(label) + 4)))
    return 0


def codes_command(venue_id: str) -> int:
    spec = registry.get(venue_id).spec
    print(f"{venue_id}: order statuses")
    print(table(["venue value", "unified"], [(k, v.name) for k, v in spec.status.items()]))
    print(f"\n{venue_id}: error table (first matching row wins)")
    print("(a row with a message pattern only matches answers whose message matches it)")
    print(table(["code", "http", "unified", "meaning"],
                [(r.code or "*", r.http_status or "*",
                  r.error + (" ~" if r.message else ""), r.meaning[:38])
                 for r in spec.errors]))
    return 0


# ---------------------------------------------------------------- entry point


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="unified", description=unified.__doc__)
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    p.add_argument("--version", action="version", version=unified.__version__)
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="a tour of every venue on its local simulator (no network)")
    d.add_argument("--venue", action="append", help="only these venues")
    s = sub.add_parser("serve", help="run local venues for your own bot")
    s.add_argument("--venue", action="append", help="venue id (default: all)")
    s.add_argument("--port", type=int, default=0)
    sub.add_parser("venues", help="registered venues, base URLs, capabilities, rate limits")
    c = sub.add_parser("codes", help="a venue's statuses and error codes with unified meaning")
    c.add_argument("--venue", required=True)
    return p


def _venues_arg(given: Sequence[str] | None) -> list[str]:
    known = list(registry.venues())
    if not given:
        return known
    for v in given:
        registry.get(v)
    return list(given)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "demo":
            return asyncio.run(demo(_venues_arg(args.venue)))
        if args.command == "serve":
            return asyncio.run(serve(_venues_arg(args.venue), args.port))
        if args.command == "venues":
            return venues_command()
        if args.command == "codes":
            return codes_command(args.venue)
    except KeyboardInterrupt:
        return 130
    except UnifiedError as exc:
        if args.debug:
            raise
        venue = getattr(exc, "venue", None)
        prefix = f"{venue}: " if venue else ""
        print(f"unified: {prefix}{type(exc).__name__}: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, unified.ConfigurationError) else 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
