"""KuCoin's documented responses (tests/data/reference/examples/kucoin-official/) decode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import DATA
from .test_examples import exchange_for, replay

OFFICIAL = DATA / "examples" / "kucoin-official"
#: file stem -> (operation, needs the file) for the endpoints the adapter uses
OPERATIONS = {
    "get_api_v1_accounts": "fetch_balance",
    "post_api_v1_hf_orders": "create_order",
    "delete_api_v1_hf_orders_orderId": "cancel_order",
    "delete_api_v1_hf_orders_client_order_clientOid": "cancel_order_by_client_id",
    "get_api_v1_hf_orders_orderId": "fetch_order",
    "get_api_v1_hf_orders_client_order_clientOid": "fetch_order_by_client_id",
    "get_api_v1_hf_orders_active": "fetch_open_orders",
    "get_api_v1_hf_orders_done": "iter_closed_orders",
    "get_api_v1_hf_fills": "iter_my_trades",
    "get_api_v1_timestamp": "fetch_time",
}


@pytest.mark.parametrize("stem", sorted(OPERATIONS))
def test_official_example_decodes(stem: str) -> None:
    path: Path = OFFICIAL / f"{stem}.json"
    if not path.exists():
        pytest.fail(f"missing reference file {path}")
    example = json.loads(path.read_text())
    results = replay(exchange_for("kucoin"), {"op": OPERATIONS[stem], **example})
    assert results
