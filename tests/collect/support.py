"""Job files, the exports they must equal, and the records of the venue they come from."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from unified.sim import history

from ..cli.helpers import BASE_ENV, CLI, read_until, unified_cmd

#: (kind, venue, symbol or None, page size, out): the local jobs most tests run
LOCAL_JOBS: Sequence[tuple[str, str, str | None, int, str]] = (
    ("ledger", "kucoin", None, 25, "kucoin-ledger.csv"),
    ("orders", "kucoin", "BTC/USDT", 20, "kucoin-orders.jsonl"),
    ("orders", "okex_v1", "BTC/USDT", 20, "v1-orders.csv"),
)


def job_table(kind: str, venue: str, symbol: str | None, page_size: int, out: str,
              **account: Any) -> str:
    lines = ["[[job]]", f'venue = "{venue}"', f'kind = "{kind}"', f'out = "{out}"',
             f"page_size = {page_size}"]
    if symbol:
        lines.append(f'symbol = "{symbol}"')
    for key, value in (account or {"local": True}).items():
        lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n\n"


def write_jobs(folder: Path, tables: Sequence[str]) -> Path:
    path = folder / "jobs.toml"
    path.write_text("".join(tables), encoding="utf-8")
    return path


def export_reference(folder: Path, kind: str, venue: str, symbol: str | None, page_size: int,
                     out: str) -> bytes:
    """What `unified export --local` writes for the same job, in one uninterrupted run."""
    target = folder / out
    args = ["export", kind, "--venue", venue, "--page-size", str(page_size), "--local",
            "--out", str(target)]
    result = unified_cmd(*args, *(["--symbol", symbol] if symbol else []))
    assert result.returncode == 0, result.stderr
    return target.read_bytes()


def collect(*args: str, env: Mapping[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    return unified_cmd("collect", *args, env=env, timeout=120)


def ledger_ids(data: bytes) -> list[str]:
    return [row["id"] for row in csv.DictReader(data.decode().splitlines())]


def venue_ledger_ids(venue: str) -> list[str]:
    """The ids of every ledger entry of the seeded local account, as the venue lists them."""
    async def walk() -> list[str]:
        sim, clock = await history.start_seeded(venue)
        try:
            async with history.connect(sim, clock) as ex:
                return [entry.id async for entry in ex.iter_ledger()]
        finally:
            await sim.stop()

    return asyncio.run(walk())


class Served:
    """A `unified serve --history` process: the --local account, over HTTP, for others."""

    def __init__(self, venue: str) -> None:
        self.proc = subprocess.Popen([*CLI, "serve", "--venue", venue, "--history"],
                                     stdout=subprocess.PIPE, text=True, env=BASE_ENV)
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().split(": ", 1)[1].strip()
        keys = self.proc.stdout.readline().split()
        self.credentials = dict(k.split("=", 1) for k in keys)
        read_until(self.proc.stdout, "Ctrl-C to stop")

    def credentials_file(self, folder: Path, name: str) -> Path:
        path = folder / "credentials.toml"
        values = {k: v for k, v in self.credentials.items() if v != "None"}
        body = "".join(f'{k} = "{v}"\n' for k, v in values.items())
        path.write_text(f"[{name}]\n{body}", encoding="utf-8")
        os.chmod(path, 0o600)
        return path

    def stop(self) -> None:
        self.proc.kill()
        self.proc.communicate()


