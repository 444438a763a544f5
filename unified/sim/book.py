"""Neutral exchange state: markets, balances and holds, order lifecycle, price-time matching.

Knows nothing of any venue's wire format; the venue personalities translate to and from it.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal

import attrs

from unified.clock import Clock, SystemClock
from unified.models import Liquidity, OrderStatus, OrderType, Side, TimeInForce
from unified.sim import events as ev
from unified.sim import seeding, tape
from unified.sim.levels import Levels
from unified.sim.records import (
    HOUSE_ACCOUNT,
    VENUE_ACCOUNT,
    ZERO,
    EngineError,
    LedgerRecord,
    PublicTrade,
    SimFill,
    SimMarket,
    SimOrder,
    Wallet,
)

# The records are re-exported: personalities import them from the engine's module.
__all__ = ["HOUSE_ACCOUNT", "VENUE_ACCOUNT", "ZERO", "Engine", "EngineError", "LedgerRecord",
           "PublicTrade", "SimFill", "SimMarket", "SimOrder", "Wallet"]


def _cost_qty(market: SimMarket, maker: SimOrder, budget: Decimal) -> Decimal:
    """The base amount of `maker` that `budget` (quote) buys or raises, on the amount step."""
    qty = (budget / (maker.price or ZERO)).quantize(market.amount_increment, ROUND_DOWN)
    return min(qty, maker.remaining)


def hex_order_id(seq: int) -> str:
    return f"{0x6717422b00000000 + seq:024x}"


class Engine:
    """One venue's state. Deterministic for a given seed and clock. Every trade, book change,
    order change and balance change is told to `events`' listeners (unified.sim.events);
    `order_id` names new orders (a personality may give its venue's own id format)."""

    def __init__(self, markets: Iterable[SimMarket], clock: Clock | None = None,
                 seed: int = 7) -> None:
        self.markets = {m.symbol: attrs.evolve(m) for m in markets}  # copies: shared class data
        self.clock = clock or SystemClock()
        self.rng = random.Random(seed)
        self.wallets: dict[str, dict[str, Wallet]] = {}
        self.orders: dict[str, SimOrder] = {}
        self.by_client_id: dict[tuple[str, str], SimOrder] = {}
        self.fills: list[SimFill] = []
        self.trades: dict[str, list[PublicTrade]] = {s: [] for s in self.markets}
        self.ledger: list[LedgerRecord] = []
        self.events = ev.Events()
        self.levels = Levels(list(self.markets), self.events, self.clock.now)
        self.order_id: Callable[[int], str] = hex_order_id
        self._last_fill: dict[int, SimFill] = {}  # by order seq
        self._seq = itertools.count(1)
        self._trade_ids = itertools.count(10_000_000)

    def next_trade_id(self) -> int:
        return next(self._trade_ids)

    def book_sequence(self, symbol: str) -> int:
        """The sequence of the symbol's last book change (what a depth answer now shows)."""
        return self.levels.sequence[self.market(symbol).symbol]

    # ---------------------------------------------------------------- accounts

    def wallet(self, account: str, currency: str) -> Wallet:
        return self.wallets.setdefault(account, {}).setdefault(currency, Wallet())

    def deposit(self, account: str, currency: str, amount: Decimal, kind: str = "deposit") -> None:
        self._move(account, currency, amount, ZERO,
                   "withdrawal" if kind == "withdrawal" else "deposit")
        self._record(account, currency, amount, kind, "")

    def _move(self, account: str, currency: str, available: Decimal, held: Decimal,
              reason: str, order: SimOrder | None = None) -> None:
        """Change one wallet (and tell the listeners; fees landing at the venue are not told)."""
        wallet = self.wallet(account, currency)
        wallet.available += available
        wallet.held += held
        if self.events and account != VENUE_ACCOUNT:
            self.events.emit(ev.BalanceChanged(
                self.events.next_n(), account, currency, wallet.total, wallet.available,
                wallet.held, available, held, reason, self.clock.now(),
                order.id if order else None, order.symbol if order else None))

    def _told(self, kind: str, order: SimOrder, fill: SimFill | None = None,
              old_amount: Decimal | None = None) -> None:
        if self.events:
            self.events.emit(ev.OrderChanged(
                self.events.next_n(), kind, ev.order_copy(order), self.clock.now(),
                fill or self._last_fill.get(order.seq), old_amount))

    def totals(self) -> dict[str, Decimal]:
        """Every currency summed over all accounts: constant under trading (conservation)."""
        out: dict[str, Decimal] = {}
        for wallets in self.wallets.values():
            for ccy, w in wallets.items():
                out[ccy] = out.get(ccy, ZERO) + w.total
        return out

    def _record(self, account: str, currency: str, amount: Decimal, kind: str, ref: str) -> None:
        if account in (VENUE_ACCOUNT, HOUSE_ACCOUNT) or amount == 0:
            return
        self.ledger.append(
            LedgerRecord(next(self._seq), account, currency, amount,
                         self.wallet(account, currency).total, kind, ref, self.clock.now())
        )

    # ---------------------------------------------------------------- orders

    def market(self, symbol: str) -> SimMarket:
        try:
            return self.markets[symbol]
        except KeyError:
            raise EngineError("unknown_symbol", f"market {symbol} does not exist") from None

    def place(
        self,
        account: str,
        symbol: str,
        side: Side,
        type: OrderType,
        *,
        amount: Decimal | None = None,
        price: Decimal | None = None,
        cost: Decimal | None = None,
        time_in_force: TimeInForce = TimeInForce.GTC,
        post_only: bool = False,
        client_id: str | None = None,
        id: str | None = None,  # a stop order keeps its id once triggered (unified.sim.stops)
    ) -> SimOrder:
        market = self.market(symbol)
        self._validate(market, side, type, amount, price, cost)
        if client_id and (account, client_id) in self.by_client_id:
            raise EngineError("duplicate_client_id", f"client order id {client_id} already used")
        seq = next(self._seq)
        now = self.clock.now()
        order = SimOrder(
            seq=seq, id=id or self.order_id(seq), client_id=client_id or None,
            account=account, symbol=symbol, side=side, type=type, price=price, amount=amount,
            cost_limit=cost, time_in_force=time_in_force, post_only=post_only,
            created_at=now, updated_at=now, fee_currency=market.quote,
        )
        self._hold(order, market)
        self.orders[order.id] = order
        if client_id:
            self.by_client_id[(account, client_id)] = order
        self._told(ev.PLACED, order)
        self._match(order, market)
        if order.is_open and order.type is OrderType.LIMIT:
            self.levels.add(order)
            self._told(ev.OPEN, order)
        return order

    def _validate(self, market: SimMarket, side: Side, type: OrderType, amount: Decimal | None,
                  price: Decimal | None, cost: Decimal | None) -> None:
        if type is OrderType.LIMIT:
            if price is None or amount is None or price <= 0 or amount <= 0:
                raise EngineError("invalid", "limit orders need a positive price and amount")
            if price % market.price_increment != 0:
                raise EngineError("invalid",
                                  f"price must be a multiple of {market.price_increment}")
        elif cost is not None:  # a quote amount: spent by a buy, raised by a sell
            if amount is not None or cost <= 0:
                raise EngineError("invalid", "cost takes the place of amount and is positive")
            if cost < market.min_cost:
                raise EngineError("invalid", f"order funds below the minimum {market.min_cost}")
            return
        elif amount is None or amount <= 0:
            raise EngineError("invalid", "amount must be positive")
        assert amount is not None
        if amount < market.min_amount:
            raise EngineError("invalid", f"order size below the minimum {market.min_amount}")
        if amount % market.amount_increment != 0:
            raise EngineError("invalid", f"size must be a multiple of {market.amount_increment}")

    def _hold(self, order: SimOrder, market: SimMarket) -> None:
        if order.side is Side.SELL:  # by cost: the base that selling into the bids takes
            ccy, need = market.base, order.amount if order.amount is not None \
                else self._sell_for(market, order.cost_limit or ZERO)
        elif order.cost_limit is not None:
            ccy, need = market.quote, order.cost_limit
        elif order.type is OrderType.LIMIT:
            assert order.price is not None and order.amount is not None
            ccy, need = market.quote, market.limit_buy_hold(order.price, order.amount)
        else:  # market buy by amount: hold what sweeping the book would cost, plus fee
            ccy, need = market.quote, self._sweep_cost(market, order.amount or ZERO) * (
                1 + market.taker_fee)
        if self.wallet(order.account, ccy).available < need:
            raise EngineError("insufficient_funds", f"{ccy} balance insufficient")
        order.held = need
        self._move(order.account, ccy, -need, need, "hold", order)

    def _sweep_cost(self, market: SimMarket, amount: Decimal) -> Decimal:
        cost, left = ZERO, amount
        for maker in self._resting(market.symbol, Side.SELL):
            take = min(left, maker.remaining)
            cost += take * (maker.price or ZERO)
            left -= take
            if left <= 0:
                break
        return cost

    def _sell_for(self, market: SimMarket, cost: Decimal) -> Decimal:
        """What a market sell by cost sells: the bids _match takes until `cost` is raised."""
        sold = raised = ZERO
        for maker in self._resting(market.symbol, Side.BUY):
            qty = _cost_qty(market, maker, cost - raised)
            if qty <= 0:
                break
            sold, raised = sold + qty, raised + qty * (maker.price or ZERO)
        return sold

    def _resting(self, symbol: str, side: Side) -> list[SimOrder]:
        rest = [o for o in self.orders.values()
                if o.symbol == symbol and o.side is side and o.is_open
                and o.type is OrderType.LIMIT]
        if side is Side.BUY:
            rest.sort(key=lambda o: (-(o.price or ZERO), o.seq))
        else:
            rest.sort(key=lambda o: (o.price or ZERO, o.seq))
        return rest

    def _crosses(self, taker: SimOrder, maker: SimOrder) -> bool:
        if taker.type is OrderType.MARKET:
            return True
        assert taker.price is not None and maker.price is not None
        return maker.price <= taker.price if taker.side is Side.BUY else maker.price >= taker.price

    def _match(self, taker: SimOrder, market: SimMarket) -> None:
        makers = self._resting(taker.symbol, Side.SELL if taker.side is Side.BUY else Side.BUY)
        would_take = bool(makers) and self._crosses(taker, makers[0])
        if taker.post_only and would_take:
            self._finish(taker, market, OrderStatus.CANCELED)
            return
        if taker.time_in_force is TimeInForce.FOK and not self._fillable(taker, makers):
            self._finish(taker, market, OrderStatus.CANCELED)
            return
        for maker in makers:
            if not self._crosses(taker, maker):
                break
            assert maker.price is not None
            if taker.cost_limit is not None:  # a buy spends it with fees, a sell raises it
                budget = taker.cost_limit - taker.filled_cost if taker.side is Side.SELL else (
                    taker.cost_limit - taker.filled_cost - taker.fee) / (1 + market.taker_fee)
                qty = _cost_qty(market, maker, budget)
            else:
                qty = min(taker.remaining, maker.remaining)
            if qty <= 0:
                break
            self._trade(taker, maker, market, maker.price, qty)
            if taker.cost_limit is None and taker.remaining <= 0:
                break
        if taker.cost_limit is None and taker.remaining <= 0:
            self._finish(taker, market, OrderStatus.FILLED)
        elif taker.type is OrderType.MARKET:
            status = OrderStatus.FILLED if taker.cost_limit is not None and taker.filled > 0 \
                else OrderStatus.CANCELED
            self._finish(taker, market, status)
        elif taker.time_in_force in (TimeInForce.IOC, TimeInForce.FOK):
            self._finish(taker, market, OrderStatus.CANCELED)

    def _fillable(self, taker: SimOrder, makers: list[SimOrder]) -> bool:
        available = sum((m.remaining for m in makers if self._crosses(taker, m)), ZERO)
        return available >= (taker.amount or ZERO)

    def _trade(self, taker: SimOrder, maker: SimOrder, market: SimMarket, price: Decimal,
               qty: Decimal) -> None:
        now = self.clock.now()
        trade_id = next(self._trade_ids)
        for order, liquidity in ((taker, Liquidity.TAKER), (maker, Liquidity.MAKER)):
            self._settle(order, liquidity, market, price, qty, trade_id, now)
        self.levels.took(maker, qty)
        trade = PublicTrade(trade_id, market.symbol, price, qty, taker.side, now)
        self.trades[market.symbol].append(trade)
        if self.events:
            self.events.emit(ev.TradeMade(self.events.next_n(), trade, taker.id, maker.id))
        if maker.remaining <= 0:
            self._finish(maker, market, OrderStatus.FILLED)

    def _settle(self, order: SimOrder, liquidity: Liquidity, market: SimMarket, price: Decimal,
                qty: Decimal, trade_id: int, now: datetime) -> None:
        """One side of a trade: its funds move, its order fills, its fill is recorded."""
        cost = price * qty
        rate = market.taker_fee if liquidity is Liquidity.TAKER else market.maker_fee
        fee = cost * rate
        acct = order.account
        if order.side is Side.BUY:
            order.held -= cost + fee
            self._move(acct, market.quote, ZERO, -(cost + fee), "trade", order)
            self._move(acct, market.base, qty, ZERO, "trade", order)
            self._record(acct, market.base, qty, "trade", order.id)
            self._record(acct, market.quote, -cost, "trade", order.id)
        else:
            order.held -= qty
            self._move(acct, market.base, ZERO, -qty, "trade", order)
            self._move(acct, market.quote, cost - fee, ZERO, "trade", order)
            self._record(acct, market.base, -qty, "trade", order.id)
            self._record(acct, market.quote, cost, "trade", order.id)
        self.wallet(VENUE_ACCOUNT, market.quote).available += fee
        self._record(acct, market.quote, -fee, "fee", order.id)
        order.filled += qty
        order.filled_cost += cost
        order.fee += fee
        order.updated_at = now
        if order.status is OrderStatus.OPEN:
            order.status = OrderStatus.PARTIALLY_FILLED
        fill = SimFill(next(self._seq), trade_id, order.id, acct, order.symbol, order.side,
                       price, qty, cost, fee, market.quote, rate, liquidity, now)
        self.fills.append(fill)
        self._last_fill[order.seq] = fill
        self._told(ev.FILL, order, fill)

    def _finish(self, order: SimOrder, market: SimMarket, status: OrderStatus) -> None:
        """Close an order and give back whatever it still holds."""
        self.levels.remove(order)  # if it rests: what remained of it leaves the book
        if order.held:
            ccy = market.base if order.side is Side.SELL else market.quote
            held, order.held = order.held, ZERO
            self._move(order.account, ccy, held, -held, "release", order)
        if status is OrderStatus.CANCELED:
            order.canceled_amount = order.remaining
        order.status = status
        order.updated_at = self.clock.now()
        self._told(ev.FILLED if status is OrderStatus.FILLED else ev.CANCELED, order)

    def cancel(self, account: str, order_id: str) -> SimOrder:
        order = self.get(account, order_id)
        if not order.is_open:
            raise EngineError("not_cancelable", f"order {order_id} is already {order.status.value}")
        self._finish(order, self.markets[order.symbol], OrderStatus.CANCELED)
        return order

    def get(self, account: str, order_id: str) -> SimOrder:
        order = self.orders.get(order_id)
        if order is None or order.account != account:
            raise EngineError("not_found", f"order {order_id} does not exist")
        return order

    def get_by_client_id(self, account: str, client_id: str) -> SimOrder:
        order = self.by_client_id.get((account, client_id))
        if order is None:
            raise EngineError("not_found", f"order {client_id} does not exist")
        return order

    # ---------------------------------------------------------------- queries (newest first)

    def open_orders(self, account: str, symbol: str | None = None) -> list[SimOrder]:
        return sorted((o for o in self.orders.values() if o.account == account and o.is_open
                       and (symbol is None or o.symbol == symbol)), key=lambda o: -o.seq)

    def closed_orders(self, account: str, symbol: str | None = None) -> list[SimOrder]:
        return sorted((o for o in self.orders.values() if o.account == account and not o.is_open
                       and (symbol is None or o.symbol == symbol)), key=lambda o: -o.seq)

    def account_fills(self, account: str, symbol: str | None = None) -> list[SimFill]:
        return [f for f in reversed(self.fills)
                if f.account == account and (symbol is None or f.symbol == symbol)]

    def account_ledger(self, account: str, currency: str | None = None) -> list[LedgerRecord]:
        return [e for e in reversed(self.ledger)
                if e.account == account and (currency is None or e.currency == currency)]

    def depth(self, symbol: str, levels: int) -> tuple[list[tuple[Decimal, Decimal]],
                                                       list[tuple[Decimal, Decimal]]]:
        """(bids, asks), best first, from the aggregated book (unified.sim.levels)."""
        self.market(symbol)
        return (self.levels.side(symbol, Side.BUY, levels),
                self.levels.side(symbol, Side.SELL, levels))

    def stats(self, symbol: str) -> dict[str, Decimal | None]:
        return tape.stats(self, symbol)

    def candles(self, symbol: str, seconds: int, start: datetime | None = None,
                end: datetime | None = None) -> list[tape.Candle]:
        return tape.candles(self, symbol, seconds, start, end)

    # ---------------------------------------------------------------- seeding

    def seed_book(self, levels: int = 25) -> None:
        seeding.seed_book(self, levels)

    def seed_tape(self, count: int = 300, spacing: timedelta = timedelta(minutes=1)) -> None:
        seeding.seed_tape(self, count, spacing)
