"""Margin loans (DESIGN 3c, KuCoin): cross and isolated borrow and repay, and their history.

Its own module because a borrow is money moved like a withdrawal, under the same rule (through
unified.funds' one write-once loop): never sent twice. A lost borrow or repay is looked up in
the venue's borrow (or repay) history by currency, amount and time; not found, it is
AmbiguousOutcome.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from unified.arguments import positive_decimal
from unified.errors import ConfigurationError
from unified.funds import LOOKUP_SLACK, Funds, currency_code
from unified.history import History, PageWalk
from unified.markets import Markets
from unified.models import MarginLoan
from unified.order_ops import require
from unified.pipeline import Pipeline
from unified.venue import Answered

#: how many history records a lost borrow's lookup reads at most (newest first)
LOOKUP_DEPTH = 50


class Margin:
    def __init__(self, pipeline: Pipeline, markets: Markets, history: History,
                 funds: Funds) -> None:
        self._pipe = pipeline
        self._markets = markets
        self._history = history
        self._funds = funds

    async def loan(self, op: str, currency: str, amount: Decimal, symbol: str | None
                   ) -> MarginLoan:
        """op: borrow_margin or repay_margin; `symbol` for isolated margin."""
        require(self._pipe, op)
        args: dict[str, Any] = {"currency": currency_code(currency),
                                "amount": positive_decimal("amount", amount),
                                "isolated": symbol is not None}
        if symbol is not None:
            args = {**await self._markets.args(symbol), **args}
            market = args["market"]
            if args["currency"] not in (market.base, market.quote):
                raise ConfigurationError(f"{symbol}'s isolated margin lends {market.base} or "
                                         f"{market.quote}, not {args['currency']}")
        sent_at = self._pipe.clock.now()
        unified_symbol = args["market"].symbol if symbol is not None else None

        def made(answer: Answered) -> MarginLoan:
            return MarginLoan(id=answer.id, currency=args["currency"],
                              amount=answer.amount if answer.amount is not None
                              else args["amount"], symbol=unified_symbol,
                              timestamp=answer.timestamp or sent_at, raw=answer.raw)

        history = "iter_margin_borrows" if op == "borrow_margin" else "iter_margin_repays"
        return await self._funds.once(op, args, made,
                                      lambda: self._find(history, args, sent_at))

    async def _find(self, op: str, args: dict[str, Any], sent_at: datetime) -> MarginLoan | None:
        if op not in self._pipe.spec.endpoints:
            return None
        walk = self.loans(op, args["currency"], sent_at - LOOKUP_SLACK, None, None,
                          args["market"].symbol if args["isolated"] else None)
        n = 0
        async for loan in walk:
            if loan.amount == args["amount"] and loan.currency == args["currency"]:
                return loan
            n += 1
            if n >= LOOKUP_DEPTH:
                break
        return None

    def loans(self, op: str, currency: str | None, since: datetime | None,
              until: datetime | None, cursor: str | None, symbol: str | None = None
              ) -> PageWalk[MarginLoan]:
        """The borrow (iter_margin_borrows) or repay (iter_margin_repays) history."""
        require(self._pipe, op)
        code = currency_code(currency) if currency is not None else None
        if code is None and self._pipe.spec.capability("margin_history_needs_currency"):
            raise ConfigurationError(f"{self._pipe.venue} lists margin loans of one currency "
                                     "at a time: pass currency=")

        async def args(window: dict[str, Any]) -> dict[str, Any]:
            base = await self._markets.args(symbol) if symbol is not None else {}
            return {**base, "currency": code, "isolated": symbol is not None, **window}

        walk: PageWalk[MarginLoan] = self._history.windowed(op, args, since, until, cursor,
                                                            None)
        return walk
