"""The local venues answer bad requests like venues: the venue's own error code, never an
HTTP 500, whatever reaches them. The client's own checks are bypassed here (the pipeline is
called with the arguments a careless or hostile caller of another library would send)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from unified import (
    ConfigurationError,
    OrderType,
    Side,
    TimeInForce,
    VenueError,
    VenueUnavailable,
)

from ..conftest import VENUES, run
from .harness import Session, session

ABSURD = {
    "huge amount": {"amount": Decimal("1E+100000")},
    "negative amount": {"amount": Decimal("-1")},
    "zero price": {"price": Decimal("0")},
    "tiny price": {"price": Decimal("1E-100000")},
    "huge price": {"price": Decimal("9E+999999")},
}


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("case", sorted(ABSURD))
def test_an_absurd_order_gets_the_venues_own_error(venue: str, case: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            args: dict[str, Any] = await s.ex._markets.args(
                s.symbol, type=OrderType.LIMIT, side=Side.BUY, amount=s.amount,
                price=s.price("0.9"), time_in_force=TimeInForce.GTC, post_only=False, cost=None,
                client_order_id="uAbsurd1" if s.ex.has("client_order_id") else None)
            args.update(ABSURD[case])
            await _refused(s, "create_order", args)
            assert s.orders_at_venue() == []
    run(scenario())


async def _refused(s: Session, op: str, args: dict[str, Any]) -> None:
    """Refused by the venue with its own code (not a crash), or by the adapter before sending."""
    sent = s.sim.requests.get(op, 0)
    with pytest.raises((VenueError, ConfigurationError)) as caught:
        await s.ex._pipe.call(op, args)
    refused = caught.value
    if isinstance(refused, ConfigurationError):
        assert s.sim.requests.get(op, 0) == sent  # the adapter knew better: nothing sent
        return
    assert isinstance(refused, VenueError)
    assert not isinstance(refused, VenueUnavailable), refused  # not a crash (5xx)
    assert refused.code is not None and (refused.http_status or 200) < 500


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("ref", ["does-not-exist", "0", "9" * 40, "a b"])
def test_lookups_of_odd_ids_get_the_venues_own_error(venue: str, ref: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            args = await s.ex._markets.args(s.symbol, id=ref)
            for op in ("fetch_order", "cancel_order"):
                await _refused(s, op, args)
    run(scenario())
