"""`unified order place|cancel --ws`: the same orders over KuCoin's WebSocket order API, as
subprocesses, on --local (each run its own seeded venue) and against a local venue served from
this process (--base-url), where the order API's own counts show what reached it."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

from unified.sim.server import USER, SimVenue

from ..conftest import run
from .helpers import BASE_ENV, CLI, sim_env, unified_cmd

SYMBOL = "BTC/USDT"
TIMEOUT_S = 120.0


def run_json(*args: str) -> Any:
    result = unified_cmd(*args, "--local", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def seeded_open() -> list[dict[str, Any]]:
    orders: list[dict[str, Any]] = run_json("orders", "--venue", "kucoin", "--symbol", SYMBOL,
                                            "--open")["open"]
    return orders


def test_place_over_ws_on_local_with_the_order_api_fields() -> None:
    price = str(int(Decimal(seeded_open()[0]["price"]) / 2))
    shown = run_json("order", "place", SYMBOL, "--venue", "kucoin", "--side", "buy",
                     "--amount", "0.01", "--price", price, "--client-id", "cliWs1",
                     "--tif", "GTT", "--cancel-after", "3600", "--hidden", "--ws")
    order = shown["order"]
    assert shown["via"] == "ws"
    assert (order["client_order_id"], order["status"], order["time_in_force"]) == (
        "cliWs1", "open", "GTT")
    assert Decimal(order["price"]) == Decimal(price)
    table = unified_cmd("order", "place", SYMBOL, "--venue", "kucoin", "--side", "buy",
                        "--amount", "0.01", "--price", price, "--ws", "--local")
    assert table.returncode == 0, table.stderr
    assert "place over WebSocket" in table.stdout
    refused = unified_cmd("order", "place", SYMBOL, "--venue", "kucoin", "--side", "buy",
                          "--amount", "0.01", "--price", price, "--hidden", "--local")
    assert refused.returncode == 2 and "go with --ws" in refused.stderr


def test_cancel_over_ws_on_local_by_id_and_by_client_id() -> None:
    first, second = seeded_open()[:2]
    gone = run_json("order", "cancel", SYMBOL, "--venue", "kucoin", "--id", first["id"],
                    "--ws")
    assert gone["via"] == "ws"
    assert (gone["order"]["id"], gone["order"]["status"]) == (first["id"], "canceled")
    by_client = run_json("order", "cancel", SYMBOL, "--venue", "kucoin", "--id",
                         second["client_order_id"], "--client-id", "-", "--ws")
    assert (by_client["order"]["id"], by_client["order"]["status"]) == (second["id"],
                                                                         "canceled")


async def cli(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """The command as a subprocess, without blocking this process's local venue."""
    proc = await asyncio.create_subprocess_exec(
        *CLI, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**BASE_ENV, **env})
    out, err = await asyncio.wait_for(proc.communicate(), TIMEOUT_S)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def test_cancel_over_ws_reaches_a_margin_order_as_the_rest_cancel_does() -> None:
    """A margin order placed by one command is canceled by `order cancel --ws` (the spot
    cancel, then margin.cancel over the order API), and by the REST `order cancel` alike."""
    async def go() -> None:
        async with SimVenue("kucoin") as sim:
            assert sim.order_api is not None
            env, where = sim_env("kucoin"), ("--venue", "kucoin", "--base-url", sim.base_url)
            price = int(sim.personality.markets[0].mid / 2)
            ids = []
            for n in range(2):
                code, out, err = await cli(
                    "order", "place", SYMBOL, *where, "--side", "buy", "--amount", "0.01",
                    "--price", str(price - n), "--margin", "cross", "--json", env=env)
                assert code == 0, err
                ids.append(json.loads(out)["order"]["id"])
            code, out, err = await cli("order", "cancel", SYMBOL, *where, "--id", ids[0],
                                       "--ws", "--json", env=env)
            assert code == 0, err
            assert json.loads(out)["order"]["id"] == ids[0]
            assert sim.order_api.requests.get("margin.cancel") == 1
            code, out, err = await cli("order", "cancel", SYMBOL, *where, "--id", ids[1],
                                       "--json", env=env)
            assert code == 0, err
            assert not [o for o in sim.engine.orders.values() if o.account == USER
                        and o.is_open]

    run(go())
