"""`unified collect JOBS.toml --dask ADDRESS` on a LocalCluster (worker processes on
127.0.0.1): the same files as in one process, and a worker killed mid-job whose task runs again
on another worker and resumes from the job's checkpoint: no gap, no duplicate."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from unified.cli.collect import PAUSE_ENV

from ..cli.helpers import BASE_ENV, CLI
from .support import (
    LOCAL_JOBS,
    Served,
    collect,
    job_table,
    ledger_ids,
    venue_ledger_ids,
    write_jobs,
)

distributed = pytest.importorskip("distributed")


@contextlib.contextmanager
def cluster(env: Mapping[str, str] | None = None) -> Iterator[tuple[str, object]]:
    """A LocalCluster of two single-threaded worker processes, and a client of it."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  env=dict(env or {})) as local, \
            distributed.Client(local) as client:
        yield local.scheduler_address, client


def test_jobs_on_dask_write_what_one_process_writes(references: dict[str, bytes],
                                                    tmp_path: Path) -> None:
    """Local accounts (their venues started in the workers) and accounts of the credentials
    file on a served venue, side by side."""
    served = Served("kucoin")
    try:
        creds = served.credentials_file(tmp_path, "desk")
        served_job = ("ledger", "kucoin", None, 40, "served-ledger.csv")
        tables = [job_table(*job) for job in LOCAL_JOBS]
        tables.append(job_table(*served_job, credentials="desk", base_url=served.base_url))
        # An account the credentials file lacks: that job fails, named; the others finish.
        tables.append(job_table("orders", "kucoin", "BTC/USDT", 20, "nobody.csv",
                                credentials="nobody", base_url=served.base_url))
        jobs = write_jobs(tmp_path, tables)
        with cluster() as (address, _):
            result = collect(str(jobs), "--dask", address, "--credentials", str(creds))
        assert result.returncode == 1, result.stderr
        assert "4 of 5 jobs done" in result.stdout
        assert "failed: #5 orders kucoin BTC/USDT (nobody)" in result.stdout
        assert "has no table [nobody]" in result.stdout
        for out, expected in references.items():
            assert (tmp_path / out).read_bytes() == expected, out
        assert ledger_ids((tmp_path / "served-ledger.csv").read_bytes()) == \
            ledger_ids(references["kucoin-ledger.csv"])
    finally:
        served.stop()


def _wait_for(path: Path, limit: float = 60) -> str:
    """The file's text once it exists (a bounded poll: a worker in another process writes
    it)."""
    deadline = time.monotonic() + limit
    while not path.exists() or not path.read_text():
        assert time.monotonic() < deadline, f"{path} never came"
        time.sleep(0.05)
    return path.read_text()


def test_a_worker_killed_mid_job_resumes_elsewhere(references: dict[str, bytes],
                                                   tmp_path: Path) -> None:
    job = LOCAL_JOBS[0]  # the kucoin ledger: 737 entries in 30 pages of 25
    jobs = write_jobs(tmp_path, [job_table(*job)])
    pid_file = tmp_path / "paused.pid"
    with cluster({PAUSE_ENV: f"3:{pid_file}"}) as (address, client):
        workers = client.run(os.getpid)  # type: ignore[attr-defined]
        proc = subprocess.Popen([*CLI, "collect", str(jobs), "--dask", address],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=BASE_ENV)
        try:
            pid = int(_wait_for(pid_file))  # a worker paused after page 3's checkpoint
            assert pid in workers.values()
            out = tmp_path / job[4]
            partial = out.read_bytes()
            assert 0 < len(partial) < len(references[job[4]])
            # Marked (same length): a resumed job keeps what its checkpoint covers, a job
            # started over would write it again.
            out.write_bytes(partial.replace(b"id,", b"ID,", 1))
            os.kill(pid, signal.SIGKILL)
            stdout, stderr = proc.communicate(timeout=120)
        finally:
            proc.kill()
            proc.communicate()
        assert proc.returncode == 0, stderr
        after = client.run(os.getpid)  # type: ignore[attr-defined]
    assert pid not in after.values()  # the worker that had the job is gone
    assert "1 of 1 jobs done" in stdout
    data = out.read_bytes()
    assert data.startswith(b"ID,")  # resumed from the checkpoint, not started over
    assert data.replace(b"ID,", b"id,", 1) == references[job[4]]  # no gap, no duplicate
    ids = ledger_ids(references[job[4]])
    assert ids == venue_ledger_ids("kucoin") and len(set(ids)) == len(ids)
