"""Derivatives market data (DESIGN 3c): mark and index prices, funding rates and their history.

A room beside market_data: the same one-request reads, plus the funding history walked with
the one pagination loop (unified.history / unified.paging). Venue-neutral: an operation the
spec lacks is NotSupported before anything is sent; a venue whose funding history needs both
ends of a time window (the spec's `funding_history_window_days`) gets them filled in here,
`until` the venue's now and `since` that many days before it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from unified import arguments
from unified.contract_orders import closing_amount
from unified.convert import to_ms
from unified.derivative_models import FundingRate, IndexPrice, MarkPrice, Position
from unified.errors import ConfigurationError, NotSupported
from unified.funds import Funds
from unified.history import History, PageWalk, take
from unified.markets import Markets
from unified.models import Market, MarketKind, OrderType, Page, Side
from unified.pipeline import Pipeline

FUNDING_HISTORY = "iter_funding_rate_history"


class Derivatives:
    def __init__(self, pipeline: Pipeline, markets: Markets, history: History,
                 funds: Funds) -> None:
        self._pipe = pipeline
        self._markets = markets
        self._history = history
        self._funds = funds

    def _require(self, op: str) -> None:
        if op not in self._pipe.spec.endpoints:
            raise NotSupported(f"{self._pipe.venue} does not support {op}")

    async def _args(self, op: str, symbol: str, **more: Any) -> dict[str, Any]:
        self._require(op)
        args = await self._markets.args(symbol, **more)
        market: Market = args["market"]
        if market.kind is MarketKind.SPOT:
            raise ConfigurationError(f"{market.symbol} is a spot market: {op} is for contracts")
        return args

    async def _one(self, op: str, symbol: str) -> Any:
        args = await self._args(op, symbol)
        result = await self._pipe.fetch(op, args)
        # answers may name an index or funding series, not the contract: it is the one asked
        return attrs.evolve(result, symbol=args["market"].symbol)

    async def mark_price(self, symbol: str) -> MarkPrice:
        result: MarkPrice = await self._one("fetch_mark_price", symbol)
        return result

    async def index_price(self, symbol: str) -> IndexPrice:
        result: IndexPrice = await self._one("fetch_index_price", symbol)
        return result

    async def funding_rate(self, symbol: str) -> FundingRate:
        _funded(await self._markets.market(symbol), "fetch_funding_rate")
        result: FundingRate = await self._one("fetch_funding_rate", symbol)
        return result

    # ---------------------------------------------------------------- positions

    async def positions(self, symbols: list[str] | None) -> list[Position]:
        """Every open position (of `symbols` where given), named by unified symbol."""
        self._require("fetch_positions")
        wanted = None
        if symbols is not None:
            asked = arguments.symbols("symbols", symbols) or []
            wanted = {(await self._contract(one)).symbol for one in asked}
        await self._markets.load()
        found: list[Position] = await self._pipe.fetch("fetch_positions", {})
        return [p for p in found if p.contracts and (wanted is None or p.symbol in wanted)]

    async def position(self, symbol: str) -> Position | None:
        """The open position of one contract; None when flat."""
        if "fetch_position" not in self._pipe.spec.endpoints:
            market = await self._contract(symbol)
            return next(iter(await self.positions([market.symbol])), None)
        args = await self._args("fetch_position", symbol)
        found: Position | None = await self._pipe.fetch("fetch_position", args)
        if found is None or not found.contracts:
            return None
        return attrs.evolve(found, symbol=args["market"].symbol)

    async def closing_amount(self, symbol: str, side: Side, type: OrderType,
                             amount: Decimal | None) -> Decimal:
        """close_position=True: the whole open position's contracts (contract_orders)."""
        position = await self.position(symbol)
        return closing_amount(side, type, amount, position.side if position else None,
                              position.contracts if position else Decimal(0))

    async def add_margin(self, symbol: str, amount: Decimal, client_id: str) -> Position:
        """Move margin from the account into an isolated position: sent once, never twice (a
        lost answer is AmbiguousOutcome); the position as it stands afterwards."""
        args = await self._args("add_margin", symbol)
        market: Market = args["market"]
        args.update(amount=arguments.positive_decimal("amount", amount), client_id=client_id,
                    currency=market.settle)
        await self._funds.once("add_margin", args, lambda answer: answer,
                               lambda: _nothing())
        position = await self.position(symbol)
        if position is None:
            raise ConfigurationError(f"no open position on {market.symbol} took the margin")
        return position

    async def set_auto_deposit_margin(self, symbol: str, enabled: bool) -> None:
        """Whether the venue tops up an isolated position's margin from the account."""
        args = await self._args("set_auto_deposit_margin", symbol,
                                enabled=arguments.flag("enabled", enabled))
        await self._pipe.fetch("set_auto_deposit_margin", args)

    async def _contract(self, symbol: str) -> Market:
        market = await self._markets.market(symbol)
        if market.kind is MarketKind.SPOT:
            raise ConfigurationError(f"{market.symbol} is a spot market: positions are on "
                                     "contracts")
        return market

    def funding_history(self, symbol: str, since: datetime | None, until: datetime | None,
                        cursor: str | None) -> PageWalk[FundingRate]:
        """Every settled rate of the window, pages as the venue gives them (newest first on
        some venues); resumable from a page's cursor."""
        self._require(FUNDING_HISTORY)
        since, until = self._window(since, until)
        arguments.window(since, until)
        markets, history = self._markets, self._history

        async def pages() -> AsyncIterator[Page[FundingRate]]:
            args = await markets.args(symbol, **_window_args(since, until))
            _funded(args["market"], FUNDING_HISTORY)
            walk = history.walk(FUNDING_HISTORY, args, cursor=cursor)
            async for page in walk.pages():
                named = tuple(attrs.evolve(r, symbol=args["market"].symbol) for r in page.items)
                yield attrs.evolve(page, items=named)

        return PageWalk(pages)

    async def funding_history_list(self, symbol: str, since: datetime | None,
                                   limit: int | None) -> list[FundingRate]:
        """Oldest first: from `since` the first `limit`, else the most recent `limit`."""
        arguments.positive_int("limit", limit)
        await self._args(FUNDING_HISTORY, symbol)
        rates = await take(self.funding_history(symbol, since, None, None), None)
        rates.sort(key=lambda r: r.timestamp)
        if since is not None:
            return rates[:limit] if limit else rates
        return rates[-limit:] if limit else rates

    def _window(self, since: datetime | None, until: datetime | None
                ) -> tuple[datetime | None, datetime | None]:
        since = arguments.aware("since", since)
        until = arguments.aware("until", until)
        days = self._pipe.spec.capability("funding_history_window_days")
        if not days:
            return since, until
        until = until or self._pipe.clock.now()
        return since or until - timedelta(days=int(days)), until


def _funded(market: Market, op: str) -> None:
    """A dated future has no funding: NotSupported before anything is sent."""
    if market.kind is MarketKind.FUTURE:
        raise NotSupported(f"{market.symbol} is a dated future: it has no funding rate ({op})")


async def _nothing() -> None:
    # a lost margin deposit has no record to look it up by: its outcome stays unknown
    return None


def _window_args(since: datetime | None, until: datetime | None) -> dict[str, Any]:
    return {"since": since, "until": until,
            "since_ms": to_ms(since) if since else None,
            "until_ms": to_ms(until) if until else None}
