"""KuCoin's stop orders in its words (adapters/kucoin/stop_codec.py): the create body, the
detail's fields and statuses, the answers that name no order."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from adapters.kucoin import stop_codec
from unified import DecodeError, OrderNotFound, OrderStatus, OrderType, Side, TimeInForce, Trigger

from ..conftest import ROOT
from .test_kucoin import BTC_USDT, CTX

EXAMPLES = ROOT / "adapters" / "kucoin" / "examples"


def args(**more: object) -> dict[str, object]:
    return {"market": BTC_USDT, "symbol": "BTC-USDT", "side": Side.SELL,
            "type": OrderType.LIMIT, "amount": Decimal("0.5"), "price": Decimal("89.5"),
            "cost": None, "client_order_id": "c1", "time_in_force": TimeInForce.GTC,
            "post_only": False, "stop_price": Decimal("90"), "trigger": Trigger.BELOW, **more}


@pytest.mark.parametrize(("trigger", "word"), [(Trigger.BELOW, "loss"), (Trigger.ABOVE, "entry")])
def test_the_create_body_names_the_stop_and_its_direction(trigger: Trigger, word: str) -> None:
    body = stop_codec.encode_stop(CTX, args(trigger=trigger)).body
    assert body == {"clientOid": "c1", "side": "sell", "symbol": "BTC-USDT", "type": "limit",
                    "price": "89.5", "size": "0.5", "timeInForce": "GTC", "stopPrice": "90",
                    "stop": word, "tradeType": "TRADE"}


def test_a_market_stop_by_cost_sends_funds() -> None:
    body = stop_codec.encode_stop(CTX, args(type=OrderType.MARKET, price=None, amount=None,
                                            cost=Decimal("100"), side=Side.BUY,
                                            trigger=Trigger.ABOVE)).body
    assert body["funds"] == "100" and "size" not in body and "price" not in body


def test_the_documented_detail_decodes_with_its_stop_price() -> None:
    example = json.loads((EXAMPLES / "get_api_v1_stop_order_orderId.json").read_text())
    data = example["response"]["data"]
    order = stop_codec.decode_stop_order(CTX, {**data, "symbol": "BTC-USDT"})
    assert (order.id, order.status, order.side, order.type) == (
        "vs8hoo8q2ceshiue003b67c0", OrderStatus.OPEN, Side.BUY, OrderType.LIMIT)
    assert (order.price, order.amount, order.stop_price, order.filled) == (
        Decimal("0.01"), Decimal("0.01"), Decimal("10"), 0)
    assert order.client_order_id == "40e0eb9efe6311eb8e58acde48001122"


def test_an_unknown_stop_status_is_never_a_default() -> None:
    example = json.loads((EXAMPLES / "get_api_v1_stop_order_orderId.json").read_text())
    with pytest.raises(DecodeError):
        stop_codec.decode_stop_order(CTX, {**example["response"]["data"], "symbol": "BTC-USDT",
                                           "status": "EXPIRED"})


def test_answers_that_name_no_order_are_order_not_found() -> None:
    with pytest.raises(OrderNotFound):
        stop_codec.decode_stop_by_client(CTX, [])
    with pytest.raises(OrderNotFound):
        stop_codec.decode_stop_canceled(CTX, {"cancelledOrderIds": []})
    state = stop_codec.decode_stop_canceled(CTX, {"cancelledOrderId": "vs1", "clientOid": "c"})
    assert (state.id, state.status, state.filled) == ("vs1", OrderStatus.CANCELED, 0)


def test_the_list_and_cancel_all_take_a_market_or_none() -> None:
    assert stop_codec.stop_market_query(CTX, {"market": BTC_USDT, "symbol": "BTC-USDT"}).query \
        == [("symbol", "BTC-USDT"), ("tradeType", "TRADE")]
    assert stop_codec.stop_market_query(CTX, {"market": None}).query == [("tradeType", "TRADE")]
