"""KuCoin's partial cancel on the local venue (DELETE /api/v1/hf/orders/cancel/{orderId}
?symbol=&cancelSize=): the order keeps its id and its place in the queue, what it no longer
needs held is released, and bad sizes are refused with the invalid-parameter error."""

from __future__ import annotations

import pytest

from unified.models import OrderStatus, OrderType, Side
from unified.sim.book import EngineError, SimOrder
from unified.sim.server import SimResponse, SimVenue

from .helpers import D, call, kucoin

NOT_CANCELABLE = {"code": "400100", "msg": "order_not_exist_or_not_allow_to_cancel"}


def bid(sim: SimVenue, size: str, who: str = "user", price: str = "20000") -> SimOrder:
    if who != "user":
        for ccy in ("USDT", "BTC"):
            sim.engine.deposit(who, ccy, D(100_000))
    return sim.engine.place(who, "BTC/USDT", Side.BUY, OrderType.LIMIT, amount=D(size),
                            price=D(price))


def partial(sim: SimVenue, order_id: str, size: str | None) -> SimResponse:
    query = {"symbol": "BTC-USDT"} if size is None else {"symbol": "BTC-USDT",
                                                         "cancelSize": size}
    return call(sim, "cancel_order_partial", match={"id": order_id}, query=query)


def sell(sim: SimVenue, size: str) -> None:
    sim.engine.deposit("seller", "BTC", D(size))
    sim.engine.place("seller", "BTC/USDT", Side.SELL, OrderType.MARKET, amount=D(size))


def test_it_keeps_the_id_and_the_queue_place_and_releases_funds() -> None:
    sim = kucoin()
    earlier = bid(sim, "0.001", "early")
    mine = bid(sim, "0.003")
    later = bid(sim, "0.001", "late")
    wallet = sim.engine.wallet("user", "USDT")
    held, available, totals = wallet.held, wallet.available, sim.engine.totals()
    answer = partial(sim, mine.id, "0.001")
    assert answer.body == {"code": "200000", "data": {"orderId": mine.id, "cancelSize": "0.001"}}
    assert (mine.amount, mine.status, sim.engine.orders[mine.id]) == (D("0.002"),
                                                                      OrderStatus.OPEN, mine)
    market = sim.engine.markets["BTC/USDT"]
    released = D("20000") * D("0.001") * (1 + max(market.maker_fee, market.taker_fee))
    assert (wallet.held, wallet.available) == (held - released, available + released)
    assert sim.engine.totals() == totals
    sell(sim, "0.0015")  # the earlier order first, then ours: its place is kept
    assert (earlier.status, mine.filled, later.filled) == (OrderStatus.FILLED, D("0.0005"), 0)
    sell(sim, "0.002")  # ours before the later one
    assert (mine.status, later.filled) == (OrderStatus.FILLED, D("0.0005"))


def test_cancelling_all_that_is_unfilled_cancels_the_order() -> None:
    sim = kucoin()
    mine = bid(sim, "0.002")
    sell(sim, "0.0005")
    assert (mine.filled, mine.remaining) == (D("0.0005"), D("0.0015"))
    with pytest.raises(EngineError) as refused:
        partial(sim, mine.id, "0.0016")  # more than remains
    assert refused.value.kind == "invalid"
    assert partial(sim, mine.id, "0.0015").body["data"] == {"orderId": mine.id,
                                                            "cancelSize": "0.0015"}
    assert (mine.status, mine.canceled_amount, mine.held) == (OrderStatus.CANCELED,
                                                              D("0.0015"), 0)
    assert sim.engine.wallet("user", "USDT").held == 0


@pytest.mark.parametrize("size", [None, "", "abc", "0", "-0.001", "0.000000001", "0.004",
                                  "NaN", "Infinity"])
def test_bad_sizes_are_invalid_parameters(size: str | None) -> None:
    sim = kucoin()
    mine = bid(sim, "0.003")
    with pytest.raises(EngineError) as refused:
        partial(sim, mine.id, size)
    assert refused.value.kind == "invalid"
    assert (mine.amount, mine.status) == (D("0.003"), OrderStatus.OPEN)
    answer = sim.personality.render_error(sim, None, refused.value)  # type: ignore[arg-type]
    assert answer.body["code"] == "400100"


def test_unknown_finished_and_foreign_orders_are_not_cancelable() -> None:
    sim = kucoin()
    done = bid(sim, "0.003")
    sim.engine.cancel("user", done.id)
    theirs = bid(sim, "0.003", "someone")
    for order_id in ("nope", done.id, theirs.id):
        assert partial(sim, order_id, "0.001").body == NOT_CANCELABLE
    assert theirs.amount == D("0.003")
