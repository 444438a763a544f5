"""Shared setup of the local venue's due-work tests: an engine on a manual clock with two small
markets and funded accounts, and a KuCoin local venue whose handlers are called directly."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from unified.clock import ManualClock
from unified.convert import dumps
from unified.models import OrderType, Side
from unified.sim.book import Engine, SimMarket, SimOrder
from unified.sim.server import SimRequest, SimResponse, SimVenue, fund_user
from unified.sim.triggers import run_due

D = Decimal
BTC = SimMarket("BTC/USDT", "BTC", "USDT", D("0.1"), D("0.0001"), D("0.001"), D("1"), D("100"))
ETH = SimMarket("ETH/USDT", "ETH", "USDT", D("0.01"), D("0.001"), D("0.01"), D("1"), D("10"))
ACCOUNTS = ("a", "b", "c")


def engine() -> tuple[Engine, ManualClock]:
    """An empty book (every order here is the test's), each account funded."""
    clock = ManualClock()
    e = Engine([BTC, ETH], clock, seed=1)
    for who in ACCOUNTS:
        for ccy, amount in (("USDT", "100000"), ("BTC", "100"), ("ETH", "100")):
            e.deposit(who, ccy, D(amount))
    return e, clock


def limit(e: Engine, who: str, side: Side, amount: str, price: str,
          symbol: str = "BTC/USDT") -> SimOrder:
    return e.place(who, symbol, side, OrderType.LIMIT, amount=D(amount), price=D(price))


def trade_at(e: Engine, price: str, amount: str = "0.001", symbol: str = "BTC/USDT") -> None:
    """A public trade at `price` between b (maker) and c (taker), then the venue's due work."""
    limit(e, "b", Side.BUY, amount, price, symbol)
    e.place("c", symbol, Side.SELL, OrderType.MARKET, amount=D(amount))
    run_due(e)


def held(e: Engine, who: str, ccy: str) -> Decimal:
    return e.wallet(who, ccy).held


def kucoin(clock: ManualClock | None = None) -> SimVenue:
    """A local KuCoin (not serving: its handlers are called directly) with an empty book, its
    user funded."""
    sim = SimVenue("kucoin", clock=clock or ManualClock(), seed=False)
    fund_user(sim.engine)
    return sim


def call(sim: SimVenue, op: str, *, match: dict[str, str] | None = None,
         query: dict[str, str] | None = None, body: Any = None,
         account: str = "user") -> SimResponse:
    """One request to the handler of `op`, with the due work the venue does around it."""
    request = SimRequest(op=op, method="", path="", match=match or {}, query=query or {},
                         body=dumps(body).encode() if body is not None else b"", headers={},
                         account=account)
    run_due(sim.engine)
    answer = sim.personality.handlers[op](sim, request)
    run_due(sim.engine)
    return answer
