"""The derivatives book never creates or destroys money (unified.sim.derivatives_settle):
random places, cancels, mark moves and clock jumps over two accounts trading a linear and an
inverse perpetual keep, per settle currency, wallets + position margins + insurance (fees in
the venue's wallet, the linear makers' rebates paid from it) constant, and no wallet (but
the venue's, after rebates) or position margin goes negative. After each step
the due run has also left no position under water, no reduce-only order past its position,
no bookkeeping units beyond what open orders hold, and holds equal to the orders' margins."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from unified.clock import ManualClock
from unified.models import OrderType, Side, TimeInForce
from unified.sim.book import VENUE_ACCOUNT, Engine, EngineError, SimOrder
from unified.sim.derivatives import contract_engine, derivatives_book
from unified.sim.positions import ContractSpec, is_unit, unit_currencies
from unified.sim.triggers import run_due

D = Decimal
# the linear one pays its makers a rebate (a negative maker fee), the inverse one charges them
LINEAR = ContractSpec("BTC/USDT:USDT", "BTC", "USDT", "USDT", D("0.001"), mid=D(30000),
                      maker_fee=D("-0.0002"), taker_fee=D("0.0006"), max_leverage=D(50))
INVERSE = ContractSpec("BTC/USD:BTC", "BTC", "USD", "BTC", D(-1), linear=False,
                       mid=D(40000), price_increment=D("0.5"), maker_fee=D("0.00025"),
                       taker_fee=D("0.00075"), max_leverage=D(50))
SPECS = {s.symbol: s for s in (LINEAR, INVERSE)}
FUNDS = {"USDT": D(2000), "BTC": D("0.05")}
ACCOUNTS = ("a", "b")


@dataclass(frozen=True)
class Place:
    account: str
    symbol: str
    side: Side
    market: bool
    contracts: int
    ticks: int  # the limit price: mid + ticks * 1% of mid
    leverage: int
    reduce_only: bool
    ioc: bool


@dataclass(frozen=True)
class Cross:
    """`maker` rests a limit order, then the other account takes it (a trade for sure, unless
    a refusal or an older order of the book comes first)."""

    maker: str
    symbol: str
    side: Side  # the maker's
    contracts: int
    ticks: int
    leverage: int
    taker_reduce_only: bool


@dataclass(frozen=True)
class Cancel:
    account: str
    index: int


@dataclass(frozen=True)
class Mark:
    symbol: str
    ticks: int | None  # None: back to the default mark


@dataclass(frozen=True)
class Advance:
    hours: int


@dataclass(frozen=True)
class Funding:
    symbol: str
    bp: int  # basis points


Action = Place | Cross | Cancel | Mark | Advance | Funding

symbols = st.sampled_from(sorted(SPECS))
accounts = st.sampled_from(ACCOUNTS)
places = st.builds(
    Place, accounts, symbols, st.sampled_from(list(Side)),
    st.sampled_from([False, False, False, True]),  # market orders take what rests
    st.integers(1, 300), st.integers(-3, 3),
    st.sampled_from([1, 3, 10, 25, 50, 50, 51]),  # 51 is refused
    st.sampled_from([False, False, False, True]), st.booleans())
actions: st.SearchStrategy[Action] = st.one_of(
    places, places,
    st.builds(Cross, accounts, symbols, st.sampled_from(list(Side)), st.integers(1, 300),
              st.integers(-6, 6), st.sampled_from([2, 5, 20, 50]),
              st.sampled_from([False, False, True])),
    st.builds(Cancel, accounts, st.integers(0, 5)),
    st.builds(Mark, symbols, st.one_of(st.none(), st.integers(-8, 8))),
    st.builds(Advance, st.integers(0, 20)),
    st.builds(Funding, symbols, st.integers(-30, 30)),
)


def unit_of(order: SimOrder) -> str:
    """The bookkeeping unit an open contract order holds."""
    contracts, value = unit_currencies(order.symbol)
    return contracts if order.side is Side.SELL else value


def price(symbol: str, ticks: int) -> Decimal:
    spec = SPECS[symbol]
    return spec.mid + ticks * spec.mid / 100


def act(engine: Engine, clock: ManualClock, action: Action) -> None:
    book = derivatives_book(engine)
    if isinstance(action, Place):
        book.place(action.account, action.symbol, action.side,
                   OrderType.MARKET if action.market else OrderType.LIMIT,
                   D(action.contracts), None if action.market else price(action.symbol,
                                                                         action.ticks),
                   leverage=D(action.leverage), reduce_only=action.reduce_only,
                   time_in_force=TimeInForce.IOC if action.ioc else TimeInForce.GTC)
    elif isinstance(action, Cross):
        at = price(action.symbol, action.ticks)
        book.place(action.maker, action.symbol, action.side, OrderType.LIMIT,
                   D(action.contracts), at, leverage=D(action.leverage))
        taker = next(a for a in ACCOUNTS if a != action.maker)
        book.place(taker, action.symbol, Side.BUY if action.side is Side.SELL else Side.SELL,
                   OrderType.LIMIT, D(action.contracts), at, leverage=D(action.leverage),
                   reduce_only=action.taker_reduce_only, time_in_force=TimeInForce.IOC)
    elif isinstance(action, Cancel):
        orders = engine.open_orders(action.account)
        if orders:
            book.cancel(action.account, orders[action.index % len(orders)].id)
    elif isinstance(action, Mark):
        book.set_mark(action.symbol, None if action.ticks is None
                      else price(action.symbol, action.ticks))
    elif isinstance(action, Advance):
        clock.advance(action.hours * 3600)
        run_due(engine)
    else:
        book.set_funding_rate(action.symbol, D(action.bp) / 10_000)


@given(st.lists(actions, min_size=10, max_size=40))
def test_no_money_is_created_or_destroyed(script: list[Action]) -> None:
    clock = ManualClock()
    engine = contract_engine([LINEAR, INVERSE], clock=clock)
    book = derivatives_book(engine)
    for who in ACCOUNTS:
        for currency, amount in FUNDS.items():
            engine.deposit(who, currency, amount)
    start = {c: book.money(c) for c in FUNDS}
    for action in script:
        try:
            act(engine, clock, action)
        except EngineError as refused:
            assert refused.kind in ("invalid", "insufficient_funds"), refused
        for currency, amount in start.items():
            assert book.money(currency) == amount, (currency, action)
        for position in book.open_positions.values():
            assert position.margin >= 0 and position.contracts != 0, position
            assert position.entry_value > 0, position
            # what the due run leaves: nothing under water, reduce-only within the position
            assert not book.underwater(position, book.mark(position.symbol)), position
            reducing = [engine.orders[m.order_id] for m in book._live if m.reduce_only
                        and (m.account, m.symbol) == (position.account, position.symbol)]
            assert sum((o.remaining for o in reducing), D(0)) <= position.size
            assert all(o.side is (Side.SELL if position.sign > 0 else Side.BUY)
                       for o in reducing)
        for who, wallets in engine.wallets.items():
            for currency, wallet in wallets.items():
                # the venue's fee wallet may pay more rebates than it has taken in fees
                assert wallet.held >= 0 and (wallet.available >= 0 or who == VENUE_ACCOUNT)
                if is_unit(currency):  # bookkeeping units: only what open orders hold
                    assert wallet.available == 0, (who, currency, wallet)
                    assert wallet.held == sum((o.held for o in engine.open_orders(who)
                                               if unit_of(o) == currency), D(0)), currency
        # the book's holds are what the settle wallets hold (nothing else is placed here)
        for who in ACCOUNTS:
            for currency in FUNDS:
                held = sum((m.hold for m in book._live if m.account == who
                            and SPECS[m.symbol].settle == currency), D(0))
                assert engine.wallet(who, currency).held == held, (who, currency)
    for position in book.closed:
        assert position.margin == 0 and not position.is_open
