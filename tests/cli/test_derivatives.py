"""`unified positions` and `unified funding` against the local contract venues (--local: the
seeded paper account and the venue's settled funding), as subprocesses."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from unified import registry

from ..conftest import CONTRACT_VENUES, SPOT_VENUES
from .helpers import unified_cmd


@pytest.mark.parametrize("venue", CONTRACT_VENUES)
def test_positions_lists_the_seeded_account_s_open_positions_exactly(venue: str) -> None:
    result = unified_cmd("positions", "--venue", venue, "--local", "--json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["venue"] == venue and shown["positions"]
    for p in shown["positions"]:
        assert p["side"] in ("long", "short") and ":" in p["symbol"]
        assert isinstance(p["contracts"], str) and Decimal(p["contracts"]) > 0
        assert Decimal(p["margin"]) > 0 and p["margin_mode"] == "isolated"
    again = unified_cmd("positions", "--venue", venue, "--local", "--json")
    assert json.loads(again.stdout) == shown  # the seeded history is reproducible
    one = shown["positions"][0]["symbol"]
    only = unified_cmd("positions", "--venue", venue, "--local", "--symbol", one, "--json")
    assert [p["symbol"] for p in json.loads(only.stdout)["positions"]] == [one]
    table = unified_cmd("positions", "--venue", venue, "--local")
    assert table.returncode == 0 and table.stdout.split()[0] == "symbol"
    assert "a count of contracts" in table.stdout


def test_positions_on_a_spot_venue_is_a_clear_refusal() -> None:
    result = unified_cmd("positions", "--venue", SPOT_VENUES[0], "--local")
    assert result.returncode == 2 and "NotSupported" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("venue", CONTRACT_VENUES)
def test_funding_shows_the_rate_the_next_settlement_and_the_settled_history(venue: str
                                                                            ) -> None:
    result = unified_cmd("funding", "BTC/USDT:USDT", "--venue", venue, "--local",
                         "--since", "2024-02-28", "--limit", "4", "--json")
    assert result.returncode == 0, result.stderr
    [shown] = json.loads(result.stdout)
    current = shown["current"]
    start = datetime.fromisoformat(current["timestamp"].replace("Z", "+00:00"))
    upcoming = datetime.fromisoformat(current["next_funding_at"].replace("Z", "+00:00"))
    assert upcoming - start == timedelta(hours=8)
    history = shown["history"]
    times = [datetime.fromisoformat(h["timestamp"].replace("Z", "+00:00")) for h in history]
    assert len(history) == 4 and times == sorted(times)
    assert times[0] >= datetime.fromisoformat("2024-02-28T00:00:00+00:00")
    assert all(b - a == timedelta(hours=8) for a, b in itertools.pairwise(times))
    assert all(isinstance(h["rate"], str) and abs(Decimal(h["rate"])) < Decimal("0.003")
               for h in history)


def test_funding_refuses_a_bad_limit_before_reaching_a_venue() -> None:
    result = unified_cmd("funding", "BTC/USDT:USDT", "--local", "--limit", "0")
    assert result.returncode == 2 and "--limit must be positive" in result.stderr


@pytest.mark.parametrize("venue", CONTRACT_VENUES)
def test_watch_positions_starts_with_the_open_positions(venue: str) -> None:
    listed = json.loads(unified_cmd("positions", "--venue", venue, "--local", "--json").stdout)
    seeded = {p["symbol"]: p for p in listed["positions"]}
    result = unified_cmd("watch", "positions", "--venue", venue, "--local", "--json",
                         "--count", str(len(seeded)))
    assert result.returncode == 0, result.stderr
    shown = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(shown) == len(seeded) and all(p["venue"] == venue for p in shown)
    # --local's paper trader trades the venue's first market meanwhile: that position may
    # have moved (or opened); every other one is as `unified positions` listed it
    traded = registry.get(venue).descriptor.load_simulator().markets[0].symbol
    assert {p["symbol"] for p in shown} <= {*seeded, traded}
    fields = ("side", "contracts", "entry_price", "margin", "leverage")
    for p in shown:
        if p["symbol"] != traded:
            assert {k: p[k] for k in fields} == {k: seeded[p["symbol"]][k] for k in fields}
