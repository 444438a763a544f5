"""`unified balances` and `unified orders`: the seeded local account, and credentials from the
environment or a file against a `unified serve` process."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from unified import registry
from unified.sim.server import default_credentials

from ..conftest import SPOT_VENUES as VENUES
from .helpers import BASE_ENV, CLI, fits, one_line, read_until, sim_env, unified_cmd

SYMBOL = {"kucoin": "BTC/USDT", "okcoinjp": "BTC/JPY", "okex_v1": "ETH/BTC",
          "okcoin_v1": "ETH/BTC"}


@pytest.mark.parametrize("venue", VENUES)
def test_balances_and_orders_of_the_local_account(venue: str) -> None:
    balances = unified_cmd("balances", "--venue", venue, "--local", "--json")
    assert balances.returncode == 0, balances.stderr
    rows = json.loads(balances.stdout)["balances"]
    assert rows and all(Decimal(b["total"]) == Decimal(b["available"]) + Decimal(b["held"])
                        for b in rows)
    assert any(Decimal(b["held"]) > 0 for b in rows)  # the seeded open orders hold funds

    orders = unified_cmd("orders", "--venue", venue, "--symbol", SYMBOL[venue], "--limit", "7",
                         "--local")
    assert orders.returncode == 0, orders.stderr
    assert fits(orders.stdout)
    assert f"{venue} {SYMBOL[venue]}: 2 open" in orders.stdout
    assert "partial" in orders.stdout and "canceled" in orders.stdout
    assert "last 7 closed" in orders.stdout


def test_orders_open_only_as_json() -> None:
    result = unified_cmd("orders", "--venue", "kucoin", "--symbol", "btc/usdt", "--open",
                         "--local", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert "closed" not in report
    statuses = sorted(o["status"] for o in report["open"])
    assert statuses == ["open", "partially_filled"]
    assert all(len(o["id"]) > 12 for o in report["open"])  # in full, unlike the table


def test_balances_table_fits_80_columns() -> None:
    result = unified_cmd("balances", "--venue", "okex_v1", "--local")
    assert result.returncode == 0 and fits(result.stdout)
    assert result.stdout.splitlines()[0].split() == ["currency", "total", "available", "held"]


@pytest.mark.parametrize("command", [("balances",), ("orders", "--symbol", "BTC/USDT"),
                                     ("export", "fills", "--symbol", "BTC/USDT", "--out", "x")])
def test_private_commands_without_credentials_exit_2(command: tuple[str, ...],
                                                     tmp_path: Path) -> None:
    result = unified_cmd(command[0], "--venue", "kucoin", *command[1:], cwd=tmp_path)
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "no credentials" in line and "UNIFIED_KUCOIN_API_KEY" in line
    assert not (tmp_path / "x").exists()


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """A `unified serve` process for kucoin: its base URL."""
    proc = subprocess.Popen([*CLI, "serve", "--venue", "kucoin"], stdout=subprocess.PIPE,
                            text=True, env=BASE_ENV)
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().split(": ", 1)[1].strip()
        read_until(proc.stdout, "Ctrl-C to stop")
        yield base_url
    finally:
        proc.kill()
        proc.communicate()


def _toml(venue: str, secret: str | None = None) -> str:
    creds = default_credentials(registry.get(venue).spec)
    return (f'[{venue}]\napi_key = "{creds.api_key}"\nsecret = "{secret or creds.secret}"\n'
            f'passphrase = "{creds.passphrase}"\n')


def test_credentials_from_the_environment(served: str) -> None:
    result = unified_cmd("balances", "--venue", "kucoin", "--base-url", served,
                         env=sim_env("kucoin"))
    assert result.returncode == 0, result.stderr
    assert "USDT" in result.stdout


def test_credentials_from_a_private_file(served: str, tmp_path: Path) -> None:
    path = tmp_path / "credentials.toml"
    path.write_text(_toml("kucoin"))
    path.chmod(0o600)
    result = unified_cmd("balances", "--venue", "kucoin", "--base-url", served,
                         "--credentials", str(path))
    assert result.returncode == 0, result.stderr
    assert "USDT" in result.stdout and result.stderr == ""
    # The default place is $XDG_CONFIG_HOME/unified/credentials.toml.
    (tmp_path / "unified").mkdir()
    default = tmp_path / "unified" / "credentials.toml"
    default.write_text(_toml("kucoin"))
    default.chmod(0o640)  # group-readable: used, with a warning
    result = unified_cmd("balances", "--venue", "kucoin", "--base-url", served,
                         env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "readable by its group" in one_line(result.stderr)


def test_a_world_readable_file_is_refused_without_showing_the_secret(served: str,
                                                                     tmp_path: Path) -> None:
    path = tmp_path / "credentials.toml"
    path.write_text(_toml("kucoin", secret="s3cr3t-value"))
    path.chmod(0o644)
    result = unified_cmd("balances", "--venue", "kucoin", "--base-url", served,
                         "--credentials", str(path))
    assert result.returncode == 2
    assert "readable by other users" in one_line(result.stderr)
    assert "s3cr3t-value" not in result.stdout + result.stderr


def test_a_wrong_secret_is_a_one_line_venue_error(served: str) -> None:
    env = {**sim_env("kucoin"), "UNIFIED_KUCOIN_SECRET": "not-the-secret"}
    result = unified_cmd("balances", "--venue", "kucoin", "--base-url", served, env=env)
    assert result.returncode == 1
    line = one_line(result.stderr)
    assert line.startswith("unified: kucoin: AuthenticationError:")
    assert "not-the-secret" not in result.stdout + result.stderr
    debug = unified_cmd("balances", "--venue", "kucoin", "--base-url", served, "--debug",
                        env=env)
    assert debug.returncode == 1 and "Traceback" in debug.stderr
    assert "not-the-secret" not in debug.stderr
