"""Typed columns to Arrow tables, pandas and polars frames. The data libraries come with the
`data` extra and are imported here, lazily, only when a frame is asked for: `import unified`
stays light.

Exact by default: a decimal column is Arrow `decimal128(precision, scale)` with the precision
and scale that hold every value of that column exactly (chosen per column from the values);
a value that no decimal128 can hold (more than 38 significant digits, NaN, infinity) is
refused, never rounded. pandas gets the Decimal objects themselves (object dtype), polars its
Decimal dtype. `floats=True` gives float64 columns instead, for plotting and numerics.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from unified.errors import ConfigurationError
from unified.frames.columns import Columns

DATA_EXTRA = 'pip install "exchange-unified[data]"'
MAX_PRECISION = 38  # decimal128


def need(module: str) -> Any:
    """The data library `module`, or a ConfigurationError naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        raise ConfigurationError(f"{top} is not installed; it comes with the data extra: "
                                 f"{DATA_EXTRA}") from exc


def _significant(value: Decimal) -> tuple[int, int]:
    """(digits, exponent) without trailing zeros, exactly (Decimal.normalize would round to
    the context's 28 digits)."""
    shape = value.as_tuple()
    digits, exponent = "".join(map(str, shape.digits)), int(shape.exponent)
    stripped = digits.rstrip("0")
    if not stripped:
        return 1, 0
    return len(stripped), exponent + len(digits) - len(stripped)


def decimal_shape(column: str, values: Sequence[Decimal | None]) -> tuple[int, int]:
    """(precision, scale) of the smallest decimal that holds every value exactly."""
    whole, scale = 0, 0
    for value in values:
        if value is None:
            continue
        if not value.is_finite():
            raise ConfigurationError(f"column {column!r}: {value} is not a finite number; a "
                                     f"decimal column cannot hold it")
        digits, exponent = _significant(value)
        whole = max(whole, digits + exponent)
        scale = max(scale, -exponent)
    if whole + scale > MAX_PRECISION:
        raise ConfigurationError(
            f"column {column!r} needs {whole + scale} decimal digits ({whole} before the "
            f"point, {scale} after) to hold every value exactly; decimal128 holds "
            f"{MAX_PRECISION}: refused rather than rounded (export csv or jsonl instead)")
    return max(whole + scale, 1), scale


def _arrow_type(pa: Any, name: str, kind: str, values: Sequence[Any]) -> Any:
    if kind == "decimal":
        return pa.decimal128(*decimal_shape(name, values))
    return {"timestamp": pa.timestamp("us", tz="UTC"), "string": pa.string(),
            "bool": pa.bool_(), "int": pa.int64()}[kind]


def arrow_table(cols: Columns, floats: bool = False) -> Any:
    """A pyarrow.Table: exact decimal128 columns (float64 with floats=True), UTC timestamps."""
    pa = need("pyarrow")
    arrays, fields = [], []
    for name, kind in cols.kinds.items():
        values = cols.values[name]
        if kind == "decimal" and floats:
            typ = pa.float64()
            values = [None if v is None else float(v) for v in values]
        else:
            typ = _arrow_type(pa, name, kind, values)
        arrays.append(pa.array(values, type=typ))
        fields.append(pa.field(name, typ))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def pandas_frame(cols: Columns, floats: bool = False) -> Any:
    """A pandas.DataFrame: Decimal objects (object dtype), or float64 with floats=True;
    timestamps datetime64 in UTC; nullable integer and boolean columns."""
    pd = need("pandas")
    data: dict[str, Any] = {}
    for name, kind in cols.kinds.items():
        values = cols.values[name]
        if kind == "decimal":
            data[name] = (pd.Series([math.nan if v is None else float(v) for v in values],
                                    dtype="float64") if floats
                          else pd.Series(values, dtype=object))
        elif kind == "timestamp":
            data[name] = pd.Series(pd.to_datetime(values, utc=True)).astype("datetime64[us, UTC]")
        elif kind == "int":
            data[name] = pd.Series(values, dtype="Int64")
        elif kind == "bool":
            data[name] = pd.Series(values, dtype="boolean")
        else:
            data[name] = pd.Series(values, dtype=object if all(v is None for v in values)
                                   else None)
    return pd.DataFrame(data, index=pd.RangeIndex(len(cols)))


def polars_frame(cols: Columns, floats: bool = False) -> Any:
    """A polars.DataFrame: Decimal(precision, scale) columns, or Float64 with floats=True;
    timestamps Datetime("us", "UTC")."""
    pl = need("polars")
    return pl.from_arrow(arrow_table(cols, floats=floats))
