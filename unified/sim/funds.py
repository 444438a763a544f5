"""The engine's money outside trading, venue-neutral: accounts of several kinds, transfers
between them, deposits and withdrawals, and margin loans with interest.

Its own module so that book.py (the matching engine) stays about matching. The trade account
IS the engine's wallet (what orders hold and fills move); every other kind (main, margin,
isolated per symbol, futures) is held here. Time-driven state is computed from the engine's
clock when read, so a manual clock decides it with no timer: a withdrawal is PENDING until
`withdrawal_delay` has passed, then OK; a loan accrues simple interest per whole hour.

Every movement conserves money: totals() (engine wallets + these + what left by withdrawal -
what came by deposit) is constant. Writes are idempotent by client id where one is given:
the same client id twice is refused as a duplicate, never moved twice.
"""

from __future__ import annotations

import itertools
import weakref
from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from unified.sim.book import Engine
from unified.sim.records import ZERO, EngineError

TRADE = "trade"
KINDS = ("main", "trade", "margin", "isolated", "futures")
#: withdrawals stay pending this long on the engine clock, then are done
WITHDRAWAL_DELAY = timedelta(minutes=10)
#: margin interest per hour (simple, charged per whole hour borrowed)
HOURLY_RATE = Decimal("0.00001")


@attrs.define
class SimTransfer:
    id: str
    client_id: str | None
    account: str
    currency: str
    amount: Decimal
    from_kind: str
    to_kind: str
    at: datetime
    symbol: str | None = None  # isolated margin's market, where one side is isolated


@attrs.define
class SimTransaction:
    id: str
    kind: str  # deposit | withdrawal
    account: str
    currency: str
    amount: Decimal
    fee: Decimal
    address: str
    tag: str | None
    network: str
    created_at: datetime
    txid: str
    canceled: bool = False

    def status(self, now: datetime) -> str:
        """pending | ok | canceled (deposits are credited when made: always ok)."""
        if self.canceled:
            return "canceled"
        if self.kind == "withdrawal" and now < self.created_at + WITHDRAWAL_DELAY:
            return "pending"
        return "ok"


@attrs.define
class SimLoan:
    id: str
    account: str
    currency: str
    principal: Decimal
    symbol: str | None
    at: datetime
    repaid: Decimal = ZERO

    def owed(self, now: datetime) -> Decimal:
        hours = int((now - self.at) / timedelta(hours=1))
        return self.principal * (1 + HOURLY_RATE * hours) - self.repaid


@attrs.define
class SimRepay:
    id: str
    account: str
    currency: str
    amount: Decimal
    symbol: str | None
    at: datetime


