"""One order's arguments checked against the venue, turned into the encoder's args.

Its own module because every way of placing an order (create_order, create_orders, and later
the WebSocket order API, margin and futures orders) must refuse the same bad requests before
anything is sent, and must give each order a client id the venue accepts.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Sequence
from typing import Any

from unified.arguments import flag, positive_decimal
from unified.errors import ConfigurationError, NotSupported
from unified.markets import Markets
from unified.models import OrderRequest, OrderType, Side, TimeInForce
from unified.pipeline import Pipeline
from unified.precision import check_order

_COID_ALPHABET = string.ascii_letters + string.digits


class OrderChecks:
    def __init__(self, pipeline: Pipeline, markets: Markets) -> None:
        self._pipe = pipeline
        self._markets = markets

    def client_order_id(self, given: str | None) -> str | None:
        """The caller's id if the venue accepts it, a fresh one if none was given; None where
        the venue has no client ids."""
        pattern = self._pipe.spec.client_order_id
        if pattern is None:
            if given is not None:
                raise NotSupported(f"{self._pipe.venue} has no client order ids")
            return None
        if given is None:
            return "u" + "".join(secrets.choice(_COID_ALPHABET) for _ in range(23))
        if not isinstance(given, str) or not pattern.fullmatch(given):
            raise ConfigurationError(
                f"client_order_id {given!r} does not match {self._pipe.venue}'s {pattern.pattern}"
            )
        return given

    async def prepare_all(self, symbol: str, orders: Sequence[OrderRequest]
                          ) -> list[dict[str, Any]]:
        """A batch's orders, every one checked before any is sent."""
        requests = list(orders) if isinstance(orders, Sequence) else []
        if not requests or not all(isinstance(o, OrderRequest) for o in requests):
            raise ConfigurationError("orders must be a non-empty sequence of OrderRequest")
        return [await self.prepare(symbol, o) for o in requests]

    async def prepare(self, symbol: str, o: OrderRequest) -> dict[str, Any]:
        """Checks one order's arguments before anything is sent; the encoder's args."""
        self._check_kinds(o)
        if o.type is OrderType.LIMIT:
            positive_decimal("amount", o.amount)
            positive_decimal("price", o.price)
            if o.cost is not None:
                raise ConfigurationError("cost= is for market orders; a limit order takes amount")
        else:
            self._check_market(o)
        coid = self.client_order_id(o.client_order_id)
        args = await self._markets.args(
            symbol, type=o.type, side=o.side, amount=o.amount, price=o.price,
            client_order_id=coid, time_in_force=o.time_in_force, post_only=o.post_only,
            cost=o.cost,
        )
        check_order(args["market"], self._pipe.venue, price=o.price, amount=o.amount,
                    cost=o.cost)
        return args

    def _check_kinds(self, o: OrderRequest) -> None:
        if not isinstance(o.type, OrderType):
            raise ConfigurationError(f"type must be an OrderType, got {o.type!r}")
        if not isinstance(o.side, Side):
            raise ConfigurationError(f"side must be a Side, got {o.side!r}")
        tif = o.time_in_force
        if tif is not None and not isinstance(tif, TimeInForce):
            raise ConfigurationError(f"time_in_force must be a TimeInForce, got {tif!r}")
        if tif is not None:
            self._pipe.tables.time_in_force.encode(tif)
        flag("post_only", o.post_only)
        if o.post_only and o.type is not OrderType.LIMIT:
            raise ConfigurationError("post_only applies to limit orders only")

    def _check_market(self, o: OrderRequest) -> None:
        venue, has = self._pipe.venue, self._pipe.spec.capability
        if o.price is not None:
            raise ConfigurationError("a market order takes no price")
        if o.time_in_force not in (None, TimeInForce.IOC, TimeInForce.FOK):
            raise ConfigurationError("a market order has no time in force to set")
        if o.cost is not None:  # a quote amount: spend it (buy) or raise it (sell)
            if o.amount is not None:
                raise ConfigurationError("a market order takes amount or cost=, not both")
            positive_decimal("cost", o.cost)
            if o.side is Side.BUY and not has("market_buy_by_cost"):
                raise NotSupported(f"{venue} cannot buy by quote amount")
            if o.side is Side.SELL and not has("market_sell_by_cost"):
                raise NotSupported(f"{venue} market sells take an amount, not cost=")
            return
        positive_decimal("amount", o.amount)
        if o.side is Side.BUY and not has("market_buy_by_amount"):
            raise NotSupported(f"{venue} market buys spend a quote amount: pass cost= instead")
