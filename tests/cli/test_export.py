"""`unified export`: full histories from the local venues, and exports interrupted (Ctrl-C, a
crash, a lost network) then resumed, compared byte for byte with an uninterrupted run."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import os
import signal
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from unified.cli import export
from unified.cli.export import PAUSE_ENV
from unified.cli.progress import Progress
from unified.cli.rows import FILL_COLUMNS, LEDGER_COLUMNS, ORDER_COLUMNS
from unified.cli.session import Session

from .helpers import BASE_ENV, CLI, exited, one_line, read_until, sim_env, spawn, unified_cmd

SINCE = datetime(2024, 3, 1, tzinfo=UTC)
KUCOIN_LEDGER = ("ledger", "--venue", "kucoin", "--page-size", "25", "--local")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The kucoin ledger (about 740 entries, 30 pages), exported in one go."""
    out = tmp_path_factory.mktemp("ref") / "ledger.csv"
    result = unified_cmd("export", *KUCOIN_LEDGER, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "done:" in result.stderr and _finished(out)
    return out.read_bytes()


def _finished(out: Path) -> bool:
    """A finished export keeps its checkpoint, complete, as the sync point of a later resume."""
    return bool(json.loads(Path(f"{out}.checkpoint").read_text())["complete"])


def test_a_full_export_is_every_record_once_with_stable_columns(reference: bytes) -> None:
    rows = list(csv.DictReader(reference.decode().splitlines()))
    assert tuple(rows[0]) == LEDGER_COLUMNS
    assert len(rows) > 25 * 20  # many pages
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(r["timestamp"].endswith("Z") and "e" not in r["amount"].lower() for r in rows)


def test_a_local_export_is_the_same_on_every_run(reference: bytes, tmp_path: Path) -> None:
    out = tmp_path / "again.csv"
    assert unified_cmd("export", *KUCOIN_LEDGER, "--out", str(out)).returncode == 0
    assert out.read_bytes() == reference


@pytest.mark.parametrize(("venue", "kind", "symbol", "columns"), [
    ("kucoin", "orders", "ETH/USDT", ORDER_COLUMNS),
    ("kucoin", "fills", "BTC/USDT", FILL_COLUMNS),
    ("okcoinjp", "orders", "BTC/JPY", ORDER_COLUMNS),
    ("okcoinjp", "fills", "BTC/JPY", FILL_COLUMNS),
    ("okex_v1", "orders", "ETH/BTC", ORDER_COLUMNS),
])
def test_export_orders_and_fills_as_json_lines(venue: str, kind: str, symbol: str,
                                               columns: tuple[str, ...], tmp_path: Path) -> None:
    out = tmp_path / f"{kind}.jsonl"
    result = unified_cmd("export", kind, "--venue", venue, "--symbol", symbol, "--out",
                         str(out), "--page-size", "10", "--local")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) >= 60
    assert all(tuple(r) == columns and r["symbol"] == symbol for r in records)
    assert len({r["id"] for r in records}) == len(records)
    stamp = "created_at" if kind == "orders" else "timestamp"
    assert all(r[stamp].startswith("2024-03-01T") for r in records)
    assert f"wrote {len(records)} " in result.stdout


@pytest.mark.parametrize(("venue", "kind", "scope", "stamp"), [
    ("kucoin", "ledger", ("--currency", "usdt"), "timestamp"),  # the venue filters by time
    ("okex_v1", "orders", ("--symbol", "ETH/BTC"), "created_at"),  # the client filters
])
def test_export_a_time_window(venue: str, kind: str, scope: tuple[str, str], stamp: str,
                              tmp_path: Path) -> None:
    since, until = SINCE + timedelta(hours=2), SINCE + timedelta(hours=4)
    whole, window = tmp_path / "whole.csv", tmp_path / "window.csv"
    base = ("export", kind, "--venue", venue, *scope, "--local")
    assert unified_cmd(*base, "--out", str(whole)).returncode == 0
    result = unified_cmd(*base, "--since", "2024-03-01T02:00:00Z", "--until",
                         "2024-03-01T04:00", "--out", str(window))  # no offset: UTC
    assert result.returncode == 0, result.stderr
    expected = [r for r in csv.DictReader(whole.read_text().splitlines())
                if since <= datetime.fromisoformat(r[stamp]) <= until]
    got = list(csv.DictReader(window.read_text().splitlines()))
    assert got == expected and len(got) > 0


