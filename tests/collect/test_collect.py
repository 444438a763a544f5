"""`unified collect JOBS.toml` in one process: every job equals its own `unified export`, an
account given by a credentials table works like `--local`, and a collect killed mid-job
finishes on the next run with every record once."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from unified.cli.export import PAUSE_ENV

from ..cli.helpers import exited, read_until, spawn
from .support import (
    LOCAL_JOBS,
    Served,
    collect,
    job_table,
    ledger_ids,
    venue_ledger_ids,
    write_jobs,
)


def test_every_job_equals_its_own_export(references: dict[str, bytes], tmp_path: Path) -> None:
    jobs = write_jobs(tmp_path, [job_table(*job) for job in LOCAL_JOBS])
    result = collect(str(jobs))
    assert result.returncode == 0, result.stderr
    for out, expected in references.items():
        assert (tmp_path / out).read_bytes() == expected, out
    assert f"3 of 3 jobs done, {sum(len(v.splitlines()) for v in references.values()) - 2:,}" \
        in result.stdout  # the two CSV headers are not rows
    ids = ledger_ids(references["kucoin-ledger.csv"])
    assert ids == venue_ledger_ids("kucoin") and len(set(ids)) == len(ids)


def test_running_the_same_file_again_appends_nothing_old(references: dict[str, bytes],
                                                         tmp_path: Path) -> None:
    jobs = write_jobs(tmp_path, [job_table(*LOCAL_JOBS[0])])
    assert collect(str(jobs)).returncode == 0
    again = collect(str(jobs))  # a sync: the local venue has nothing new
    assert again.returncode == 0, again.stderr
    assert (tmp_path / LOCAL_JOBS[0][4]).read_bytes() == references[LOCAL_JOBS[0][4]]
    forced = collect(str(jobs), "--force")
    assert forced.returncode == 0, forced.stderr
    assert (tmp_path / LOCAL_JOBS[0][4]).read_bytes() == references[LOCAL_JOBS[0][4]]


def test_an_account_from_the_credentials_file(references: dict[str, bytes],
                                              tmp_path: Path) -> None:
    """Two jobs of one account (one connection) on a served venue: the --local account."""
    served = Served("kucoin")
    try:
        creds = served.credentials_file(tmp_path, "research-1")
        account = {"credentials": "research-1", "base_url": served.base_url}
        jobs = write_jobs(tmp_path, [job_table(*LOCAL_JOBS[0], **account),
                                     job_table(*LOCAL_JOBS[1], **account)])
        result = collect(str(jobs), "--credentials", str(creds))
        assert result.returncode == 0, result.stderr
        for job in LOCAL_JOBS[:2]:
            assert (tmp_path / job[4]).read_bytes() == references[job[4]], job
        assert "sim-kucoin-secret" not in result.stdout + result.stderr
        bad = write_jobs(tmp_path, [job_table(*LOCAL_JOBS[0], credentials="nobody",
                                              base_url=served.base_url)])
        missing = collect(str(bad), "--credentials", str(creds), "--force")
        assert missing.returncode == 1
        assert "has no table [nobody]" in missing.stdout
    finally:
        served.stop()


@pytest.mark.parametrize(("pause", "sent", "code"), [
    ("rows:3", signal.SIGKILL, -signal.SIGKILL), ("checkpoint:3", signal.SIGKILL,
                                                  -signal.SIGKILL),
    ("checkpoint:3", signal.SIGINT, 130)])
def test_a_collect_stopped_mid_job_finishes_on_the_next_run(
        pause: str, sent: signal.Signals, code: int, references: dict[str, bytes],
        tmp_path: Path) -> None:
    """Killed after page 3 was written (rows:3, before its checkpoint: the next run cuts it
    off and walks it again) or after its checkpoint, or Ctrl-C there (exit 130): the next
    run writes the same file as one export."""
    job = LOCAL_JOBS[0]
    jobs = write_jobs(tmp_path, [job_table(*job)])
    proc = spawn("collect", str(jobs), env={PAUSE_ENV: pause})
    try:
        assert proc.stderr is not None
        read_until(proc.stderr, "paused after page 3")
        written = (tmp_path / job[4]).stat().st_size
        proc.send_signal(sent)
        err = exited(proc)  # still paused: only the signal ends it
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == code, err
    if sent == signal.SIGINT:
        assert "run the same command again" in err and "Traceback" not in err
    state = json.loads((tmp_path / f"{job[4]}.checkpoint").read_text())
    assert state["pages"] == (2 if pause.startswith("rows") else 3)
    assert 0 < state["bytes"] <= written < len(references[job[4]])
    if pause.startswith("rows"):
        assert written > state["bytes"]  # a page past the checkpoint, to be cut back
    result = collect(str(jobs))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / job[4]).read_bytes() == references[job[4]]
