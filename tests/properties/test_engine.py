"""The neutral matching engine conserves every currency and never goes negative."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from unified.clock import ManualClock
from unified.models import OrderStatus, OrderType, Side, TimeInForce
from unified.sim.book import Engine, EngineError, SimMarket

MARKET = SimMarket("BTC/USDT", "BTC", "USDT", Decimal("0.1"), Decimal("0.0001"),
                   Decimal("0.001"), Decimal("1"), Decimal("100"))


class Trading(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.engine = Engine([MARKET], self.clock, seed=3)
        self.engine.seed_book(levels=5)
        for who in ("a", "b"):
            self.engine.deposit(who, "USDT", Decimal(5000))
            self.engine.deposit(who, "BTC", Decimal(50))
        self.start = self.engine.totals()

    @rule(who=st.sampled_from(["a", "b"]), side=st.sampled_from(list(Side)),
          ticks=st.integers(min_value=-40, max_value=40),
          lots=st.integers(min_value=1, max_value=3000),
          tif=st.sampled_from(list(TimeInForce)), post_only=st.booleans())
    def limit(self, who: str, side: Side, ticks: int, lots: int, tif: TimeInForce,
              post_only: bool) -> None:
        price = MARKET.mid + MARKET.price_increment * ticks
        try:
            self.engine.place(who, MARKET.symbol, side, OrderType.LIMIT,
                              amount=MARKET.min_amount * lots, price=price,
                              time_in_force=tif, post_only=post_only)
        except EngineError as e:
            assert e.kind in ("insufficient_funds", "invalid")

    @rule(who=st.sampled_from(["a", "b"]), lots=st.integers(min_value=1, max_value=500),
          by_cost=st.booleans(), side=st.sampled_from(list(Side)))
    def market(self, who: str, lots: int, by_cost: bool, side: Side) -> None:
        try:
            if by_cost and side is Side.BUY:
                self.engine.place(who, MARKET.symbol, side, OrderType.MARKET,
                                  cost=Decimal(lots))
            else:
                self.engine.place(who, MARKET.symbol, side, OrderType.MARKET,
                                  amount=MARKET.min_amount * lots)
        except EngineError as e:
            assert e.kind in ("insufficient_funds", "invalid")

    @precondition(lambda self: any(o.is_open for o in self.engine.orders.values()))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        open_orders = [o for o in self.engine.orders.values() if o.is_open]
        order = data.draw(st.sampled_from(open_orders))
        canceled = self.engine.cancel(order.account, order.id)
        assert canceled.status is OrderStatus.CANCELED and canceled.held == 0

    @rule(seconds=st.integers(min_value=0, max_value=120))
    def tick(self, seconds: int) -> None:
        self.clock.advance(seconds)

    @invariant()
    def conserved_and_non_negative(self) -> None:
        assert self.engine.totals() == self.start
        for wallets in self.engine.wallets.values():
            for wallet in wallets.values():
                assert wallet.available >= 0 and wallet.held >= 0

    @invariant()
    def holds_match_open_orders(self) -> None:
        for who in ("a", "b"):
            held = {"BTC": Decimal(0), "USDT": Decimal(0)}
            for o in self.engine.orders.values():
                if o.account == who:
                    held["BTC" if o.side is Side.SELL else "USDT"] += o.held
                    if not o.is_open:
                        assert o.held == 0
            for ccy, amount in held.items():
                assert self.engine.wallet(who, ccy).held == amount

    @invariant()
    def filled_never_exceeds_amount(self) -> None:
        for o in self.engine.orders.values():
            assert o.filled >= 0
            if o.amount is not None:
                assert o.filled <= o.amount


TestTrading = Trading.TestCase
