"""create_order_ws, edit_order_ws, cancel_order_ws (DESIGN 3b): orders over the venue's
WebSocket order API with the same argument checks, results and lost-answer rules as REST.

Only the carrier differs. The arguments go through unified.order_args (and order_options for
the fields beyond OrderRequest); the venue's parameters are built by the same encoders as the
REST HF endpoints; answers are classified by the spec's error table and decoded by the REST
decoders; a create whose answer is lost goes to placement's one reconciliation (looked up by
client id over REST before anything is sent again), a lost cancel is repeated (safe), a lost
edit is looked up over REST (unified.edits), as over REST.

Which create op: `spot.sync_order` by default (sync=True), whose answer is the order's state
after matching, as REST create_order reports it; `sync=False` sends `spot.order`, answered
with the ids only (the order is PENDING, as on venues that do not report state). Cancels use
`spot.sync_cancel` (the state after the cancel: one request reports it, where `spot.cancel`
answers only the id). Margin orders (margin_mode=) go through `margin.order` / `margin.cancel`;
a lost margin answer is looked up over REST in the margin order family (unified.families),
else AmbiguousOutcome where the venue has no such lookups. A cancel without margin_mode finds
the order's family as REST cancel_order does: the spot cancel first, then `margin.cancel`
(and a waiting stop order's REST cancel) where the spot one knows no such order.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast

import attrs

from unified.arguments import flag
from unified.cancels import Cancels
from unified.edits import Edits
from unified.errors import AmbiguousOutcome, ConfigurationError, NotSupported, VenueError
from unified.families import OrderFamily
from unified.lookups import families, family_op
from unified.markets import Markets
from unified.models import MarginMode, Order, OrderRequest, OrderType, Side
from unified.order_args import OrderChecks
from unified.order_options import OrderOptions, extras
from unified.pipeline import Pipeline
from unified.placement import UNKNOWN_OUTCOME, Placement, Send
from unified.streams.rpc import Answer, OrderApi, RpcConnection
from unified.venue import ReportedState


class WsOrders:
    def __init__(self, pipe: Pipeline, markets: Markets, checks: OrderChecks,
                 placement: Placement, cancels: Cancels, edits: Edits,
                 margin: OrderFamily | None = None) -> None:
        self._pipe, self._markets, self._checks = pipe, markets, checks
        self._placement, self._cancels, self._edits = placement, cancels, edits
        self._margin = margin if margin is not None and "margin" in families(pipe) else None
        self._rpc: RpcConnection | None = None

    @property
    def connection(self) -> RpcConnection:
        if self._rpc is None:
            spec, api = self._pipe.spec, self._pipe.adapter.order_api
            if not spec.capability("ws_order_api") or api is None:
                raise NotSupported(f"{self._pipe.venue} has no WebSocket order API")
            credentials = self._pipe.credentials
            if credentials is None:
                raise ConfigurationError("the WebSocket order API needs credentials")
            self._rpc = RpcConnection(f"{self._pipe.venue} order API",
                                      api=cast(OrderApi, api), origin=self._pipe.origin,
                                      credentials=credentials, clock=self._pipe.clock,
                                      refusal=self._refusal, sleep=self._pipe.sleep,
                                      resync=self._pipe.sync_time)
        return self._rpc

    def require(self) -> None:
        """Refuse at once where there is no order API, or no credentials for it."""
        _ = self.connection

    def _refusal(self, answer: Answer) -> VenueError:
        return self._pipe.tables.errors.classify(http_status=None, code=answer.code,
                                                 message=answer.message, raw=answer.raw)

    def _carrier(self, op: str, rest_op: str, answers: list[Any] | None = None
                 ) -> tuple[Send, list[Any]]:
        """A sender of `op` for one call, and the order API answers it got (their frames, in
        order; `answers`: shared by the senders of one call): what that call's result keeps
        in raw, whatever else is in flight."""
        got: list[Any] = [] if answers is None else answers
        return (lambda args: self._send(op, rest_op, args, got)), got

    async def _send(self, op: str, rest_op: str, args: Mapping[str, Any], answers: list[Any]
                    ) -> Any:
        """One request; the REST decoder's reading of its answer, or the classified refusal."""
        rpc = self.connection
        payload = cast(OrderApi, self._pipe.adapter.order_api).args(self._pipe.ctx, op, args)
        answer = await rpc.call(op, payload, self._pipe.timeout)
        if not answer.ok:
            raise self._refusal(answer)
        decoded = self._pipe.decode(rest_op, answer.data)
        answers.append(answer.raw)
        return attrs.evolve(decoded, raw=answer.raw) if isinstance(decoded, ReportedState) \
            else decoded

    @staticmethod
    def _with_answer(order: Order, answers: list[Any]) -> Order:
        """The result keeps the order API's answer (inTime/outTime) where it came from one: as
        its raw, or beside what an edit's raw says (replaced_order_id, the order looked up)."""
        edited = _edited(order)
        if not answers or (order.raw is not None and order.raw is not answers[-1]
                           and not edited):
            return order  # settled over REST (a lost answer), or fetched there
        return attrs.evolve(order, raw={**answers[-1], **order.raw} if edited else answers[-1])

    # ---------------------------------------------------------------- operations

    async def create(self, symbol: str, type: OrderType, side: Side, amount: Decimal | None,
                     price: Decimal | None, options: OrderOptions) -> Order:
        request = OrderRequest(type=type, side=side, amount=amount, price=price,
                               client_order_id=options.get("client_order_id"),
                               time_in_force=options.get("time_in_force"),
                               post_only=options.get("post_only", False),
                               cost=options.get("cost"))
        fetch = flag("fetch", options.get("fetch", False))
        sync = flag("sync", options.get("sync", True))
        more = extras(self._pipe.spec, options, type, request.time_in_force, amount)
        self.require()  # NotSupported / no credentials: refused before anything is checked
        args = {**await self._checks.prepare(symbol, request), "extras": more}
        if "margin_mode" in more:
            return await self._margin_create(args, fetch)
        send, answers = self._carrier("create_sync" if sync else "create", "create_order")
        return self._with_answer(await self._placement.place(args, fetch, send=send), answers)

    async def _margin_create(self, args: Mapping[str, Any], fetch: bool) -> Order:
        send, answers = self._carrier("margin_create", "create_order")
        order = await self._placement.place(
            args, fetch, send=send,
            lost=self._margin.lost if self._margin is not None else self._ambiguous,
            op="create_margin_order" if self._margin is not None else "create_order")
        return self._with_answer(order, answers)

    async def _ambiguous(self, args: Mapping[str, Any], *_: Any) -> Order:
        raise AmbiguousOutcome(
            f"the answer to a {args['market'].symbol} margin order was lost and "
            f"{self._pipe.venue} has no margin order lookups", venue=self._pipe.venue,
            client_order_id=args["client_order_id"])

    async def edit(self, id: str, symbol: str, amount: Decimal | None,
                   price: Decimal | None) -> Order:
        self.require()
        send, answers = self._carrier("edit", "edit_order")
        return self._with_answer(await self._edits.edit(id, symbol, amount, price, send=send),
                                 answers)

    async def cancel(self, id: str, symbol: str, by_client_id: bool,
                     margin_mode: MarginMode | None) -> Order:
        """`spot.sync_cancel`; where the venue knows no such spot order, each family's cancel
        next, as REST cancel_order does (margin over `margin.cancel`, stop orders, which the
        order API does not carry, over REST). margin_mode: straight to `margin.cancel`."""
        by_client_id = flag("by_client_id", by_client_id)
        if margin_mode is not None and not isinstance(margin_mode, MarginMode):
            raise ConfigurationError(f"margin_mode must be a MarginMode, got {margin_mode!r}")
        self.require()
        if margin_mode is not None and self._margin is None:
            raise NotSupported(f"{self._pipe.venue} has no margin orders")
        rest = "cancel_order_by_client_id" if by_client_id else "cancel_order"
        lookup = "fetch_order_by_client_id" if by_client_id else "fetch_order"
        answers: list[Any] = []

        def via(family: str) -> Send | None:
            if family != "margin":
                return None  # not carried by the order API: over REST
            return self._carrier("margin_cancel", family_op(rest, family), answers)[0]

        if margin_mode is not None:
            order = await self._cancels.one(family_op(rest, "margin"),
                                            family_op(lookup, "margin"), id, symbol,
                                            send=via("margin"))
        else:
            send = self._carrier("cancel_sync", rest, answers)[0]
            order = await self._cancels.one(rest, lookup, id, symbol, send=send, via=via)
        return self._with_answer(order, answers)

    async def close(self) -> None:
        if self._rpc is not None:
            await self._rpc.close()


def _edited(order: Order) -> bool:
    """Whether raw is an edit's own (unified.edits: the replaced id and the order's raw)."""
    return isinstance(order.raw, dict) and "replaced_order_id" in order.raw


__all__ = ["UNKNOWN_OUTCOME", "WsOrders"]
