"""Plain text tables sized to their content: shared by the `unified` command and the local
venues' reports (the simulators must not depend on the command line).

Kept by hand on purpose: rich's table rules span each cell's padding, so rich cannot draw
these (two spaces between columns, a dash rule as wide as each column's text), which is what
the README and the tests show and what scripts cut with `awk`. The live views, which redraw
in place, are rich tables (`unified.cli.format.grid`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain text table sized to its content."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
