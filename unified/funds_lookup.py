"""Finding a lost transfer or withdrawal (DESIGN 3c, 6): what a write whose answer was lost
became, read from the venue's records, or None when they cannot tell.

Its own module because adopting a record is the one place where a wrong guess tells the caller
that money moved when it did not. A record is the lost write's only when it is the ONLY one
that can be: of its kind, currency and amount (a withdrawal: its address and tag too), stamped
no earlier than the request minus LOOKUP_SLACK, moved in the request's direction where the
record tells it, not one this client already reported (the ids it returned are remembered in
`Writes`), and no other write of this client that looks alike (sent within 2 x LOOKUP_SLACK,
still in flight or reported under an id the records do not show) could be it. Anything else
(no record, two records, a look-alike write that may own the record) is None: the outcome is
left unknown (AmbiguousOutcome), never guessed, never resent.

Direction: a transfer's ledger entries are signed (money into or out of the account whose
ledger it is). The lookup reads the trading account's leg: a transfer to TRADE is a positive
entry, one from TRADE a negative one; between two other accounts the entry does not tell.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from unified.models import Account, LedgerEntry, Transaction, TransactionStatus, Transfer

T = TypeVar("T")
#: how far before the request a looked-up record may be stamped (venue clocks differ a little)
LOOKUP_SLACK = timedelta(seconds=30)
#: how many history records a lost write's lookup reads at most (newest first)
LOOKUP_DEPTH = 200
#: how long a sent write is remembered (far longer than any lookup window)
REMEMBERED = timedelta(minutes=10)


@attrs.define
class Write:
    """One transfer or withdrawal this client sent: what makes it look like another in the
    venue's records (`key`), its trading-account direction (`leg`: +1 into TRADE, -1 out of
    it, None: neither side is TRADE), when it was sent, and the id it was reported under
    (None while in flight or when its outcome is unknown)."""

    key: tuple[Any, ...]
    leg: int | None
    at: datetime
    id: str | None = None

    def alike(self, other: Write) -> bool:
        """Whether `other`'s record could pass for this one's."""
        return other.key == self.key and (self.leg is None or other.leg is None
                                          or other.leg == self.leg)


class Writes:
    """The transfers and withdrawals this client has sent (as placement.KnownOrders remembers
    orders): so that a lookup never adopts a record this client already reported, nor one a
    look-alike write of its own may own."""

    def __init__(self) -> None:
        self._writes: list[Write] = []

    def sent(self, write: Write) -> Write:
        self._writes = [w for w in self._writes if w.at >= write.at - REMEMBERED]
        self._writes.append(write)
        return write

    def reported(self, write: Write, id: str) -> None:
        write.id = id or None

    def refused(self, write: Write) -> None:
        """The venue definitely did not act (refused, or never sent): nothing to confuse."""
        self._writes = [w for w in self._writes if w is not write]

    def ids(self, kind: str) -> set[str]:
        return {w.id for w in self._writes if w.id is not None and w.key[0] == kind}

    def rivals(self, write: Write) -> list[Write]:
        """This client's other writes that look like `write` and were sent close enough to
        it for their records to fall in its lookup window."""
        earliest = write.at - 2 * LOOKUP_SLACK
        return [w for w in self._writes
                if w is not write and w.at >= earliest and write.alike(w)]


def transfer_write(args: Mapping[str, Any], at: datetime) -> Write:
    leg = (1 if args["to_account"] is Account.TRADE
           else -1 if args["from_account"] is Account.TRADE else None)
    return Write(("transfer", args["currency"], args["amount"]), leg, at)


def withdrawal_write(args: Mapping[str, Any], at: datetime) -> Write:
    return Write(("withdrawal", args["currency"], args["amount"], args["address"],
                  args["tag"]), None, at)


def sole(candidates: Sequence[T], seen: set[str], writes: Writes, write: Write) -> T | None:
    """The one candidate, if no look-alike write of this client may own it: one still in
    flight, unknown, or reported under an id not among the records read (`seen`)."""
    hidden = [w for w in writes.rivals(write) if w.id is None or w.id not in seen]
    return candidates[0] if len(candidates) == 1 and not hidden else None


async def find_transfer(walk: AsyncIterator[LedgerEntry], args: Mapping[str, Any],
                        sent_at: datetime, writes: Writes, write: Write) -> Transfer | None:
    """A lost transfer in the ledger: the one entry of kind transfer (venues word it in their
    own case: OKCoinJapan "transfer", KuCoin "TRANSFER") that can be it."""
    known = writes.ids("transfer")
    seen: set[str] = set()
    found: list[LedgerEntry] = []
    async for entry in first(walk, LOOKUP_DEPTH):
        seen.add(entry.id)
        if entry.kind.lower() == "transfer" and abs(entry.amount) == args["amount"] \
                and entry.timestamp >= sent_at - LOOKUP_SLACK and entry.id not in known \
                and (write.leg is None or (entry.amount > 0) == (write.leg > 0)):
            found.append(entry)
    it = sole(found, seen, writes, write)
    if it is None:
        return None
    return Transfer(id=it.id, currency=args["currency"], amount=args["amount"],
                    from_account=args["from_account"], to_account=args["to_account"],
                    status=TransactionStatus.OK, timestamp=it.timestamp, raw=it.raw)


async def find_withdrawal(walk: AsyncIterator[Transaction], args: Mapping[str, Any],
                          sent_at: datetime, writes: Writes, write: Write
                          ) -> Transaction | None:
    """A lost withdrawal in the withdrawal history: the one record of that address and amount
    (as asked, or net of its fee) and tag that can be it."""
    known = writes.ids("withdrawal")
    seen: set[str] = set()
    found: list[Transaction] = []
    async for tx in first(walk, LOOKUP_DEPTH):
        seen.add(tx.id)
        amounts: set[Decimal] = {tx.amount, tx.amount + (tx.fee or 0)}
        if tx.address == args["address"] and args["amount"] in amounts \
                and (args["tag"] is None or tx.tag == args["tag"]) \
                and tx.timestamp >= sent_at - LOOKUP_SLACK and tx.id not in known:
            found.append(tx)
    return sole(found, seen, writes, write)


async def first(walk: AsyncIterator[T], limit: int) -> AsyncIterator[T]:
    n = 0
    async for item in walk:
        yield item
        n += 1
        if n >= limit:
            return

