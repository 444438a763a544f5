"""`unified collect JOBS.toml`: many exports at once, each resumable from its own checkpoint.

Every job is an `unified export` (the same files, rows and checkpoints): a job whose
checkpoint exists picks up from it, so running the same job file again finishes what an
interruption left and then appends only what is new. Jobs of one account share one connection,
hence that account's rate limits; accounts run side by side. One progress view covers all.

`--dask ADDRESS` runs each account's jobs as one task on a Dask cluster (dask.distributed, the
`dask` extra), so an account's rate limits still hold while accounts spread over machines. A
task reads its account's credentials from the credentials file on its own worker (secrets never
travel through the scheduler), starts a `local = true` account's local venue in the worker (its
seeded history is the same in every process), and writes where `out` says, so the workers
share that file system. A worker lost mid-job leaves each job's checkpoint; the cluster runs
the task again elsewhere and every job resumes from there: no gap, no duplicate.
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
from unified.cli.collect_jobs import CollectJob, load_jobs, prepare
from unified.cli.creds import default_path, from_file
from unified.cli.errors import FAILURE, INTERRUPTED, Failed, UsageError, describe, on
from unified.cli.export import Checkpoint, checkpoint_path, open_output, rows_path, write_walk
from unified.cli.session import Session, open_venues
from unified.client import Exchange
from unified.errors import ConfigurationError, UnifiedError

#: Test seam: "PAGE:FILE" makes the first job to checkpoint page PAGE write its process id to
#: FILE and wait there for ever (unless FILE exists): a test kills that worker at an exact point.
PAUSE_ENV = "UNIFIED_COLLECT_PAUSE"
TASK_RETRIES = 3


def _warn(message: str) -> None:
    print(f"unified: {message}", file=sys.stderr)


@contextlib.asynccontextmanager
async def account(job: CollectJob, credentials_file: Path | None) -> AsyncIterator[Exchange]:
    """An open connection as the job's account: its local venue, started here, or its table
    of the credentials file."""
    venue = job.export.venue
    if job.export.local:
        async with open_venues(Session(local=True), [venue], private=True) as opened:
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
    """One job to its end from its checkpoint (a fresh start without one: `prepare` made sure
    nothing is overwritten by surprise); its row count."""
    marker = checkpoint_path(job.out)
    f, state = open_output(job.export, job.out, resume=marker.exists(), force=True)
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


#: What stops one job (or one account's jobs) while the others go on.
JOB_ERRORS = (Failed, UsageError, UnifiedError, OSError)


def _why(exc: BaseException) -> str:
    if isinstance(exc, Failed):
        return describe(exc)
    if isinstance(exc, UnifiedError):
        return f"unified: {type(exc).__name__}: {exc}"
    if isinstance(exc, OSError) and exc.filename:
        return f"unified: {exc.strerror or exc}: {exc.filename}"
    return f"unified: {exc}"


async def _run_account(jobs: Sequence[CollectJob], credentials_file: Path | None,
                       board: Board) -> None:
    try:
        async with account(jobs[0], credentials_file) as ex:
            await asyncio.gather(*(_guarded(ex, job, board) for job in jobs))
    except JOB_ERRORS as exc:  # the account could not be opened
        for job in jobs:
            board.failed(job, _why(exc))


async def _guarded(ex: Exchange, job: CollectJob, board: Board) -> None:
    try:
        await run_job(ex, job, board.progress(job))
    except JOB_ERRORS as exc:  # this job stops; the others go on
        board.failed(job, _why(exc))


def by_account(jobs: Sequence[CollectJob]) -> list[list[CollectJob]]:
    """Jobs grouped by account: one connection each, so one rate limiter each."""
    groups: dict[Any, list[CollectJob]] = {}
    for job in jobs:
        groups.setdefault(job.account, []).append(job)
    return list(groups.values())


async def collect_here(jobs: Sequence[CollectJob], credentials_file: Path | None,
                       board: Board) -> None:
    await asyncio.gather(*(_run_account(group, credentials_file, board)
                           for group in by_account(jobs)))


def run_in_worker(jobs: list[CollectJob], credentials_file: str | None) -> dict[str, str]:
    """A Dask task: one account's jobs in one event loop (one connection: the account's rate
    limits hold), on whichever worker runs it; the jobs that failed, with why."""
    board = Board(sys.stderr, jobs)
    asyncio.run(_run_account(jobs, Path(credentials_file) if credentials_file else None,
                             board))
    return dict(board.failures)


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ConfigurationError("--dask needs dask.distributed, which comes with the dask "
                                 "extra: pip install \"exchange-unified[dask]\"") from None
    return distributed


def collect_on_dask(jobs: Sequence[CollectJob], credentials_file: Path | None, address: str,
                    board: Board) -> None:
    """Each account's jobs as one task; a task lost with its worker runs again elsewhere,
    and every job resumes from its checkpoint (the workers share `out`'s file system)."""
    distributed = _distributed()
    creds = str(credentials_file.resolve()) if credentials_file else None
    with distributed.Client(address, timeout="30s") as client:
        futures = {client.submit(run_in_worker, group, creds, pure=False,
                                 retries=TASK_RETRIES): group for group in by_account(jobs)}
        pending = set(futures)
        while pending:
            try:  # each second at most, the board follows the checkpoints
                done, pending = distributed.wait(list(pending), timeout=1,
                                                 return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            for job in jobs:
                board.from_checkpoint(job)
            for future in done:
                failures = future.result() if future.status == "finished" else None
                for job in futures[future]:
                    if failures is None:
                        board.failed(job, f"unified: the task failed: {future.exception()}")
                    elif job.label in failures:
                        board.failed(job, failures[job.label])
                    else:
                        board.done(job)


def add_parser(sub: Any, common: Sequence[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("collect", parents=list(common),
                       help="many exports at once (a [[job]] table each), each resumable")
    p.add_argument("jobs", type=Path, metavar="JOBS.toml",
                   help="[[job]] tables: venue, kind, symbol or currency, out, since/until, "
                        "local = true or credentials = \"NAME\" (see the README)")
    p.add_argument("--dask", metavar="ADDRESS",
                   help="run the jobs as tasks on this Dask scheduler, e.g. "
                        "tcp://10.0.0.5:8786 (the dask extra)")
    p.add_argument("--force", action="store_true",
                   help="start every job over (its file and checkpoint replaced)")


def command(args: argparse.Namespace) -> int:
    if getattr(args, "local", False) or getattr(args, "base_url", None):
        raise UsageError("collect takes `local = true` or `base_url` per job, in JOBS.toml")
    jobs = load_jobs(args.jobs)
    if args.dask:
        _distributed()  # the extra, before anything is touched
    prepare(jobs, args.force)
    return run(jobs, getattr(args, "credentials", None), args.dask)


def run(jobs: Sequence[CollectJob], credentials_file: Path | None, dask: str | None) -> int:
    """0 when every job finished; else 1 (each failure named, its checkpoint kept), or 130
    after Ctrl-C (every checkpoint as the last page left it)."""
    board = Board(sys.stderr, jobs)
    try:
        if dask:
            collect_on_dask(jobs, credentials_file, dask, board)
        else:
            asyncio.run(collect_here(jobs, credentials_file, board))
    except KeyboardInterrupt:
        board.stop()
        board.note("collect: interrupted; every job keeps its checkpoint: run the same "
                   "command again to finish")
        return INTERRUPTED
    print(board.summary())
    return FAILURE if board.failures else 0
