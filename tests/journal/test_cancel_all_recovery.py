"""A cancel-all whose every answer was lost, resolved by `reconcile()` (after a restart, from the
journal on disk) on every venue with a cancel-all, through the real transport: the orders it
was meant for (listed before it was sent, their ids journaled) are canceled by id if still
open; an order placed since is never touched and the cancel-all is never sent again. An
intent an older journal kept without those ids is settled without canceling anything.
Venues are picked by their spec's endpoints, never by name."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import unified
from unified import Order, OrderType, Side, TransportError, Trigger

from ..conftest import VENUES, run
from ..contract.harness import Session, session
from ..contract.test_faults import manual_time


def _endpoints(venue: str) -> set[str]:
    return set(unified.registry.get(venue).spec.endpoints)


#: (venue, the cancel-all op a lost answer hits, whether over one market): every cancel-all
ORDINARY = [(v, op, one) for v in VENUES for op, one in
            (("cancel_all_orders", True), ("cancel_all_orders_everywhere", False))
            if op in _endpoints(v)] + \
    [(v, "cancel_all_orders", False) for v in VENUES  # every market, one market at a time
     if "cancel_all_orders" in _endpoints(v) and "cancel_all_orders_everywhere" not in
     _endpoints(v)]
STOP_ALL = [v for v in VENUES
            if {"cancel_all_stop_orders", "create_stop_order"} <= _endpoints(v)]
CANCEL_ALLS = [(v, op) for v in VENUES for op in ("cancel_all_orders",
                                                  "cancel_all_orders_everywhere",
                                                  "cancel_all_stop_orders")
               if op in _endpoints(v) and (op != "cancel_all_stop_orders" or v in STOP_ALL)]
#: the intent's arg naming the orders a cancel-all is meant for (unified.journal.OPEN_IDS)
OPEN_IDS = "open_ids"
#: drop_after: the venue canceled, the answer was lost; reset: it never got the request
FAULTS = ["drop_after", "reset"]


async def limit_buy(s: Session, factor: str, symbol: str | None = None) -> Order:
    market = (await s.ex.load_markets())[symbol or s.symbol]
    mid = next(m.mid for m in s.sim.personality.markets if m.symbol == market.symbol)
    price = (mid * Decimal(factor)).quantize(market.price_increment)
    return await s.ex.create_order(market.symbol, OrderType.LIMIT, Side.BUY,
                                   market.min_amount * 10, price)


async def stop_buy(s: Session, factor: str) -> Order:
    """A buy stop far above the market: it waits for the whole test."""
    return await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                   s.price(factor), stop_price=s.price(factor),
                                   trigger=Trigger.ABOVE)


def open_ids(s: Session) -> set[str]:
    return {o.id for o in s.orders_at_venue() if o.is_open}


def other_symbol(s: Session) -> str:
    return next(m.symbol for m in s.sim.personality.markets if m.symbol != s.symbol)


def restarted(s: Session, journal: Path) -> unified.Exchange:
    """Another client of the same venue and journal: a bot restarted after a crash."""
    return unified.connect(s.sim.venue_id, credentials=s.sim.credentials,
                           base_url=s.sim.base_url, journal=journal)


@pytest.mark.parametrize(("venue", "op", "one_market"), ORDINARY)
@pytest.mark.parametrize("fault", FAULTS)
def test_a_lost_cancel_all_cancels_only_the_orders_it_was_meant_for(
        venue: str, op: str, one_market: bool, fault: str, tmp_path: Path) -> None:
    journal = tmp_path / "bot.journal"

    async def scenario() -> None:
        async with session(venue, journal=journal, **manual_time()) as s:
            before = [await limit_buy(s, "0.8"), await limit_buy(s, "0.79"),
                      await limit_buy(s, "0.8", other_symbol(s))]
            s.sim.faults.add(fault, op=op, times=1000)  # every retry's answer is lost too
            with pytest.raises(TransportError):
                await s.ex.cancel_all_orders(s.symbol if one_market else None)
            s.sim.faults.clear()
            [intent] = s.ex.pending()
            assert intent.op == op
            later = [await limit_buy(s, "0.85"), await limit_buy(s, "0.85", other_symbol(s))]
            still_open, sent = open_ids(s), s.sim.requests.get(op, 0)
            async with restarted(s, journal) as again:  # a restarted bot
                assert [i.id for i in again.pending()] == [intent.id]
                done = await again.reconcile()
                assert again.pending() == []
            assert {o.id for o in later} <= open_ids(s)  # placed since: never canceled
            assert s.sim.requests.get(op, 0) == sent  # the cancel-all was never sent again
            meant = {i for ids in intent.args[OPEN_IDS].values() for i in ids}
            assert {o.id for o in before[:2]} <= meant <= {o.id for o in before}
            assert open_ids(s) == still_open - meant
            # reset: it never reached the venue, so they are canceled now; drop_after: the
            # venue had canceled them already
            assert [(r.intent.id, r.outcome) for r in done] == [(intent.id, "done")]
            assert {o.id for o in done[0].canceled} == (meant if fault == "reset" else set())
    run(scenario())


@pytest.mark.parametrize("venue", STOP_ALL)
@pytest.mark.parametrize("fault", FAULTS)
def test_a_lost_stop_cancel_all_cancels_only_the_stops_it_was_meant_for(
        venue: str, fault: str) -> None:
    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            meant = await stop_buy(s, "1.5")
            s.sim.faults.add(fault, op="cancel_all_stop_orders", times=1000)
            with pytest.raises(TransportError):
                await s.ex.cancel_all_orders(s.symbol)
            s.sim.faults.clear()
            [intent] = s.ex.pending()
            assert intent.op == "cancel_all_stop_orders"
            later = await stop_buy(s, "1.4")
            sent = s.sim.requests.get("cancel_all_stop_orders", 0)
            done = await s.ex.reconcile()
            still = {o.id for o in await s.ex.fetch_open_orders(s.symbol)}
            assert still == {later.id}  # the stop placed since still waits, the other not
            assert s.sim.requests.get("cancel_all_stop_orders", 0) == sent
            assert s.ex.pending() == [] and intent.args[OPEN_IDS] == {s.symbol: [meant.id]}
            assert [(r.intent.id, r.outcome) for r in done] == [(intent.id, "done")]
            assert [o.id for o in done[0].canceled] == ([meant.id] if fault == "reset" else [])
    run(scenario())


def older_intent(venue: str, op: str, market: unified.Market | None) -> bytes:
    """A cancel-all's intent as a journal written before the ids were kept has it: the venue's
    symbol alone among its args."""
    fields = {"id": "0" * 32, "venue": venue, "op": op,
              "symbol": market.symbol if market else None, "client_order_id": None,
              "args": {"symbol": market.venue_symbol} if market else {},
              "sent_at": datetime.now(UTC).isoformat()}
    return json.dumps({"record": "intent", "intent": fields}).encode() + b"\n"


@pytest.mark.parametrize(("venue", "op"), CANCEL_ALLS)
def test_an_older_journals_cancel_all_is_settled_without_canceling_anything(
        venue: str, op: str, tmp_path: Path) -> None:
    journal = tmp_path / "old.journal"

    async def scenario() -> None:
        async with session(venue, **manual_time()) as s:
            placed = [await limit_buy(s, "0.8"), await stop_buy(s, "1.5")] if op.endswith(
                "stop_orders") else [await limit_buy(s, "0.8")]
            journal.write_bytes(older_intent(
                venue, op, None if op.endswith("everywhere") else s.market))
            placed.append(await limit_buy(s, "0.85"))  # after it: never to be canceled
            requests = dict(s.sim.requests)
            async with restarted(s, journal) as again:
                [intent] = again.pending()
                assert intent.op == op and OPEN_IDS not in intent.args  # it still loads
                done = await again.reconcile()
                assert again.pending() == []
            assert {o.id for o in await s.ex.fetch_open_orders(s.symbol)} == \
                {o.id for o in placed}
            assert not any(s.sim.requests.get(k, 0) > requests.get(k, 0)
                           for k in s.sim.requests if k.startswith("cancel"))
            assert [(r.intent.id, r.outcome.startswith("not repeated"), r.canceled)
                    for r in done] == [(intent.id, True, ())]
            async with restarted(s, journal) as later:
                assert later.pending() == []  # settled on disk too
    run(scenario())
