"""The venue-neutral derivatives book (unified.sim.derivatives and its settle, views,
positions and funding modules): linear and inverse PnL, margin holds, reduce-only orders,
funding on a manual clock, liquidation and the mark's fallbacks, each with exact Decimals,
and money conserved (`book.money`) through all of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs
import pytest

from unified.clock import ManualClock
from unified.models import OrderStatus, OrderType, Side
from unified.sim.book import VENUE_ACCOUNT, Engine, EngineError, SimOrder
from unified.sim.derivatives import DerivativesBook, contract_engine, derivatives_book
from unified.sim.positions import ContractSpec, SimPosition, unit_currencies
from unified.sim.triggers import run_due

D = Decimal
LINEAR = ContractSpec("BTC/USDT:USDT", "BTC", "USDT", "USDT", D("0.001"), mid=D(30000),
                      maker_fee=D("0.0002"), taker_fee=D("0.0006"))
# KuCoin writes an inverse contract's multiplier negative: -1 USD a contract
INVERSE = ContractSpec("BTC/USD:BTC", "BTC", "USD", "BTC", D(-1), linear=False,
                       mid=D(40000), price_increment=D("0.5"), maker_fee=D("0.0002"),
                       taker_fee=D("0.0006"))
LIN, INV = LINEAR.symbol, INVERSE.symbol
FUNDS = {"USDT": D(10000), "BTC": D(1)}
START = datetime(2024, 1, 1, tzinfo=UTC)  # a funding time: the next one is 08:00


def venue() -> tuple[Engine, ManualClock, DerivativesBook]:
    """Both contracts on a manual clock; a and b funded in both settle currencies. A caller
    keeps the engine (as `_engine` where unused): its book refers to it weakly."""
    clock = ManualClock(START)
    engine = contract_engine([LINEAR, INVERSE], clock=clock)
    for who in ("a", "b"):
        for currency, amount in FUNDS.items():
            engine.deposit(who, currency, amount)
    return engine, clock, derivatives_book(engine)


def limit(book: DerivativesBook, who: str, side: Side, contracts: int | str, price: int | str,
          symbol: str = LIN, leverage: int | str | None = 10, reduce_only: bool = False
          ) -> SimOrder:
    return book.place(who, symbol, side, OrderType.LIMIT, D(contracts), D(price),
                      leverage=None if leverage is None else D(leverage),
                      reduce_only=reduce_only)


def take(book: DerivativesBook, who: str, side: Side, contracts: int | str,
         symbol: str = LIN, leverage: int | str | None = 10, reduce_only: bool = False
         ) -> SimOrder:
    return book.place(who, symbol, side, OrderType.MARKET, D(contracts),
                      leverage=None if leverage is None else D(leverage),
                      reduce_only=reduce_only)


def trade(book: DerivativesBook, taker: str, side: Side, contracts: int | str,
          price: int | str, symbol: str = LIN, maker: str = "b", leverage: int | str = 10,
          reduce_only: bool = False) -> None:
    """`maker` rests the other side at `price`, `taker` takes it with a market order."""
    limit(book, maker, Side.SELL if side is Side.BUY else Side.BUY, contracts, price, symbol,
          leverage)
    order = take(book, taker, side, contracts, symbol, None if reduce_only else leverage,
                 reduce_only)
    assert order.status is OrderStatus.FILLED


def position(book: DerivativesBook, who: str, symbol: str = LIN) -> SimPosition:
    found = book.position(who, symbol)
    assert found is not None
    return found


def conserved(book: DerivativesBook) -> None:
    for currency, amount in FUNDS.items():
        assert book.money(currency) == 2 * amount


# ---------------------------------------------------------------- linear and inverse PnL


def test_a_linear_long_realises_contracts_times_multiplier_times_the_move_less_fees() -> None:
    engine, _, book = venue()
    trade(book, "a", Side.BUY, 10, 30000)  # a takes b's ask
    long, short = position(book, "a"), position(book, "b")
    assert (long.contracts, long.entry_value, long.margin, long.fees) == (
        D(10), D(300), D(30), D("0.18"))  # 10 * 0.001 * 30000; / 10; taker 0.06%
    assert (short.contracts, short.margin, short.fees) == (D(-10), D(30), D("0.06"))
    assert engine.wallet("a", "USDT").available == D("9969.82")
    conserved(book)

    trade(book, "a", Side.SELL, 10, 31000, reduce_only=True)
    assert book.position("a", LIN) is None and book.position("b", LIN) is None
    closed = book.closed_positions("a")
    assert len(closed) == 1 and closed[0].realised_pnl == D(10)  # 10 * 0.001 * (31000 - 30000)
    assert (closed[0].close_price, closed[0].margin, closed[0].liquidated) == (
        D(31000), D(0), False)
    assert [f.realised_pnl for f in book.fills("a")] == [D(10), D(0)]  # newest first
    assert [f.fee for f in book.fills("a")] == [D("0.186"), D("0.18")]
    assert engine.wallet("a", "USDT").total == D(10000) + 10 - D("0.18") - D("0.186")
    assert engine.wallet("b", "USDT").total == D(10000) - 10 - D("0.06") - D("0.062")
    assert engine.wallet(VENUE_ACCOUNT, "USDT").available == D("0.488")
    assert book.insurance["USDT"] == 0  # the winner's gain was the loser's loss
    conserved(book)


def test_a_negative_maker_fee_is_a_rebate_paid_to_the_maker() -> None:
    rebate = attrs.evolve(LINEAR, maker_fee=D("-0.00025"))
    engine = contract_engine([rebate], clock=ManualClock(START))
    book = derivatives_book(engine)
    for who in ("a", "b"):
        engine.deposit(who, "USDT", D(10000))
    trade(book, "a", Side.BUY, 10, 30000)  # b's ask is the maker: 300 * -0.025%
    short = position(book, "b")
    assert [f.fee for f in book.fills("b")] == [D("-0.075")] and short.fees == D("-0.075")
    assert short.margin == D(30)
    assert engine.wallet("b", "USDT").total == D(10000) - 30 + D("0.075")  # credited
    assert engine.wallet(VENUE_ACCOUNT, "USDT").available == D("0.18") - D("0.075")
    assert book.money("USDT") == D(20000)


def test_a_closed_position_counts_every_fee_it_paid() -> None:
    _engine, _, book = venue()
    trade(book, "a", Side.BUY, 10, 30000)
    trade(book, "a", Side.SELL, 10, 31000, reduce_only=True)
    assert book.closed_positions("a")[0].fees == D("0.18") + D("0.186")  # opening + closing
    assert book.closed_positions("b")[0].fees == D("0.06") + D("0.062")


def test_an_inverse_long_realises_contracts_times_usd_times_the_inverse_move_in_btc() -> None:
    engine, _, book = venue()
    trade(book, "a", Side.BUY, 1000, 40000, INV, leverage=2)
    long = position(book, "a", INV)
    assert (long.entry_value, long.margin, long.settle) == (D("0.025"), D("0.0125"), "BTC")
    view = book.view(long)
    assert (view.entry_price, view.value, view.unrealised_pnl) == (
        D(40000), D("0.025"), D(0))
    book.set_mark(INV, D(50000))
    assert book.view(long).unrealised_pnl == D("0.005")  # 1000 * 1 * (1/40000 - 1/50000)
    assert book.view(position(book, "b", INV)).unrealised_pnl == D("-0.005")

    trade(book, "a", Side.SELL, 1000, 50000, INV, reduce_only=True)
    closed = book.closed_positions("a", INV)[0]
    assert closed.realised_pnl == D("0.005")
    assert book.closed_positions("b", INV)[0].realised_pnl == D("-0.005")
    fees_a = D("0.025") * D("0.0006") + D("0.02") * D("0.0006")  # on each fill's BTC value
    assert engine.wallet("a", "BTC").total == D(1) + D("0.005") - fees_a
    assert engine.wallet("b", "BTC").total == D(1) - D("0.005") - D("0.025") * D(
        "0.0002") - D("0.02") * D("0.0002")
    assert book.money("BTC") == 2 and book.money("USDT") == 2 * FUNDS["USDT"]


def test_an_inverse_short_gains_when_the_price_falls() -> None:
    _engine, _, book = venue()
    trade(book, "a", Side.SELL, 800, 40000, INV)
    trade(book, "a", Side.BUY, 800, 32000, INV, reduce_only=True)
    # 800 * (1/32000 - 1/40000) = 0.025 - 0.02
    assert book.closed_positions("a", INV)[0].realised_pnl == D("0.005")
    conserved(book)


def test_a_partial_close_takes_its_share_of_the_entry_value_and_margin() -> None:
    engine, _, book = venue()
    trade(book, "a", Side.BUY, 10, 30000)
    trade(book, "a", Side.BUY, 10, 31000)
    long = position(book, "a")
    assert (long.entry_value, long.margin, book.view(long).entry_price) == (
        D(610), D(61), D(30500))
    before = engine.wallet("a", "USDT").available
    trade(book, "a", Side.SELL, 5, 32000, reduce_only=True)
    # basis 610 * 5/20 = 152.5, value 5 * 0.001 * 32000 = 160, fee 160 * 0.0006
    assert (long.contracts, long.entry_value, long.margin, long.realised_pnl) == (
        D(15), D("457.5"), D("45.75"), D("7.5"))
    assert engine.wallet("a", "USDT").available == before + D("15.25") + D("7.5") - D("0.096")
    conserved(book)


def test_a_fill_past_the_position_closes_it_and_opens_the_other_way() -> None:
    _engine, _, book = venue()
    trade(book, "a", Side.BUY, 10, 30000)
    trade(book, "a", Side.SELL, 15, 30500)
    fill = book.fills("a")[0]
    assert (fill.closed, fill.opened, fill.realised_pnl) == (D(10), D(5), D(5))
    short = position(book, "a")
    assert (short.contracts, short.entry_value, short.margin, short.side) == (
        D(-5), D("152.5"), D("15.25"), "short")
    assert book.closed_positions("a")[0].realised_pnl == 5
    assert short.id != book.closed_positions("a")[0].id
    conserved(book)


def test_a_loss_past_the_margin_is_the_insurance_s_isolated_margin_caps_it() -> None:
    engine, _, book = venue()
    trade(book, "a", Side.BUY, 10, 30000)  # margin 30; b short 10
    book.set_mark(LIN, D(30000))  # held still: the trades below liquidate nobody
    trade(book, "a", Side.SELL, 5, 26000, reduce_only=True)
    long = position(book, "a")  # pnl 130 - 150 = -20: the 15 released, 5 more of the margin
    assert (long.contracts, long.margin, long.realised_pnl) == (D(5), D(10), D(-20))
    assert engine.wallet("a", "USDT").total == D(10000) - 30 - D("0.18") - D("0.078")
    assert book.insurance["USDT"] == 0  # b's gain of 20 was a's loss
    trade(book, "a", Side.SELL, 5, 27000, reduce_only=True)  # pnl -15 on a margin of 10
    # what left a's account: the whole margin of 30, not the formula's 35
    assert book.closed_positions("a")[0].realised_pnl == D(-30)
    assert [f.realised_pnl for f in book.fills("a")][:2] == [D(-10), D(-20)]
    assert engine.wallet("a", "USDT").total == D(10000) - 30 - D("0.18") - D("0.078") - D(
        "0.081")  # never more than the margin
    assert book.insurance["USDT"] == D(-5)  # paid b what a could not
    assert book.closed_positions("b")[0].realised_pnl == D(35)
    conserved(book)


# ---------------------------------------------------------------- margin holds


def test_an_open_order_holds_its_margin_and_the_higher_fee_until_canceled() -> None:
    engine, _, book = venue()
    order = limit(book, "a", Side.BUY, 10, 30000)
    hold = D(30) + D("0.18")  # 300 / 10, and 300 * the taker's 0.06% (above the maker's)
    wallet = engine.wallet("a", "USDT")
    assert (wallet.available, wallet.held) == (D(10000) - hold, hold)
    assert book.orders[order.id].hold == hold
    overview = book.account("a", "USDT")
    assert (overview.order_margin, overview.available, overview.wallet, overview.equity) == (
        hold, D(10000) - hold, D(10000), D(10000))
    conserved(book)
    book.cancel("a", order.id)
    assert (wallet.available, wallet.held) == (D(10000), D(0))
    assert book.account("a", "USDT").order_margin == 0
    contracts_unit, value_unit = unit_currencies(LIN)
    assert engine.wallet("a", contracts_unit).total == engine.wallet("a", value_unit).total == 0
    conserved(book)


def test_a_crossing_order_holds_what_each_piece_would_fill_at_and_releases_by_fill() -> None:
    engine, _, book = venue()
    limit(book, "b", Side.SELL, 5, 30000)
    order = limit(book, "a", Side.BUY, 10, 30050)  # takes 5 at 30000, rests 5 at 30050
    assert (order.filled, order.remaining) == (D(5), D(5))
    # what rests: 5 * 0.001 * 30050 = 150.25, / 10, plus 0.06% of it
    assert engine.wallet("a", "USDT").held == D("15.025") + D("0.09015")
    assert position(book, "a").margin == D(15)
    assert engine.wallet("a", "USDT").available == D(10000) - D("15.11515") - D(15) - D("0.09")
    conserved(book)


def test_an_order_holds_only_for_what_it_cannot_reduce() -> None:
    engine, _, book = venue()
    trade(book, "a", Side.BUY, 10, 30000)
    wallet = engine.wallet("a", "USDT")
    reducing = limit(book, "a", Side.SELL, 10, 31000)
    assert wallet.held == 0 and book.orders[reducing.id].hold == 0
    flipping = limit(book, "a", Side.SELL, 4, 32000)  # the first already reduces all 10
    assert wallet.held == D("12.8") + D("0.0768")  # 4 * 32 / 10, and its 0.06%
    book.cancel("a", reducing.id)
    book.cancel("a", flipping.id)
    more = limit(book, "a", Side.SELL, 15, 31000)
    assert book.orders[more.id].hold == D("15.5") + D("0.093")  # the 5 past the position
    conserved(book)


@pytest.mark.parametrize("leverage", [None, D(0), D(-1), D("100.1"), D(101)])
def test_leverage_is_needed_above_0_and_up_to_the_max(leverage: Decimal | None) -> None:
    engine, _, book = venue()
    with pytest.raises(EngineError) as refused:
        book.place("a", LIN, Side.BUY, OrderType.LIMIT, D(1), D(30000), leverage=leverage)
    assert refused.value.kind == "invalid"
    assert engine.open_orders("a") == [] and engine.wallet("a", "USDT").held == 0


def test_the_max_leverage_itself_is_accepted() -> None:
    engine, _, book = venue()
    limit(book, "a", Side.BUY, 10, 30000, leverage=100)
    assert engine.wallet("a", "USDT").held == D(3) + D("0.18")


def test_a_margin_the_wallet_cannot_hold_is_refused_and_holds_nothing() -> None:
    engine, _, book = venue()
    engine.deposit("c", "USDT", D("30.17"))  # one cent short of 30 + 0.18
    with pytest.raises(EngineError) as refused:
        limit(book, "c", Side.BUY, 10, 30000)
    assert refused.value.kind == "insufficient_funds"
    wallet = engine.wallet("c", "USDT")
    assert (wallet.available, wallet.held) == (D("30.17"), D(0))
    assert engine.open_orders("c") == [] and book._live == []
    assert all(engine.wallet("c", unit).total == 0 for unit in unit_currencies(LIN))
    engine.deposit("c", "USDT", D("0.01"))
    limit(book, "c", Side.BUY, 10, 30000)
    assert (wallet.available, wallet.held) == (D(0), D("30.18"))


# ---------------------------------------------------------------- reduce-only


def test_reduce_only_is_refused_without_a_position_or_on_its_side() -> None:
    _engine, _, book = venue()
    with pytest.raises(EngineError) as flat:
        limit(book, "a", Side.SELL, 1, 31000, reduce_only=True)
    trade(book, "a", Side.BUY, 10, 30000)
    with pytest.raises(EngineError) as same_side:
        limit(book, "a", Side.BUY, 1, 29000, reduce_only=True)
    assert flat.value.kind == same_side.value.kind == "invalid"
    assert book.engine.open_orders("a") == []


def test_reduce_only_is_trimmed_to_the_position_and_to_what_others_leave() -> None:
    engine, _, book = venue()
    trade(book, "a", Side.BUY, 10, 30000)
    first = limit(book, "a", Side.SELL, 6, 31000, reduce_only=True)
    second = limit(book, "a", Side.SELL, 25, 32000, reduce_only=True)
    assert (first.amount, second.amount) == (D(6), D(4))
    assert book.orders[second.id].requested == D(25)
    assert engine.wallet("a", "USDT").held == 0  # reduce-only orders hold no margin
    with pytest.raises(EngineError, match="already cover") as covered:
        limit(book, "a", Side.SELL, 1, 33000, reduce_only=True)
    assert covered.value.kind == "invalid"


def test_a_resting_reduce_only_order_shrinks_with_the_position_then_is_canceled() -> None:
    engine, _, book = venue()
    trade(book, "a", Side.BUY, 10, 30000)
    older = limit(book, "a", Side.SELL, 6, 31000, reduce_only=True)
    newer = limit(book, "a", Side.SELL, 4, 32000, reduce_only=True)
    trade(book, "a", Side.SELL, 3, 30000)  # a plain sell: the position is 7
    assert position(book, "a").contracts == 7
    assert (older.amount, older.status, newer.amount, newer.status) == (
        D(6), OrderStatus.OPEN, D(1), OrderStatus.OPEN)  # oldest first keeps its room
    assert [a for _, a in engine.depth(LIN, 5)[1]] == [D(6), D(1)]  # the book shrank too
    contracts_unit = engine.wallet("a", unit_currencies(LIN)[0])
    assert (contracts_unit.available, contracts_unit.held) == (D(0), D(7))  # no units left over
    trade(book, "a", Side.SELL, 5, 30000)  # 2 left
    assert (older.amount, older.status, newer.status) == (
        D(2), OrderStatus.OPEN, OrderStatus.CANCELED)
    trade(book, "a", Side.SELL, 2, 30000)  # flat
    assert older.status is OrderStatus.CANCELED and engine.open_orders("a") == []
    assert engine.wallet("a", "USDT").held == 0
    conserved(book)


def test_a_reduce_only_fill_closes_without_opening() -> None:
    _engine, _, book = venue()
    trade(book, "a", Side.BUY, 10, 30000)
    limit(book, "b", Side.BUY, 20, 30500)
    order = take(book, "a", Side.SELL, 20, leverage=None, reduce_only=True)
    assert (order.amount, order.filled) == (D(10), D(10))
    assert book.position("a", LIN) is None
    assert book.closed_positions("a")[0].realised_pnl == 5
    conserved(book)


# ---------------------------------------------------------------- funding


@pytest.mark.parametrize(("rate", "long_gets"), [
    (D("0.0001"), D("-0.0305")),  # longs pay: 10 * 0.001 * 30500 * 0.01%
    (D("-0.0003"), D("0.0915")),  # longs receive
])
def test_funding_is_charged_once_per_period_at_the_mark(rate: Decimal, long_gets: Decimal
                                                        ) -> None:
    _engine, clock, book = venue()
    trade(book, "a", Side.BUY, 10, 30000)
    book.set_mark(LIN, D(30500))
    book.set_funding_rate(LIN, rate)
    assert book.funding_rate(LIN).next_at == START + timedelta(hours=8)
    clock.advance(8 * 3600 - 1)
    run_due(book.engine)
    assert book.payments == [] and book.funding_history(LIN) == []
    clock.advance(1)  # 08:00
    run_due(book.engine)
    long, short = position(book, "a"), position(book, "b")
    assert (long.margin, long.funding) == (D(30) + long_gets, long_gets)
    assert (short.margin, short.funding) == (D(30) - long_gets, -long_gets)
    [paid] = book.funding_payments("a")
    assert (paid.at, paid.rate, paid.mark, paid.contracts, paid.value, paid.amount) == (
        START + timedelta(hours=8), rate, D(30500), D(10), D("305"), long_gets)
    assert [p.amount for p in book.funding_payments("b", LIN)] == [-long_gets]
    assert [(r.at, r.rate, r.mark) for r in book.funding_history(LIN)] == [
        (START + timedelta(hours=8), rate, D(30500))]
    assert book.funding_rate(LIN).next_at == START + timedelta(hours=16)

    clock.advance(4 * 3600)  # 12:00: inside the same period
    run_due(book.engine)
    book.run()
    assert len(book.payments) == 2 and long.funding == long_gets
    conserved(book)


def test_a_long_clock_jump_charges_each_period_it_crossed_once() -> None:
    _engine, clock, book = venue()
    trade(book, "a", Side.SELL, 20, 30000)  # a short
    book.set_funding_rate(LIN, D("0.0002"))
    clock.advance(24 * 3600 + 60)  # past 08:00, 16:00 and 00:00
    run_due(book.engine)
    got = book.funding_payments("a")
    assert [p.at for p in got] == [START + timedelta(hours=h) for h in (24, 16, 8)]
    assert [p.amount for p in got] == [D("0.12")] * 3  # a short receives 600 * 0.02%
    assert position(book, "a").margin == D(60) + 3 * D("0.12")
    assert len(book.funding_history(LIN)) == 3
    run_due(book.engine)
    assert len(book.funding_payments("a")) == 3
    conserved(book)


def test_funding_is_paid_in_the_settle_currency_of_an_inverse_perpetual() -> None:
    _engine, clock, book = venue()
    trade(book, "a", Side.BUY, 1000, 40000, INV)
    book.set_funding_rate(INV, D("0.001"))
    clock.advance(8 * 3600)
    run_due(book.engine)
    assert [p.amount for p in book.funding_payments("a", INV)] == [D("-0.000025")]
    assert [p.amount for p in book.funding_payments("b", INV)] == [D("0.000025")]
    assert position(book, "a", INV).margin == D("0.0025") - D("0.000025")
    conserved(book)


def test_a_rate_set_after_a_funding_time_is_not_applied_to_it() -> None:
    _engine, clock, book = venue()
    trade(book, "a", Side.BUY, 10, 30000)
    book.set_funding_rate(LIN, D("0.0001"))
    clock.advance(8 * 3600)
    book.set_funding_rate(LIN, D("0.01"))  # 08:00 is charged first, at 0.01%
    assert [p.amount for p in book.funding_payments("a")] == [D("-0.03")]


def test_funding_never_takes_more_than_the_margin() -> None:
    _engine, clock, book = venue()
    trade(book, "a", Side.BUY, 10, 30000, leverage=100)  # margin 3
    book.set_funding_rate(LIN, D("0.05"))  # 15 owed
    clock.advance(8 * 3600)
    run_due(book.engine)
    assert book.funding_payments("a")[0].amount == D(-3)
    assert not book.open_positions.get(("a", LIN))  # no margin left: liquidated
    conserved(book)


# ---------------------------------------------------------------- liquidation


def test_a_mark_far_against_a_position_liquidates_it_into_the_insurance() -> None:
    engine, _, book = venue()
    trade(book, "a", Side.BUY, 10, 30000)  # margin 30
    resting = limit(book, "a", Side.BUY, 1, 25000)
    elsewhere = limit(book, "a", Side.BUY, 100, 30000, INV)
    long = position(book, "a")
    assert book.view(long).liquidation_price == D("27108.5")  # (300 - 30) / (10 * 0.996)
    book.set_mark(LIN, D("27108.5"))  # equity 1.085 against a maintenance of 1.08434
    assert long.is_open and book.position("a", LIN) is long

    book.set_mark(LIN, D("27108.4"))  # equity 1.084, maintenance 1.0843360
    book.run()
    assert book.position("a", LIN) is None and not long.is_open
    assert (long.liquidated, long.close_price, long.realised_pnl, long.margin) == (
        True, D("27108.4"), D(-30), D(0))
    assert book.closed_positions("a") == [long]
    assert book.insurance["USDT"] == D(30)
    assert resting.status is OrderStatus.CANCELED and elsewhere.is_open
    assert engine.wallet("a", "USDT").total == D(10000) - 30 - D("0.18")
    assert engine.wallet("a", "USDT").held == 0
    assert position(book, "b").contracts == -10  # the winner's position stays
    conserved(book)


def test_a_short_is_liquidated_when_the_mark_rises() -> None:
    _engine, _, book = venue()
    trade(book, "a", Side.SELL, 1000, 40000, INV, leverage=20)  # margin 0.00125 BTC
    short = position(book, "a", INV)
    price = book.view(short).liquidation_price
    assert price == D("41936.5")  # 1000 * 0.996 / (0.025 - 0.00125) = 41936.84..., down
    book.set_mark(INV, price)
    assert short.is_open
    book.set_mark(INV, price + D("0.5"))
    assert short.liquidated and book.insurance["BTC"] == D("0.00125")
    conserved(book)


# ---------------------------------------------------------------- the mark


def test_the_mark_falls_back_from_set_to_last_trade_to_mid_to_the_spec() -> None:
    _engine, _, book = venue()
    assert book.mark(LIN) == D(30000) and book.mark(INV) == D(40000)  # spec.mid
    limit(book, "b", Side.BUY, 1, 29900)
    assert book.mark(LIN) == D(30000)  # one side only: no mid
    limit(book, "b", Side.SELL, 1, 30200)
    assert book.mark(LIN) == D(30050)  # the book's mid
    take(book, "a", Side.BUY, 1)
    assert book.mark(LIN) == D(30200)  # the last trade
    limit(book, "b", Side.SELL, 1, 30400)
    assert book.mark(LIN) == D(30200)  # still the last trade, not the new mid
    book.set_mark(LIN, D(31000))
    assert book.mark(LIN) == D(31000) and book.index(LIN) == D(31000)
    book.set_index(LIN, D(30900))
    assert book.index(LIN) == D(30900)
    book.set_mark(LIN, None)
    assert book.mark(LIN) == D(30200) and book.mark(INV) == D(40000)
    with pytest.raises(EngineError):
        book.set_mark(LIN, D(0))


@pytest.mark.parametrize("price", [D(0), D(-1)])
def test_an_index_of_zero_or_below_is_refused_and_changes_nothing(price: Decimal) -> None:
    _engine, _, book = venue()
    book.set_index(LIN, D(30900))
    with pytest.raises(ValueError, match="index price must be above 0"):
        book.set_index(LIN, price)
    assert book.index(LIN) == D(30900)


def test_unknown_contracts_are_refused() -> None:
    _engine, _, book = venue()
    with pytest.raises(EngineError) as refused:
        book.mark("ETH/USDT:USDT")
    assert refused.value.kind == "unknown_symbol"


# ---------------------------------------------------------------- accounts, odd paths


def test_the_account_overview_counts_margins_holds_and_unrealised_pnl() -> None:
    _engine, _, book = venue()
    trade(book, "a", Side.BUY, 10, 30000)
    limit(book, "a", Side.BUY, 5, 29000)  # holds 14.5 + 0.087
    book.set_mark(LIN, D(31000))
    got = book.account("a", "USDT")
    available = D(10000) - D("0.18") - 30 - D("14.587")
    assert (got.available, got.order_margin, got.position_margin, got.unrealised_pnl) == (
        available, D("14.587"), D(30), D(10))
    assert got.wallet == available + D("14.587")
    assert got.equity == D(10000) - D("0.18") + 10
    assert book.account("a", "BTC").equity == 1
    assert book.positions("a") == [position(book, "a")]


def test_an_order_the_engine_cancels_gives_its_hold_back_at_the_next_due_run() -> None:
    engine, _, book = venue()
    order = limit(book, "a", Side.SELL, 10, 31000)
    engine.cancel("a", order.id)  # e.g. a dead-man switch, not through the book
    run_due(engine)
    assert engine.wallet("a", "USDT").held == 0 and book._live == []
    assert engine.wallet("a", "USDT").available == D(10000)
    conserved(book)


def test_a_duplicate_client_id_is_refused_and_holds_nothing() -> None:
    engine, _, book = venue()
    book.place("a", LIN, Side.BUY, OrderType.LIMIT, D(1), D(29000), leverage=D(5),
               client_id="x1")
    held = engine.wallet("a", "USDT").held
    with pytest.raises(EngineError) as refused:
        book.place("a", LIN, Side.BUY, OrderType.LIMIT, D(1), D(29000), leverage=D(5),
                   client_id="x1")
    assert refused.value.kind == "duplicate_client_id"
    assert engine.wallet("a", "USDT").held == held and len(engine.open_orders("a")) == 1


def test_a_dated_future_pays_no_funding() -> None:
    clock = ManualClock(START)
    dated = ContractSpec("BTC/USDT:USDT-240628", "BTC", "USDT", "USDT", D("0.001"),
                         mid=D(30000), funding_interval=None,
                         expiry=datetime(2024, 6, 28, 8, tzinfo=UTC))
    engine = contract_engine([dated], clock=clock)
    book = derivatives_book(engine)
    for who in ("a", "b"):
        engine.deposit(who, "USDT", D(1000))
    trade(book, "a", Side.BUY, 10, 30000, dated.symbol)
    clock.advance(3 * 24 * 3600)
    run_due(engine)
    assert book.payments == [] and position(book, "a", dated.symbol).margin == 30
    for ask in (book.funding_rate, book.funding_history,
                lambda symbol: book.set_funding_rate(symbol, D("0.0001"))):
        with pytest.raises(EngineError) as refused:  # not a KeyError out of the engine
            ask(dated.symbol)
        assert refused.value.kind == "unknown_symbol" and "not a perpetual" in str(
            refused.value)
