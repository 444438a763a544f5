"""`unified collect`'s one progress view: a line per job (rows, pages, state) and the totals.

On a terminal it is a table redrawn in place; otherwise (a log, a pipe) a plain line per job
at most once per interval, and one line as each job ends. Jobs run on Dask workers are
followed through their checkpoints, which the workers write beside each `out`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TextIO

import attrs
from rich.console import Console
from rich.live import Live
from rich.table import Table

from unified.cli.collect_jobs import CollectJob
from unified.cli.export import Checkpoint, checkpoint_path
from unified.cli.progress import Progress


@attrs.define
class Line:
    rows: int = 0
    pages: int = 0
    state: str = "waiting"


class Board:
    def __init__(self, stream: TextIO, jobs: Sequence[CollectJob], interval: float = 1.0,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.jobs = list(jobs)
        self.lines = {job.label: Line() for job in jobs}
        self.failures: dict[str, str] = {}
        self._console = Console(file=stream, highlight=False, soft_wrap=False)
        self._live: Live | None = None
        self._interval, self._now = interval, now
        self._printed: dict[str, float] = {}

    def progress(self, job: CollectJob) -> JobProgress:
        return JobProgress(self, job)

    def set(self, label: str, rows: int, pages: int, state: str) -> None:
        line = self.lines[label]
        changed = state != line.state
        line.rows, line.pages, line.state = rows, pages, state
        if self._console.is_terminal:
            if self._live is None:
                self._live = Live(self.table(), console=self._console, auto_refresh=False,
                                  redirect_stdout=False, redirect_stderr=False)
                self._live.start()
                # As Progress: redrawn on updates only, the cursor visible should the
                # process end mid-table.
                self._console.show_cursor(True)
            self._live.update(self.table(), refresh=True)
            if self.finished() and self._live is not None:
                self._live.stop()
                self._live = None
            return
        moment = self._now()
        last = self._printed.get(label)
        if changed or last is None or moment - last >= self._interval:
            self._printed[label] = moment
            print(f"{label}: {state}, {rows:,} rows, {pages:,} pages", file=self.stream,
                  flush=True)

    def stop(self) -> None:
        """The table as it stands stays on the terminal; later lines print under it."""
        if self._live is not None:
            self._live.stop()
            self._live = None

    def note(self, text: str) -> None:
        """A line of its own; on a terminal, printed above the table."""
        if self._live is not None:
            self._console.print(text, markup=False)
        else:
            print(text, file=self.stream, flush=True)

    def failed(self, job: CollectJob, why: str) -> None:
        self.failures[job.label] = why
        line = self.lines[job.label]
        self.set(job.label, line.rows, line.pages, "failed")

    def done(self, job: CollectJob) -> None:
        """A job that ended elsewhere: its counts from its (complete) checkpoint."""
        self.from_checkpoint(job)
        line = self.lines[job.label]
        self.set(job.label, line.rows, line.pages, "done")

    def from_checkpoint(self, job: CollectJob) -> None:
        """A job running elsewhere, as far as its checkpoint says."""
        line = self.lines[job.label]
        if line.state in ("done", "failed"):
            return
        try:
            state = Checkpoint.load(checkpoint_path(job.out))
        except Exception:  # not written yet, or mid-replace: the next look sees it
            return
        if (state.rows, state.pages) != (line.rows, line.pages):
            self.set(job.label, state.rows, state.pages, "running")

    def finished(self) -> bool:
        return all(line.state in ("done", "failed") for line in self.lines.values())

    def table(self) -> Table:
        grid = Table(box=None, padding=(0, 1))
        for name in ("job", "state", "rows", "pages"):
            grid.add_column(name, justify="right" if name in ("rows", "pages") else "left")
        for label, line in self.lines.items():
            grid.add_row(label, line.state, f"{line.rows:,}", f"{line.pages:,}")
        done = sum(line.state == "done" for line in self.lines.values())
        total = sum(line.rows for line in self.lines.values())
        grid.add_row(f"{done} of {len(self.lines)} jobs done", "", f"{total:,}", "")
        return grid

    def summary(self) -> str:
        done = [label for label, line in self.lines.items() if line.state == "done"]
        rows = sum(self.lines[label].rows for label in done)
        text = [f"collect: {len(done)} of {len(self.lines)} jobs done, {rows:,} rows"]
        text += [f"  {label}: {line.rows:,} rows, {line.pages:,} pages"
                 for label, line in self.lines.items() if line.state == "done"]
        text += [f"  failed: {label}: {why} (its checkpoint is kept: run collect again)"
                 for label, why in self.failures.items()]
        return "\n".join(text)


class JobProgress(Progress):
    """What an export reports, routed to the board."""

    def __init__(self, board: Board, job: CollectJob) -> None:
        super().__init__(board.stream, job.label)
        self.board = board

    def update(self, rows: int, pages: int) -> None:
        self.rows, self.pages = rows, pages
        self.board.set(self.label, rows, pages, "running")

    def note(self, message: str) -> None:
        self.board.note(f"{self.label}: {message}")

    def finish(self, message: str) -> None:
        self.board.set(self.label, self.rows, self.pages, message)
