"""KuCoin's margin HF orders in its words: the create body's borrow fields and the tradeType
the open list and cancel-all name."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.kucoin import codec, margin_order_codec
from unified import MarginMode, OrderType, Side, TimeInForce

from .test_kucoin import BTC_USDT, CTX


@pytest.mark.parametrize(("mode", "isolated"), [(MarginMode.CROSS, False),
                                                 (MarginMode.ISOLATED, True)])
def test_the_create_body_says_which_margin_and_what_to_borrow(mode: MarginMode,
                                                              isolated: bool) -> None:
    body = codec.encode_create(CTX, {
        "market": BTC_USDT, "symbol": "BTC-USDT", "side": Side.BUY, "type": OrderType.LIMIT,
        "amount": Decimal("0.5"), "price": Decimal("100.1"), "cost": None,
        "client_order_id": "m1", "time_in_force": TimeInForce.GTC, "post_only": False,
        "extras": {"margin_mode": mode, "auto_borrow": True, "auto_repay": False}}).body
    assert body["isIsolated"] is isolated
    assert (body["autoBorrow"], body["autoRepay"]) == (True, False)
    assert (body["symbol"], body["price"], body["size"]) == ("BTC-USDT", "100.1", "0.5")


@pytest.mark.parametrize(("mode", "word"), [(MarginMode.CROSS, "MARGIN_TRADE"),
                                             (MarginMode.ISOLATED, "MARGIN_ISOLATED_TRADE")])
def test_the_open_list_names_the_trade_type(mode: MarginMode, word: str) -> None:
    parts = margin_order_codec.margin_market_query(CTX, {"symbol": "BTC-USDT",
                                                        "margin_mode": mode})
    assert parts.query == [("symbol", "BTC-USDT"), ("tradeType", word)]
