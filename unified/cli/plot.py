"""`unified plot fills|ledger|candles`: a PNG chart of an account's history (matplotlib with the
Agg canvas: no display needed; the `data` extra).

- fills: cumulative mark-to-market PnL in the quote currency, one point per fill
  (unified.frames.pnl_series);
- ledger: the balance after each ledger entry, one panel per currency
  (unified.frames.balance_series);
- candles: OHLC candles of one market with your fills in their span marked (buys ^, sells v).

The series are computed exactly (Decimal) before anything is drawn; `--data FILE` writes them
as CSV, exact, so a chart can be checked against the history it came from.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from unified import registry
from unified.cli.errors import UsageError, on
from unified.cli.export import parse_time
from unified.cli.session import Session, open_venues
from unified.client import Exchange
from unified.convert import decimal_text
from unified.frames import balance_series, fill_marks, need, pnl_series
from unified.frames.series import BalancePoint, PnlSeries
from unified.models import Candle, Fill, Side

KINDS = ("fills", "ledger", "candles")
TIMEFRAME_SECONDS = {"1m": 60, "3m": 180, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600,
                     "2h": 7200, "4h": 14400, "6h": 21600, "12h": 43200, "1d": 86400,
                     "1w": 604800}
Table = list[tuple[str, ...]]


def add_parser(sub: Any, common: Sequence[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("plot", parents=list(common),
                       help="a PNG chart: cumulative PnL from fills, balance over time from "
                       "the ledger, candles with your fills marked (the data extra)")
    p.add_argument("kind", choices=KINDS)
    p.add_argument("--venue", required=True)
    p.add_argument("--symbol", help="market (fills, candles)")
    p.add_argument("--currency", help="ledger: one currency (default: every currency, a "
                   "panel each; some venues require one)")
    p.add_argument("--since", metavar="TIME", help="ISO-8601, UTC unless an offset is given")
    p.add_argument("--until", metavar="TIME", help="ISO-8601, UTC unless an offset is given")
    p.add_argument("--timeframe", default="1h", choices=list(TIMEFRAME_SECONDS),
                   help="candles: the candle length (default 1h)")
    p.add_argument("--limit", type=int, metavar="N", help="candles: at most N candles")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.png")
    p.add_argument("--data", type=Path, metavar="FILE.csv",
                   help="also write the plotted series as CSV (exact numbers, UTC times)")


def run(session: Session, args: argparse.Namespace) -> int:
    need("matplotlib")  # the data extra, before anything is fetched
    if args.kind in ("fills", "candles") and not args.symbol:
        raise UsageError(f"plot {args.kind} needs --symbol")
    if args.kind == "ledger" and args.symbol:
        raise UsageError("plot ledger takes --currency, not --symbol")
    if not args.out.parent.is_dir():
        raise UsageError(f"no such folder for --out: {args.out.parent}")
    since = parse_time(args.since, "--since") if args.since else None
    until = parse_time(args.until, "--until") if args.until else None
    return asyncio.run(plot_command(session, args, since, until))


async def plot_command(session: Session, args: argparse.Namespace, since: datetime | None,
                       until: datetime | None) -> int:
    venue: str = args.venue
    symbol = args.symbol.upper() if args.symbol else None
    async with open_venues(session, [venue], private=True) as exchanges:
        ex = exchanges[venue]
        with on(venue):
            if args.kind == "fills":
                assert symbol is not None
                fills = [f async for f in ex.iter_my_trades(symbol, since=since, until=until)]
                table, summary = plot_fills(fills, symbol, args.out)
            elif args.kind == "ledger":
                currency = args.currency.upper() if args.currency else None
                entries = [e async for e in ex.iter_ledger(currency, since=since, until=until)]
                table, summary = plot_ledger(entries, args.out)
            else:
                assert symbol is not None
                candles, fills = await _candles_and_fills(ex, venue, symbol, args, since)
                table, summary = plot_candles(candles, fills, symbol, args.timeframe, args.out)
    if args.data:
        write_table(args.data, table)
    print(f"wrote {args.out}: {summary}")
    return 0


async def _candles_and_fills(ex: Exchange, venue: str, symbol: str, args: argparse.Namespace,
                             since: datetime | None) -> tuple[list[Candle], list[Fill]]:
    candles = await ex.fetch_ohlcv(symbol, args.timeframe, since=since, limit=args.limit)
    if not candles or "iter_my_trades" not in registry.get(venue).spec.endpoints:
        return candles, []
    start = min(c.timestamp for c in candles)
    fills = [f async for f in ex.iter_my_trades(symbol, since=start)]
    return candles, fill_marks(candles, fills, TIMEFRAME_SECONDS[args.timeframe])


def write_table(path: Path, table: Table) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(table)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def pnl_table(series: PnlSeries) -> Table:
    rows: Table = [("timestamp", "fill_id", "price", "position", "pnl")]
    rows += [(_iso(p.timestamp), p.fill_id, decimal_text(p.price), decimal_text(p.position),
              decimal_text(p.pnl)) for p in series.points]
    return rows


def balance_table(series: dict[str, tuple[BalancePoint, ...]]) -> Table:
    rows: Table = [("timestamp", "currency", "entry_id", "balance")]
    rows += [(_iso(p.timestamp), currency, p.entry_id, decimal_text(p.balance))
             for currency, points in series.items() for p in points]
    return rows


def candle_table(candles: Sequence[Candle], marks: Sequence[Fill]) -> Table:
    rows: Table = [("timestamp", "kind", "open", "high", "low", "close", "side", "price",
                    "amount")]
    rows += [(_iso(c.timestamp), "candle", decimal_text(c.open), decimal_text(c.high),
              decimal_text(c.low), decimal_text(c.close), "", "", "") for c in candles]
    rows += [(_iso(f.timestamp), "fill", "", "", "", "", f.side.value, decimal_text(f.price),
              decimal_text(f.amount)) for f in marks]
    return rows


# ---------------------------------------------------------------- drawing


def _figure(panels: int) -> tuple[Any, list[Any]]:
    """A figure on the Agg canvas (no display, no pyplot state) and its stacked axes."""
    figure_mod = need("matplotlib.figure")
    agg = need("matplotlib.backends.backend_agg")
    fig = figure_mod.Figure(figsize=(10, 2.2 + 2.8 * panels), dpi=100, layout="constrained")
    agg.FigureCanvasAgg(fig)
    axes = fig.subplots(panels, 1, sharex=True, squeeze=False)
    return fig, [row[0] for row in axes]


def _time_axis(ax: Any) -> None:
    dates = need("matplotlib.dates")
    locator = dates.AutoDateLocator(tz=UTC)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator, tz=UTC))
    ax.set_xlabel("time (UTC)")
    ax.grid(True, alpha=0.3)


def _floats(values: Sequence[Decimal]) -> list[float]:
    """Pixel positions only: the series stay exact Decimals (what --data writes)."""
    return [float(v) for v in values]


def _save(fig: Any, out: Path) -> None:
    tmp = out.with_name(out.name + ".tmp")
    fig.savefig(tmp, format="png")
    tmp.replace(out)


def plot_fills(fills: Sequence[Fill], symbol: str, out: Path) -> tuple[Table, str]:
    series = pnl_series(fills).get(symbol)
    if series is None:
        raise UsageError(f"no fills in {symbol} to plot (within --since/--until)")
    fig, (ax,) = _figure(1)
    ax.step([p.timestamp for p in series.points], _floats([p.pnl for p in series.points]),
            where="post", color="tab:blue")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_title(f"{symbol}: cumulative PnL ({series.quote}, positions marked at each fill's "
                 f"price), {len(series.points)} fills")
    ax.set_ylabel(series.quote)
    _time_axis(ax)
    _save(fig, out)
    final = series.points[-1].pnl
    extra = "; fees not included: " + ", ".join(
        f"{decimal_text(v)} {k}" for k, v in sorted(series.other_fees.items())) \
        if series.other_fees else ""
    return pnl_table(series), (f"{symbol} PnL over {len(series.points)} fills, final "
                               f"{decimal_text(final)} {series.quote}{extra}")


def plot_ledger(entries: Sequence[Any], out: Path) -> tuple[Table, str]:
    series = balance_series(entries)
    if not series:
        raise UsageError("no ledger entries to plot (within --since/--until)")
    fig, axes = _figure(len(series))
    for ax, (currency, points) in zip(axes, series.items(), strict=True):
        ax.step([p.timestamp for p in points], _floats([p.balance for p in points]),
                where="post", color="tab:green")
        ax.set_ylabel(currency)
        ax.set_title(f"{currency}: balance after each of {len(points)} ledger entries")
        _time_axis(ax)
    _save(fig, out)
    finals = ", ".join(f"{decimal_text(p[-1].balance)} {c}" for c, p in series.items())
    return balance_table(series), (f"balance over {len(entries)} ledger entries "
                                   f"({len(series)} currencies), final {finals}")


def plot_candles(candles: Sequence[Candle], marks: Sequence[Fill], symbol: str,
                 timeframe: str, out: Path) -> tuple[Table, str]:
    if not candles:
        raise UsageError(f"no {timeframe} candles of {symbol} to plot")
    dates = need("matplotlib.dates")
    fig, (ax,) = _figure(1)
    days = TIMEFRAME_SECONDS[timeframe] / 86400
    for c in candles:
        x = dates.date2num(c.timestamp) + days / 2  # the middle of the candle's span
        color = "tab:green" if c.close >= c.open else "tab:red"
        ax.vlines(x, float(c.low), float(c.high), color=color, linewidth=0.8)
        # a candle that opened and closed at one price is a thin line, not nothing
        ax.bar(x, float(abs(c.close - c.open)) or float(c.close) * 1e-5, width=days * 0.7,
               bottom=float(min(c.open, c.close)), color=color)
    for side, marker, color in ((Side.BUY, "^", "navy"), (Side.SELL, "v", "darkorange")):
        mine = [f for f in marks if f.side is side]
        if mine:
            ax.scatter([f.timestamp for f in mine], _floats([f.price for f in mine]),
                       marker=marker, color=color, zorder=3, label=f"your {side.value}s")
    if marks:
        ax.legend(loc="best")
    ax.set_title(f"{symbol} {timeframe} candles, {len(marks)} of your fills marked")
    _time_axis(ax)
    _save(fig, out)
    return candle_table(candles, marks), (f"{len(candles)} {timeframe} candles of {symbol}, "
                                          f"{len(marks)} fills marked")
