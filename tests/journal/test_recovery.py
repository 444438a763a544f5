"""Writes whose outcome the caller never saw, on every venue through the real transport: an
unreadable answer after the venue acted, a client closed mid-order, a cancelled call and a
killed process all end in the order the venue has (found, never placed twice) or in an
AmbiguousOutcome whose intent the journal keeps until `reconcile()` resolves it."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest

import unified
from unified import AmbiguousOutcome, OrderStatus, OrderType, Side
from unified.sim.server import SimVenue

from ..conftest import ROOT, run
from ..conftest import SPOT_VENUES as VENUES
from ..contract.harness import session


def _at_venue(sim: SimVenue) -> list[Any]:
    return [o for o in sim.engine.orders.values() if o.account == "user"]


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("fault", [{"kind": "garbage_after"},
                                   {"kind": "html_after", "status": 200},
                                   {"kind": "html_after", "status": 502}])
def test_an_unreadable_answer_to_a_create_is_reconciled(venue: str, fault: dict[str, Any]
                                                        ) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            s.sim.faults.add(op="create_order", **fault)
            order = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9"))
            placed = _at_venue(s.sim)
            assert len(placed) == 1 and order.amount == placed[0].amount
            assert s.ex.pending() == []
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_an_unreadable_answer_to_a_cancel_is_repeated(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            order = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9"))
            s.sim.faults.add("garbage_after", op="cancel_order")
            after = await s.ex.cancel_order(order.id, s.symbol)
            assert after.status in (OrderStatus.CANCELED, OrderStatus.CANCELING)
            assert [o.status for o in _at_venue(s.sim)] == [OrderStatus.CANCELED]
            assert s.ex.pending() == []
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_closing_mid_order_is_an_ambiguous_outcome_kept_in_the_journal(
        venue: str, tmp_path: Path) -> None:
    journal = tmp_path / "orders.journal"

    async def scenario() -> None:
        async with session(venue, journal=journal) as s:
            held = s.sim.faults.add("hold_after", op="create_order", delay_s=30)
            placing = asyncio.create_task(s.ex.create_order(
                s.symbol, OrderType.LIMIT, Side.BUY, s.amount, s.price("0.9")))
            await held.acted.wait()  # the venue has the order; its answer is held back
            await s.ex.close()
            with pytest.raises(AmbiguousOutcome) as caught:
                await placing
            [intent] = s.ex.pending()
            assert caught.value.client_order_id == intent.client_order_id
            if s.ex.has("client_order_id"):
                assert intent.client_order_id is not None
            async with unified.connect(venue, credentials=s.sim.credentials,
                                       base_url=s.sim.base_url, journal=journal) as again:
                assert [i.id for i in again.pending()] == [intent.id]
                [done] = await again.reconcile()
                assert done.order is not None and done.intent.id == intent.id
                assert [o.price for o in _at_venue(s.sim)] == [done.order.price]
                assert again.pending() == []
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_a_cancelled_create_is_listed_and_reconciled(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            held = s.sim.faults.add("hold_after", op="create_order", delay_s=30)
            placing = asyncio.create_task(s.ex.create_order(
                s.symbol, OrderType.LIMIT, Side.BUY, s.amount, s.price("0.9")))
            await held.acted.wait()
            placing.cancel()
            with pytest.raises(asyncio.CancelledError):
                await placing
            [intent] = s.ex.pending()
            assert intent.op == "create_order" and intent.symbol == s.symbol
            [done] = await s.ex.reconcile()
            assert done.order is not None and len(_at_venue(s.sim)) == 1
            assert done.order.client_order_id == intent.client_order_id
            assert s.ex.pending() == []
            # A create cancelled before it reached the venue resolves to "never placed".
            s.sim.faults.add("delay", op="create_order", delay_s=30)
            early = asyncio.create_task(s.ex.create_order(
                s.symbol, OrderType.LIMIT, Side.BUY, s.amount, s.price("0.8")))
            while not s.sim.requests.get("create_order", 0) >= 2:
                await asyncio.sleep(0)  # until the request is at the venue, held unhandled
            early.cancel()
            with pytest.raises(asyncio.CancelledError):
                await early
            [never] = await s.ex.reconcile()
            assert never.order is None and len(_at_venue(s.sim)) == 1
    run(scenario())


@pytest.mark.parametrize("venue", VENUES)
def test_a_cancelled_cancel_is_repeated_by_reconcile(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            order = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9"))
            held = s.sim.faults.add("hold_after", op="cancel_order", delay_s=30)
            canceling = asyncio.create_task(s.ex.cancel_order(order.id, s.symbol))
            await held.acted.wait()
            canceling.cancel()
            with pytest.raises(asyncio.CancelledError):
                await canceling
            [intent] = s.ex.pending()
            assert intent.op == "cancel_order" and intent.args["id"] == order.id
            await s.ex.reconcile()
            assert s.ex.pending() == []
            assert [o.status for o in _at_venue(s.sim)] == [OrderStatus.CANCELED]
    run(scenario())


BOT = """
import asyncio, os, sys
from decimal import Decimal
import unified
from unified import Credentials, OrderType, Side

async def main() -> None:
    creds = Credentials(os.environ["KEY"], os.environ["SECRET"], os.environ.get("PASS") or None)
    async with unified.connect(os.environ["VENUE"], credentials=creds,
                               base_url=os.environ["BASE_URL"],
                               journal=os.environ["JOURNAL"]) as ex:
        await ex.create_order(os.environ["SYMBOL"], OrderType.LIMIT, Side.BUY,
                              Decimal(os.environ["AMOUNT"]), Decimal(os.environ["PRICE"]))
        print("answered", flush=True)

asyncio.run(main())
"""


@pytest.mark.parametrize("venue", VENUES)
def test_a_killed_bot_recovers_its_in_flight_order_from_the_journal(
        venue: str, tmp_path: Path) -> None:
    journal = tmp_path / "bot.journal"

    async def scenario() -> None:
        async with session(venue) as s:
            held = s.sim.faults.add("hold_after", op="create_order", delay_s=30)
            creds = s.sim.credentials
            env = {**os.environ, "PYTHONPATH": str(ROOT), "VENUE": venue, "KEY": creds.api_key,
                   "SECRET": creds.secret, "PASS": creds.passphrase or "",
                   "BASE_URL": s.sim.base_url, "JOURNAL": str(journal), "SYMBOL": s.symbol,
                   "AMOUNT": str(s.amount), "PRICE": str(s.price("0.9"))}
            bot = await asyncio.create_subprocess_exec(sys.executable, "-c", BOT, env=env,
                                                       stdout=asyncio.subprocess.PIPE)
            await asyncio.wait_for(held.acted.wait(), 60)  # placed; the answer never comes
            bot.kill()
            await bot.wait()
            assert bot.returncode == -9 and len(_at_venue(s.sim)) == 1
            async with unified.connect(venue, credentials=creds, base_url=s.sim.base_url,
                                       journal=journal) as restarted:
                assert len(restarted.pending()) == 1
                [done] = await restarted.reconcile()
                assert done.order is not None
                assert done.order.price == _at_venue(s.sim)[0].price
                assert restarted.pending() == []
            async with unified.connect(venue, credentials=creds, base_url=s.sim.base_url,
                                       journal=journal) as later:
                assert later.pending() == []  # settled on disk too
    run(scenario())
