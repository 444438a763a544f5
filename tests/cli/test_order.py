"""`unified order ...` on the local venues: place, edit (alter or partial cancel), cancel, the
dead-man switch and OCO pairs, and a clear refusal where a venue lacks an operation. Each run
starts its own seeded local venue, so an order made by one command is not there for the next:
edits and cancels act on the seeded open orders (the same ids on every run)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from ..conftest import SPOT_VENUES as VENUES
from .helpers import fits, unified_cmd

SYMBOL = {"kucoin": "BTC/USDT", "okcoinjp": "BTC/JPY", "okex_v1": "ETH/BTC",
          "okcoin_v1": "ETH/BTC"}


def run_json(*args: str) -> Any:
    result = unified_cmd(*args, "--local", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def seeded_open(venue: str) -> list[dict[str, Any]]:
    orders: list[dict[str, Any]] = run_json("orders", "--venue", venue, "--symbol",
                                            SYMBOL[venue], "--open")["open"]
    return orders


@pytest.mark.parametrize("venue", VENUES)
def test_place_then_cancel_a_seeded_order(venue: str) -> None:
    symbol = SYMBOL[venue]
    price = Decimal(seeded_open(venue)[0]["price"])
    placed = run_json("order", "place", symbol, "--venue", venue, "--side", "buy",
                      "--amount", "0.01", "--price", str(price))["order"]
    assert placed["side"] == "buy" and Decimal(placed["amount"]) == Decimal("0.01")
    target = seeded_open(venue)[0]
    gone = run_json("order", "cancel", symbol, "--venue", venue, "--id", target["id"])["order"]
    assert gone["id"] == target["id"] and gone["status"] in ("canceled", "canceling")


def test_edit_a_smaller_amount_keeps_the_order_and_a_new_price_replaces_it() -> None:
    target = next(o for o in seeded_open("kucoin") if o["status"] == "open")
    smaller = Decimal(target["amount"]) / 2
    kept = unified_cmd("order", "edit", "BTC/USDT", "--venue", "kucoin", "--id", target["id"],
                       "--amount", str(smaller), "--local")
    assert kept.returncode == 0, kept.stderr
    assert fits(kept.stdout) and "kept its id and queue place" in kept.stdout
    assert f"id {target['id']}" in kept.stdout
    moved = run_json("order", "edit", "BTC/USDT", "--venue", "kucoin", "--id", target["id"],
                     "--price", str(Decimal(target["price"]) - 1))["order"]
    assert moved["id"] != target["id"]
    assert Decimal(moved["price"]) == Decimal(target["price"]) - 1


def test_cancel_after_arms_reports_and_clears_the_switch() -> None:
    armed = unified_cmd("order", "cancel-after", "BTC/USDT,ETH/USDT", "--venue", "kucoin",
                        "--seconds", "30", "--local")
    assert armed.returncode == 0, armed.stderr
    assert "armed for 30 s" in armed.stdout and "BTC/USDT, ETH/USDT" in armed.stdout
    report = run_json("order", "cancel-after", "--venue", "kucoin", "--seconds", "30")
    assert report["setting"]["symbols"] == [] and report["fires_at"]
    cleared = run_json("order", "cancel-after", "--venue", "kucoin", "--seconds", "0")
    assert cleared == {"venue": "kucoin", "fires_at": None, "setting": None}
    bad = unified_cmd("order", "cancel-after", "--venue", "kucoin", "--seconds", "3",
                      "--local")
    assert bad.returncode != 0 and "5 to 86400" in bad.stderr


def test_an_oco_pair_is_placed_shown_and_canceled_in_one_run() -> None:
    pair = run_json("order", "oco", "BTC/USDT", "--venue", "kucoin", "--side", "sell",
                    "--amount", "0.001", "--price", "33000", "--stop-price", "27000",
                    "--limit-price", "26900", "--client-id", "cli-oco-1")["oco"][0]
    assert pair["client_order_id"] == "cli-oco-1" and pair["status"] == "open"
    assert [Decimal(leg["price"]) for leg in pair["legs"]] == [Decimal(33000), Decimal(26900)]
    shown = unified_cmd("order", "oco", "BTC/USDT", "--venue", "kucoin", "--side", "sell",
                        "--amount", "0.001", "--price", "33000", "--stop-price", "27000",
                        "--limit-price", "26900", "--local")
    assert shown.returncode == 0, shown.stderr
    assert fits(shown.stdout) and "1 OCO pair" in shown.stdout


@pytest.mark.parametrize("venue", ["okcoinjp", "okex_v1"])
def test_venues_without_these_operations_say_so(venue: str) -> None:
    for args in (("order", "cancel-after", "--venue", venue, "--seconds", "30"),
                 ("order", "oco-list", "--venue", venue)):
        result = unified_cmd(*args, "--local")
        assert result.returncode != 0
        assert "does not support" in result.stderr and "Traceback" not in result.stderr


def test_usage_errors_are_plain() -> None:
    for args, words in ((("order", "edit", "--venue", "kucoin", "--id", "x"), "needs a SYMBOL"),
                        (("order", "cancel-after", "--venue", "kucoin"), "needs --seconds"),
                        (("order", "oco", "BTC/USDT", "--venue", "kucoin"), "needs --side")):
        result = unified_cmd(*args, "--local")
        assert result.returncode != 0 and words in result.stderr, result.stderr


def test_place_a_stop_order_and_a_margin_order_on_kucoin() -> None:
    price = Decimal(seeded_open("kucoin")[0]["price"])
    stop = run_json("order", "place", "BTC/USDT", "--venue", "kucoin", "--side", "sell",
                    "--amount", "0.001", "--price", str(price - 100), "--stop-price",
                    str(price - 50), "--trigger", "below")["order"]
    assert Decimal(stop["stop_price"]) == price - 50 and stop["side"] == "sell"
    margin = run_json("order", "place", "BTC/USDT", "--venue", "kucoin", "--side", "buy",
                      "--amount", "0.001", "--price", str(price), "--margin", "isolated",
                      "--auto-borrow")["order"]
    assert (margin["side"], Decimal(margin["price"]), margin["stop_price"]) == ("buy", price, None)
    assert margin["id"] and margin["id"] != stop["id"]


@pytest.mark.parametrize("venue", ["okcoinjp", "okex_v1"])
def test_a_stop_order_is_refused_where_the_venue_has_none(venue: str) -> None:
    result = unified_cmd("order", "place", SYMBOL[venue], "--venue", venue, "--side", "sell",
                         "--amount", "0.01", "--price", "1", "--stop-price", "2", "--trigger",
                         "above", "--local")
    assert result.returncode == 2 and "NotSupported" in result.stderr
