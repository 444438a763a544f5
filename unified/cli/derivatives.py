"""`unified positions` and `unified funding`: contract positions of an account, and a
contract's funding rate (current, predicted, next settlement) with its settled history.

Which venues: `--venue` where given, else every venue whose spec has the operation (funding)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from unified import registry
from unified.cli.errors import UsageError, on
from unified.cli.export import parse_time
from unified.cli.format import fmt, plain, short_time, table, to_json
from unified.cli.session import Session, open_venues
from unified.derivative_models import Position

POSITION_HEADERS = ("symbol", "side", "contracts", "entry", "mark", "liquidation", "leverage",
                    "mode", "margin", "unrealized", "realized")


def add_parsers(sub: Any, common: Sequence[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("positions", parents=list(common),
                       help="an account's open contract positions (amounts in contracts)")
    p.add_argument("--venue", required=True)
    p.add_argument("--symbol", action="append", default=[], metavar="SYMBOL",
                   help="only these contracts, repeatable (default: every open position)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    f = sub.add_parser("funding", parents=list(common),
                       help="a contract's funding rate, next settlement and settled history")
    f.add_argument("symbol", metavar="SYMBOL", help="e.g. BTC/USDT:USDT")
    f.add_argument("--venue", help="default: every venue with funding rates")
    f.add_argument("--since", metavar="TIME",
                   help="also list the settled rates since TIME (ISO-8601, UTC unless an "
                   "offset is given)")
    f.add_argument("--limit", type=int, metavar="N", help="at most N settled rates")
    f.add_argument("--json", action="store_true", help="machine-readable output")


def position_rows(positions: Sequence[Position]) -> list[tuple[str, ...]]:
    return [(p.symbol, p.side.value, fmt(p.contracts), fmt(p.entry_price), fmt(p.mark_price),
             fmt(p.liquidation_price), fmt(p.leverage),
             p.margin_mode.value if p.margin_mode else "-", fmt(p.margin),
             fmt(p.unrealized_pnl), fmt(p.realized_pnl)) for p in positions]


async def positions_command(session: Session, args: argparse.Namespace) -> int:
    venue: str = args.venue
    symbols = [s.upper() for s in args.symbol] or None
    async with open_venues(session, [venue], private=True) as exchanges:
        with on(venue):
            positions = await exchanges[venue].fetch_positions(symbols)
    if args.json:
        print(to_json({"venue": venue, "positions": plain(positions)}))
        return 0
    if not positions:
        print(f"{venue}: no open positions")
        return 0
    print(table(list(POSITION_HEADERS), position_rows(positions)))
    print("(contracts: a count of contracts; unified.contracts.to_base converts)")
    return 0


def funding_venues(given: str | None) -> list[str]:
    if given:
        registry.get(given)
        return [given]
    found = [v for v, r in registry.venues().items() if "fetch_funding_rate" in r.spec.endpoints]
    if not found:
        raise UsageError("no venue has funding rates")
    return found


async def funding_command(session: Session, args: argparse.Namespace) -> int:
    since: datetime | None = parse_time(args.since, "--since") if args.since else None
    if args.limit is not None and args.limit <= 0:
        raise UsageError("--limit must be positive")
    symbol = args.symbol.upper()
    venues = funding_venues(args.venue)
    report = []
    async with open_venues(session, venues) as exchanges:
        for venue in venues:
            with on(venue):
                rate = await exchanges[venue].fetch_funding_rate(symbol)
                history = (await exchanges[venue].fetch_funding_rate_history(
                    symbol, since=since, limit=args.limit)
                    if since is not None or args.limit else [])
            report.append((venue, rate, history))
    if args.json:
        print(to_json([{"venue": v, "current": plain(r), "history": plain(h)}
                       for v, r, h in report]))
        return 0
    for venue, rate, history in report:
        print(table(["venue", "symbol", "rate", "predicted", "period from (UTC)",
                     "next funding (UTC)"],
                    [(venue, rate.symbol, fmt(rate.rate), fmt(rate.predicted_rate),
                      short_time(rate.timestamp), short_time(rate.next_funding_at))]))
        if history:
            print(f"\n{venue} {symbol}: {len(history)} settled rates, oldest first")
            print(table(["settled (UTC)", "rate"],
                        [(short_time(h.timestamp), fmt(h.rate)) for h in history]))
    return 0
