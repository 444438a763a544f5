"""Valid JSON with absurd magnitudes, through the real transport on every venue: decoding an
overflow is a DecodeError, never a decimal signal escaping a public call."""

from __future__ import annotations

import json
from typing import Any

import pytest

from unified import DecodeError, OrderType, Side

from ..conftest import VENUES, run
from ..properties.test_hostile_answers import HUGE_NUMBER, _enlarged
from .harness import session


def _huge_body(answer: Any) -> bytes:
    text = json.dumps(_enlarged(answer), default=str)
    return text.replace(f'"{HUGE_NUMBER}"', "9e999999").encode()


@pytest.mark.parametrize("venue", VENUES)
def test_huge_numbers_in_orders_and_balances_are_decode_errors(venue: str) -> None:
    async def scenario() -> None:
        async with session(venue) as s:
            order = await s.ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                            s.price("0.9"))
            calls = {
                "fetch_balance": lambda: s.ex.fetch_balance(),
                "fetch_order": lambda: s.ex.fetch_order(order.id, s.symbol),
            }
            for op, call in calls.items():
                await call()  # a normal answer first: the shape to enlarge
                body = _huge_body(s.sim.answers[op])
                assert b"9E+999999" in body or b"9e999999" in body
                s.sim.faults.add("status", op=op, status=200, body=body)
                try:
                    result = await call()
                except DecodeError:
                    continue
                assert result is not None  # decoded: then only into finite, typed values
    run(scenario())
