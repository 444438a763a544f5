"""KuCoin's margin HF orders (/api/v3/hf/margin/...) <-> unified: the order family "margin"
(unified.families; create_order(margin_mode=)).

Facts from KuCoin's files (kucoin-openapi/rest/api/openapi-margin-order.json and its examples):
the create body is the spot HF order's plus isIsolated, autoBorrow and autoRepay, answered
{orderId, clientOid, borrowSize, loanApplyId}; lookups and cancels take the symbol like the
spot HF ones and answer the same shapes (an order detail carries tradeType MARGIN_TRADE or
MARGIN_ISOLATED_TRADE); the open orders (a plain list) and the cancel-all take `tradeType` too.
The shared shapes are decoded by adapters/kucoin/codec.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified.models import MarginMode
from unified.venue import Context, RequestParts

TRADE_TYPES = {MarginMode.CROSS: "MARGIN_TRADE", MarginMode.ISOLATED: "MARGIN_ISOLATED_TRADE"}


def margin_market_query(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """One market's margin orders of one mode (the open list, the cancel-all)."""
    return RequestParts(query=[("symbol", args["symbol"]),
                               ("tradeType", TRADE_TYPES[args["margin_mode"]])])
