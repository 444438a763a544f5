"""Moving money (DESIGN 3c): accounts, transfers, deposit addresses, deposit and withdrawal
histories, withdrawals and their fees.

Its own module because money that leaves an account follows the strictest rule of all: a
transfer or withdrawal is never sent twice. Nothing here is retried blindly; when an answer is
lost the write is looked up (a transfer by its client id or in the venue's records, a
withdrawal in the withdrawal history by currency, amount, address and time) and returned if
exactly one record can be it (unified.funds_lookup), else AmbiguousOutcome carrying what was
asked. Every such write is journaled before it is sent and settled once its outcome is known.

Which accounts a venue has, whether its histories need a currency, what extras a withdrawal
takes and which currencies are fiat, moved through their own endpoints, all come from the spec
(capabilities `accounts`, `funding_history_needs_currency`, `withdraw_extras`,
`fiat_currencies` with `fiat_endpoints` and `fiat_withdraw_extras`); nothing is sent for an
argument the venue cannot take.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from unified.arguments import positive_decimal, reference
from unified.arguments import symbols as arg_symbols
from unified.errors import (
    AmbiguousOutcome,
    ConfigurationError,
    ConnectionFailed,
    DecodeError,
    NotSupported,
    TransportError,
    VenueError,
)
from unified.funds_lookup import LOOKUP_SLACK as LOOKUP_SLACK  # margin's lookups use it too
from unified.funds_lookup import (
    Write,
    Writes,
    find_transfer,
    find_withdrawal,
    transfer_write,
    withdrawal_write,
)
from unified.history import History, PageWalk
from unified.journal import Journal
from unified.markets import Markets
from unified.models import (
    Account,
    Balance,
    Balances,
    DepositAddress,
    TradingFee,
    Transaction,
    TransactionKind,
    TransactionStatus,
    Transfer,
)
from unified.order_ops import require
from unified.pipeline import Pipeline
from unified.placement import UNKNOWN_OUTCOME
from unified.venue import Answered

T = TypeVar("T")
W = TypeVar("W", Transfer, Transaction)


def currency_code(value: object, name: str = "currency") -> str:
    if not isinstance(value, str) or not value.strip() or not value.isascii():
        raise ConfigurationError(f"{name} must be a currency code like 'USDT', got {value!r}")
    return value.strip().upper()


def account_kind(value: object, name: str) -> Account:
    if not isinstance(value, Account):
        raise ConfigurationError(f"{name} must be an Account, got {value!r}")
    return value


class Funds:
    def __init__(self, pipeline: Pipeline, markets: Markets, history: History,
                 journal: Journal) -> None:
        self._pipe = pipeline
        self._markets = markets
        self._history = history
        self.journal = journal
        #: the transfers and withdrawals this client sent, and the ids it reported them by
        self.writes = Writes()

    # ---------------------------------------------------------------- accounts

    def accounts(self) -> tuple[Account, ...]:
        """The account kinds the venue has (its spec's `accounts`; TRADE alone by default)."""
        names = self._pipe.spec.capability("accounts") or ["trade"]
        return tuple(Account(n) for n in names)

    def _has(self, account: Account, name: str) -> Account:
        account_kind(account, name)
        if account not in self.accounts():
            raise NotSupported(f"{self._pipe.venue} has no {account.value} account "
                               f"(it has {', '.join(a.value for a in self.accounts())})")
        return account

    async def balance(self, account: Account | None) -> Balances:
        """An account's balances: its own op where the venue has one (`fetch_balance_main`,
        ...), else fetch_balance told which (args["account"]; None: the trading account)."""
        if account is not None:
            self._has(account, "account")
        op = f"fetch_balance_{account.value}" if account is not None else "fetch_balance"
        if op not in self._pipe.spec.endpoints:
            op = "fetch_balance"
        if op == "fetch_balance" and self._pipe.spec.capability("balance_per_settle_currency"):
            return await self._settle_balances(account)
        result: Balances = await self._pipe.fetch(op, {"account": account})
        return result

    async def _settle_balances(self, account: Account | None) -> Balances:
        """A venue whose balance answer covers one currency (a contract venue's account
        overview): one request per settle currency of its markets, merged."""
        markets = await self._markets.load()
        merged: dict[str, Balance] = {}
        raws: list[Any] = []
        for currency in sorted({m.settle for m in markets.values() if m.settle}):
            part: Balances = await self._pipe.fetch("fetch_balance",
                                                    {"account": account, "currency": currency})
            merged.update(part)
            raws.append(part.raw)
        return Balances(merged, raw=raws)

    def takes_client_id(self, op: str) -> bool:
        """Whether the venue takes a client id on `op` (spec capability `client_ids`)."""
        return op in (self._pipe.spec.capability("client_ids") or ())

    def network(self, value: str | None) -> str | None:
        """The venue's own chain id: given as is, or by a name its spec maps (`networks`, e.g.
        TRC20 -> trx), in any case."""
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise ConfigurationError(f"network must be a chain id or name, got {value!r}")
        names = {k.lower(): str(v) for k, v in
                 (self._pipe.spec.capability("networks") or {}).items()}
        return names.get(value.strip().lower(), value.strip())

    # ---------------------------------------------------------------- writes that move money

    async def transfer(self, currency: str, amount: Decimal, from_account: Account,
                       to_account: Account, client_id: str | None) -> Transfer:
        require(self._pipe, "transfer")
        args: dict[str, Any] = {
                "currency": currency_code(currency),
                "amount": positive_decimal("amount", amount),
                "from_account": self._has(from_account, "from_account"),
                "to_account": self._has(to_account, "to_account"), "client_id": client_id}
        if from_account is to_account:
            raise ConfigurationError("from_account and to_account must differ")
        sent_at = self._pipe.clock.now()

        def made(answer: Answered) -> Transfer:
            return Transfer(id=answer.id, currency=args["currency"], amount=args["amount"],
                            from_account=from_account, to_account=to_account,
                            status=answer.status or TransactionStatus.OK,
                            timestamp=answer.timestamp or sent_at, raw=answer.raw)

        write = transfer_write(args, sent_at)
        return await self._remembered(write, self.once(
            "transfer", args, made, lambda: self._find_transfer(args, sent_at, write)))

    def _fiat(self, currency: str | None) -> bool:
        return currency in (self._pipe.spec.capability("fiat_currencies") or ())

    def _op(self, op: str, currency: str | None) -> str:
        """`op`, or the venue's own op for a fiat currency where its spec names one
        (`fiat_currencies`, `fiat_endpoints`: a bank withdrawal has its own endpoint and
        histories, apart from the chains')."""
        if not self._fiat(currency):
            return op
        return str((self._pipe.spec.capability("fiat_endpoints") or {}).get(op, op))

    async def withdraw(self, currency: str, amount: Decimal, address: str, tag: str | None,
                       network: str | None, extras: Mapping[str, Any]) -> Transaction:
        require(self._pipe, "withdraw")
        code = currency_code(currency)
        op = self._op("withdraw", code)
        require(self._pipe, op)
        reference("address", address)
        allowed = set(self._pipe.spec.capability(
            "fiat_withdraw_extras" if self._fiat(code) else "withdraw_extras") or ())
        unknown = set(extras) - allowed
        if unknown:
            raise ConfigurationError(f"{self._pipe.venue} withdrawals take no "
                                     f"{', '.join(sorted(unknown))}")
        network = self.network(network)
        args: dict[str, Any] = {
                "currency": code,
                "amount": positive_decimal("amount", amount), "address": address,
                "tag": tag, "network": network, **{k: v for k, v in extras.items()}}
        sent_at = self._pipe.clock.now()

        def made(answer: Answered) -> Transaction:
            return Transaction(id=answer.id, kind=TransactionKind.WITHDRAWAL,
                               currency=args["currency"], amount=args["amount"],
                               fee=answer.fee, address=address, tag=tag, network=network,
                               txid=None, status=answer.status or TransactionStatus.PENDING,
                               timestamp=answer.timestamp or sent_at, raw=answer.raw)

        write = withdrawal_write(args, sent_at)
        return await self._remembered(write, self.once(
            op, args, made, lambda: self._find_withdrawal(args, sent_at, write)))

    async def _remembered(self, write: Write, sending: Awaitable[W]) -> W:
        """`sending`'s result, its write remembered by the id it is reported under (and
        while in flight, or when its outcome stays unknown): a later lookup adopts neither."""
        self.writes.sent(write)
        try:
            result = await sending
        except (VenueError, ConfigurationError, ConnectionFailed):
            self.writes.refused(write)  # refused, or never sent: nothing moved
            raise
        self.writes.reported(write, result.id)
        return result

    async def cancel_withdrawal(self, id: str, currency: str | None) -> None:
        """Cancel a withdrawal still pending (safe to repeat: its state is the same after).
        Where the venue names the withdrawal by currency and id (spec capability
        `cancel_withdrawal_needs_currency`, v1), `currency` is required before sending."""
        require(self._pipe, "cancel_withdrawal")
        reference("a withdrawal id", id)
        code = currency_code(currency) if currency is not None else None
        if code is None and self._pipe.spec.capability("cancel_withdrawal_needs_currency"):
            raise ConfigurationError(f"{self._pipe.venue} cancels a withdrawal of one "
                                     "currency: pass currency=")
        await self._pipe.fetch("cancel_withdrawal", {"id": id, "currency": code})

    async def once(self, op: str, args: dict[str, Any], made: Callable[[Answered], T],
                    find: Callable[[], Awaitable[T | None]]) -> T:
        """One write, never repeated: its answer, else what a lookup finds, else ambiguous."""
        intent = self.journal.record(venue=self._pipe.venue, op=op, args=args,
                                     sent_at=self._pipe.clock.now())
        try:
            answer: Answered = await self._pipe.fetch(op, args)
        except UNKNOWN_OUTCOME as exc:
            if isinstance(exc, ConnectionFailed) and not exc.request_sent:
                self.journal.settle(intent, "not sent")
                raise
            found = None
            # a lookup that fails (even on an answer it cannot read) leaves the outcome unknown
            with contextlib.suppress(TransportError, VenueError, DecodeError):
                found = await find()
            if found is None:  # left pending in the journal: the outcome is still unknown
                raise AmbiguousOutcome(
                    f"could not establish whether the {op} of {args['amount']} "
                    f"{args['currency']} happened ({exc}); it was NOT sent again: check the "
                    "venue's records", venue=self._pipe.venue,
                    client_order_id=args.get("client_id")) from None
            self.journal.settle(intent, f"found: {getattr(found, 'id', '')}")
            return found
        except (VenueError, ConfigurationError) as exc:
            self.journal.settle(intent, f"refused: {type(exc).__name__}")
            raise
        self.journal.settle(intent, answer.id)
        return made(answer)

    async def _find_transfer(self, args: Mapping[str, Any], sent_at: datetime,
                             write: Write) -> Transfer | None:
        """A lost transfer: by its client id where the venue can look one up, else the one
        ledger record that can be it (unified.funds_lookup)."""
        if args["client_id"] and "fetch_transfer" in self._pipe.spec.endpoints:
            found: Transfer | None = await self._pipe.fetch("fetch_transfer", args)
            return found
        if "iter_ledger" not in self._pipe.spec.endpoints:
            return None
        walk = self._history.ledger(args["currency"], sent_at - LOOKUP_SLACK, None, None, None)
        return await find_transfer(walk, args, sent_at, self.writes, write)

    async def _find_withdrawal(self, args: Mapping[str, Any], sent_at: datetime,
                               write: Write) -> Transaction | None:
        """A lost withdrawal: the one withdrawal history record that can be it."""
        walk = self.history(TransactionKind.WITHDRAWAL, args["currency"],
                            sent_at - LOOKUP_SLACK, None, None, None)
        return await find_withdrawal(walk, args, sent_at, self.writes, write)

    # ---------------------------------------------------------------- reads

    async def trading_fees(self, symbols: Sequence[str] | None) -> dict[str, TradingFee]:
        """The account's own rates, per market (of `symbols`, or every market the venue
        answers for), asked in chunks of the venue's `trading_fees_symbols_max`."""
        require(self._pipe, "fetch_trading_fees")
        names = arg_symbols("symbols", symbols)
        loaded = await self._markets.load()
        ids = [(await self._markets.market(n)).venue_symbol for n in names or ()]
        if names is None and self._pipe.spec.capability("trading_fees_symbols_required"):
            ids = [m.venue_symbol for m in loaded.values()]  # the venue answers none unasked
        step = int(self._pipe.spec.capability("trading_fees_symbols_max") or len(ids) or 1)
        chunks = [ids[i:i + step] for i in range(0, len(ids), step)] if ids else [[]]
        out: dict[str, TradingFee] = {}
        for chunk in chunks:
            fees: list[TradingFee] = await self._pipe.fetch("fetch_trading_fees",
                                                            {"symbols": chunk})
            out.update((f.symbol, f) for f in fees)
        return out

    async def deposit_address(self, currency: str, network: str | None) -> DepositAddress:
        require(self._pipe, "fetch_deposit_address")
        network = self.network(network)
        args = {"currency": currency_code(currency), "network": network}
        found: list[DepositAddress] = await self._pipe.fetch("fetch_deposit_address", args)
        wanted = network.lower() if network else None
        for address in found:
            if wanted is None or (address.network or "").lower() == wanted:
                return address
        raise ConfigurationError(f"{self._pipe.venue} has no {args['currency']} deposit "
                                 f"address{f' on {network}' if network else ''}; create one "
                                 "at the venue first")

    async def withdrawal_fee(self, currency: str, network: str | None) -> Decimal:
        require(self._pipe, "fetch_withdrawal_fee")
        fee: Decimal = await self._pipe.fetch(
            "fetch_withdrawal_fee", {"currency": currency_code(currency),
                                     "network": self.network(network)})
        return fee

    def history(self, kind: TransactionKind, currency: str | None, since: datetime | None,
                until: datetime | None, cursor: str | None, page_size: int | None
                ) -> PageWalk[Transaction]:
        op = "iter_deposits" if kind is TransactionKind.DEPOSIT else "iter_withdrawals"
        require(self._pipe, op)
        code = currency_code(currency) if currency is not None else None
        op = self._op(op, code)
        require(self._pipe, op)
        if code is None and self._pipe.spec.capability("funding_history_needs_currency"):
            raise ConfigurationError(f"{self._pipe.venue} lists {op[5:]} of one currency "
                                     "at a time: pass currency=")

        async def args(window: dict[str, Any]) -> dict[str, Any]:
            return {"currency": code, **window}

        walk: PageWalk[Transaction] = self._history.windowed(op, args, since, until, cursor,
                                                             page_size)
        return walk

