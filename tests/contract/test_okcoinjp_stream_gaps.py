"""OKCoinJapan pushes the docs allow but a stream cannot read, end to end against the local
venue (its WebSocket answers rewritten here, as the docs word them): the client neither drops
nor invents, it reconciles through REST or fails with a typed error."""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

import pytest

import unified
from adapters.okcoinjp import sim_ws
from unified import OrderType, Side
from unified.sim import events as ev
from unified.sim.server import SimVenue
from unified.sim.ws import Connection, Push, Reply
from unified.streams.pacing import Settings
from unified.streams.stream import Stream

from ..conftest import run
from .harness import paced, size

T = TypeVar("T")
PATIENCE_S = 20.0
VENUE = "okcoinjp"


async def next_of(stream: Stream[T]) -> T:
    return await asyncio.wait_for(anext(stream), PATIENCE_S)


def test_a_fill_pushed_without_its_trade_id_arrives_once_through_rest(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The User Orders example has no last_fill_id: a push reporting an execution that way
    cannot make a Fill (fills are delivered once by trade id), so it is unreadable and the
    private streams reconcile through REST: each fill arrives once, under its real trade id,
    and so does each order's end."""
    pushed = sim_ws.order_push

    def without_trade_id(sim: SimVenue, event: ev.OrderChanged) -> dict[str, Any]:
        body = pushed(sim, event)
        if event.fill is not None:
            del body["last_fill_id"]
        return body

    monkeypatch.setattr(sim_ws, "order_push", without_trade_id)

    async def go() -> None:
        async with paced(VENUE) as (sim, ex, symbol), ex.watch_orders(symbol) as orders, \
                ex.watch_my_trades(symbol) as fills:
            book = await ex.fetch_order_book(symbol, limit=1)
            price = ex.price_to_precision(symbol, book.bids[0].price
                                          + (book.asks[0].price - book.bids[0].price) / 2)
            amount = size(await ex.market(symbol), 4)
            maker = await ex.create_order(symbol, OrderType.LIMIT, Side.SELL, amount, price)
            taker = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount, price)
            got = [await next_of(fills), await next_of(fills)]
            assert {f.order_id for f in got} == {maker.id, taker.id}
            # the venue's own trade id, as REST lists it
            assert {f.id for f in got} == {str(f.trade_id) for f in sim.engine.fills
                                           if f.order_id in (maker.id, taker.id)}
            assert all(f.price == price and f.amount == amount for f in got)
            assert len({(f.order_id, f.id) for f in got}) == 2
            # the next fill is a new one: neither of those was delivered twice
            ask = (await ex.fetch_order_book(symbol, limit=1)).asks[0]
            third = await ex.create_order(symbol, OrderType.LIMIT, Side.BUY,
                                          min(size(await ex.market(symbol), 1), ask.amount),
                                          ask.price)
            assert (await next_of(fills)).order_id == third.id
            seen: list[tuple[str, unified.OrderStatus]] = []
            while {(o, unified.OrderStatus.FILLED) for o in (maker.id, taker.id, third.id)} \
                    - set(seen):
                order = await next_of(orders)
                seen.append((order.id, order.status))
            assert len(seen) == len(set(seen)), f"an order change delivered twice: {seen}"
            assert not sim.streams.failures, sim.streams.failures

    run(asyncio.wait_for(go(), PATIENCE_S))


@pytest.mark.parametrize("answer", [
    {"event": "error", "message": "Login failure"},
    {"event": "error", "message": "Login failure", "errorCode": None},
    {"event": "error", "message": "Login failure", "errorCode": ""},
    {"event": "error", "message": "Login failure", "error_code": "30027"},
    {"event": "error", "message": "Login failure", "errorCode": "30027"},
])
def test_a_login_refused_without_a_code_fails_the_stream_typed(
        monkeypatch: pytest.MonkeyPatch, answer: dict[str, Any]) -> None:
    """A failed login whose error event carries no errorCode (or spells it error_code) still
    fails the login, and so the private stream, with AuthenticationError at once (classified
    by its message): no wait for a login answer, no retry loop. As the venue does, the error
    event is followed by the close of the socket: the refusal, not the close, is what the
    stream fails with."""

    def refuse(self: sim_ws.OkcoinjpStreams, conn: Connection, args: list[str]
               ) -> list[Reply]:
        return [Reply(answer, close=1000)]

    monkeypatch.setattr(sim_ws.OkcoinjpStreams, "_login", refuse)

    async def go() -> None:
        async with paced(VENUE) as (sim, ex, symbol):
            ex._streams._settings = Settings(connect_timeout_s=1.0)
            with pytest.raises(unified.AuthenticationError):
                async with ex.watch_orders(symbol) as orders:
                    await next_of(orders)
            assert sim.streams.opened == 1  # refused once: never tried again

    run(asyncio.wait_for(go(), PATIENCE_S))


@pytest.mark.parametrize("answer", [
    {"event": "error", "message": "Request too frequent", "errorCode": "30014"},
    {"event": "error", "message": "System is busy", "errorCode": "30009"},
])
def test_a_login_refused_for_a_while_connects_again(
        monkeypatch: pytest.MonkeyPatch, answer: dict[str, Any]) -> None:
    """A login refused for a reason that passes (rate limited, venue busy), then the close:
    the keeper connects again (after its backoff) and the stream works."""
    login, refused = sim_ws.OkcoinjpStreams._login, []

    def refuse_once(self: sim_ws.OkcoinjpStreams, conn: Connection, args: list[str]
                    ) -> list[Reply | Push]:
        if not refused:
            refused.append(conn)
            return [Reply(answer, close=1000)]
        return login(self, conn, args)

    monkeypatch.setattr(sim_ws.OkcoinjpStreams, "_login", refuse_once)

    async def go() -> None:
        async with paced(VENUE) as (sim, ex, _), ex.watch_balance() as balances:
            assert (await next_of(balances)) == await ex.fetch_balance()
            assert sim.streams.opened == 2 and len(refused) == 1

    run(asyncio.wait_for(go(), PATIENCE_S))
