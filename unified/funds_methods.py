"""The facade's money methods (DESIGN 3c): accounts, transfers, deposits and withdrawals,
margin loans and the account's own trading fees, as a base class of Exchange (unified.client).
Each delegates to its room (unified.funds, unified.margin), built by Exchange.__init__."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from unified.funds import Funds
from unified.history import PageWalk
from unified.margin import Margin
from unified.models import (
    Account,
    Balances,
    DepositAddress,
    MarginLoan,
    TradingFee,
    Transaction,
    TransactionKind,
    Transfer,
)


class FundsMethods:
    _funds: Funds
    _margin: Margin

    async def fetch_balance(self, account: Account | None = None) -> Balances:
        """The trading account's balances, or those of `account` where the venue has it."""
        return await self._funds.balance(account)

    def accounts(self) -> tuple[Account, ...]:
        """The account kinds this venue has."""
        return self._funds.accounts()

    async def transfer(self, currency: str, amount: Decimal, from_account: Account,
                       to_account: Account) -> Transfer:
        """Move funds between two of your accounts. Never sent twice: a lost answer is looked
        up (client id, else the venue's records), else AmbiguousOutcome."""
        client_id = uuid.uuid4().hex if self._funds.takes_client_id("transfer") else None
        return await self._funds.transfer(currency, amount, from_account, to_account,
                                          client_id)

    async def withdraw(self, currency: str, amount: Decimal, address: str,
                       tag: str | None = None, network: str | None = None, **extras: Any
                       ) -> Transaction:
        """Send funds out. Never sent twice: a lost answer is looked up in the withdrawal
        history, else AmbiguousOutcome. `extras`: the venue's own required fields (README)."""
        return await self._funds.withdraw(currency, amount, address, tag, network, extras)

    async def cancel_withdrawal(self, id: str, currency: str | None = None) -> None:
        """Cancel a pending withdrawal; `currency` where the venue needs it (v1)."""
        await self._funds.cancel_withdrawal(id, currency)

    async def fetch_deposit_address(self, currency: str, network: str | None = None
                                    ) -> DepositAddress:
        return await self._funds.deposit_address(currency, network)

    async def fetch_withdrawal_fee(self, currency: str, network: str | None = None) -> Decimal:
        return await self._funds.withdrawal_fee(currency, network)

    def iter_deposits(self, currency: str | None = None, since: datetime | None = None,
                      until: datetime | None = None, cursor: str | None = None,
                      page_size: int | None = None) -> PageWalk[Transaction]:
        return self._funds.history(TransactionKind.DEPOSIT, currency, since, until, cursor,
                                   page_size)

    def iter_withdrawals(self, currency: str | None = None, since: datetime | None = None,
                         until: datetime | None = None, cursor: str | None = None,
                         page_size: int | None = None) -> PageWalk[Transaction]:
        return self._funds.history(TransactionKind.WITHDRAWAL, currency, since, until, cursor,
                                   page_size)

    async def fetch_trading_fees(self, symbols: Sequence[str] | None = None
                                 ) -> dict[str, TradingFee]:
        return await self._funds.trading_fees(symbols)

    async def borrow_cross_margin(self, currency: str, amount: Decimal) -> MarginLoan:
        return await self._margin.loan("borrow_margin", currency, amount, None)

    async def repay_cross_margin(self, currency: str, amount: Decimal) -> MarginLoan:
        return await self._margin.loan("repay_margin", currency, amount, None)

    async def borrow_isolated_margin(self, symbol: str, currency: str, amount: Decimal
                                     ) -> MarginLoan:
        return await self._margin.loan("borrow_margin", currency, amount, symbol)

    async def repay_isolated_margin(self, symbol: str, currency: str, amount: Decimal
                                    ) -> MarginLoan:
        return await self._margin.loan("repay_margin", currency, amount, symbol)

    def iter_margin_borrows(self, currency: str | None = None, since: datetime | None = None,
                            until: datetime | None = None, cursor: str | None = None,
                            symbol: str | None = None) -> PageWalk[MarginLoan]:
        """Every borrow (isolated: of `symbol`), oldest pages last, walked to the end."""
        return self._margin.loans("iter_margin_borrows", currency, since, until, cursor,
                                  symbol)

    def iter_margin_repays(self, currency: str | None = None, since: datetime | None = None,
                           until: datetime | None = None, cursor: str | None = None,
                           symbol: str | None = None) -> PageWalk[MarginLoan]:
        """Every repay (isolated: of `symbol`), as iter_margin_borrows walks the borrows."""
        return self._margin.loans("iter_margin_repays", currency, since, until, cursor,
                                  symbol)
