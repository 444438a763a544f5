"""`unified collect`'s job file: `[[job]]` tables, each one export, checked before any runs.

A job names its venue, its kind, the market (`symbol`) or `currency` its kind takes, `out`
(its extension picks csv, jsonl or parquet; relative to the job file's folder), an optional
`since`/`until` window, and whose account: `local = true` (the venue's local twin) or
`credentials = "NAME"` (the table NAME of the credentials file), optionally with `base_url`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import attrs

from unified import registry
from unified.cli import parquet
from unified.cli.errors import UsageError
from unified.cli.export import Checkpoint, Job, checkpoint_path, parse_time, rows_path
from unified.cli.rows import BY_CURRENCY, KINDS
from unified.errors import ConfigurationError

KEYS = {"venue", "kind", "symbol", "currency", "out", "since", "until", "local", "credentials",
        "base_url", "page_size"}
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".parquet": "parquet",
           ".pq": "parquet"}


@attrs.frozen
class CollectJob:
    """One export of a collect run, and the account it runs as."""

    number: int  # its place in the job file, from 1
    export: Job
    out: Path  # absolute
    credentials: str | None  # a table of the credentials file; None with local = true
    base_url: str | None

    @property
    def account(self) -> tuple[str, str | None, str | None, bool]:
        """Jobs of one account share a connection, so they share its rate limits."""
        return (self.export.venue, self.credentials, self.base_url, self.export.local)

    @property
    def label(self) -> str:
        who = "local" if self.export.local else self.credentials
        what = self.export.symbol or self.export.currency
        return (f"#{self.number} {self.export.kind} {self.export.venue}"
                + (f" {what}" if what else "") + f" ({who})")


def load_jobs(path: Path) -> list[CollectJob]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read job file {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"job file {path} is not valid TOML: {exc}") from None
    tables = data.get("job")
    if not isinstance(tables, list) or not tables or set(data) - {"job"}:
        raise UsageError(f"job file {path}: expected one or more [[job]] tables and nothing "
                         "else")
    # Absolute: a Dask worker, wherever it runs, writes the same path.
    jobs = [_job(i + 1, table, path.resolve().parent) for i, table in enumerate(tables)]
    outs = [j.out for j in jobs]
    twice = sorted({str(o) for o in outs if outs.count(o) > 1})
    if twice:
        raise UsageError(f"job file {path}: two jobs write {', '.join(twice)}")
    return jobs


def _text(n: int, table: dict[str, Any], key: str, required: bool = False) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            raise UsageError(f"job {n}: `{key}` is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"job {n}: `{key}` must be a non-empty string")
    return value.strip()


def _job(n: int, table: Any, folder: Path) -> CollectJob:
    if not isinstance(table, dict):
        raise UsageError(f"job {n}: not a table")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise UsageError(f"job {n}: unknown keys {', '.join(unknown)} (known: "
                         f"{', '.join(sorted(KEYS))})")
    venue, kind = _text(n, table, "venue", True), _text(n, table, "kind", True)
    assert venue is not None and kind is not None
    try:
        spec = registry.get(venue).spec
    except ConfigurationError as exc:
        raise UsageError(f"job {n}: {exc}") from None
    if kind not in KINDS:
        raise UsageError(f"job {n}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if KINDS[kind][0] not in spec.endpoints:
        raise UsageError(f"job {n}: {venue} has no {kind} history")
    symbol, currency = _text(n, table, "symbol"), _text(n, table, "currency")
    if kind in BY_CURRENCY and symbol:
        raise UsageError(f"job {n}: {kind} take `currency`, not `symbol`")
    if kind not in BY_CURRENCY and not symbol:
        raise UsageError(f"job {n}: {kind} need `symbol`")
    out_text = _text(n, table, "out", True)
    assert out_text is not None
    out = folder / Path(out_text).expanduser()
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise UsageError(f"job {n}: `out` must end in {', '.join(FORMATS)}")
    local, credentials = table.get("local", False), _text(n, table, "credentials")
    if not isinstance(local, bool) or local == (credentials is not None):
        raise UsageError(f"job {n}: give either `local = true` or `credentials = \"NAME\"`")
    base_url = _text(n, table, "base_url")
    if local and base_url:
        raise UsageError(f"job {n}: `local = true` starts its own venue: drop `base_url` (or "
                         f"give `credentials`)")
    since, until = (_time(n, table, k) for k in ("since", "until"))
    if since and until and since > until:
        raise UsageError(f"job {n}: `since` is after `until`")
    page_size = table.get("page_size")
    if page_size is not None and (not isinstance(page_size, int) or isinstance(page_size, bool)
                                  or page_size <= 0):
        raise UsageError(f"job {n}: `page_size` must be a positive integer")
    export = Job(kind=kind, venue=venue, symbol=symbol.upper() if symbol else None,
                 currency=currency.upper() if currency else None, since=since, until=until,
                 format=fmt, page_size=page_size, local=local)
    return CollectJob(n, export, out, credentials, base_url)


def _time(n: int, table: dict[str, Any], key: str) -> datetime | None:
    """A TOML date-time or date, or an ISO-8601 string; UTC unless an offset is given."""
    value = table.get(key)
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), UTC)
    text = _text(n, table, key)
    return parse_time(text, f"job {n} `{key}`") if text else None


def prepare(jobs: Sequence[CollectJob], force: bool) -> None:
    """Before anything runs, every job can start or resume: an interrupted job resumes from
    its checkpoint, a finished one appends what is new since (its cursor is a sync point), and
    `force` starts every job over. From then on a job with a checkpoint resumes and one
    without starts afresh, on whichever machine runs it, however often it is retried."""
    for job in jobs:
        marker, staged = checkpoint_path(job.out), rows_path(job.export, job.out)
        where = f"job {job.number}"
        if not job.out.parent.is_dir():
            raise UsageError(f"{where}: no such folder for `out`: {job.out.parent}")
        if job.export.format == "parquet":
            parquet.ensure()  # the data extra, before anything is walked
        if force:
            for path in (marker, staged, job.out):
                path.unlink(missing_ok=True)
            continue
        if not marker.exists():
            if staged.exists() or job.out.exists():
                raise UsageError(f"{where}: {job.out} exists and is no export of this file: "
                                 f"add --force to overwrite it")
            continue
        state = Checkpoint.load(marker)
        wanted = job.export.identity()
        if state.job != wanted:
            changed = sorted(k for k in wanted if state.job.get(k) != wanted[k])
            raise UsageError(f"{where}: {job.out} is another export ({', '.join(changed)} "
                             f"differ); --force starts it over")
        if not staged.exists():
            raise UsageError(f"{where}: cannot resume: {staged} is gone (checkpoint {marker})")
