"""`unified arb`'s fees: the account's own taker rate where it can be read, else the spec's."""

from __future__ import annotations

from decimal import Decimal

import pytest

import unified
from unified import registry
from unified.cli.arb import ACCOUNT, Setup, with_own_fees
from unified.cli.session import Target
from unified.sim.server import SimVenue

from ..conftest import SPOT_VENUES as VENUES
from ..conftest import run
from ..contract.harness import session

#: a rate no spec has as its default, set at the local venue
OWN_RATE = Decimal("0.00077")
FEE_VENUES = [v for v in VENUES if "fetch_trading_fees" in registry.get(v).spec.endpoints]


def spec_setup(venue: str) -> Setup:
    spec_rate = registry.get(venue).spec.fees["taker"]
    return Setup(fee_of={venue: (spec_rate, "spec default tier")}, reference="X",
                 convert={}, notes=())


def test_some_venue_tells_its_own_fees() -> None:
    assert FEE_VENUES  # else the tests below would test nothing


@pytest.mark.parametrize("venue", FEE_VENUES)
def test_the_accounts_own_taker_rate_replaces_the_spec_default(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            for market in s.sim.engine.markets.values():
                market.taker_fee = OWN_RATE
            got = await with_own_fees(spec_setup(venue), {venue: s.ex},
                                      [Target(venue, s.symbol)])
            assert got.fee_of[venue] == (OWN_RATE, ACCOUNT)
            assert got.notes == []
    run(scenario())


@pytest.mark.parametrize("venue", FEE_VENUES)
def test_a_given_fee_is_kept_and_nothing_is_asked(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            given = Setup(fee_of={venue: (Decimal("0.002"), "--fee")}, reference="X",
                          convert={}, notes=())
            got = await with_own_fees(given, {venue: s.ex}, [Target(venue, s.symbol)])
            assert got.fee_of[venue] == (Decimal("0.002"), "--fee")
            assert s.sim.requests.get("fetch_trading_fees", 0) == 0
    run(scenario())


@pytest.mark.parametrize("venue", FEE_VENUES)
def test_without_credentials_the_spec_fee_stays_and_nothing_is_sent(venue: str) -> None:
    async def scenario() -> None:
        async with SimVenue(venue) as sim, unified.connect(venue, base_url=sim.base_url) as ex:
            symbol = sim.personality.markets[0].symbol
            await ex.load_markets()
            got = await with_own_fees(spec_setup(venue), {venue: ex}, [Target(venue, symbol)])
            assert got.fee_of == spec_setup(venue).fee_of and list(got.notes) == []
            assert sim.requests.get("fetch_trading_fees", 0) == 0
    run(scenario())


@pytest.mark.parametrize("venue", FEE_VENUES)
def test_a_fee_that_cannot_be_read_is_said_and_the_spec_one_used(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            s.sim.faults.add("garbage", op="fetch_trading_fees", times=10)
            got = await with_own_fees(spec_setup(venue), {venue: s.ex},
                                      [Target(venue, s.symbol)])
            assert got.fee_of == spec_setup(venue).fee_of
            assert len(got.notes) == 1 and "DecodeError" in got.notes[0]
    run(scenario())
