"""`unified arb`: best bid and ask per venue, and the best cross-venue buy/sell pair net of each
venue's taker fee. Exact Decimal arithmetic; prices in another quote currency are compared only
through a rate the user gives.

Which fee: `--fee VENUE=RATE` when given; else the account's own taker rate where there are
credentials for the venue and it tells one (fetch_trading_fees); else the spec's default tier.
"""

from __future__ import annotations

import decimal
import itertools
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from unified import registry
from unified.cli.errors import UsageError, on
from unified.cli.format import fmt, plain, sig, table, to_json
from unified.cli.session import Session, Target, open_venues
from unified.client import Exchange
from unified.contracts import to_base
from unified.errors import ConfigurationError, UnifiedError
from unified.models import BookLevel, Market, MarketKind, OrderBook

HUNDRED = Decimal(100)
# Sums and products of venue prices are exact at this precision; dividing (by an inverse
# rate, or for a percentage) is the one inexact step, carried to as many digits.
PRECISION = 40


@attrs.frozen
class Rate:
    """1 `base` is worth `value` `quote` (from `--rate JPY/USDT=0.0067`)."""

    base: str
    quote: str
    value: Decimal


@attrs.frozen
class Top:
    """One venue's best bid and ask in its own quote currency, with its taker fee."""

    venue: str
    symbol: str
    bid: Decimal | None
    bid_size: Decimal | None
    ask: Decimal | None
    ask_size: Decimal | None
    taker: Decimal
    fee_source: str

    @property
    def base(self) -> str:
        return self.symbol.partition("/")[0]

    @property
    def quote(self) -> str:
        # a contract's symbol names its settle currency after ':' (BTC/USDT:USDT)
        return self.symbol.partition("/")[2].partition(":")[0]


@attrs.frozen
class Pair:
    """Buy at `buy`'s ask, sell at `sell`'s bid; amounts per unit of base, in the reference."""

    buy: Top
    sell: Top
    ask: Decimal
    bid: Decimal
    gross: Decimal  # bid - ask
    net: Decimal  # bid * (1 - sell taker) - ask * (1 + buy taker)
    net_pct: Decimal  # net / what the buy costs with its fee, in percent
    size: Decimal | None  # what both tops of book hold
    profit: Decimal | None  # net * size


