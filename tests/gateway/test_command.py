"""`unified gateway` as a user runs it: a subprocess in front of a local venue (--local)."""

from __future__ import annotations

import asyncio
import signal
from decimal import Decimal

from ..cli.helpers import one_line, read_until, spawn, unified_cmd
from .v1client import V1Client

KEYS = {"UNIFIED_GATEWAY_API_KEY": "cli-local-key",
        "UNIFIED_GATEWAY_SECRET_KEY": "cli-local-secret-key"}


async def _session(url: str) -> tuple[dict[str, object], dict[str, object], dict[str, object]]:
    async with V1Client(url, KEYS["UNIFIED_GATEWAY_API_KEY"],
                        KEYS["UNIFIED_GATEWAY_SECRET_KEY"]) as client:
        ticker = await client.get("ticker.do", symbol="btc_jpy")
        funds = await client.post("userinfo.do")
        history = await client.post("order_history.do", symbol="btc_jpy", status="1")
        return ticker, funds, history


def test_the_command_serves_v1_in_front_of_the_local_okcoinjp() -> None:
    proc = spawn("gateway", "--speak", "okex_v1", "--venue", "okcoinjp", "--local", env=KEYS)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        lines = read_until(proc.stdout, "listening on")
        url = lines[-1].split("listening on ", 1)[1].strip()
        assert url.startswith("http://127.0.0.1:")
        ticker, funds, history = asyncio.run(_session(url))
        assert Decimal(str(ticker["ticker"]["last"])) > 0  # type: ignore[index]
        assert funds["result"] is True
        assert history["total"] and history["orders"]  # the seeded history of --local
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
        rest = proc.stderr.read()
        assert "Traceback" not in rest
        assert KEYS["UNIFIED_GATEWAY_SECRET_KEY"] not in rest + "".join(lines)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()  # closes the pipes


def test_the_command_needs_a_local_key_pair_and_a_known_protocol() -> None:
    missing = unified_cmd("gateway", "--speak", "okex_v1", "--venue", "kucoin", "--local")
    assert missing.returncode == 2
    assert "UNIFIED_GATEWAY_API_KEY" in one_line(missing.stderr)
    unknown = unified_cmd("gateway", "--speak", "kucoin", "--venue", "kucoin", "--local",
                          env=KEYS)
    assert unknown.returncode == 2 and "okex_v1" in one_line(unknown.stderr)