@pytest.mark.parametrize(("how", "pause", "code"), [
    ("ctrl-c", "checkpoint:3", 130),  # between pages, as Ctrl-C lands
    ("crash", "rows:4", -signal.SIGKILL),  # page 4 written, its checkpoint not yet
])
def test_an_interrupted_export_resumes_to_the_same_file(
        how: str, pause: str, code: int, reference: bytes, tmp_path: Path) -> None:
    out = tmp_path / "ledger.csv"
    proc = spawn("export", *KUCOIN_LEDGER, "--out", str(out), env={PAUSE_ENV: pause})
    try:
        assert proc.stderr is not None
        read_until(proc.stderr, "paused after page")
        written = out.stat().st_size
        proc.send_signal(signal.SIGINT if how == "ctrl-c" else signal.SIGKILL)
        err = exited(proc)  # still paused: only the signal ends it
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == code
    if how == "ctrl-c":
        assert "--resume" in err and "Traceback" not in err
    state = json.loads(Path(f"{out}.checkpoint").read_text())
    assert state["pages"] == 3 and 0 < state["bytes"] <= written < len(reference)
    if how == "crash":
        assert written > state["bytes"]  # a page past the checkpoint, to be cut back

    again = unified_cmd("export", *KUCOIN_LEDGER, "--out", str(out))
    assert again.returncode == 2 and "--resume" in one_line(again.stderr)
    resumed = unified_cmd("export", *KUCOIN_LEDGER, "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert out.read_bytes() == reference
    assert _finished(out)


@pytest.mark.parametrize("pause", ["checkpoint:30", "end"])
def test_ctrl_c_at_the_very_end_exits_130_and_keeps_the_checkpoint(
        pause: str, reference: bytes, tmp_path: Path) -> None:
    """The moments that raced: after the last page, and after the walk and the event loop are
    over but before the checkpoint is removed. Either is an interruption, never exit 0."""
    out = tmp_path / "ledger.csv"
    proc = spawn("export", *KUCOIN_LEDGER, "--out", str(out), env={PAUSE_ENV: pause})
    try:
        assert proc.stderr is not None
        read_until(proc.stderr, "paused")
        proc.send_signal(signal.SIGINT)
        err = exited(proc)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err and "done" not in err
    assert out.read_bytes() == reference  # every row was written ...
    state = json.loads(Path(f"{out}.checkpoint").read_text())
    assert state["bytes"] == len(reference)  # ... and checkpointed, so a resume only commits
    assert not state["complete"]
    resumed = unified_cmd("export", *KUCOIN_LEDGER, "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert out.read_bytes() == reference and _finished(out)


def test_a_ctrl_c_whose_cancellation_is_swallowed_still_exits_130(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Clean-up code that suppresses CancelledError lets the export carry on to its end: the
    Ctrl-C is counted by the handler, so the checkpoint stays and the exit is 130."""
    committed: list[bool] = []

    class Done:
        progress = Progress(io.StringIO(), "export")

        def commit(self) -> None:
            committed.append(True)

    async def swallowing(*args: object) -> Done:
        interrupts = args[-1]
        assert isinstance(interrupts, export.Interrupts)
        interrupts.task = asyncio.current_task()
        with contextlib.suppress(asyncio.CancelledError):
            os.kill(os.getpid(), signal.SIGINT)
            await asyncio.sleep(60)
        return Done()

    monkeypatch.setattr(export, "export_command", swallowing)
    job = export.Job(kind="ledger", venue="kucoin", symbol=None, currency=None, since=None,
                     until=None, format="csv", page_size=None, local=True)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal
    try:
        code = export.run(Session(local=True), job, tmp_path / "x.csv", False, False)
    finally:
        signal.signal(signal.SIGINT, before)
    assert code == 130 and not committed


def test_resume_refuses_other_arguments_or_nothing_to_resume(tmp_path: Path) -> None:
    out = tmp_path / "ledger.csv"
    proc = spawn("export", *KUCOIN_LEDGER, "--out", str(out), env={PAUSE_ENV: "checkpoint:1"})
    assert proc.stderr is not None
    read_until(proc.stderr, "paused after page")
    proc.kill()
    proc.communicate(timeout=60)
    other = unified_cmd("export", "ledger", "--venue", "kucoin", "--page-size", "50",
                        "--local", "--out", str(out), "--resume")
    assert other.returncode == 2 and "page_size" in one_line(other.stderr)
    fresh = unified_cmd("export", *KUCOIN_LEDGER, "--out", str(tmp_path / "new.csv"),
                        "--resume")
    assert fresh.returncode == 2 and "no checkpoint" in one_line(fresh.stderr)


def test_a_lost_network_fails_in_one_line_and_resumes(reference: bytes, tmp_path: Path) -> None:
    """The venue is a `unified serve --history` process, killed after page 2 and restarted."""
    server = subprocess.Popen([*CLI, "serve", "--venue", "kucoin",
                               "--history"], stdout=subprocess.PIPE, text=True,
                              env=BASE_ENV)
    proc = None
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().split(": ", 1)[1].strip()
        read_until(server.stdout, "Ctrl-C to stop")
        out = tmp_path / "ledger.csv"
        args = ("export", "ledger", "--venue", "kucoin", "--page-size", "25", "--base-url",
                base_url, "--out", str(out))
        proc = spawn(*args, env={**sim_env("kucoin"), PAUSE_ENV: "checkpoint:2"})
        assert proc.stderr is not None and proc.stdin is not None
        read_until(proc.stderr, "paused after page")
        server.kill()
        server.communicate()
        _, err = proc.communicate("\n", timeout=60)  # carry on: the venue is gone
        assert proc.returncode == 1
        line = one_line("".join(x for x in err.splitlines(keepends=True)
                                if not x.startswith("export ")))  # progress lines
        assert line.startswith("unified: kucoin: ConnectionFailed:") and "--resume" in line

        port = base_url.rsplit(":", 1)[1]
        server = subprocess.Popen([*CLI, "serve", "--venue", "kucoin",
                                   "--history", "--port", port], stdout=subprocess.PIPE,
                                  text=True, env=BASE_ENV)
        assert server.stdout is not None
        read_until(server.stdout, "Ctrl-C to stop")
        resumed = unified_cmd(*args, "--resume", env=sim_env("kucoin"))
        assert resumed.returncode == 0, resumed.stderr
        # The served account is the --local one: same records, same ids, same file.
        assert out.read_bytes() == reference
    finally:
        for p in (proc, server):
            if p is not None and p.poll() is None:
                p.kill()
                p.communicate()



@pytest.mark.parametrize(("args", "says"), [
    (("fills", "--venue", "okex_v1", "--symbol", "BTC/USDT"), "no fills history"),
    (("orders", "--venue", "kucoin"), "needs --symbol"),
    (("ledger", "--venue", "kucoin", "--symbol", "BTC/USDT"), "takes --currency"),
    (("ledger", "--venue", "kucoin", "--since", "2024-03-02", "--until", "2024-03-01"),
     "--since is after --until"),
    (("ledger", "--venue", "kucoin", "--since", "last week"), "not an ISO-8601"),
    (("ledger", "--venue", "kucoin", "--page-size", "0"), "must be positive"),
    (("ledger", "--venue", "kucoin", "--format", "xml"), "invalid choice"),
])
def test_export_usage_errors_exit_2(args: tuple[str, ...], says: str, tmp_path: Path) -> None:
    result = unified_cmd("export", *args, "--out", str(tmp_path / "x.csv"), "--local")
    assert result.returncode == 2 and says in one_line(result.stderr)
    assert not list(tmp_path.iterdir())


def test_resuming_a_finished_export_appends_only_new_records(tmp_path: Path) -> None:
    """The final cursor is a sync point: nothing new, nothing appended; new trades at the
    venue (a `unified serve --history` process), exactly their ledger entries appended."""
    server = subprocess.Popen([*CLI, "serve", "--venue", "kucoin", "--history"],
                              stdout=subprocess.PIPE, text=True, env=BASE_ENV)
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().split(": ", 1)[1].strip()
        read_until(server.stdout, "Ctrl-C to stop")
        out = tmp_path / "ledger.jsonl"
        args = ("export", "ledger", "--venue", "kucoin", "--base-url", base_url,
                "--out", str(out))
        first = unified_cmd(*args, env=sim_env("kucoin"))
        assert first.returncode == 0, first.stderr
        before = out.read_bytes()
        again = unified_cmd(*args, env=sim_env("kucoin"))
        assert again.returncode == 2 and "finished export" in one_line(again.stderr)
        same = unified_cmd(*args, "--resume", env=sim_env("kucoin"))
        assert same.returncode == 0 and "0 this run" in same.stdout, same.stderr
        assert out.read_bytes() == before
        new_ids = asyncio.run(_trade_at(base_url))
        grown = unified_cmd(*args, "--resume", env=sim_env("kucoin"))
        assert grown.returncode == 0, grown.stderr
        assert out.read_bytes().startswith(before)
        added = [json.loads(line)["id"] for line in out.read_bytes()[len(before):].splitlines()]
        assert sorted(added) == sorted(new_ids) and added
    finally:
        server.kill()
        server.communicate()


async def _trade_at(base_url: str) -> list[str]:
    """Two market buys on the served account; the ledger entries they made."""
    import unified
    from unified import OrderType, Side, registry
    from unified.sim.server import default_credentials

    creds = default_credentials(registry.get("kucoin").spec)
    async with unified.connect("kucoin", credentials=creds, base_url=base_url) as ex:
        seen = {e.id async for e in ex.iter_ledger()}
        market = (await ex.load_markets())["BTC/USDT"]
        for _ in range(2):
            await ex.create_order("BTC/USDT", OrderType.MARKET, Side.BUY, market.min_amount * 10)
        return [e.id async for e in ex.iter_ledger() if e.id not in seen]


def test_export_never_overwrites_by_accident(tmp_path: Path) -> None:
    out = tmp_path / "mine.csv"
    out.write_text("precious\n")
    result = unified_cmd("export", *KUCOIN_LEDGER, "--out", str(out))
    assert result.returncode == 2 and "--force" in one_line(result.stderr)
    assert out.read_text() == "precious\n"
    missing = unified_cmd("export", *KUCOIN_LEDGER, "--out", str(tmp_path / "no" / "x.csv"))
    assert missing.returncode == 2 and "no such folder" in one_line(missing.stderr)