class FundsBook:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._ids = itertools.count(1)
        # (account, kind, symbol or "") -> currency -> available
        self.wallets: dict[tuple[str, str, str], dict[str, Decimal]] = {}
        self.transfers: list[SimTransfer] = []
        self.transactions: list[SimTransaction] = []
        self.loans: list[SimLoan] = []
        self.repays: list[SimRepay] = []
        self._client_ids: set[tuple[str, str]] = set()
        self.outside: dict[str, Decimal] = {}  # withdrawn minus deposited (for totals())

    def _id(self, prefix: str) -> str:
        return f"{prefix}{0x6750000000000000 + next(self._ids):016x}"

    def now(self) -> datetime:
        return self._engine.clock.now()

    # ---------------------------------------------------------------- balances

    def available(self, account: str, kind: str, currency: str, symbol: str | None = None
                  ) -> Decimal:
        if kind == TRADE:
            return self._engine.wallet(account, currency).available
        return self.wallets.get((account, kind, symbol or ""), {}).get(currency, ZERO)

    def balances(self, account: str, kind: str, symbol: str | None = None
                 ) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
        """currency -> (total, available, held) of one account kind."""
        if kind == TRADE:
            return {c: (w.total, w.available, w.held)
                    for c, w in self._engine.wallets.get(account, {}).items()}
        return {c: (v, v, ZERO) for c, v in
                self.wallets.get((account, kind, symbol or ""), {}).items()}

    def liabilities(self, account: str, symbol: str | None = None) -> dict[str, Decimal]:
        """currency -> what is owed now (principal and interest) on cross (or isolated)."""
        out: dict[str, Decimal] = {}
        for loan in self.loans:
            if loan.account == account and loan.symbol == symbol:
                out[loan.currency] = out.get(loan.currency, ZERO) + loan.owed(self.now())
        return {c: v for c, v in out.items() if v > 0}

    def _move(self, account: str, kind: str, currency: str, amount: Decimal,
              symbol: str | None, reason: str) -> None:
        """Change one account kind's balance (refusing to go below zero)."""
        if kind not in KINDS:
            raise EngineError("invalid", f"no {kind} account")
        if self.available(account, kind, currency, symbol) + amount < 0:
            raise EngineError("insufficient_funds", f"{currency} balance insufficient")
        if kind == TRADE:  # told to stream listeners as money in or out; kept in the ledger
            self._engine._move(account, currency, amount, ZERO,
                               "deposit" if amount > 0 else "withdrawal")
            self._engine._record(account, currency, amount, reason, "")
            return
        wallet = self.wallets.setdefault((account, kind, symbol or ""), {})
        wallet[currency] = wallet.get(currency, ZERO) + amount

    def _claim(self, account: str, client_id: str | None) -> None:
        if client_id is None:
            return
        if (account, client_id) in self._client_ids:
            raise EngineError("duplicate_client_id", f"client id {client_id} already used")
        self._client_ids.add((account, client_id))

    # ---------------------------------------------------------------- transfers

    def transfer(self, account: str, currency: str, amount: Decimal, from_kind: str,
                 to_kind: str, client_id: str | None = None, symbol: str | None = None
                 ) -> SimTransfer:
        if amount <= 0 or from_kind == to_kind:
            raise EngineError("invalid", "a transfer moves a positive amount between two "
                              "different accounts")
        if self.available(account, from_kind, currency, symbol) < amount:
            raise EngineError("insufficient_funds", f"{currency} balance insufficient")
        self._claim(account, client_id)
        self._move(account, from_kind, currency, -amount, symbol, "transfer")
        self._move(account, to_kind, currency, amount, symbol, "transfer")
        moved = SimTransfer(self._id("t"), client_id, account, currency, amount, from_kind,
                            to_kind, self.now(), symbol)
        self.transfers.append(moved)
        return moved

    # ---------------------------------------------------------------- deposits, withdrawals

    def address(self, account: str, currency: str, network: str) -> str:
        """The account's deposit address on a chain: stable, and unique per account."""
        seed = f"{account}:{currency}:{network}".encode().hex()
        return f"{network.lower()}1{seed[:32]:0<32}"

    def deposit(self, account: str, currency: str, amount: Decimal, network: str,
                kind: str = "main") -> SimTransaction:
        """Funds arriving from outside (credited at once to `kind`)."""
        self._move(account, kind, currency, amount, None, "deposit")
        self.outside[currency] = self.outside.get(currency, ZERO) - amount
        tx = SimTransaction(self._id("d"), "deposit", account, currency, amount, ZERO,
                            self.address(account, currency, network), None, network,
                            self.now(), f"0x{next(self._ids):064x}")
        self.transactions.append(tx)
        return tx

    def withdraw(self, account: str, currency: str, amount: Decimal, address: str,
                 tag: str | None, network: str, fee: Decimal, kind: str = "main"
                 ) -> SimTransaction:
        """Funds leaving: `amount` plus `fee` taken from `kind` at once; pending for
        WITHDRAWAL_DELAY, then done (unless canceled before)."""
        if amount <= 0 or not address:
            raise EngineError("invalid", "a withdrawal needs a positive amount and an address")
        self._move(account, kind, currency, -(amount + fee), None, "withdrawal")
        self.outside[currency] = self.outside.get(currency, ZERO) + amount + fee
        tx = SimTransaction(self._id("w"), "withdrawal", account, currency, amount, fee,
                            address, tag, network, self.now(), f"0x{next(self._ids):064x}")
        self.transactions.append(tx)
        return tx

    def cancel_withdrawal(self, account: str, id: str, kind: str = "main") -> SimTransaction:
        tx = next((t for t in self.transactions if t.id == id and t.account == account
                   and t.kind == "withdrawal"), None)
        if tx is None:
            raise EngineError("not_found", f"withdrawal {id} does not exist")
        if tx.status(self.now()) != "pending":
            raise EngineError("not_cancelable", f"withdrawal {id} is {tx.status(self.now())}")
        tx.canceled = True
        self._move(account, kind, tx.currency, tx.amount + tx.fee, None, "withdrawal")
        self.outside[tx.currency] -= tx.amount + tx.fee
        return tx

    def history(self, account: str, kind: str, currency: str | None = None
                ) -> list[SimTransaction]:
        """Newest first."""
        return [t for t in reversed(self.transactions) if t.account == account
                and t.kind == kind and (currency is None or t.currency == currency)]

    # ---------------------------------------------------------------- margin

    def borrow(self, account: str, currency: str, amount: Decimal, symbol: str | None = None
               ) -> SimLoan:
        """Lend `amount` into the margin (or isolated `symbol`) account."""
        if amount <= 0:
            raise EngineError("invalid", "a loan is of a positive amount")
        kind = "isolated" if symbol else "margin"
        self._move(account, kind, currency, amount, symbol, "borrow")
        self.outside[currency] = self.outside.get(currency, ZERO) - amount
        loan = SimLoan(self._id("b"), account, currency, amount, symbol, self.now())
        self.loans.append(loan)
        return loan

    def repay(self, account: str, currency: str, amount: Decimal, symbol: str | None = None
              ) -> SimRepay:
        """Pay back up to what is owed (oldest loan first), from the margin account."""
        owed = self.liabilities(account, symbol).get(currency, ZERO)
        if amount <= 0 or owed <= 0:
            raise EngineError("invalid", f"no {currency} loan to repay")
        pay = min(amount, owed)
        kind = "isolated" if symbol else "margin"
        self._move(account, kind, currency, -pay, symbol, "repay")
        self.outside[currency] = self.outside.get(currency, ZERO) + pay
        left = pay
        for loan in self.loans:
            if loan.account == account and loan.currency == currency and loan.symbol == symbol:
                part = min(left, loan.owed(self.now()))
                loan.repaid += part
                left -= part
        done = SimRepay(self._id("r"), account, currency, pay, symbol, self.now())
        self.repays.append(done)
        return done

    def totals(self) -> dict[str, Decimal]:
        """Engine wallets + these accounts + what went outside: constant under any movement
        except interest (which the venue earns: it is counted as going outside on repay)."""
        out = dict(self._engine.totals())
        for wallet in self.wallets.values():
            for ccy, v in wallet.items():
                out[ccy] = out.get(ccy, ZERO) + v
        for ccy, v in self.outside.items():
            out[ccy] = out.get(ccy, ZERO) + v
        return out


_BOOKS: weakref.WeakKeyDictionary[Engine, FundsBook] = weakref.WeakKeyDictionary()


def funds_book(engine: Engine) -> FundsBook:
    """The money outside trading of one engine (kept beside it, as OCO pairs are)."""
    book = _BOOKS.get(engine)
    if book is None:
        book = _BOOKS[engine] = FundsBook(engine)
    return book


__all__ = ["FundsBook", "SimLoan", "SimRepay", "SimTransaction", "SimTransfer", "funds_book"]
