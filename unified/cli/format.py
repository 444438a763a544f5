"""Text and JSON rendering for the `unified` command: tables that fit 80 columns, exact numbers;
rich tables and a screen that redraws in place for the live views."""

from __future__ import annotations

import contextlib
import enum
import io
import json
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
from rich import box
from rich.console import Console, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from unified.convert import decimal_text
from unified.text_table import table as table  # re-exported for the commands

WIDTH = 80


def fitted(headers: Sequence[str], rows: Sequence[Sequence[Any]], droppable: Sequence[str],
           width: int = WIDTH) -> str:
    """A table without the `droppable` columns (first listed, first dropped) it needs to lose
    to fit in `width`."""
    keep = list(range(len(headers)))
    text = table(headers, rows)
    for name in droppable:
        if max(len(x) for x in text.splitlines()) <= width:
            break
        keep.remove(list(headers).index(name))
        text = table([headers[i] for i in keep], [[r[i] for i in keep] for r in rows])
    return text


def fmt(value: Decimal | None, places: int = 8) -> str:
    """A number for people: at most `places` decimals, trailing zeros dropped."""
    if value is None:
        return "-"
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def sig(value: Decimal | None, digits: int = 10) -> str:
    """A computed amount for people: about `digits` significant digits (at least 2 decimals,
    at most 8), so a converted price reads 31265.62438 and not 31265.624375000."""
    if value is None:
        return "-"
    whole = len(str(abs(int(value)))) if abs(value) >= 1 else 0
    return fmt(value, min(8, max(2, digits - whole)))


def exact(value: Decimal | None) -> str:
    """A number for machines: every digit, never an exponent."""
    return "-" if value is None else decimal_text(value)


def iso(moment: datetime | None) -> str | None:
    """ISO-8601 UTC with a Z; milliseconds unless the venue gave finer time."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    spec = "milliseconds" if moment.microsecond % 1000 == 0 else "microseconds"
    return moment.isoformat(timespec=spec).replace("+00:00", "Z")


def short_time(moment: datetime | None, seconds: bool = True) -> str:
    shape = "%m-%d %H:%M:%S" if seconds else "%m-%d %H:%M"
    return "-" if moment is None else moment.astimezone(UTC).strftime(shape)


def columns(label: str, labels: Sequence[str], cols: Sequence[tuple[str, Sequence[str]]],
            width: int = WIDTH) -> str:
    """Values side by side, one column per (header, values); a label column on the left.
    Columns that would pass `width` start a new band underneath, with the labels again."""
    label_w = max(len(x) for x in (label, *labels))
    bands: list[list[tuple[str, Sequence[str]]]] = [[]]
    used = label_w
    for header, values in cols:
        w = max(len(x) for x in (header, *values)) + 2
        if bands[-1] and used + w > width:
            bands.append([])
            used = label_w
        bands[-1].append((header, values))
        used += w
    out = []
    for band in bands:
        out.append(table([label, *(h for h, _ in band)],
                         [[name, *(v[i] for _, v in band)] for i, name in enumerate(labels)]))
    return "\n\n".join(out)


def beside(blocks: Sequence[str], width: int = WIDTH, gap: int = 4) -> str:
    """Text blocks next to each other while they fit in `width`, else underneath."""
    rows: list[list[list[str]]] = [[]]
    used = 0
    for block in blocks:
        lines = block.splitlines()
        w = max((len(x) for x in lines), default=0)
        if rows[-1] and used + gap + w > width:
            rows.append([])
            used = 0
        used += (gap if rows[-1] else 0) + w
        rows[-1].append(lines)
    out = []
    for group in rows:
        widths = [max((len(x) for x in b), default=0) for b in group]
        height = max(len(b) for b in group)
        for i in range(height):
            parts = [(b[i] if i < len(b) else "").ljust(w) for b, w in zip(group, widths,
                                                                             strict=True)]
            out.append((" " * gap).join(parts).rstrip())
        out.append("")
    return "\n".join(out).rstrip("\n")


def plain(value: Any) -> Any:
    """Models, enums, Decimals and datetimes as JSON-able values (the venue's raw left out)."""
    if attrs.has(type(value)):
        return {f.name: plain(getattr(value, f.name)) for f in attrs.fields(type(value))
                if f.name != "raw"}
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def to_json(value: Any) -> str:
    return json.dumps(plain(value), indent=2)


def json_line(value: Any) -> str:
    """One JSON object on one line (JSON lines): the same values as `to_json`."""
    return json.dumps(plain(value), separators=(",", ":"))


# ---------------------------------------------------------------- live views (rich)

Cell = str | Text


def grid(headers: Sequence[str], rows: Sequence[Sequence[Cell]], *, title: str | None = None,
         right: Collection[int] = ()) -> Table:
    """A rich table for a live view: the plain tables' columns, numbers in `right` columns
    aligned on the right."""
    out = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", header_style="bold",
                show_edge=False, pad_edge=False)
    for i, name in enumerate(headers):
        out.add_column(name, justify="right" if i in right else "left", no_wrap=True)
    for row in rows:
        out.add_row(*row)
    return out


def text_of(renderable: RenderableType, width: int = WIDTH) -> str:
    """What a renderable shows, as plain text `width` columns wide (no colour, no codes)."""
    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False,
                      force_terminal=False, legacy_windows=False)
    with console.capture() as captured:
        console.print(renderable)
    return captured.get()


@contextlib.contextmanager
def screen(console: Console | None = None) -> Iterator[Callable[[RenderableType], None]]:
    """A function that shows each new view of a live display. On a terminal the view redraws
    in place (rich's Live; the cursor comes back however the block is left); elsewhere (a
    pipe, a log) each view is printed in turn, a blank line between them."""
    console = console or Console(highlight=False)
    if not console.is_terminal:
        def show(view: RenderableType) -> None:
            console.print(view)
            console.print()
            console.file.flush()

        yield show
        return
    # Redrawn on each update, not on a timer; taller than the terminal: cut with an ellipsis.
    with Live(console=console, auto_refresh=False, redirect_stdout=False,
              redirect_stderr=False) as live:
        yield lambda view: live.update(view, refresh=True)
