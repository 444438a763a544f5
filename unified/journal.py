"""The intent journal: every write is recorded, with its client id and arguments, before it is
sent, and settled once its outcome is known.

Its own module because it is what makes "never placed twice" survive the caller: a create
that the caller cancels, or whose process dies, leaves an unsettled intent that
`Exchange.reconcile()` resolves against the venue. In memory by default; with
`connect(..., journal=PATH)` an append-only JSON-lines file, fsynced per record, that a
restarted bot reads back. A torn last line (a crash mid-write) is dropped: its intent was not
yet sent, since a record is on disk before its request leaves. Reopening compacts the file to
the intents still open.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

try:
    import fcntl
except ImportError:  # not on Windows: a journal there is safe for one client per file
    fcntl = None  # type: ignore[assignment]

from unified.convert import dumps, from_iso, loads
from unified.errors import ConfigurationError, DecodeError
from unified.models import Order

#: A cancel-all's arg (never sent): the ids of the open orders it is meant for, per market
#: ({symbol: [id, ...]}). An intent journaled before it was kept has none.
OPEN_IDS = "open_ids"

#: The args of a write that are kept (JSON-able; enums by value, Decimals as text).
KEPT_ARGS = ("symbol", "side", "type", "amount", "price", "cost", "client_order_id", "ids",
             "time_in_force", "post_only", "id", "stop_price", "trigger",
             # money (unified.funds): what a person checks at the venue after a crash; never a
             # secret (a trade password is an extra, not kept)
             "currency", "address", "tag", "network", "from_account", "to_account",
             OPEN_IDS)


@attrs.frozen(kw_only=True)
class Intent:
    """A write that was (about to be) sent: what was asked, and when."""

    id: str
    venue: str
    op: str  # create_order, cancel_order, ... (later withdraw, transfer)
    symbol: str | None
    client_order_id: str | None
    args: Mapping[str, Any]
    sent_at: datetime

    def decimal(self, name: str) -> Decimal | None:
        value = self.args.get(name)
        return Decimal(str(value)) if value is not None else None


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):  # OPEN_IDS; copied, so that the intent owns what it keeps
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "value") and not isinstance(value, Decimal):  # an enum
        return value.value
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


class Journal:
    """Unsettled intents, in memory; `FileJournal` keeps them on disk too."""

    def __init__(self) -> None:
        self._open: dict[str, Intent] = {}

    def record(self, *, venue: str, op: str, args: Mapping[str, Any], sent_at: datetime
               ) -> Intent:
        market = args.get("market")
        intent = Intent(
            id=uuid.uuid4().hex, venue=venue, op=op,
            symbol=getattr(market, "symbol", None),
            client_order_id=args.get("client_order_id") or args.get("client_id"),
            args={k: _plain(args[k]) for k in KEPT_ARGS if args.get(k) is not None},
            sent_at=sent_at,
        )
        self._write({"record": "intent", "intent": _intent_fields(intent)})
        self._open[intent.id] = intent
        return intent

    def settle(self, intent: Intent, outcome: str) -> None:
        """The outcome is known (`outcome`: the order id, or why nothing was placed)."""
        if self._open.pop(intent.id, None) is not None:
            self._write({"record": "settled", "id": intent.id, "outcome": outcome})

    def pending(self, venue: str | None = None) -> list[Intent]:
        return [i for i in self._open.values() if venue is None or i.venue == venue]

    def _write(self, record: dict[str, Any]) -> None:
        pass  # in memory only

    def close(self) -> None:
        pass


class FileJournal(Journal):
    """Append-only JSON lines; each record is fsynced before the write it records is sent.

    Every change of the file happens under an exclusive lock on `PATH.lock` and reopens the
    file, so several clients (one per venue, say) may share one journal: appends never land in
    a file another client has just compacted away."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = Path(path)
        with self._locked():
            self._replay()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            lock = open(self.path.with_name(self.path.name + ".lock"), "ab")  # noqa: SIM115
        except OSError as exc:
            raise ConfigurationError(f"journal {self.path} cannot be locked: {exc}") from None
        with lock:
            if fcntl is not None:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            yield

    def _replay(self) -> None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise ConfigurationError(f"journal {self.path} is unreadable: {exc}") from None
        lines = raw.split(b"\n")
        torn = lines.pop()  # after the last newline: empty, or a record a crash cut short
        for number, line in enumerate(lines, 1):
            try:
                self._apply(loads(line))
            except (DecodeError, KeyError, TypeError, ValueError):
                raise ConfigurationError(
                    f"journal {self.path} line {number} is not a journal record") from None
        if torn or len(lines) > len(self._open):
            self._compact()

    def _apply(self, record: dict[str, Any]) -> None:
        if record["record"] == "intent":
            intent = _intent_from(record["intent"])
            self._open[intent.id] = intent
        elif record["record"] == "settled":
            self._open.pop(str(record["id"]), None)
        else:
            raise ValueError(record["record"])

    def _compact(self) -> None:
        """Rewrite the file with the open intents alone (settled ones are history; a torn
        record goes too): a long-running bot's journal stays as small as what is in flight."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("wb") as f:
            for intent in self._open.values():
                f.write(dumps({"record": "intent", "intent": _intent_fields(intent)}).encode()
                        + b"\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def _write(self, record: dict[str, Any]) -> None:
        with self._locked(), self.path.open("ab") as f:
            f.write(dumps(record).encode() + b"\n")
            f.flush()
            os.fsync(f.fileno())


def open_journal(journal: Journal | str | os.PathLike[str] | None) -> Journal:
    if journal is None:
        return Journal()
    if isinstance(journal, Journal):
        return journal
    if isinstance(journal, str | os.PathLike):
        return FileJournal(Path(journal))
    raise ConfigurationError(f"journal must be a path, got {type(journal).__name__}")


def _intent_fields(intent: Intent) -> dict[str, Any]:
    fields = attrs.asdict(intent)
    fields["sent_at"] = intent.sent_at.isoformat()
    return fields


def _intent_from(fields: dict[str, Any]) -> Intent:
    args = fields["args"]
    if not isinstance(args, dict):
        raise TypeError("args")
    return Intent(id=str(fields["id"]), venue=str(fields["venue"]), op=str(fields["op"]),
                  symbol=fields["symbol"], client_order_id=fields["client_order_id"],
                  args=dict(args), sent_at=from_iso(fields["sent_at"]))


@attrs.frozen(kw_only=True)
class Reconciled:
    """What became of an unsettled intent: the order as the venue has it, or None when the
    write never reached the venue. For a cancel-all, `order` is None and `canceled` the orders
    it was meant for that were still open, canceled by id; `outcome` is what the journal
    settled it with ("done", "refused: ...", "not repeated: ...")."""

    intent: Intent
    order: Order | None
    canceled: tuple[Order, ...] = ()
    outcome: str = ""
