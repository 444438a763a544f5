"""The `unified` command, run as a subprocess against the local venues."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

import unified
from unified import registry

from ..conftest import ROOT, run
from ..conftest import SPOT_VENUES as VENUES

CLI = [sys.executable, "-m", "unified.cli"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def unified_cmd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=ENV, timeout=120,
                          check=False)


def test_demo_tours_every_venue() -> None:
    result = unified_cmd("demo")
    assert result.returncode == 0, result.stderr
    for venue in VENUES:
        assert f"== {venue} " in result.stdout
        row = re.search(rf"^{venue}\s+(\S+)\s+\d+\s+15\s+(\d+)\s+(\d+)", result.stdout, re.M)
        assert row, f"no summary row for {venue}"
        assert int(row.group(2)) >= 15 and int(row.group(3)) >= 3  # walked several pages
    assert "Traceback" not in result.stderr


def test_venues_and_codes_fit_80_columns() -> None:
    venues = unified_cmd("venues")
    assert venues.returncode == 0
    assert all(v in venues.stdout for v in VENUES)
    for venue in VENUES:
        codes = unified_cmd("codes", "--venue", venue)
        assert codes.returncode == 0 and "OrderNotFound" in codes.stdout
        assert max(len(line) for line in (venues.stdout + codes.stdout).splitlines()) <= 80


def test_usage_errors_exit_2_with_one_line() -> None:
    result = unified_cmd("codes", "--venue", "nasdaq")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "unknown venue" in result.stderr
    assert unified_cmd("frobnicate").returncode == 2


@pytest.mark.parametrize("venue", VENUES[:1])
def test_serve_prints_a_working_base_url_and_keys(venue: str) -> None:
    proc = subprocess.Popen([*CLI, "serve", "--venue", venue], stdout=subprocess.PIPE,
                            text=True, env=ENV)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(3)]
        base_url = lines[0].split(": ", 1)[1].strip()
        keys = dict(kv.split("=", 1) for kv in lines[1].split())
        assert base_url.startswith("http://127.0.0.1:")
        creds = unified.Credentials(keys["api_key"], keys["secret"],
                                    None if keys["passphrase"] == "None" else keys["passphrase"])

        async def use() -> int:
            async with unified.connect(venue, credentials=creds, base_url=base_url) as ex:
                return len(await ex.fetch_balance())

        assert run(use()) > 0
        assert registry.get(venue)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()


@pytest.mark.parametrize("command", [["venues"], ["codes", "--venue", "okcoinjp"]])
def test_local_is_accepted_everywhere(command: list[str]) -> None:
    result = unified_cmd(*command, "--local")
    assert result.returncode == 0 and result.stdout


def test_every_subcommand_parses_local() -> None:
    from unified.cli import parser

    for argv in (["demo"], ["serve"], ["venues"], ["codes", "--venue", "kucoin"],
                 ["ticker", "BTC/USDT", "--venue", "kucoin"], ["balances", "--venue", "kucoin"],
                 ["export", "ledger", "--venue", "kucoin", "--out", "x"]):
        assert parser().parse_args([*argv, "--local"]).local is True
        assert parser().parse_args(argv).local is False
