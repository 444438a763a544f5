"""`unified collect JOBS.toml`: many exports at once, each resumable from its own checkpoint.

Every job is an `unified export` (the same files, rows and checkpoints): a job whose
checkpoint exists picks up from it, so running the same job file again finishes what an
interruption left and then appends only what is new. Jobs of one account share one connection,
hence that account's rate limits; accounts run side by side. One progress view covers all.

`--dask ADDRESS` runs each job as a task on a Dask cluster (dask.distributed, the `dask` extra):
a task reads its account's credentials from the credentials file on its own worker (secrets
never travel through the scheduler) and writes where `out` says, so the workers share that
file system. A worker lost mid-job leaves the job's checkpoint; the cluster runs the task
again elsewhere and it resumes from there: no gap, no duplicate.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import unified
from unified.cli import parquet
from unified.cli.collect_board import Board, JobProgress
from unified.cli.collect_jobs import CollectJob, load_jobs
from unified.cli.creds import default_path, from_file
from unified.cli.errors import FAILURE, Failed, UsageError, on
from unified.cli.export import Checkpoint, checkpoint_path, open_output, rows_path, write_walk
from unified.cli.session import Session, open_venues
from unified.client import Exchange

#: Test seam: "PAGE:FILE" makes the first job to checkpoint page PAGE write its process id to
#: FILE and wait there for ever (unless FILE exists): a test kills that worker at an exact point.
PAUSE_ENV = "UNIFIED_COLLECT_PAUSE"
TASK_RETRIES = 3


def _warn(message: str) -> None:
    print(f"unified: {message}", file=sys.stderr)


@contextlib.asynccontextmanager
async def account(job: CollectJob, credentials_file: Path | None) -> AsyncIterator[Exchange]:
    """An open connection as the job's account."""
    venue = job.export.venue
    if job.export.local and job.base_url is None:
        async with open_venues(Session(local=True), [venue]) as opened:
            yield opened[venue]
        return
    file = credentials_file or default_path(os.environ)
    name = job.credentials or venue
    if not file.exists():
        raise UsageError(f"credentials file {file} does not exist")
    creds = from_file(venue, file, _warn, table_name=name)
    if creds is None:
        raise UsageError(f"credentials file {file} has no table [{name}]")
    with on(venue):
        ex = unified.connect(venue, credentials=creds, base_url=job.base_url)
    async with ex:
        yield ex


async def run_job(ex: Exchange, job: CollectJob, progress: JobProgress) -> int:
    """One job to its end from its checkpoint (a fresh start without one); its row count."""
    marker = checkpoint_path(job.out)
    f, state = open_output(job.export, job.out, resume=marker.exists(), force=False)
    progress.update(state.rows, state.pages)
    try:
        await write_walk(ex, job.export, f, state, marker, progress, after_page=_pause_if_asked)
    finally:
        f.close()
    if job.export.format == "parquet":
        parquet.write(job.export.kind, rows_path(job.export, job.out), job.out)
    state.complete = True
    state.save(marker)
    progress.finish("done")
    return state.rows


async def _pause_if_asked(state: Checkpoint) -> None:
    page, _, file = os.environ.get(PAUSE_ENV, "").partition(":")
    if not file or str(state.pages) != page or Path(file).exists():
        return
    Path(file).write_text(str(os.getpid()), encoding="utf-8")
    await asyncio.Event().wait()


async def _run_account(jobs: Sequence[CollectJob], credentials_file: Path | None,
                       board: Board) -> None:
    try:
        async with account(jobs[0], credentials_file) as ex:
            await asyncio.gather(*(_guarded(ex, job, board) for job in jobs))
    except (Failed, UsageError) as exc:
        for job in jobs:
            board.failed(job, exc)


async def _guarded(ex: Exchange, job: CollectJob, board: Board) -> None:
    try:
        await run_job(ex, job, board.progress(job))
    except (Failed, UsageError) as exc:
        board.failed(job, exc)


async def collect_here(jobs: Sequence[CollectJob], credentials_file: Path | None,
                       board: Board) -> None:
    by_account: dict[Any, list[CollectJob]] = {}
    for job in jobs:
        by_account.setdefault(job.account, []).append(job)
    await asyncio.gather(*(_run_account(group, credentials_file, board)
                           for group in by_account.values()))


def run_in_worker(job: CollectJob, credentials_file: str | None) -> int:
    """A Dask task: one job, in its own event loop, on whichever worker runs it."""
    board = Board(sys.stderr, [job])

    async def one() -> int:
        async with account(job, Path(credentials_file) if credentials_file else None) as ex:
            return await run_job(ex, job, board.progress(job))

    return asyncio.run(one())


def collect_on_dask(jobs: Sequence[CollectJob], credentials_file: Path | None, address: str,
                    board: Board) -> None:
    try:
        from distributed import Client, wait
    except ImportError:
        raise UsageError("--dask needs dask.distributed: pip install 'exchange-unified[dask]'"
                         ) from None
    local = [j.label for j in jobs if j.export.local and j.base_url is None]
    if local:
        raise UsageError(f"a local venue lives in one process and Dask workers cannot reach "
                         f"it: run `unified serve --history` and give base_url and credentials "
                         f"instead ({', '.join(local)})")
    creds = str(credentials_file.resolve()) if credentials_file else None
    with Client(address, timeout="30s") as client:  # type: ignore[no-untyped-call]
        futures = {client.submit(run_in_worker, job, creds, pure=False,
                                 retries=TASK_RETRIES): job for job in jobs}
        pending = set(futures)
        while pending:
            done, pending = wait(list(pending), timeout=1,  # type: ignore[no-untyped-call]
                                 return_when="FIRST_COMPLETED")
            for job in futures.values():
                board.from_checkpoint(job)
            for future in done:
                job = futures[future]
                if future.status == "finished":
                    board.done(job)
                else:
                    board.failed(job, future.exception())


def add_parser(sub: Any, common: Sequence[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("collect", parents=list(common),
                       help="many exports at once (a [[job]] table each), each resumable")
    p.add_argument("jobs", type=Path, metavar="JOBS.toml")
    p.add_argument("--dask", metavar="ADDRESS",
                   help="run the jobs as tasks on this Dask scheduler (the dask extra)")


def command(args: argparse.Namespace) -> int:
    return run(load_jobs(args.jobs), getattr(args, "credentials", None), args.dask)


def run(jobs: Sequence[CollectJob], credentials_file: Path | None, dask: str | None) -> int:
    """0 when every job finished; else 1 (each failure named, its checkpoint kept)."""
    board = Board(sys.stderr, jobs)
    if dask:
        collect_on_dask(jobs, credentials_file, dask, board)
    else:
        asyncio.run(collect_here(jobs, credentials_file, board))
    print(board.summary())
    return FAILURE if board.failures else 0
