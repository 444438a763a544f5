"""Exchange: the public facade. It checks arguments and delegates each job to its own room:

  pipeline.Pipeline       op -> encode -> sign -> send -> unwrap -> classify -> retry -> decode
  markets.Markets         loaded markets, symbol lookups
  market_data.MarketData  tickers, books, trades, candles
  order_args.OrderChecks  an order's arguments checked, client ids made
  placement.Placement     creates and the lost-answer rules
  cancels.Cancels         cancels: single, batched, all
  lookups.OrderLookup     one order's state, open orders
  order_ops.OrderOps      test creates, dead-man switch, markets with open orders
  edits.Edits             edit_order: alter or partial cancel, and a lost answer's lookup
  more_orders             the facade's DESIGN 3d and WebSocket order methods (a base class)
  funds.Funds             accounts, transfers, deposits, withdrawals: never sent twice
  margin.Margin           margin borrow and repay (through funds' write-once loop)
  funds_methods           the facade's money methods (a base class)
  oco.OcoOrders           OCO pairs (lost answers through Placement.settle_lost)
  history.History         walks, cursors, time windows (resume: the cursors' sync points)
  journal.Journal         every write recorded before it is sent, settled after
  recovery.Recovery       pending intents resolved against the venue

Venue-neutral: everything venue-specific comes from the spec and the adapter's pure functions.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from typing import cast

from unified import families
from unified.arguments import flag, non_negative_seconds
from unified.cancels import Cancels
from unified.clock import Clock, SystemClock, VenueClock
from unified.contract_orders import contract_fields
from unified.derivative_models import Position, StopPriceType
from unified.derivatives import Derivatives
from unified.derivatives_methods import DerivativesMethods
from unified.edits import Edits
from unified.errors import NotSupported, UnifiedError
from unified.families import OrderFamily, margin_fields
from unified.funds import Funds
from unified.funds_methods import FundsMethods
from unified.history import History, PageWalk, take
from unified.journal import Intent, Journal, Reconciled, open_journal
from unified.limits import Sleep
from unified.lookups import FAMILIES, OrderLookup
from unified.margin import Margin
from unified.market_data import MarketData
from unified.markets import Markets
from unified.models import (
    Balances,
    Candle,
    Fill,
    LedgerEntry,
    MarginMode,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    OrderType,
    Side,
    Ticker,
    TimeInForce,
    Trade,
    Trigger,
)
from unified.more_orders import MoreOrderMethods
from unified.oco import OcoOrders
from unified.order_args import OrderChecks
from unified.order_ops import OrderOps
from unified.pipeline import Pipeline
from unified.placement import Placement
from unified.precision import to_step
from unified.recovery import Recovery
from unified.retry import RetryPolicy
from unified.spec import VenueSpec
from unified.stops import stop_fields
from unified.streams.hub import Streams
from unified.streams.stream import Stream
from unified.transport import AiohttpTransport, Transport
from unified.venue import Adapter, Credentials
from unified.ws_orders import WsOrders

__all__ = ["Exchange", "PageWalk"]


class Exchange(MoreOrderMethods, FundsMethods, DerivativesMethods):
    """One venue connection. Use as `async with unified.connect(...) as ex:`."""

    def __init__(
        self, *, venue: str, spec: VenueSpec, adapter: Adapter, origin: str,
        credentials: Credentials | None = None, transport: Transport | None = None,
        clock: Clock | None = None, timeout: float = 10.0, retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep, max_wait: float = 30.0,
        journal: Journal | str | os.PathLike[str] | None = None,
    ) -> None:
        self.venue, self.spec, self.adapter, self.origin = venue, spec, adapter, origin
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.clock = VenueClock(clock or SystemClock())
        pipe = self._pipe = Pipeline(
            venue=venue, spec=spec, adapter=adapter, origin=origin, credentials=credentials,
            transport=transport or AiohttpTransport(), clock=self.clock, timeout=timeout,
            retry=self.retry, sleep=sleep, max_wait=non_negative_seconds("max_wait", max_wait),
        )
        self.tables = pipe.tables
        self._markets = Markets(pipe)
        self._data = MarketData(pipe, self._markets)
        self._history = History(pipe, self._markets)
        self._lookup = OrderLookup(pipe, self._markets, self._history)
        self._checks = OrderChecks(pipe, self._markets)
        self._journal = open_journal(journal)
        self._placement = Placement(pipe, self._markets, self._lookup, self._history,
                                    self._journal)
        self._cancels = Cancels(pipe, self._markets, self._lookup, self._placement.known,
                                self._journal)
        self._families = {name: OrderFamily(name, pipe, self._placement, self._lookup)
                          for name in FAMILIES}
        self._ops = OrderOps(pipe, self._markets, self._checks, self._cancels)
        self._edits = Edits(pipe, self._markets, self._lookup, self._placement.known)
        self._oco = OcoOrders(pipe, self._markets, self._checks, self._placement, self._cancels,
                              self._history)
        self._funds = Funds(pipe, self._markets, self._history, self._journal)
        self._derivatives = Derivatives(pipe, self._markets, self._history, self._funds)
        self._margin = Margin(pipe, self._markets, self._history, self._funds)
        self._recovery = Recovery(pipe, self._markets, self._placement, self._cancels,
                                  self._journal, self._families)
        self._streams = Streams(pipe, self._markets, self, credentials is not None)
        self._ws_orders = WsOrders(pipe, self._markets, self._checks, self._placement,
                                   self._cancels, self._edits, self._families["margin"])

    def __repr__(self) -> str:
        return f"<Exchange {self.venue} {self.origin}>"

    async def __aenter__(self) -> Exchange:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._streams.close()
        await self._ws_orders.close()
        await self._pipe.close()
        self._journal.close()

    # ------------------------------------------------------------------ the intent journal

    def pending(self) -> list[Intent]:
        """Writes not settled: cancelled calls, ambiguous outcomes, a crashed run's (journal=)."""
        return self._recovery.pending()

    async def reconcile(self) -> list[Reconciled]:
        """Settle every pending intent: creates looked up (never resent), cancels repeated,
        a cancel-all settled by cancelling by id the orders it was meant for."""
        return await self._recovery.reconcile()

    def has(self, capability: str) -> bool:
        return bool(self.spec.capability(capability))

    def supports(self, operation: str) -> bool:
        """Whether the venue has an endpoint for a public method, e.g. "iter_my_trades"."""
        return operation in self.spec.endpoints

    # ------------------------------------------------------------------ markets, public data

    async def fetch_time(self) -> datetime:
        return cast(datetime, await self._pipe.fetch("fetch_time"))

    async def sync_time(self) -> None:
        """Measure the offset to the venue's clock; signed requests use venue time."""
        await self._pipe.sync_time()

    async def load_markets(self, reload: bool = False) -> dict[str, Market]:
        return await self._markets.load(flag("reload", reload))

    async def market(self, symbol: str) -> Market:
        return await self._markets.market(symbol)

    def price_to_precision(self, symbol: str, price: Decimal, rounding: str = ROUND_DOWN
                           ) -> Decimal:
        """On the market's price (amount) step, rounded down unless told; markets loaded."""
        return to_step("price", price, self._markets.loaded(symbol).price_increment, rounding)

    def amount_to_precision(self, symbol: str, amount: Decimal, rounding: str = ROUND_DOWN
                            ) -> Decimal:
        return to_step("amount", amount, self._markets.loaded(symbol).amount_increment, rounding)

    async def fetch_ticker(self, symbol: str) -> Ticker:
        return await self._data.ticker(symbol)

    async def fetch_tickers(self, symbols: Sequence[str] | None = None) -> dict[str, Ticker]:
        return await self._data.tickers(symbols)

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        return await self._data.order_book(symbol, limit)

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        return await self._data.trades(symbol, limit)

    async def fetch_ohlcv(self, symbol: str, timeframe: str = "1m", since: datetime | None = None,
                          limit: int | None = None) -> list[Candle]:
        return await self._data.ohlcv(symbol, timeframe, since, limit)

    # ------------------------------------------------------------------ streams (DESIGN 3b)

    def watch_order_book(self, symbol: str, limit: int | None = None) -> Stream[OrderBook]:
        return self._streams.open("book", symbol, limit)

    def watch_ticker(self, symbol: str) -> Stream[Ticker]:
        return self._streams.open("ticker", symbol)

    def watch_trades(self, symbol: str) -> Stream[Trade]:
        return self._streams.open("trades", symbol)

    def watch_orders(self, symbol: str | None = None) -> Stream[Order]:
        return self._streams.open("orders", symbol)

    def watch_my_trades(self, symbol: str | None = None) -> Stream[Fill]:
        return self._streams.open("my_trades", symbol)

    def watch_balance(self) -> Stream[Balances]:
        return self._streams.open("balance", None)

    def watch_positions(self, symbol: str | None = None) -> Stream[Position]:
        """Contract venues: the open positions first, then each position after every change
        (`contracts` 0: it was closed)."""
        return self._streams.open("positions", symbol)

    # ------------------------------------------------------------------ account, orders, history

    async def create_order(
        self, symbol: str, type: OrderType, side: Side, amount: Decimal | None,
        price: Decimal | None = None, *, client_order_id: str | None = None,
        time_in_force: TimeInForce | None = None, post_only: bool = False,
        cost: Decimal | None = None, fetch: bool = False, test: bool = False,
        stop_price: Decimal | None = None, trigger: Trigger | None = None,
        margin_mode: MarginMode | None = None, auto_borrow: bool = False,
        auto_repay: bool = False, leverage: Decimal | None = None, reduce_only: bool = False,
        close_position: bool = False, stop_price_type: StopPriceType | None = None,
    ) -> Order:
        """One request: the Order from the request and the answer (PENDING where it reports no
        state); fetch=True: then looked up; test=True: order_ops.OrderOps.test_create;
        stop_price= with trigger=: a stop order; margin_mode=: a margin order (families);
        on contracts, amount counts contracts (unified.contract_orders for the rest)."""
        fetch = flag("fetch", fetch)
        if flag("close_position", close_position):
            amount = await self._derivatives.closing_amount(symbol, side, type, amount)
        request = OrderRequest(type=type, side=side, amount=amount, price=price,
                               client_order_id=client_order_id, time_in_force=time_in_force,
                               post_only=post_only, cost=cost)
        stop = stop_fields(stop_price, trigger)
        margin = margin_fields(self._pipe, margin_mode, auto_borrow, auto_repay, type,
                               time_in_force)
        if flag("test", test):
            if stop or margin:
                raise NotSupported(f"{self.venue}: test creates are for spot orders")
            return await self._ops.test_create(symbol, request, fetch)
        args = await self._checks.prepare(symbol, request)
        args.update(contract_fields(args["market"], leverage, reduce_only, close_position,
                                    stop_price_type, bool(stop), self.has("leverage_required")))
        return await families.place(self._pipe, self._placement, self._families, args, stop,
                                    margin, fetch)

    async def create_orders(self, orders: Sequence[OrderRequest], symbol: str
                            ) -> list[Order | UnifiedError]:
        """One result per request, in order: the Order, the VenueError that refused it,
        AmbiguousOutcome, or the error that kept it from being sent (e.g. ConnectionFailed
        with request_sent False); a failed item never keeps the others from being reported."""
        prepared = await self._checks.prepare_all(symbol, orders)
        for args in prepared:  # a contract's defaults (1x where the venue needs a leverage)
            args.update(contract_fields(args["market"], None, False, False, None, False,
                                        self.has("leverage_required")))
        return await self._placement.place_many(symbol, prepared)

    async def cancel_order(self, id: str, symbol: str, *, fetch: bool = False) -> Order:
        """One request for an order this client reported; else (or fetch=True) looked up."""
        return await self._cancels.one("cancel_order", "fetch_order", id, symbol,
                                       flag("fetch", fetch))

    async def cancel_order_by_client_id(self, client_order_id: str, symbol: str, *,
                                        fetch: bool = False) -> Order:
        return await self._cancels.one("cancel_order_by_client_id", "fetch_order_by_client_id",
                                       client_order_id, symbol, flag("fetch", fetch))

    async def cancel_orders(self, ids: Sequence[str], symbol: str) -> list[Order]:
        """Each order's state after the cancel, in `ids` order; safe to repeat."""
        return await self._cancels.many(ids, symbol)

    async def cancel_all_orders(self, symbol: str | None = None) -> list[Order]:
        """The orders that were open on `symbol` (or everywhere), in their state after it."""
        return await self._cancels.every(symbol)

    async def fetch_order(self, id: str, symbol: str) -> Order:
        return await self._lookup.by_id(id, symbol)

    async def fetch_order_by_client_id(self, client_order_id: str, symbol: str) -> Order:
        return await self._lookup.by_client_id(client_order_id, symbol)

    async def fetch_open_orders(self, symbol: str | None = None, *,
                                margin_mode: MarginMode | None = None) -> list[Order]:
        """Every open order of `symbol`, or (None) of every market the venue says has some;
        with margin_mode, the open margin orders of that mode (a symbol is needed)."""
        if margin_mode is not None:
            return await self._lookup.margin_orders(symbol, margin_mode)
        return await self._lookup.open_orders(symbol)

    async def fetch_closed_orders(self, symbol: str, since: datetime | None = None,
                                  limit: int | None = 100) -> list[Order]:
        return await take(self.iter_closed_orders(symbol, since=since, page_size=limit), limit)

    async def fetch_my_trades(self, symbol: str, since: datetime | None = None,
                              limit: int | None = 100) -> list[Fill]:
        return await take(self.iter_my_trades(symbol, since=since, page_size=limit), limit)

    def iter_closed_orders(self, symbol: str, since: datetime | None = None,
                           until: datetime | None = None, cursor: str | None = None,
                           page_size: int | None = None) -> PageWalk[Order]:
        return self._history.closed_orders(symbol, since, until, cursor, page_size)

    def iter_my_trades(self, symbol: str, since: datetime | None = None,
                       until: datetime | None = None, cursor: str | None = None,
                       page_size: int | None = None) -> PageWalk[Fill]:
        return self._history.my_trades(symbol, since, until, cursor, page_size)

    def iter_ledger(self, currency: str | None = None, since: datetime | None = None,
                    until: datetime | None = None, cursor: str | None = None,
                    page_size: int | None = None) -> PageWalk[LedgerEntry]:
        return self._history.ledger(currency, since, until, cursor, page_size)