def _decimal(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise UsageError(f"{what}: not a number: {text!r}") from None
    if not value.is_finite():
        raise UsageError(f"{what}: not a finite number: {text!r}")
    return value


def parse_rate(text: str) -> Rate:
    pair, sep, number = text.partition("=")
    base, slash, quote = pair.partition("/")
    if not (sep and slash and base.strip() and quote.strip()):
        raise UsageError(f"--rate takes BASE/QUOTE=VALUE (1 BASE in QUOTE), got {text!r}")
    value = _decimal(number, f"--rate {pair}")
    if value <= 0:
        raise UsageError(f"--rate {pair} must be positive")
    return Rate(base.strip().upper(), quote.strip().upper(), value)


def parse_fee(text: str) -> tuple[str, Decimal]:
    """`okex_v1=0.0015` or `okex_v1=0.15%`."""
    venue, sep, number = text.partition("=")
    if not sep or not venue:
        raise UsageError(f"--fee takes VENUE=RATE (0.001 or 0.1%), got {text!r}")
    registry.get(venue)
    percent = number.strip().endswith("%")
    rate = _decimal(number.strip().rstrip("%"), f"--fee {venue}")
    if percent:
        rate /= HUNDRED
    if not 0 <= rate < 1:
        raise UsageError(f"--fee {venue}: a rate between 0 and 1 (or 0% and 100%), got {number}")
    return venue, rate


def taker_fee(venue: str, overrides: Mapping[str, Decimal]) -> tuple[Decimal, str]:
    if venue in overrides:
        return overrides[venue], "--fee"
    rate = registry.get(venue).spec.fees.get("taker")
    if rate is None:
        raise UsageError(f"{venue} has no default taker fee: give --fee {venue}=RATE")
    return rate, "spec default tier"


def converter(quote: str, reference: str, rates: Sequence[Rate]
              ) -> tuple[Callable[[Decimal], Decimal], str] | None:
    """How to express a `quote` price in `reference`, and how that was done; None if no rate."""
    if quote == reference:
        return (lambda x: x), ""
    for r in rates:
        if (r.base, r.quote) == (quote, reference):
            return _scaled(r.value, multiply=True), f"{quote}/{reference}={r.value}"
        if (r.base, r.quote) == (reference, quote):
            return _scaled(r.value, multiply=False), f"{reference}/{quote}={r.value}"
    return None


def _scaled(rate: Decimal, multiply: bool) -> Callable[[Decimal], Decimal]:
    def apply(x: Decimal) -> Decimal:
        with decimal.localcontext() as ctx:
            ctx.prec = PRECISION
            return x * rate if multiply else x / rate

    return apply


def pairs(tops: Sequence[Top], convert: Mapping[str, Callable[[Decimal], Decimal]]
          ) -> list[Pair]:
    """Every (buy venue, sell venue) pair with prices on both sides, best net first."""
    with decimal.localcontext() as ctx:
        ctx.prec = PRECISION
        return _pairs(tops, convert)


def _pairs(tops: Sequence[Top], convert: Mapping[str, Callable[[Decimal], Decimal]]
           ) -> list[Pair]:
    out = []
    for buy, sell in itertools.permutations(tops, 2):
        if buy.ask is None or sell.bid is None:
            continue
        ask = convert[buy.venue](buy.ask)
        bid = convert[sell.venue](sell.bid)
        paid = ask * (1 + buy.taker)
        net = bid * (1 - sell.taker) - paid
        size = (min(buy.ask_size, sell.bid_size)
                if buy.ask_size is not None and sell.bid_size is not None else None)
        out.append(Pair(buy=buy, sell=sell, ask=ask, bid=bid, gross=bid - ask, net=net,
                        net_pct=net * HUNDRED / paid,
                        size=size, profit=net * size if size is not None else None))
    out.sort(key=lambda p: (-p.net_pct, p.buy.venue, p.sell.venue))
    return out


def plan(tops: Sequence[Top], rates: Sequence[Rate]
         ) -> tuple[str, dict[str, Callable[[Decimal], Decimal]], list[str]]:
    """The reference currency (the first venue's quote) and each venue's conversion into it."""
    if len({t.base for t in tops}) > 1:
        raise UsageError("arb compares one base currency: "
                         + ", ".join(f"{t.venue} {t.symbol}" for t in tops))
    reference = tops[0].quote
    convert, notes = {}, []
    for t in tops:
        found = converter(t.quote, reference, rates)
        if found is None:
            raise UsageError(
                f"{tops[0].venue} {tops[0].symbol} and {t.venue} {t.symbol} are quoted in "
                f"different currencies: give --rate {t.quote}/{reference}=<{reference} per "
                f"{t.quote}> to compare them")
        convert[t.venue], how = found
        if how:
            notes.append(f"{t.venue} {t.symbol} converted at {how}")
    return reference, convert, notes


@attrs.frozen
class Setup:
    """What an arb run compares, every refusal made before any request."""

    fee_of: Mapping[str, tuple[Decimal, str]]
    reference: str
    convert: Mapping[str, Callable[[Decimal], Decimal]]
    notes: Sequence[str]


def setup(wanted: Sequence[Target], fees: Sequence[str], rate_args: Sequence[str]) -> Setup:
    if len(wanted) < 2:
        raise UsageError("arb needs at least two --venue")
    if len({t.venue for t in wanted}) < len(wanted):
        raise UsageError("arb compares distinct venues: give each --venue once")
    overrides = dict(parse_fee(f) for f in fees)
    rates = [parse_rate(r) for r in rate_args]
    unused = set(overrides) - {t.venue for t in wanted}
    if unused:
        raise UsageError(f"--fee for a venue not compared: {', '.join(sorted(unused))}")
    fee_of = {t.venue: taker_fee(t.venue, overrides) for t in wanted}
    draft = [Top(t.venue, t.symbol, None, None, None, None, *fee_of[t.venue]) for t in wanted]
    reference, convert, notes = plan(draft, rates)
    return Setup(fee_of, reference, convert, notes)


async def with_own_fees(s: Setup, exchanges: Mapping[str, Exchange], wanted: Sequence[Target]
                        ) -> Setup:
    """The account's own taker rate for every venue not given a --fee, where it can be read;
    a venue that cannot tell it (no credentials, no such endpoint) keeps the spec's."""
    fee_of, notes = dict(s.fee_of), list(s.notes)
    for t in wanted:
        ex = exchanges[t.venue]
        if fee_of[t.venue][1] == "--fee" or not ex.supports("fetch_trading_fees"):
            continue
        try:
            fees = await ex.fetch_trading_fees([t.symbol])
        except ConfigurationError:
            continue  # no credentials for it: nothing was sent
        except UnifiedError as exc:
            notes.append(f"{t.venue}: the account's fee could not be read ({type(exc).__name__}); "
                         "the spec's is used")
            continue
        if t.symbol in fees:
            fee_of[t.venue] = (fees[t.symbol].taker, ACCOUNT)
    return attrs.evolve(s, fee_of=fee_of, notes=notes)


def top_of(venue: str, book: OrderBook, fee: tuple[Decimal, str],
           market: Market | None = None) -> Top:
    """A venue's top of book; a contract's sizes (in contracts) as base amounts."""
    bid = book.bids[0] if book.bids else None
    ask = book.asks[0] if book.asks else None

    def base(level: BookLevel | None) -> Decimal | None:
        if level is None:
            return None
        if market is None or market.kind is MarketKind.SPOT:
            return level.amount
        return to_base(market, level.amount, level.price)

    return Top(venue, book.symbol, bid.price if bid else None, base(bid),
               ask.price if ask else None, base(ask), *fee)


def basis_notes(wanted: Sequence[Target], markets: Mapping[str, Market]) -> list[str]:
    """A contract compared with spot: the spread between them is the contract's basis."""
    return [f"{t.venue} {t.symbol} is a {markets[t.venue].kind.value} contract: its sizes are "
            "shown in the base, and its spread to spot is its basis"
            for t in wanted if markets[t.venue].kind is not MarketKind.SPOT]


def report(s: Setup, tops: Sequence[Top]) -> dict[str, Any]:
    """The --json report: every venue's top and every pair, best first."""
    return {"reference": s.reference, "conversions": list(s.notes),
            "venues": [_top_json(t, s.convert) for t in tops],
            "pairs": [_pair_json(p) for p in pairs(tops, s.convert)]}


async def arb_command(session: Session, wanted: Sequence[Target], fees: Sequence[str],
                      rate_args: Sequence[str], as_json: bool) -> int:
    s = setup(wanted, fees, rate_args)
    tops = []
    async with open_venues(session, [t.venue for t in wanted], if_given=True) as exchanges:
        s = await with_own_fees(s, exchanges, wanted)
        markets: dict[str, Market] = {}
        for t in wanted:
            with on(t.venue):
                book = await exchanges[t.venue].fetch_order_book(t.symbol, limit=5)
                markets[t.venue] = (await exchanges[t.venue].load_markets())[book.symbol]
            tops.append(top_of(t.venue, book, s.fee_of[t.venue], markets[t.venue]))
        s = attrs.evolve(s, notes=[*s.notes, *basis_notes(wanted, markets)])
    if as_json:
        print(to_json(report(s, tops)))
        return 0
    print(render(tops, pairs(tops, s.convert), s.reference, s.convert, s.notes))
    return 0


def venue_rows(tops: Sequence[Top], reference: str,
               convert: Mapping[str, Callable[[Decimal], Decimal]]
               ) -> tuple[list[str], list[tuple[str, ...]]]:
    def ref(t: Top, value: Decimal | None) -> str:
        return sig(convert[t.venue](value)) if value is not None else "-"

    return (["venue", "symbol", "bid", "ask", f"bid {reference}", f"ask {reference}",
             "taker fee"],
            [(t.venue, t.symbol, fmt(t.bid), fmt(t.ask), ref(t, t.bid), ref(t, t.ask),
              f"{fmt(t.taker * HUNDRED)}% {SHOWN_SOURCE.get(t.fee_source, '(spec)')}")
             for t in tops])


def pair_rows(ranked: Sequence[Pair]) -> tuple[list[str], list[tuple[str, ...]]]:
    return (["buy on", "sell on", "ask", "bid", "net of fees", "net %"],
            [(p.buy.venue, p.sell.venue, sig(p.ask), sig(p.bid), sig(p.net),
              f"{p.net_pct:+.3f}%") for p in ranked])


ACCOUNT = "account"
SHOWN_SOURCE = {"--fee": "(--fee)", ACCOUNT: "(account)"}
FEE_NOTE = ("(spec) = the venue's default-tier taker fee; (account) = the account's own\n"
            "rate, read with its credentials; --fee VENUE=RATE sets another")
NO_PAIR = "no pair of venues with a bid and an ask to compare"


def best_lines(best: Pair, reference: str) -> list[str]:
    base = best.buy.base
    lines = [
        ("best pair" if best.net > 0 else "no pair gains after taker fees; the closest")
        + f": buy on {best.buy.venue} at {sig(best.ask)}, sell on {best.sell.venue} at "
        f"{sig(best.bid)}",
        f"  spread {sig(best.gross)} {reference} per {base}, net of taker fees "
        f"{sig(best.net)} {reference} ({best.net_pct:+.3f}%)",
    ]
    if best.size is not None and best.profit is not None:
        lines.append(f"  the top of both books holds {fmt(best.size)} {base}: net "
                     f"{sig(best.profit)} {reference}")
    return lines


def render(tops: Sequence[Top], ranked: Sequence[Pair], reference: str,
           convert: Mapping[str, Callable[[Decimal], Decimal]], notes: Sequence[str]) -> str:
    base = tops[0].base
    lines = [f"{base}: best bid and ask per venue, compared in {reference}"]
    lines += [f"  ({note})" for note in notes]
    lines += [table(*venue_rows(tops, reference, convert)), FEE_NOTE]
    if not ranked:
        lines.append(NO_PAIR)
        return "\n".join(lines)
    lines += ["", *best_lines(ranked[0], reference), "",
              f"every pair, per {base} in {reference}, best first:",
              table(*pair_rows(ranked))]
    return "\n".join(lines)


def _top_json(t: Top, convert: Mapping[str, Callable[[Decimal], Decimal]]) -> dict[str, Any]:
    out: dict[str, Any] = plain(t)
    out["bid_reference"] = plain(convert[t.venue](t.bid)) if t.bid is not None else None
    out["ask_reference"] = plain(convert[t.venue](t.ask)) if t.ask is not None else None
    return out


def _pair_json(p: Pair) -> dict[str, Any]:
    out: dict[str, Any] = plain(p)
    out["buy"], out["sell"] = p.buy.venue, p.sell.venue
    return out

