"""`unified export`: a venue's full history of orders, fills or ledger entries to a file,
resumable after an interruption with every record written exactly once.

After each page: the page's rows are appended and synced, then a checkpoint (the walk's cursor,
the output's length in bytes, the counts and the command's arguments) replaces the previous one
atomically. `--resume` cuts the output back to the checkpointed length, which drops a page
written after the last checkpoint, and walks on from the checkpointed cursor. A finished
export keeps its checkpoint, marked complete, with the walk's last cursor: `--resume` on it
appends only the records made since (the cursor is an incremental sync point).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, BinaryIO

import attrs

from unified import registry
from unified.cli import parquet
from unified.cli.errors import INTERRUPTED, Failed, UsageError, on
from unified.cli.progress import Progress
from unified.cli.rows import BY_CURRENCY, KINDS, encode, header
from unified.cli.session import Session, open_venues
from unified.client import Exchange
from unified.models import Page

CHECKPOINT_VERSION = 1
NOUNS = {"orders": "closed orders", "fills": "fills", "ledger": "ledger entries",
         "deposits": "deposits", "withdrawals": "withdrawals"}
#: Test hook: "rows:N" pauses after writing page N (before its checkpoint), "checkpoint:N"
#: after its checkpoint, "end" after the walk and the event loop are over (just before the
#: checkpoint is removed), until a line (or EOF) arrives on stdin; the "paused" line on
#: stderr says the pause is in effect. Lets a test interrupt an export at an exact point,
#: deterministically.
PAUSE_ENV = "UNIFIED_EXPORT_PAUSE"


def parse_time(text: str, option: str) -> datetime:
    """ISO-8601 date or date-time; without an offset it is read as UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option}: not an ISO-8601 date or time: {text!r} "
                         f"(e.g. 2024-03-01 or 2024-03-01T09:00:00Z)") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@attrs.frozen
class Job:
    """What is exported: a resumed export must be the same job."""

    kind: str
    venue: str
    symbol: str | None
    currency: str | None
    since: datetime | None
    until: datetime | None
    format: str
    page_size: int | None
    local: bool

    def identity(self) -> dict[str, Any]:
        out = attrs.asdict(self)
        out["since"] = self.since.isoformat() if self.since else None
        out["until"] = self.until.isoformat() if self.until else None
        return out

    @property
    def label(self) -> str:
        what = self.symbol or self.currency
        return f"export {self.kind} {self.venue}" + (f" {what}" if what else "")


@attrs.define
class Checkpoint:
    job: dict[str, Any]
    cursor: str | None = None
    complete: bool = False  # the walk reached its end and the export committed
    bytes: int = 0
    rows: int = 0
    pages: int = 0
    # The last page's ids: a next page that shifted (records added at the head of a
    # newest-first walk) repeats some of them, and those are skipped.
    last_ids: list[str] = attrs.field(factory=list)

    def save(self, path: Path) -> None:
        data = {"unified_export": CHECKPOINT_VERSION, **attrs.asdict(self)}
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _sync_dir(path.parent)

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.pop("unified_export") != CHECKPOINT_VERSION:
                raise ValueError("version")
            return cls(**data)
        except FileNotFoundError:
            raise UsageError(f"nothing to resume: no checkpoint {path}") from None
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            raise UsageError(f"checkpoint {path} is unreadable; start over without "
                             f"--resume (and --force)") from None


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems cannot sync a directory; the rename is still atomic
    finally:
        os.close(fd)


def checkpoint_path(out: Path) -> Path:
    return out.with_name(out.name + ".checkpoint")


def rows_path(job: Job, out: Path) -> Path:
    """The file the walk appends to: FILE itself, or a Parquet export's staged JSON lines."""
    return parquet.staging(out) if job.format == "parquet" else out


