"""The simulators are only trustworthy where they agree with reality: each answer a local venue
gives has the shape (keys and JSON types) of the venue's recorded or documented example."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from unified import OrderType, Side, registry

from ..conftest import ROOT, VENUES, run
from ..contract.harness import market_buy, session


def kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float, Decimal)):
        return "number"
    return {str: "string", list: "list", dict: "object"}.get(type(value), "null")


def mismatches(example: Any, answer: Any, where: str = "$") -> list[str]:
    """Where `answer` lacks a key of `example` or has another JSON type (null matches any)."""
    if example is None or answer is None:
        return []
    if kind(example) != kind(answer):
        return [f"{where}: example {kind(example)}, simulator {kind(answer)}"]
    if isinstance(example, dict):
        out = []
        for key, value in example.items():
            if key not in answer:
                out.append(f"{where}.{key}: missing in the simulator's answer")
            else:
                out.extend(mismatches(value, answer[key], f"{where}.{key}"))
        return out
    if isinstance(example, list) and example and answer:
        return mismatches(example[0], answer[0], f"{where}[0]")
    return []


async def every_operation(venue: str) -> dict[str, Any]:
    async with session(venue) as s:
        ex = s.ex
        await ex.fetch_time()
        await ex.fetch_ticker(s.symbol)
        await ex.fetch_tickers()
        await ex.fetch_order_book(s.symbol)
        await ex.fetch_trades(s.symbol)
        await ex.fetch_ohlcv(s.symbol, "1m")
        await ex.fetch_balance()
        await market_buy(s, s.amount)
        order = await ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                      s.price("0.9"))
        await ex.fetch_open_orders(s.symbol)
        if ex.has("fetch_order_by_client_id") and order.client_order_id:
            await ex.fetch_order_by_client_id(order.client_order_id, s.symbol)
        if ex.has("cancel_order_by_client_id") and order.client_order_id:
            await ex.cancel_order_by_client_id(order.client_order_id, s.symbol)
        else:
            await ex.cancel_order(order.id, s.symbol)
        other = await ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                      s.price("0.9"))
        await ex.cancel_order(other.id, s.symbol)
        await ex.fetch_closed_orders(s.symbol)
        if ex.supports("iter_my_trades"):
            await ex.fetch_my_trades(s.symbol)
        if ex.has("ledger"):
            [e async for e in ex.iter_ledger(currency=s.market.quote)]
        return dict(s.sim.answers)


@pytest.mark.parametrize("venue", VENUES)
def test_simulator_answers_match_example_shapes(venue: str) -> None:
    answers = run(every_operation(venue))
    folder = registry.get(venue).descriptor.adapter.split(".")[1]
    problems = []
    checked = 0
    for path in sorted((ROOT / "adapters" / folder / "examples").glob("*.json")):
        example = json.loads(Path(path).read_text())
        if example["expect"].startswith("error:") or example["op"] not in answers:
            continue
        checked += 1
        problems += [f"{path.name} {m}" for m in
                     mismatches(example["response"], answers[example["op"]])]
    assert checked >= 8, f"only {checked} examples compared"
    assert not problems, "\n".join(problems)


def test_shape_comparison_notices_differences() -> None:
    example = {"code": "200000", "data": {"items": [{"id": "1", "size": "2", "active": True}]}}
    assert mismatches(example, example) == []
    assert mismatches(example, {"code": "200000", "data": {"items": [{"id": 1, "size": "2",
                                                                      "active": True}]}})
    assert mismatches(example, {"code": "200000", "data": {"items": [{"id": "1"}]}})
    assert mismatches(example, {"code": 200000, "data": None})
