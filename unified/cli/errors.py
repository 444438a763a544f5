"""How the `unified` command fails: one line naming the venue and the unified error.

Exit codes: 2 for usage errors (bad arguments, missing credentials, ConfigurationError and its
subclasses), 1 for venue and transport errors, 130 after Ctrl-C.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TextIO

from unified.errors import ConfigurationError, RateLimited, UnifiedError, VenueError

USAGE, FAILURE, INTERRUPTED = 2, 1, 130


class UsageError(Exception):
    """The command line asks for something that cannot be done; nothing was sent."""


class Failed(Exception):
    """A unified error, tagged with the venue it came from."""

    def __init__(self, venue: str, error: UnifiedError, hint: str = "") -> None:
        self.venue = venue
        self.error = error
        self.hint = hint
        super().__init__(f"{venue}: {type(error).__name__}")


@contextlib.contextmanager
def on(venue: str) -> Iterator[None]:
    """Errors raised inside come out tagged with `venue`."""
    try:
        yield
    except UnifiedError as exc:
        raise Failed(venue, exc) from exc


def describe(exc: Failed) -> str:
    error = exc.error
    # A VenueError's text already ends with "(venue, code, HTTP status)": keep the parts after
    # the venue, which the line names up front.
    text = str(error)
    if isinstance(error, VenueError):
        extra = [f"code {error.code}"] if error.code is not None else []
        extra += [f"HTTP {error.http_status}"] if error.http_status is not None else []
        text = error.message + (f" ({', '.join(extra)})" if extra else "")
    if isinstance(error, RateLimited) and error.retry_after is not None \
            and "max_wait" not in text:  # the limiter's own refusal already names its wait
        text += f"; retry in {error.retry_after:.0f} s (the wait past max_wait was refused)"
    line = f"unified: {exc.venue}: {type(error).__name__}: {_one_line(text)}"
    return line + (f"; {exc.hint}" if exc.hint else "")


def exit_code(exc: Failed) -> int:
    return USAGE if isinstance(exc.error, ConfigurationError) else FAILURE


def say(message: str, stream: TextIO | None = None) -> None:
    print(f"unified: {_one_line(message)}", file=stream or sys.stderr)


def _one_line(text: str) -> str:
    return " ".join(text.split())
