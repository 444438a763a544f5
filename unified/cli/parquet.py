"""`unified export --format parquet`: the export's columns as an exact Parquet file.

A Parquet file cannot be appended to page by page, and a decimal column's precision and scale
are only known once every value is seen. So the walk writes JSON lines, with the export's
usual checkpoints, to `FILE.rows.jsonl` beside FILE (kept after the export: a later `--resume`
appends to it), and once the walk is done the whole file becomes FILE: written to a temporary
name, synced, then renamed over FILE. Decimal columns are `decimal128(precision, scale)`
chosen per column to hold every value exactly (a value that cannot be held is refused, never
rounded); times are `timestamp[us, UTC]`; `post_only` is boolean; the rest are strings.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from unified.cli.rows import KINDS
from unified.frames import Columns, arrow_table, need
from unified.frames.columns import Kind

DECIMALS = frozenset({"price", "amount", "filled", "remaining", "average", "cost", "fee",
                      "fee_rate", "balance"})
TIMES = frozenset({"created_at", "updated_at", "timestamp"})
BOOLS = frozenset({"post_only"})
SUFFIXES = (".parquet", ".pq")


def ensure() -> None:
    """pyarrow is installed, or a ConfigurationError names the data extra."""
    need("pyarrow.parquet")


def staging(out: Path) -> Path:
    """Where the rows of a Parquet export are kept as JSON lines while (and after) walking."""
    return out.with_name(out.name + ".rows.jsonl")


def kind_of(column: str) -> Kind:
    if column in DECIMALS:
        return "decimal"
    if column in TIMES:
        return "timestamp"
    return "bool" if column in BOOLS else "string"


def _typed(kind: Kind, text: Any) -> Any:
    if text is None or kind in ("string", "bool"):
        return text
    if kind == "decimal":
        return Decimal(text)
    return datetime.fromisoformat(text)


def read_rows(kind: str, rows_file: Path) -> Columns:
    """The staged rows of one export kind as typed columns (exact Decimals, UTC times)."""
    names = KINDS[kind][1]
    kinds = {name: kind_of(name) for name in names}
    values: dict[str, list[Any]] = {name: [] for name in names}
    with open(rows_file, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            for name in names:
                values[name].append(_typed(kinds[name], row[name]))
    return Columns(kinds, values)


def write(kind: str, rows_file: Path, out: Path) -> int:
    """FILE from the staged rows, atomically; the number of rows written."""
    pq = need("pyarrow.parquet")
    table = arrow_table(read_rows(kind, rows_file))
    tmp = out.with_name(out.name + ".tmp")
    pq.write_table(table, tmp)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, out)
    return int(table.num_rows)
