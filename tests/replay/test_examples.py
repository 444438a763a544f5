"""Every recorded or documented payload in adapters/*/examples/ decodes as its file says."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import unified
from adapters.kucoin.ws import Bullet
from unified import paging, registry
from unified.client import Exchange
from unified.errors import DecodeError, UnifiedError
from unified.venue import Answered, PlacedOrder
from unified.wire import WireResponse

from ..conftest import ROOT

EXAMPLES = sorted((ROOT / "adapters").glob("*/examples/*.json"))
CLASSES: dict[str, type[Any] | tuple[type[Any], ...]] = {
    "datetime": datetime, "PlacedOrder": PlacedOrder, "Balances": unified.Balances,
    "Bullet": Bullet,  # KuCoin's WebSocket token and servers
    "bool": bool,  # a switch set (KuCoin futures' auto-deposit of margin)
    "str": str,  # ids, e.g. the legs an OCO cancel names
    # money: a write's answer, a fee, a cancel's nothing
    "Answered": Answered, "Decimal": Decimal, "NoneType": type(None),
    # the dead-man switch: when it fires, or None for empty data ("DCP is not set")
    "datetime or None": (datetime, type(None)),
    "DeadManSwitch or None": (unified.DeadManSwitch, type(None)),
    **{name: getattr(unified, name) for name in (
        "Order", "Fill", "Ticker", "OrderBook", "Market", "Trade", "Candle", "LedgerEntry",
        "OcoOrder", "DeadManSwitch", "Transaction", "DepositAddress", "TradingFee",
        "MarginLoan", "Position", "FundingRate", "MarkPrice", "IndexPrice")},
}


def exchange_for(adapter_folder: str) -> Exchange:
    for venue_id, reg in registry.venues().items():
        if reg.descriptor.adapter.startswith(f"adapters.{adapter_folder}."):
            return unified.connect(venue_id)
    raise AssertionError(f"no venue uses adapters/{adapter_folder}")


def replay(ex: Exchange, example: dict[str, Any], body: bytes | None = None) -> list[Any]:
    """unwrap -> (paging items ->) decode, exactly as the client does for a live answer
    (`body`: other bytes than the example's response, e.g. numbers JSON cannot hold as float)."""
    op = example["op"]
    body = json.dumps(example["response"]).encode() if body is None else body
    headers = {k.lower(): v for k, v in example.get("headers", {}).items()}
    payload = ex._pipe.unwrap(WireResponse(example.get("http_status", 200), headers, body))
    ep = ex.spec.endpoints[op]
    if op in ("fetch_open_orders", "fetch_oco_orders") or op.startswith("iter_"):
        strategy = paging.strategy_for(ep.paging)
        rows = strategy.items(payload)
        regroup = ex.adapter.endpoints[op].regroup
        if regroup is not None:
            rows = regroup(ex._pipe.ctx, rows)
        # a multi-part walk's answer is decoded as the part it was asked for (spec variants)
        return [ex._pipe.decode(op, row, example.get("variant")) for row in rows]
    result = ex._pipe.decode(op, payload)
    if isinstance(result, list):
        return result
    if isinstance(result, dict):
        return list(result.values())
    return [result]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_example_decodes(path: Path) -> None:
    example = json.loads(path.read_text())
    assert example["op"], "every example names its operation"
    ex = exchange_for(path.parent.parent.name)
    expect: str = example["expect"]
    if expect.startswith("error:"):
        with pytest.raises(UnifiedError) as caught:
            replay(ex, example)
        assert type(caught.value).__name__ == expect.removeprefix("error:"), caught.value
        return
    results = replay(ex, example)
    assert results, "a documented example yields something"
    for result in results:
        assert isinstance(result, CLASSES[expect]), result
        if isinstance(result, datetime):
            assert result.tzinfo is not None


def test_every_venue_has_examples_for_every_operation() -> None:
    for reg in {r.descriptor.spec: r for r in registry.venues().values()}.values():
        folder = reg.descriptor.adapter.split(".")[1]
        covered = {json.loads(p.read_text())["op"]
                   for p in (ROOT / "adapters" / folder / "examples").glob("*.json")}
        missing = set(reg.spec.endpoints) - covered
        assert not missing, f"{folder}: no example for {sorted(missing)}"


def test_malformed_envelope_is_a_decode_error() -> None:
    ex = exchange_for("kucoin")
    for body in (b"[]", b'"x"', b"{}", b"<html>oops</html>", b'{"code": "200000", "data": '):
        with pytest.raises(DecodeError):
            ex._pipe.unwrap(WireResponse(200, {}, body))
