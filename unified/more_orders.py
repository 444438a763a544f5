"""The facade's DESIGN 3d order operations and WebSocket order methods, as a base class of
Exchange (unified.client), so that each part of the facade stays small. Each method checks
nothing itself: it delegates to its room, built by Exchange.__init__."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Unpack

from unified.clock import VenueClock
from unified.dead_man import DeadMan
from unified.edits import Edits
from unified.models import DeadManSwitch, MarginMode, OcoOrder, Order, OrderType, Side
from unified.oco import OcoOrders
from unified.order_ops import OrderOps
from unified.order_options import OrderOptions
from unified.ws_orders import WsOrders


class MoreOrderMethods:
    _ops: OrderOps
    _edits: Edits
    _oco: OcoOrders
    _ws_orders: WsOrders
    clock: VenueClock

    async def create_order_ws(self, symbol: str, type: OrderType, side: Side,
                              amount: Decimal | None, price: Decimal | None = None,
                              **options: Unpack[OrderOptions]) -> Order:
        return await self._ws_orders.create(symbol, type, side, amount, price, options)

    async def edit_order_ws(self, id: str, symbol: str, amount: Decimal | None = None,
                            price: Decimal | None = None) -> Order:
        return await self._ws_orders.edit(id, symbol, amount, price)

    async def cancel_order_ws(self, id: str, symbol: str, *, by_client_id: bool = False,
                              margin_mode: MarginMode | None = None) -> Order:
        """Finds the order's family as cancel_order does; margin_mode: a margin order."""
        return await self._ws_orders.cancel(id, symbol, by_client_id, margin_mode)

    async def edit_order(self, id: str, symbol: str, amount: Decimal | None = None,
                         price: Decimal | None = None) -> Order:
        """The order resting after the edit (unified.edits: KuCoin's alter gives it a new id,
        raw["replaced_order_id"]; a smaller amount at the same price keeps the order)."""
        return await self._edits.edit(id, symbol, amount, price)

    async def cancel_all_orders_after(self, seconds: int, symbols: Sequence[str] | None = None
                                      ) -> datetime | None:
        """Dead-man switch: cancel all after `seconds` without a request (0 clears it)."""
        return await self._ops.cancel_all_after(seconds, symbols)

    async def fetch_cancel_all_orders_after(self) -> DeadManSwitch | None:
        """The dead-man switch as the venue has it now (None: not armed)."""
        return await self._ops.dead_man()

    def keep_dead_man_switch(self, seconds: int, symbols: Sequence[str] | None = None,
                             refresh_after: float | None = None) -> DeadMan:
        """A helper that keeps the switch armed from a bot's loop (unified.dead_man)."""
        return DeadMan(self, seconds, symbols, refresh_after)

    async def fetch_open_order_symbols(self) -> list[str]:
        return await self._ops.open_symbols()

    async def create_oco_order(self, symbol: str, side: Side, amount: Decimal, price: Decimal,
                               stop_price: Decimal, limit_price: Decimal,
                               client_order_id: str | None = None) -> OcoOrder:
        return await self._oco.create(symbol, side, amount, price, stop_price, limit_price,
                                      client_order_id)

    async def cancel_oco_order(self, id: str, symbol: str, *, by_client_id: bool = False
                               ) -> OcoOrder:
        return await self._oco.cancel(id, symbol, by_client_id)

    async def fetch_oco_order(self, id: str, symbol: str, *, by_client_id: bool = False
                              ) -> OcoOrder:
        return await self._oco.fetch(id, symbol, by_client_id)

    async def fetch_oco_orders(self, symbol: str | None = None) -> list[OcoOrder]:
        return await self._oco.every(symbol)
