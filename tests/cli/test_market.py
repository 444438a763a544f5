"""`unified ticker`, `book` and `arb` against the local venues, as subprocesses."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from unified import registry

from ..conftest import SPOT_VENUES as VENUES
from .helpers import fits, one_line, unified_cmd

#: One market each venue lists locally, all with the same base.
BTC = {"kucoin": "BTC/USDT", "okcoinjp": "BTC/JPY", "okex_v1": "BTC/USDT",
       "okcoin_v1": "BTC/USDT"}
EVERY = [f"--venue={v}:{BTC[v]}" for v in VENUES]


def test_the_local_markets_cover_every_venue() -> None:
    assert set(BTC) == set(VENUES)


def test_ticker_side_by_side_for_every_venue() -> None:
    result = unified_cmd("ticker", *EVERY, "--local")
    assert result.returncode == 0, result.stderr
    assert fits(result.stdout)
    header = result.stdout.splitlines()[0].split()
    assert header == VENUES
    last = next(x for x in result.stdout.splitlines() if x.startswith("last "))
    assert all(Decimal(v) > 0 for v in last.split()[1:])


def test_ticker_json_is_exact() -> None:
    result = unified_cmd("ticker", "BTC/USDT", "--venue", "kucoin", "--venue", "okex_v1",
                         "--local", "--json")
    assert result.returncode == 0, result.stderr
    tickers = json.loads(result.stdout)
    assert [t["venue"] for t in tickers] == ["kucoin", "okex_v1"]
    for t in tickers:
        assert isinstance(t["bid"], str) and Decimal(t["bid"]) < Decimal(t["ask"])
        assert t["timestamp"].endswith("Z") and "raw" not in t


def test_book_side_by_side_fits_80_columns() -> None:
    result = unified_cmd("book", *EVERY, "--depth", "4", "--local")
    assert result.returncode == 0, result.stderr
    assert fits(result.stdout)
    for venue in VENUES:
        assert f"{venue} {BTC[venue]}" in result.stdout
    as_json = unified_cmd("book", "ETH/BTC", "--venue", "okcoinjp", "--depth", "3", "--local",
                          "--json")
    book = json.loads(as_json.stdout)[0]
    bids = [Decimal(level["price"]) for level in book["bids"]]
    asks = [Decimal(level["price"]) for level in book["asks"]]
    assert len(bids) == len(asks) == 3
    assert bids == sorted(bids, reverse=True) and asks == sorted(asks) and bids[0] < asks[0]


def test_arb_nets_each_venues_taker_fee_exactly() -> None:
    result = unified_cmd("arb", *EVERY, "--rate", "JPY/USDT=0.0061", "--fee",
                         "okex_v1=0.15%", "--local", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["reference"] == "USDT"
    assert report["conversions"] == ["okcoinjp BTC/JPY converted at JPY/USDT=0.0061"]
    fees = {v["venue"]: (Decimal(v["taker"]), v["fee_source"]) for v in report["venues"]}
    assert fees["okex_v1"] == (Decimal("0.0015"), "--fee")
    for venue in [v for v in VENUES if v != "okex_v1"]:  # --local: the paper account
        spec = registry.get(venue).spec
        told = "fetch_trading_fees" in spec.endpoints
        assert fees[venue][1] == ("account" if told else "spec default tier")
        assert told or fees[venue][0] == spec.fees["taker"]
    pairs = report["pairs"]
    assert len(pairs) == len(VENUES) * (len(VENUES) - 1)
    for p in pairs:
        ask, bid = Decimal(p["ask"]), Decimal(p["bid"])
        expected = bid * (1 - fees[p["sell"]][0]) - ask * (1 + fees[p["buy"]][0])
        assert Decimal(p["net"]) == expected  # exact: no rounding anywhere
    nets = [Decimal(p["net_pct"]) for p in pairs]
    assert nets == sorted(nets, reverse=True)
    # JPY at 0.0061 USDT puts the okcoinjp bid above every USDT ask.
    assert pairs[0]["sell"] == "okcoinjp" and Decimal(pairs[0]["net"]) > 0


def test_arb_text_fits_80_columns_and_names_the_fees() -> None:
    result = unified_cmd("arb", *EVERY, "--rate", "USDT/JPY=160", "--local")
    assert result.returncode == 0, result.stderr
    assert fits(result.stdout)
    assert "converted at USDT/JPY=160" in result.stdout
    assert "best pair: buy on" in result.stdout and "(spec)" in result.stdout


@pytest.mark.parametrize(("args", "says"), [
    (("arb", "--venue", "kucoin:BTC/USDT", "--venue", "okcoinjp:BTC/JPY"),
     "different currencies: give --rate JPY/USDT="),
    (("arb", "BTC/USDT", "--venue", "kucoin"), "at least two"),
    (("arb", "--venue", "kucoin:BTC/USDT", "--venue", "okex_v1:LTC/USDT"), "one base"),
    (("arb", "BTC/USDT", "--venue", "kucoin", "--venue", "okex_v1", "--fee", "kucoin=2"),
     "between 0 and 1"),
    (("ticker", "--venue", "kucoin"), "no symbol for kucoin"),
    (("ticker", "BTC/USDT", "--venue", "nasdaq"), "unknown venue"),
    (("book", "BTC/USDT", "--venue", "kucoin", "--depth", "0"), "must be positive"),
    (("ticker", "BTC/USDT", "--venue", "kucoin", "--base-url", "http://127.0.0.1:9"),
     "--local starts its own venues"),
])
def test_usage_errors_exit_2_before_any_request(args: tuple[str, ...], says: str) -> None:
    result = unified_cmd(*args, "--local")
    assert result.returncode == 2
    assert says in one_line(result.stderr)


def test_an_unknown_market_is_a_one_line_venue_error() -> None:
    result = unified_cmd("ticker", "DOGE/EUR", "--venue", "kucoin", "--local")
    assert result.returncode == 2  # BadSymbol is a usage error
    assert one_line(result.stderr).startswith("unified: kucoin: BadSymbol:")
