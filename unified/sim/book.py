"""Neutral exchange state: markets, balances and holds, order lifecycle, price-time matching.

Knows nothing of any venue's wire format; the venue personalities translate to and from it.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from unified.clock import Clock, SystemClock
from unified.models import Liquidity, OrderStatus, OrderType, Side, TimeInForce
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


class Engine:
    """One venue's state. Deterministic for a given seed and clock."""

    def __init__(self, markets: Iterable[SimMarket], clock: Clock | None = None,
                 seed: int = 7) -> None:
        self.markets = {m.symbol: m for m in markets}
        self.clock = clock or SystemClock()
        self.rng = random.Random(seed)
        self.wallets: dict[str, dict[str, Wallet]] = {}
        self.orders: dict[str, SimOrder] = {}
        self.by_client_id: dict[tuple[str, str], SimOrder] = {}
        self.fills: list[SimFill] = []
        self.trades: dict[str, list[PublicTrade]] = {s: [] for s in self.markets}
        self.ledger: list[LedgerRecord] = []
        self._seq = itertools.count(1)
        self._trade_ids = itertools.count(10_000_000)

    # ---------------------------------------------------------------- accounts

    def wallet(self, account: str, currency: str) -> Wallet:
        return self.wallets.setdefault(account, {}).setdefault(currency, Wallet())

    def deposit(self, account: str, currency: str, amount: Decimal, kind: str = "deposit") -> None:
        wallet = self.wallet(account, currency)
        wallet.available += amount
        self._record(account, currency, amount, kind, "")

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
    ) -> SimOrder:
        market = self.market(symbol)
        self._validate(market, side, type, amount, price, cost)
        if client_id and (account, client_id) in self.by_client_id:
            raise EngineError("duplicate_client_id", f"client order id {client_id} already used")
        seq = next(self._seq)
        now = self.clock.now()
        order = SimOrder(
            seq=seq, id=f"{0x6717422b00000000 + seq:024x}", client_id=client_id or None,
            account=account, symbol=symbol, side=side, type=type, price=price, amount=amount,
            cost_limit=cost, time_in_force=time_in_force, post_only=post_only,
            created_at=now, updated_at=now, fee_currency=market.quote,
        )
        self._hold(order, market)
        self.orders[order.id] = order
        if client_id:
            self.by_client_id[(account, client_id)] = order
        self._match(order, market)
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
            ccy, need = market.quote, order.price * order.amount * (1 + max(
                market.maker_fee, market.taker_fee))
        else:  # market buy by amount: hold what sweeping the book would cost, plus fee
            ccy, need = market.quote, self._sweep_cost(market, order.amount or ZERO) * (
                1 + market.taker_fee)
        wallet = self.wallet(order.account, ccy)
        if wallet.available < need:
            raise EngineError("insufficient_funds", f"{ccy} balance insufficient")
        wallet.available, wallet.held = wallet.available - need, wallet.held + need
        order.held = need

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
        cost = price * qty
        for order, liquidity in ((taker, Liquidity.TAKER), (maker, Liquidity.MAKER)):
            rate = market.taker_fee if liquidity is Liquidity.TAKER else market.maker_fee
            fee = cost * rate
            base = self.wallet(order.account, market.base)
            quote = self.wallet(order.account, market.quote)
            if order.side is Side.BUY:
                order.held -= cost + fee
                quote.held -= cost + fee
                base.available += qty
                self._record(order.account, market.base, qty, "trade", order.id)
                self._record(order.account, market.quote, -cost, "trade", order.id)
            else:
                order.held -= qty
                base.held -= qty
                quote.available += cost - fee
                self._record(order.account, market.base, -qty, "trade", order.id)
                self._record(order.account, market.quote, cost, "trade", order.id)
            self.wallet(VENUE_ACCOUNT, market.quote).available += fee
            self._record(order.account, market.quote, -fee, "fee", order.id)
            order.filled += qty
            order.filled_cost += cost
            order.fee += fee
            order.updated_at = now
            if order.status is OrderStatus.OPEN:
                order.status = OrderStatus.PARTIALLY_FILLED
            self.fills.append(SimFill(next(self._seq), trade_id, order.id, order.account,
                                      order.symbol, order.side, price, qty, cost, fee,
                                      market.quote, rate, liquidity, now))
        if maker.remaining <= 0:
            self._finish(maker, market, OrderStatus.FILLED)
        self.trades[market.symbol].append(
            PublicTrade(trade_id, market.symbol, price, qty, taker.side, now))

    def _finish(self, order: SimOrder, market: SimMarket, status: OrderStatus) -> None:
        """Close an order and give back whatever it still holds."""
        if order.held:
            ccy = market.base if order.side is Side.SELL else market.quote
            wallet = self.wallet(order.account, ccy)
            wallet.held -= order.held
            wallet.available += order.held
            order.held = ZERO
        if status is OrderStatus.CANCELED:
            order.canceled_amount = order.remaining
        order.status = status
        order.updated_at = self.clock.now()

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
        self.market(symbol)
        sides = []
        for side in (Side.BUY, Side.SELL):
            agg: dict[Decimal, Decimal] = {}
            for o in self._resting(symbol, side):
                assert o.price is not None
                agg[o.price] = agg.get(o.price, ZERO) + o.remaining
            sides.append(list(agg.items())[:levels])
        return sides[0], sides[1]

    def stats(self, symbol: str) -> dict[str, Decimal | None]:
        """24 h figures from the public tape, plus the best prices."""
        since = self.clock.now() - timedelta(days=1)
        day = [t for t in self.trades[self.market(symbol).symbol] if t.at >= since]
        bids, asks = self.depth(symbol, 1)
        return {
            "last": day[-1].price if day else None,
            "open": day[0].price if day else None,
            "high": max((t.price for t in day), default=None),
            "low": min((t.price for t in day), default=None),
            "volume": sum((t.amount for t in day), ZERO),
            "quote_volume": sum((t.amount * t.price for t in day), ZERO),
            "bid": bids[0][0] if bids else None,
            "bid_size": bids[0][1] if bids else None,
            "ask": asks[0][0] if asks else None,
            "ask_size": asks[0][1] if asks else None,
        }

    def candles(self, symbol: str, seconds: int, start: datetime | None = None,
                end: datetime | None = None) -> list[tuple[datetime, Decimal, Decimal, Decimal,
                                                           Decimal, Decimal, Decimal]]:
        """(open time, open, high, low, close, volume, quote volume), oldest first."""
        buckets: dict[int, list[PublicTrade]] = {}
        for t in self.trades[self.market(symbol).symbol]:
            if (start and t.at < start) or (end and t.at >= end):
                continue
            buckets.setdefault(int(t.at.timestamp()) // seconds * seconds, []).append(t)
        rows = []
        for stamp in sorted(buckets):
            ts = buckets[stamp]
            rows.append((datetime.fromtimestamp(stamp, tz=self.clock.now().tzinfo),
                         ts[0].price, max(t.price for t in ts), min(t.price for t in ts),
                         ts[-1].price, sum((t.amount for t in ts), ZERO),
                         sum((t.amount * t.price for t in ts), ZERO)))
        return rows

    # ---------------------------------------------------------------- seeding

    def seed_book(self, levels: int = 25) -> None:
        """A market maker quoting a ladder around each market's mid, with deep pockets."""
        for m in self.markets.values():
            self.deposit(HOUSE_ACCOUNT, m.base, Decimal(10) ** 9)
            self.deposit(HOUSE_ACCOUNT, m.quote, Decimal(10) ** 12)
            step = max(m.price_increment, (m.mid / 2000).quantize(m.price_increment))
            for i in range(1, levels + 1):
                size = (m.min_amount * 100 * self.rng.randint(5, 200)).quantize(m.amount_increment)
                for side, price in ((Side.BUY, m.mid - step * i), (Side.SELL, m.mid + step * i)):
                    self.place(HOUSE_ACCOUNT, m.symbol, side, OrderType.LIMIT, amount=size,
                               price=price)

    def seed_tape(self, count: int = 300, spacing: timedelta = timedelta(minutes=1)) -> None:
        """Public trades over the recent past, for tickers and candles (no balances move)."""
        now = self.clock.now()
        for m in self.markets.values():
            price = m.mid
            for i in range(count, 0, -1):
                price = max(m.price_increment, price + m.price_increment * self.rng.randint(-5, 5))
                size = (m.min_amount * self.rng.randint(1, 50)).quantize(m.amount_increment)
                side = Side.BUY if self.rng.random() < 0.5 else Side.SELL
                self.trades[m.symbol].append(
                    PublicTrade(next(self._trade_ids), m.symbol, price, size, side,
                                now - spacing * i))
