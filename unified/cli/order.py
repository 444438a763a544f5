"""`unified order ...`: one order at one venue, over REST or (`--ws`) over the venue's WebSocket
order API, with the same checks, results and lost-answer rules either way; the dead-man switch
(`cancel-after`) and OCO pairs (`oco`, `oco-show`, `oco-cancel`, `oco-list`)."""

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
from unified.models import MarginMode, Order, OrderType, Side, TimeInForce, Trigger
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
                       help="place, edit or cancel one order (REST, or --ws: WebSocket); "
                       "the dead-man switch; OCO pairs")
    o.add_argument("action", choices=ACTIONS)
    o.add_argument("symbol", metavar="SYMBOL", nargs="?",
                   help="unified symbol, e.g. BTC/USDT (cancel-after: comma separated, "
                   "none for every market; oco-list: optional)")
    o.add_argument("--venue", required=True)
    o.add_argument("--id", help="the order (edit, cancel); with --client-id: its client id")
    o.add_argument("--side", choices=["buy", "sell"], help="place: the side")
    o.add_argument("--type", choices=["limit", "market"], default="limit")
    o.add_argument("--amount", type=_decimal, help="base amount (edit: the new amount)")
    o.add_argument("--price", type=_decimal, help="limit price (edit: the new price)")
    o.add_argument("--stop-price", type=_decimal,
                   help="place: a stop order's trigger price (with --trigger); oco: the price "
                        "that triggers leg 2")
    o.add_argument("--trigger", choices=[t.value for t in Trigger],
                   help="place: a stop order fires when the price rises to (above) or falls "
                        "to (below) --stop-price")
    o.add_argument("--margin", choices=[m.value for m in MarginMode],
                   help="place: a margin order (cross or isolated)")
    o.add_argument("--auto-borrow", action="store_true", help="place --margin: borrow what "
                   "the order needs")
    o.add_argument("--limit-price", type=_decimal, help="oco: leg 2's limit price")
    o.add_argument("--seconds", type=int, help="cancel-after: the timeout (0 clears it)")
    o.add_argument("--cost", type=_decimal, help="market orders: the quote amount")
    o.add_argument("--client-id", help="place: your client order id; cancel: --id is one")
    o.add_argument("--tif", choices=[t.value for t in TimeInForce], help="time in force")
    o.add_argument("--cancel-after", type=int, help="seconds, with --tif GTT (--ws)")
    o.add_argument("--post-only", action="store_true")
    o.add_argument("--hidden", action="store_true", help="not shown in the book (--ws)")
    o.add_argument("--ws", action="store_true",
                   help="over the venue's WebSocket order API (KuCoin) instead of REST")
    o.add_argument("--json", action="store_true", help="machine-readable output")


ACTIONS = ["place", "edit", "cancel", "cancel-after", "oco", "oco-show", "oco-cancel",
           "oco-list"]


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
    if args.ws and args.trigger:
        raise UsageError("stop orders (--trigger) are placed over REST: leave out --ws")
    if args.margin:
        options["margin_mode"] = MarginMode(args.margin)
        options["auto_borrow"] = args.auto_borrow
    return options


async def _act(ex: Exchange, args: argparse.Namespace, symbol: str) -> Order:
    if args.action == "place":
        if args.side is None:
            raise UsageError("order place needs --side")
        kind, side, options = OrderType(args.type), Side(args.side), _options(args)
        if args.ws:
            return await ex.create_order_ws(symbol, kind, side, args.amount, args.price,
                                            **options)
        return await ex.create_order(
            symbol, kind, side, args.amount, args.price, client_order_id=args.client_id,
            post_only=args.post_only, time_in_force=options.get("time_in_force"), cost=args.cost,
            stop_price=args.stop_price, trigger=Trigger(args.trigger) if args.trigger else None,
            margin_mode=MarginMode(args.margin) if args.margin else None,
            auto_borrow=args.auto_borrow)
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
    symbol = args.symbol.upper() if args.symbol else None
    if args.action not in ("cancel-after", "oco-list") and symbol is None:
        raise UsageError(f"order {args.action} needs a SYMBOL")
    async with open_venues(session, [args.venue], private=True) as exchanges:
        with on(args.venue):
            ex = exchanges[args.venue]
            if args.action == "cancel-after":
                return await _cancel_after(ex, args, symbol)
            if args.action.startswith("oco"):
                return await _oco(ex, args, symbol)
            assert symbol is not None
            order = await _act(ex, args, symbol)
    if args.json:
        print(to_json({"venue": args.venue, "via": "ws" if args.ws else "rest",
                       "order": plain(order)}))
        return 0
    print(f"{args.venue} {symbol}: {args.action} over {'WebSocket' if args.ws else 'REST'}")
    print(order_table([order]))
    print(f"id {order.id}" + (f"  client id {order.client_order_id}"
                              if order.client_order_id else ""))
    if "partial_cancel" in order.raw:
        print(f"kept its id and queue place: {order.raw['partial_cancel']} canceled off it")
    elif "replaced_order_id" in order.raw and order.id != order.raw["replaced_order_id"]:
        print(f"replaces {order.raw['replaced_order_id']}")
    return 0


async def _cancel_after(ex: Exchange, args: argparse.Namespace, symbol: str | None) -> int:
    if args.seconds is None:
        raise UsageError("order cancel-after needs --seconds (0 clears the switch)")
    names = symbol.split(",") if symbol else None
    fires = await ex.cancel_all_orders_after(args.seconds, names)
    setting = await ex.fetch_cancel_all_orders_after()
    if args.json:
        print(to_json({"venue": args.venue, "fires_at": plain(fires), "setting": plain(setting)}))
        return 0
    if setting is None:
        print(f"{args.venue}: dead-man switch cleared")
        return 0
    where = ", ".join(setting.symbols) or "every market"
    print(f"{args.venue}: dead-man switch armed for {setting.seconds} s: open orders of "
          f"{where} are canceled at {setting.fires_at:%Y-%m-%d %H:%M:%S} UTC unless it is "
          "set again before")
    return 0


async def _oco(ex: Exchange, args: argparse.Namespace, symbol: str | None) -> int:
    if args.action == "oco-list":
        pairs = await ex.fetch_oco_orders(symbol)
    elif args.action == "oco":
        if args.side is None or None in (args.amount, args.price, args.stop_price,
                                         args.limit_price):
            raise UsageError("order oco needs --side, --amount, --price, --stop-price and "
                             "--limit-price")
        assert symbol is not None
        pairs = [await ex.create_oco_order(symbol, Side(args.side), args.amount, args.price,
                                           args.stop_price, args.limit_price,
                                           client_order_id=args.client_id)]
    else:
        if args.id is None:
            raise UsageError(f"order {args.action} needs --id")
        assert symbol is not None
        act = ex.cancel_oco_order if args.action == "oco-cancel" else ex.fetch_oco_order
        pairs = [await act(args.id, symbol, by_client_id=args.client_id is not None)]
    if args.json:
        print(to_json({"venue": args.venue, "oco": [plain(p) for p in pairs]}))
        return 0
    print(f"{args.venue}: {len(pairs)} OCO pair{'s' if len(pairs) != 1 else ''}")
    for pair in pairs:
        fired = pair.fired
        print(f"{pair.id}  {pair.symbol}  {pair.status.value}  client id "
              f"{pair.client_order_id or '-'}" + (f"  fired: {fired.id}" if fired else ""))
        if pair.legs:
            print(order_table(list(pair.legs)))
    return 0
