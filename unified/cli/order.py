"""`unified order place|edit|cancel`: one order at one venue, over REST or (`--ws`) over the
venue's WebSocket order API, with the same checks, results and lost-answer rules either way."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from unified.cli.account import order_table
from unified.cli.errors import UsageError, on
from unified.cli.format import plain, to_json
from unified.cli.session import Session, open_venues
from unified.client import Exchange
from unified.models import Order, OrderType, Side, TimeInForce
from unified.order_options import OrderOptions


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value.is_finite() or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number: {text!r}")
    return value


def add_parser(sub: Any, common: Sequence[argparse.ArgumentParser]) -> None:
    o = sub.add_parser("order", parents=list(common),
                       help="place, edit or cancel one order (REST, or --ws: WebSocket)")
    o.add_argument("action", choices=["place", "edit", "cancel"])
    o.add_argument("symbol", metavar="SYMBOL", help="unified symbol, e.g. BTC/USDT")
    o.add_argument("--venue", required=True)
    o.add_argument("--id", help="the order (edit, cancel); with --client-id: its client id")
    o.add_argument("--side", choices=["buy", "sell"], help="place: the side")
    o.add_argument("--type", choices=["limit", "market"], default="limit")
    o.add_argument("--amount", type=_decimal, help="base amount (edit: the new amount)")
    o.add_argument("--price", type=_decimal, help="limit price (edit: the new price)")
    o.add_argument("--cost", type=_decimal, help="market orders: the quote amount")
    o.add_argument("--client-id", help="place: your client order id; cancel: --id is one")
    o.add_argument("--tif", choices=[t.value for t in TimeInForce], help="time in force")
    o.add_argument("--cancel-after", type=int, help="seconds, with --tif GTT (--ws)")
    o.add_argument("--post-only", action="store_true")
    o.add_argument("--hidden", action="store_true", help="not shown in the book (--ws)")
    o.add_argument("--ws", action="store_true",
                   help="over the venue's WebSocket order API (KuCoin) instead of REST")
    o.add_argument("--json", action="store_true", help="machine-readable output")


def _options(args: argparse.Namespace) -> OrderOptions:
    options: OrderOptions = {"client_order_id": args.client_id, "post_only": args.post_only,
                             "time_in_force": TimeInForce(args.tif) if args.tif else None,
                             "cost": args.cost}
    if args.cancel_after is not None:
        options["cancel_after"] = args.cancel_after
    if args.hidden:
        options["hidden"] = True
    if (args.cancel_after is not None or args.hidden) and not args.ws:
        raise UsageError("--cancel-after and --hidden go with --ws")
    return options


async def _act(ex: Exchange, args: argparse.Namespace, symbol: str) -> Order:
    if args.action == "place":
        if args.side is None:
            raise UsageError("order place needs --side")
        kind, side, options = OrderType(args.type), Side(args.side), _options(args)
        if args.ws:
            return await ex.create_order_ws(symbol, kind, side, args.amount, args.price,
                                            **options)
        return await ex.create_order(symbol, kind, side, args.amount, args.price,
                                     client_order_id=args.client_id, post_only=args.post_only,
                                     time_in_force=options.get("time_in_force"), cost=args.cost)
    if args.id is None:
        raise UsageError(f"order {args.action} needs --id")
    if args.action == "edit":
        edit = ex.edit_order_ws if args.ws else ex.edit_order
        return await edit(args.id, symbol, amount=args.amount, price=args.price)
    by_client = args.client_id is not None
    if args.ws:
        return await ex.cancel_order_ws(args.id, symbol, by_client_id=by_client)
    cancel = ex.cancel_order_by_client_id if by_client else ex.cancel_order
    return await cancel(args.id, symbol)


async def order_command(session: Session, args: argparse.Namespace) -> int:
    symbol = args.symbol.upper()
    async with open_venues(session, [args.venue], private=True) as exchanges:
        with on(args.venue):
            order = await _act(exchanges[args.venue], args, symbol)
    if args.json:
        print(to_json({"venue": args.venue, "via": "ws" if args.ws else "rest",
                       "order": plain(order)}))
        return 0
    print(f"{args.venue} {symbol}: {args.action} over {'WebSocket' if args.ws else 'REST'}")
    print(order_table([order]))
    print(f"id {order.id}" + (f"  client id {order.client_order_id}"
                              if order.client_order_id else ""))
    return 0
