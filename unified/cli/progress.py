"""A progress line on stderr: rows, pages, rate and elapsed time. On a terminal it is one line
redrawn in place by rich's live display (cut to the terminal's width, notes printed above
it); otherwise (a log, a pipe) it prints a plain line at most once per interval."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from rich.cells import cell_len
from rich.console import Console, Group
from rich.control import Control
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.segment import ControlType
from rich.table import Table
from rich.text import Text

BAR = 12


def elapsed_text(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


class Progress:
    def __init__(self, stream: TextIO, label: str, rows: int = 0, pages: int = 0,
                 interval: float = 1.0, now: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.label = label
        self.rows, self.pages = rows, pages
        self._start_rows = rows
        self._now = now
        self._started = now()
        self._interval = interval
        self._last_line: float | None = None
        self._console = Console(file=stream, highlight=False, soft_wrap=False)
        self.tty = self._console.is_terminal
        self._live: Live | None = None

    def text(self) -> str:
        seconds = self._now() - self._started
        rate = (self.rows - self._start_rows) / seconds if seconds > 0 else 0.0
        return (f"{self.rows:,} rows, {self.pages:,} pages, {rate:,.0f} rows/s, "
                f"{elapsed_text(seconds)}")

    def _line(self) -> Table:
        # No total is known up front: the bar pulses, moved on by each page.
        line = Table.grid(padding=(0, 1))
        line.add_column(no_wrap=True)
        line.add_column(width=BAR)
        # What a narrow terminal cuts: the figures (one column is kept free for the cursor).
        rest = self._console.width - 1 - cell_len(self.label) - BAR - 2
        line.add_column(no_wrap=True, overflow="ellipsis", width=max(rest, 1))
        line.add_row(Text(self.label), ProgressBar(total=None, pulse=True, width=BAR,
                                                   animation_time=self.pages / 4),
                     Text(self.text()))
        return line

    def update(self, rows: int, pages: int) -> None:
        self.rows, self.pages = rows, pages
        if self.tty:
            if self._live is None:
                self._live = Live(Group(), console=self._console, auto_refresh=False,
                                  redirect_stdout=False, redirect_stderr=False)
                self._live.start()
                # Redrawn only here, never on a timer: the cursor can stay where it is, and
                # stays visible if the process ends without finish().
                self._console.show_cursor(True)
            self._live.update(self._line(), refresh=True)
            return
        moment = self._now()
        if self._last_line is None or moment - self._last_line >= self._interval:
            self._last_line = moment
            print(f"{self.label}: {self.text()}", file=self.stream, flush=True)

    def note(self, message: str) -> None:
        """A line of its own; on a terminal, printed above the progress line."""
        if self._live is not None:
            self._console.print(Text(f"{self.label}: {message}"))
            return
        if self.tty:  # a line left by an earlier progress (an interrupted run): replace it
            self._console.control(Control(ControlType.CARRIAGE_RETURN,
                                          (ControlType.ERASE_IN_LINE, 2)))
        print(f"{self.label}: {message}", file=self.stream, flush=True)

    def finish(self, message: str) -> None:
        if self._live is not None:
            self._live.stop()  # the last line stays, the cursor moves under it
            self._live = None
        print(f"{self.label}: {message}: {self.text()}", file=self.stream, flush=True)
