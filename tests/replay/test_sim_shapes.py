"""The simulators are only trustworthy where they agree with reality: each answer a local venue
gives has the shape (keys and JSON types) of the venue's recorded or documented example.

Examples marked "loose" show how real answers stray from the docs; the simulators give such
answers only when asked (a `loose` personality), and are compared with them then."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest

from unified import OrderType, Side, registry

from ..conftest import ROOT, VENUES, run
from ..contract.harness import Session, market_buy, session

EMPTY: tuple[Any, ...] = ("", {}, [])


def kind(value: Any, loose: bool = False) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float, Decimal)):
        return "number"
    if loose and value in ("true", "false"):
        return "bool"
    if loose and isinstance(value, str):
        try:
            return "number" if Decimal(value).is_finite() else "string"
        except InvalidOperation:
            return "string"
    return {str: "string", list: "list", dict: "object"}.get(type(value), "null")


def mismatches(example: Any, answer: Any, where: str = "$", loose: bool = False) -> list[str]:
    """Where `answer` lacks a key of `example` or has another JSON type (null matches any).

    `loose`: as real answers vary, a number or a flag may also be written as a string and an
    empty value as "", {}, [] or null; keys and the shape of what is not empty must still agree."""
    if example is None or answer is None:
        return []
    if loose and (example in EMPTY or answer in EMPTY):
        return []
    if kind(example, loose) != kind(answer, loose):
        return [f"{where}: example {kind(example, loose)}, simulator {kind(answer, loose)}"]
    if isinstance(example, dict):
        out = []
        for key, value in example.items():
            if key not in answer:
                out.append(f"{where}.{key}: missing in the simulator's answer")
            else:
                out.extend(mismatches(value, answer[key], f"{where}.{key}", loose))
        return out
    if isinstance(example, list) and example and answer:
        return mismatches(example[0], answer[0], f"{where}[0]", loose)
    return []


async def every_operation(venue: str, loose: float = 0.0) -> dict[str, Any]:
    async with session(venue) as s:
        if loose:  # a fresh personality: the shared default one stays as documented
            s.sim.personality = type(s.sim.personality)(loose=loose, seed=5)  # type: ignore[call-arg]
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
        await more_operations(s)
        await ex.fetch_closed_orders(s.symbol)
        if ex.supports("iter_my_trades"):
            await ex.fetch_my_trades(s.symbol)
        if ex.has("ledger"):
            [e async for e in ex.iter_ledger(currency=s.market.quote)]
        return dict(s.sim.answers)


async def more_operations(s: Session) -> None:
    """DESIGN 3d, where the venue has them (the answers compared are the last of each op)."""
    ex = s.ex
    if ex.supports("edit_order"):
        moved = await ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                      s.price("0.9"))
        await ex.cancel_order((await ex.edit_order(moved.id, s.symbol, price=s.price("0.8"))).id,
                              s.symbol)
    if ex.supports("cancel_all_orders_after"):
        await ex.cancel_all_orders_after(0)
        await ex.cancel_all_orders_after(10, [s.symbol])  # the armed answer is compared
    if ex.supports("create_order_test"):
        await ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount, s.price("0.9"),
                              test=True)
    if ex.supports("fetch_open_order_symbols"):
        await ex.fetch_open_order_symbols()
    if ex.supports("create_oco_order"):
        pair = await ex.create_oco_order(s.symbol, Side.BUY, s.amount, s.price("0.9"),
                                         s.price("1.1"), s.price("1.05"))
        await ex.fetch_oco_orders(s.symbol)
        await ex.cancel_oco_order(pair.id, s.symbol)


def compare(venue: str, answers: dict[str, Any], loose: bool) -> None:
    folder = registry.get(venue).descriptor.adapter.split(".")[1]
    problems = []
    checked = 0
    for path in sorted((ROOT / "adapters" / folder / "examples").glob("*.json")):
        example = json.loads(Path(path).read_text())
        if example["expect"].startswith("error:") or example["op"] not in answers \
                or (example.get("loose") and not loose):
            continue
        checked += 1
        problems += [f"{path.name} {m}" for m in
                     mismatches(example["response"], answers[example["op"]], loose=loose)]
    assert checked >= 8, f"only {checked} examples compared"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("venue", VENUES)
def test_simulator_answers_match_example_shapes(venue: str) -> None:
    compare(venue, run(every_operation(venue)), loose=False)


@pytest.mark.parametrize("venue", VENUES)
def test_loose_simulator_answers_match_every_example_shape(venue: str) -> None:
    answers = run(every_operation(venue, loose=1.0))
    assert any(isinstance(v, Decimal) for a in answers.values() for v in _leaves(a))
    compare(venue, answers, loose=True)


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _leaves(v)]
    if isinstance(value, list):
        return [x for v in value for x in _leaves(v)]
    return [value]


def test_shape_comparison_notices_differences() -> None:
    example = {"code": "200000", "data": {"items": [{"id": "1", "size": "2", "active": True}]}}
    assert mismatches(example, example) == []
    assert mismatches(example, {"code": "200000", "data": {"items": [{"id": 1, "size": "2",
                                                                      "active": True}]}})
    assert mismatches(example, {"code": "200000", "data": {"items": [{"id": "1"}]}})
    assert mismatches(example, {"code": 200000, "data": None})
    loose_answer = {"code": "200000", "msg": {}, "data": {"items": [{"id": 1, "size": 2,
                                                                     "active": True}]}}
    assert mismatches(example, loose_answer, loose=True) == []
    assert mismatches(example, {"code": "200000", "data": {"items": [{"id": "1", "size": "x",
                                                                      "active": True}]}},
                      loose=True)
    assert mismatches(example, {"code": "200000", "data": {"items": [{"id": "1", "size": "2",
                                                                      "active": 1}]}},
                      loose=True)
