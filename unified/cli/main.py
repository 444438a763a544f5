"""The `unified` command: market data, live views of streams, account views, history export and
arbitrage research across venues, plus a demo tour and local venues. `--local` runs any
command against local venues started in-process (no account, no network)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import textwrap
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import unified
from unified import registry
from unified.cli import account as cli_account
from unified.cli import arb as cli_arb
from unified.cli import arb_watch as cli_arb_watch
from unified.cli import collect as cli_collect
from unified.cli import derivatives as cli_derivatives
from unified.cli import export as cli_export
from unified.cli import funds as cli_funds
from unified.cli import gateway as cli_gateway
from unified.cli import local as cli_local
from unified.cli import market as cli_market
from unified.cli import order as cli_order
from unified.cli import plot as cli_plot
from unified.cli import watch as cli_watch
from unified.cli.errors import (
    FAILURE,
    INTERRUPTED,
    USAGE,
    Failed,
    UsageError,
    describe,
    exit_code,
    say,
)
from unified.cli.export import Job, parse_time
from unified.cli.format import table
from unified.cli.session import Session, targets
from unified.errors import UnifiedError

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


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line, like every other failure of the command, then exit 2."""
        say(f"{message} (see: {self.prog} --help)")
        raise SystemExit(USAGE)


def _common() -> _Parser:
    """Options every subcommand takes (after its name, where people type them)."""
    c = _Parser(add_help=False)
    g = c.add_argument_group("connection")
    g.add_argument("--local", action="store_true", default=argparse.SUPPRESS,
                   help="start the local venues in-process and use them (no account, no "
                        "network; a seeded paper account and history)")
    g.add_argument("--base-url", action="append", metavar="[VENUE=]URL",
                   default=argparse.SUPPRESS,
                   help="another origin for a venue, e.g. a `unified serve` process")
    g.add_argument("--credentials", type=Path, metavar="FILE", default=argparse.SUPPRESS,
                   help="credentials TOML, one [venue] table each (default: "
                        "~/.config/unified/credentials.toml; UNIFIED_<VENUE>_API_KEY, "
                        "_SECRET, _PASSPHRASE come first)")
    g.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show tracebacks")
    return c


def _venue_symbol_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("symbol", nargs="?", metavar="SYMBOL", help="unified symbol, e.g. BTC/USDT")
    p.add_argument("--venue", action="append", required=True, metavar="VENUE[:SYMBOL]",
                   help="a venue id, repeatable; VENUE:SYMBOL gives it its own symbol")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text}")
    return value


def _market_commands(sub: Any, common: Sequence[argparse.ArgumentParser]) -> None:
    """ticker, book and arb: public data from several venues side by side."""
    t = sub.add_parser("ticker", parents=common, help="tickers from several venues, side by side")
    _venue_symbol_args(t)
    b = sub.add_parser("book", parents=common, help="order books from several venues, side by side")
    _venue_symbol_args(b)
    b.add_argument("--depth", type=_positive, default=10, help="levels per side (default 10)")
    a = sub.add_parser("arb", parents=common,
                       help="best bid/ask per venue and the best cross-venue pair, net of fees")
    _venue_symbol_args(a)
    a.add_argument("--fee", action="append", default=[], metavar="VENUE=RATE",
                   help="taker fee to use for a venue (0.001 or 0.1%%); default: the spec's")
    a.add_argument("--rate", action="append", default=[], metavar="BASE/QUOTE=VALUE",
                   help="conversion between quote currencies, e.g. JPY/USDT=0.0067")
    a.add_argument("--watch", action="store_true",
                   help="keep the table live: follow every venue's book and redraw on each "
                        "update (Ctrl-C to stop)")
    a.add_argument("--count", type=_positive, metavar="N", help="with --watch: stop after N "
                   "updates")