def open_output(job: Job, out: Path, resume: bool, force: bool
                ) -> tuple[BinaryIO, Checkpoint]:
    """The output, positioned after the last checkpointed byte, and its checkpoint."""
    marker = checkpoint_path(out)
    target = rows_path(job, out)
    if not out.parent.is_dir():
        raise UsageError(f"no such folder for --out: {out.parent}")
    if resume:
        state = Checkpoint.load(marker)
        if state.job != job.identity():
            changed = sorted(k for k in job.identity() if state.job.get(k) != job.identity()[k])
            raise UsageError(f"--resume with different arguments than the interrupted export "
                             f"({', '.join(changed)}); checkpoint {marker}")
        try:
            size = target.stat().st_size
        except FileNotFoundError:
            raise UsageError(f"cannot resume: {target} is gone (checkpoint {marker})") from None
        if size < state.bytes:
            raise UsageError(f"cannot resume: {target} is shorter than its checkpoint says")
    else:
        if marker.exists():
            if not Checkpoint.load(marker).complete:
                raise UsageError(f"{out} is an interrupted export: add --resume to finish it "
                                 f"(or delete {marker} to start over)")
            if not force:
                raise UsageError(f"{out} is a finished export: add --resume to append what "
                                 f"is new since, or --force to start over")
        if out.exists() and not force:
            raise UsageError(f"{out} exists: add --force to overwrite it")
        data = header(job.kind, job.format).encode()
        with open(target, "wb") as fresh:
            _append(fresh, data)
        state = Checkpoint(job=job.identity(), bytes=len(data))
        state.save(marker)
    f = open(target, "r+b")  # noqa: SIM115 (the caller closes it)
    f.truncate(state.bytes)  # drops rows written after the last checkpoint
    f.seek(state.bytes)
    return f, state


def _append(f: BinaryIO, data: bytes) -> None:
    f.write(data)
    f.flush()
    os.fsync(f.fileno())


def _walk(ex: Exchange, job: Job, cursor: str | None) -> AsyncIterator[Page[Any]]:
    size = job.page_size
    method = getattr(ex, KINDS[job.kind][0])
    if job.kind in BY_CURRENCY:
        walk: AsyncIterator[Page[Any]] = method(job.currency, since=job.since, until=job.until,
                                                cursor=cursor, page_size=size).pages()
        return walk
    pages: AsyncIterator[Page[Any]] = method(job.symbol, since=job.since, until=job.until,
                                             cursor=cursor, page_size=size).pages()
    return pages


async def _pause_if_asked(where: str, page: int, progress: Progress) -> None:
    wanted = os.environ.get(PAUSE_ENV, "")
    if wanted != f"{where}:{page}":
        return
    loop = asyncio.get_running_loop()
    resumed: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not resumed.done():
            resumed.set_result(None)

    def wait_for_line() -> None:
        sys.stdin.readline()
        with contextlib.suppress(RuntimeError):  # the loop is gone: interrupted meanwhile
            loop.call_soon_threadsafe(wake)

    # A daemon thread: an interrupted process exits without waiting for stdin.
    threading.Thread(target=wait_for_line, daemon=True).start()
    progress.note(f"paused after page {page} ({where}; {PAUSE_ENV})")
    await resumed


class Interrupts:
    """SIGINT during an export, counted where nothing can lose it. asyncio.run's own handler
    turns a Ctrl-C into a cancellation, which clean-up code may swallow, or, once the main task
    is done, into a KeyboardInterrupt raised wherever the loop's teardown happens to be (a
    finaliser or callback swallows it); an export that carried on to remove its checkpoint then
    exited 0. Here the count, not an exception, decides the exit code."""

    def __init__(self) -> None:
        self.count = 0
        self.task: asyncio.Task[Any] | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        task = self.task
        if task is None or task.done() or self.count > 1:
            raise KeyboardInterrupt  # nothing to stop gracefully, or asked twice: stop now
        task.cancel()  # the export stops at its next await, its checkpoint intact
        task.get_loop().call_soon_threadsafe(lambda: None)  # wake a loop blocked in select()


@attrs.frozen
class Finished:
    """An export that walked to the end; it is done once commit() marked its checkpoint
    complete (kept: its cursor is where a later --resume picks up new records)."""

    marker: Path
    state: Checkpoint
    progress: Progress
    summary: str

    def commit(self) -> None:
        self.state.complete = True
        self.state.save(self.marker)
        self.progress.finish("done")
        print(self.summary)


