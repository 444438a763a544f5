"""A progress line on stderr: rows, pages, rate and elapsed time. On a terminal it redraws in
place; otherwise (a log, a pipe) it prints a plain line at most once per interval."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import TextIO

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
        try:
            self.tty = stream.isatty()
        except (AttributeError, ValueError):
            self.tty = False

    def text(self) -> str:
        seconds = self._now() - self._started
        rate = (self.rows - self._start_rows) / seconds if seconds > 0 else 0.0
        return (f"{self.rows:,} rows, {self.pages:,} pages, {rate:,.0f} rows/s, "
                f"{elapsed_text(seconds)}")

    def _bar(self) -> str:
        # No total is known up front: the bar is a marker travelling with each page.
        at = self.pages % (2 * BAR - 2)
        at = at if at < BAR else 2 * BAR - 2 - at
        return "[" + " " * at + "#" + " " * (BAR - 1 - at) + "]"

    def update(self, rows: int, pages: int) -> None:
        self.rows, self.pages = rows, pages
        if self.tty:
            # One line redrawn in place: it must never wrap.
            width = shutil.get_terminal_size().columns - 1
            line = f"{self.label} {self._bar()} {self.text()}"
            self.stream.write(f"\r{line[:width]}\x1b[K")
            self.stream.flush()
            return
        moment = self._now()
        if self._last_line is None or moment - self._last_line >= self._interval:
            self._last_line = moment
            print(f"{self.label}: {self.text()}", file=self.stream, flush=True)

    def note(self, message: str) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
        print(f"{self.label}: {message}", file=self.stream, flush=True)

    def finish(self, message: str) -> None:
        if self.tty:
            self.stream.write("\n")
        print(f"{self.label}: {message}: {self.text()}", file=self.stream, flush=True)