def _watch_command(sub: Any, common: Sequence[argparse.ArgumentParser]) -> None:
    w = sub.add_parser("watch", parents=common,
                       help="a live view of one stream: a book, ticker, trades, your orders, "
                            "fills, balances or contract positions")
    w.add_argument("kind", choices=cli_watch.KINDS)
    w.add_argument("symbol", nargs="?", metavar="SYMBOL",
                   help="unified symbol, e.g. BTC/USDT (orders, fills, positions: optional; "
                        "balance: none)")
    w.add_argument("--venue", required=True, help="a venue id")
    w.add_argument("--depth", type=_positive, default=10, help="book levels shown (default 10)")
    w.add_argument("--count", type=_positive, metavar="N", help="stop after N updates")
    w.add_argument("--json", action="store_true",
                   help="JSON lines: one object per update, as the other commands' --json")


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="unified", description=unified.__doc__)
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    p.add_argument("--local", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--version", action="version", version=unified.__version__)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = [_common()]

    _market_commands(sub, common)
    _watch_command(sub, common)
    for commands in (cli_order.add_parser, cli_funds.add_parsers, cli_derivatives.add_parsers,
                     cli_gateway.add_parser, cli_plot.add_parser, cli_collect.add_parser):
        commands(sub, common)

    bal = sub.add_parser("balances", parents=common, help="an account's balances")
    bal.add_argument("--venue", required=True)
    bal.add_argument("--all", action="store_true", help="zero balances too")
    bal.add_argument("--json", action="store_true", help="machine-readable output")
    o = sub.add_parser("orders", parents=common, help="open and recent closed orders")
    o.add_argument("--venue", required=True)
    o.add_argument("--symbol", required=True)
    o.add_argument("--open", action="store_true", help="open orders only")
    o.add_argument("--limit", type=_positive, default=10, help="closed orders shown (10)")
    o.add_argument("--json", action="store_true", help="machine-readable output")

    e = sub.add_parser("export", parents=common,
                       help="a full order, fill, ledger, deposit or withdrawal history to CSV, "
                       "JSON lines or Parquet, resumable")
    e.add_argument("kind", choices=["orders", "fills", "ledger", "deposits", "withdrawals"])
    e.add_argument("--venue", required=True)
    e.add_argument("--symbol", help="market (orders and fills)")
    e.add_argument("--currency", help="one currency (ledger, deposits, withdrawals; some "
                   "venues require it)")
    e.add_argument("--since", metavar="TIME", help="ISO-8601, UTC unless an offset is given")
    e.add_argument("--until", metavar="TIME", help="ISO-8601, UTC unless an offset is given")
    e.add_argument("--out", required=True, type=Path, metavar="FILE")
    e.add_argument("--format", choices=["csv", "jsonl", "parquet"],
                   help="default: jsonl for a .jsonl/.json file, parquet for .parquet/.pq "
                   "(the data extra), else csv")
    e.add_argument("--page-size", type=_positive, metavar="N",
                   help="records per request (default: the venue's largest page)")
    e.add_argument("--resume", action="store_true",
                   help="finish an interrupted export of FILE from its checkpoint")
    e.add_argument("--force", action="store_true", help="overwrite an existing FILE")

    d = sub.add_parser("demo", parents=common,
                       help="a tour of every venue on its local simulator (no network)")
    d.add_argument("--venue", action="append", help="only these venues")
    s = sub.add_parser("serve", parents=common, help="run local venues for your own bot")
    s.add_argument("--venue", action="append", help="venue id (default: all)")
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--history", action="store_true",
                   help="seed the paper account with the history `--local` commands see")
    sub.add_parser("venues", parents=common,
                   help="registered venues, base URLs, capabilities, rate limits")
    c = sub.add_parser("codes", parents=common,
                       help="a venue's statuses and error codes with unified meaning")
    c.add_argument("--venue", required=True)
    return p


def _venues_arg(given: Sequence[str] | None) -> list[str]:
    known = list(registry.venues())
    if not given:
        return known
    for v in given:
        registry.get(v)
    return list(given)


def _session(args: argparse.Namespace) -> Session:
    if args.local and getattr(args, "base_url", None):
        raise UsageError("--local starts its own venues: drop --base-url (or --local)")
    return Session(local=args.local, base_urls=tuple(getattr(args, "base_url", ())),
                   credentials=getattr(args, "credentials", None))


