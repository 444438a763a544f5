"""The engine's events tell everything: a replica built only from them (book levels by
sequence, wallets, each order's last state) always equals the engine, under any trading."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from unified.clock import ManualClock
from unified.models import OrderType, Side, TimeInForce
from unified.sim import events as ev
from unified.sim import order_ops
from unified.sim.book import Engine, EngineError, SimMarket

MARKET = SimMarket("BTC/USDT", "BTC", "USDT", Decimal("0.1"), Decimal("0.0001"),
                   Decimal("0.001"), Decimal("1"), Decimal("100"))
WHO = ("a", "b")


class Replica:
    def __init__(self, engine: Engine) -> None:
        self.sequence = engine.book_sequence(MARKET.symbol)
        bids, asks = engine.depth(MARKET.symbol, 10**6)
        self.book = {Side.BUY: dict(bids), Side.SELL: dict(asks)}
        self.wallets: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
        self.orders: dict[int, ev.OrderChanged] = {}
        self.trades = 0
        engine.events.listen(self.on)

    def on(self, event: ev.EngineEvent) -> None:
        if isinstance(event, ev.BookChanged):
            assert event.sequence == self.sequence + 1  # one per change, no gap
            self.sequence = event.sequence
            if event.size:
                self.book[event.side][event.price] = event.size
            else:
                self.book[event.side].pop(event.price)
        elif isinstance(event, ev.BalanceChanged):
            before = self.wallets.get((event.account, event.currency))
            if before is not None:
                assert (before[0] + event.available_change, before[1] + event.held_change) == (
                    event.available, event.held)
            self.wallets[(event.account, event.currency)] = (event.available, event.held)
            assert event.total == event.available + event.held
        elif isinstance(event, ev.OrderChanged):
            self.orders[event.order.seq] = event
        else:
            self.trades += 1


class Trading(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.engine = Engine([MARKET], ManualClock(), seed=3)
        self.engine.seed_book(levels=5)
        self.replica = Replica(self.engine)
        for who in WHO:
            self.engine.deposit(who, "USDT", Decimal(5000))
            self.engine.deposit(who, "BTC", Decimal(50))

    @rule(who=st.sampled_from(WHO), side=st.sampled_from(list(Side)),
          ticks=st.integers(min_value=-40, max_value=40),
          lots=st.integers(min_value=1, max_value=3000),
          tif=st.sampled_from(list(TimeInForce)), post_only=st.booleans())
    def limit(self, who: str, side: Side, ticks: int, lots: int, tif: TimeInForce,
              post_only: bool) -> None:
        try:
            self.engine.place(who, MARKET.symbol, side, OrderType.LIMIT,
                              amount=MARKET.min_amount * lots,
                              price=MARKET.mid + MARKET.price_increment * ticks,
                              time_in_force=tif, post_only=post_only)
        except EngineError as e:
            assert e.kind in ("insufficient_funds", "invalid")

    @rule(who=st.sampled_from(WHO), lots=st.integers(min_value=1, max_value=500),
          by_cost=st.booleans(), side=st.sampled_from(list(Side)))
    def market(self, who: str, lots: int, by_cost: bool, side: Side) -> None:
        try:
            if by_cost:
                self.engine.place(who, MARKET.symbol, side, OrderType.MARKET, cost=Decimal(lots))
            else:
                self.engine.place(who, MARKET.symbol, side, OrderType.MARKET,
                                  amount=MARKET.min_amount * lots)
        except EngineError as e:
            assert e.kind in ("insufficient_funds", "invalid")

    @precondition(lambda self: any(o.is_open for o in self.engine.orders.values()))
    @rule(data=st.data(), amend=st.booleans())
    def change(self, data: st.DataObject, amend: bool) -> None:
        order = data.draw(st.sampled_from([o for o in self.engine.orders.values()
                                           if o.is_open]))
        if not amend:
            self.engine.cancel(order.account, order.id)
            return
        assert order.amount is not None
        try:
            order_ops.amend(self.engine, order.account, order.id,
                            order.filled + (order.amount - order.filled) / 2)
        except EngineError as e:
            assert e.kind == "invalid"

    @invariant()
    def the_replica_is_the_engine(self) -> None:
        engine, replica = self.engine, self.replica
        assert replica.sequence == engine.book_sequence(MARKET.symbol)
        bids, asks = engine.depth(MARKET.symbol, 10**6)
        assert sorted(replica.book[Side.BUY].items(), reverse=True) == bids
        assert sorted(replica.book[Side.SELL].items()) == asks
        resting: dict[tuple[Side, Decimal], Decimal] = {}
        for o in engine.orders.values():
            if o.is_open and o.type is OrderType.LIMIT and o.price is not None:
                resting[(o.side, o.price)] = resting.get((o.side, o.price), Decimal(0)) \
                    + o.remaining
        assert dict(bids) == {p: a for (s, p), a in resting.items() if s is Side.BUY}
        for (who, ccy), (available, held) in replica.wallets.items():
            wallet = engine.wallet(who, ccy)
            assert (wallet.available, wallet.held) == (available, held)
        for o in engine.orders.values():
            last = replica.orders.get(o.seq)
            if last is not None:
                assert (last.order.status, last.order.filled, last.order.amount) == (
                    o.status, o.filled, o.amount)
                assert last.kind in (ev.FILLED, ev.CANCELED) or o.is_open

    @invariant()
    def every_public_trade_was_told(self) -> None:
        assert self.replica.trades == len(self.engine.trades[MARKET.symbol])


TestTrading = Trading.TestCase