def run(session: Session, job: Job, out: Path, resume: bool, force: bool) -> int:
    """`unified export`: 0 only if every record is written and no Ctrl-C came before the
    checkpoint was marked complete; a Ctrl-C at any earlier moment exits 130 and keeps it as
    it was (a resume finishes the job)."""
    interrupts = Interrupts()
    # As asyncio.run does: only the main thread gets signals, and a SIGINT ignored on entry
    # (a background job's) stays ignored.
    owned = (threading.current_thread() is threading.main_thread()
             and signal.getsignal(signal.SIGINT) is signal.default_int_handler)
    if owned:
        signal.signal(signal.SIGINT, interrupts)
    try:
        finished = asyncio.run(export_command(session, job, out, resume, force, interrupts))
        if os.environ.get(PAUSE_ENV) == "end":
            finished.progress.note(f"paused at the end ({PAUSE_ENV})")
            sys.stdin.readline()
        if owned:
            # The commit point: a Ctrl-C from here on comes after the export and is ignored.
            # signal.signal first runs a handler still pending: one that came before counts.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        if not interrupts.count:
            finished.commit()
            return 0
    except (KeyboardInterrupt, asyncio.CancelledError):
        if not interrupts.count:
            raise
    finally:
        if owned:
            signal.signal(signal.SIGINT, signal.default_int_handler)
    marker = checkpoint_path(out)
    Progress(sys.stderr, job.label).note(
        f"interrupted after {Checkpoint.load(marker).rows} rows; run the same command with "
        f"--resume to finish" if marker.exists() else "interrupted before anything was written")
    return INTERRUPTED


async def export_command(session: Session, job: Job, out: Path, resume: bool, force: bool,
                         interrupts: Interrupts) -> Finished:
    interrupts.task = asyncio.current_task()
    if job.kind not in BY_CURRENCY and not job.symbol:
        raise UsageError(f"export {job.kind} needs --symbol")
    if job.kind in BY_CURRENCY and job.symbol:
        raise UsageError(f"export {job.kind} takes --currency, not --symbol")
    if job.kind not in BY_CURRENCY and job.currency:
        raise UsageError(f"export {job.kind} takes --symbol, not --currency")
    if job.page_size is not None and job.page_size <= 0:
        raise UsageError("--page-size must be positive")
    if KINDS[job.kind][0] not in registry.get(job.venue).spec.endpoints:
        raise UsageError(f"{job.venue} has no {job.kind} history to export")
    if job.format == "parquet":
        parquet.ensure()  # the data extra, before anything is walked
    async with open_venues(session, [job.venue], private=True) as exchanges:
        ex = exchanges[job.venue]
        f, state = open_output(job, out, resume, force)
        progress = Progress(sys.stderr, job.label, state.rows, state.pages)
        before = state.rows
        try:
            await write_walk(ex, job, f, state, checkpoint_path(out), progress)
        except Failed as exc:
            if state.pages:
                exc.hint = (f"{state.rows} rows kept; run the same command with --resume to "
                            f"finish")
            else:  # refused before the first page: nothing to resume
                f.close()
                rows_path(job, out).unlink(missing_ok=True)
                checkpoint_path(out).unlink(missing_ok=True)
            raise
        finally:
            f.close()
    if job.format == "parquet":  # the whole walk, exactly, as FILE (atomically replaced)
        parquet.write(job.kind, rows_path(job, out), out)
    return Finished(checkpoint_path(out), state, progress,
                    f"wrote {state.rows} {NOUNS[job.kind]} to {out} ({job.format}, "
                    f"{state.pages} pages"
                    + (f"; {state.rows - before} this run)" if resume else ")"))


async def write_walk(ex: Exchange, job: Job, f: BinaryIO, state: Checkpoint, marker: Path,
                     progress: Progress,
                     after_page: Callable[[Checkpoint], Awaitable[None]] | None = None) -> None:
    """The walk from the checkpoint's cursor to the end, each page appended, synced and then
    checkpointed; `after_page` runs after each checkpoint (unified collect's test seam)."""
    make_row = KINDS[job.kind][2]
    with on(job.venue):
        async for page in _walk(ex, job, state.cursor):
            # A page that shifted (records added at the head of a newest-first walk) repeats
            # items of the page before: each record is written once.
            seen = set(state.last_ids)
            items = [item for item in page.items if item.id not in seen]
            data = encode(job.kind, job.format, [make_row(item) for item in items]).encode()
            _append(f, data)
            await _pause_if_asked("rows", state.pages + 1, progress)
            state.bytes += len(data)
            state.rows += len(items)
            state.pages += 1
            state.cursor = page.cursor
            state.complete = False
            state.last_ids = [item.id for item in page.items]
            state.save(marker)
            progress.update(state.rows, state.pages)
            await _pause_if_asked("checkpoint", state.pages, progress)
            if after_page is not None:
                await after_page(state)