def _export_job(args: argparse.Namespace) -> Job:
    out: Path = args.out
    fmt = args.format or ("jsonl" if out.suffix.lower() in (".jsonl", ".json") else
                          "parquet" if out.suffix.lower() in (".parquet", ".pq") else "csv")
    since = parse_time(args.since, "--since") if args.since else None
    until = parse_time(args.until, "--until") if args.until else None
    if since and until and since > until:
        raise UsageError("--since is after --until")
    return Job(kind=args.kind, venue=args.venue, symbol=args.symbol.upper() if args.symbol
               else None, currency=args.currency.upper() if args.currency else None,
               since=since, until=until, format=fmt, page_size=args.page_size,
               local=args.local)


def dispatch(args: argparse.Namespace) -> int:
    command = args.command
    if command == "demo":
        return asyncio.run(cli_local.demo(_venues_arg(args.venue)))
    if command == "serve":
        return asyncio.run(cli_local.serve(_venues_arg(args.venue), args.port, args.history))
    if command == "venues":
        return venues_command()
    if command == "codes":
        return codes_command(args.venue)
    session = _session(args)
    if command == "plot":
        return cli_plot.run(session, args)
    if command == "gateway":
        return cli_gateway.run(session, args)
    if command in ("ticker", "book", "arb"):
        wanted = targets(args.symbol, args.venue)
        if command == "ticker":
            return asyncio.run(cli_market.ticker_command(session, wanted, args.json))
        if command == "book":
            return asyncio.run(cli_market.book_command(session, wanted, args.depth, args.json))
        if args.count and not args.watch:
            raise UsageError("--count stops a live table: give --watch too")
        if args.watch:
            return asyncio.run(cli_arb_watch.arb_watch(session, wanted, args.fee, args.rate,
                                                 args.json, args.count))
        return asyncio.run(cli_arb.arb_command(session, wanted, args.fee, args.rate, args.json))
    if command == "collect":
        return cli_collect.command(args)
    if command == "funding":
        return asyncio.run(cli_derivatives.funding_command(session, args))
    registry.get(args.venue)
    if command == "positions":
        return asyncio.run(cli_derivatives.positions_command(session, args))
    if command == "watch":
        return asyncio.run(cli_watch.watch_command(session, cli_watch.Watch(
            kind=args.kind, venue=args.venue, symbol=args.symbol.upper() if args.symbol
            else None, depth=args.depth, count=args.count, as_json=args.json)))
    if command == "order":
        return asyncio.run(cli_order.order_command(session, args))
    if command == "transfer":
        return asyncio.run(cli_funds.transfer_command(session, args))
    if command == "withdraw":
        return asyncio.run(cli_funds.withdraw_command(session, args))
    if command == "balances":
        return asyncio.run(cli_account.balances_command(session, args.venue, args.all,
                                                        args.json))
    if command == "orders":
        return asyncio.run(cli_account.orders_command(session, args.venue, args.symbol.upper(),
                                                      args.open, args.limit, args.json))
    if command == "export":
        # not asyncio.run: the export owns Ctrl-C until its checkpoint is gone (exit 130 or 0)
        return cli_export.run(session, _export_job(args), args.out, args.resume, args.force)
    raise UsageError(f"unknown command {command}")


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help/--version exit 0
        return exc.code if isinstance(exc.code, int) else USAGE
    try:
        return dispatch(args)
    except KeyboardInterrupt:
        return INTERRUPTED
    except Failed as exc:
        if args.debug:
            traceback.print_exception(exc.error)
        print(describe(exc), file=sys.stderr)
        return exit_code(exc)
    except UsageError as exc:
        if args.debug:
            traceback.print_exc()
        say(str(exc))
        return USAGE
    except UnifiedError as exc:  # raised before any venue was involved, e.g. an unknown venue
        if args.debug:
            traceback.print_exc()
        venue = getattr(exc, "venue", None)
        say(f"{venue + ': ' if venue else ''}{type(exc).__name__}: {exc}")
        return USAGE if isinstance(exc, unified.ConfigurationError) else FAILURE
    except BrokenPipeError:
        # The reader went away (`unified venues | head`): stop quietly, as a filter does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return FAILURE
    except OSError as exc:
        if args.debug:
            traceback.print_exc()
        say(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
        return FAILURE

