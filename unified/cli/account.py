"""`unified balances` and `unified orders`: one account at one venue (needs credentials)."""

from __future__ import annotations

from collections.abc import Sequence

from unified.cli.errors import on
from unified.cli.format import fitted, fmt, plain, short_time, table, to_json
from unified.cli.session import Session, open_venues
from unified.models import Order, OrderStatus, OrderType

STATUS = {OrderStatus.PARTIALLY_FILLED: "partial"}  # the one status too wide for the table
TYPE = {OrderType.LIMIT: "lmt", OrderType.MARKET: "mkt"}
ID_WIDTH = 10


async def balances_command(session: Session, venue: str, show_all: bool, as_json: bool) -> int:
    async with open_venues(session, [venue], private=True) as exchanges:
        with on(venue):
            balances = await exchanges[venue].fetch_balance()
    shown = [b for _, b in sorted(balances.items()) if show_all or b.total != 0]
    if as_json:
        print(to_json({"venue": venue, "balances": shown}))
        return 0
    print(table(["currency", "total", "available", "held"],
                [(b.currency, fmt(b.total), fmt(b.available), fmt(b.held)) for b in shown]))
    hidden = len(balances) - len(shown)
    if hidden:
        print(f"({hidden} zero balances hidden; --all shows them)")
    return 0


def _short_id(order_id: str) -> str:
    return order_id if len(order_id) <= ID_WIDTH else ".." + order_id[2 - ID_WIDTH:]


def order_table(orders: Sequence[Order]) -> str:
    rows = [(_short_id(o.id), short_time(o.created_at, seconds=False),
             f"{o.side.value} {TYPE[o.type]}", STATUS.get(o.status, o.status.value),
             fmt(o.price), fmt(o.amount), fmt(o.filled), fmt(o.average))
            for o in orders]
    return fitted(ORDER_HEADERS, rows, droppable=("average", "created (UTC)"))


ORDER_HEADERS = ("id", "created (UTC)", "order", "status", "price", "amount", "filled",
                 "average")


async def orders_command(session: Session, venue: str, symbol: str, open_only: bool,
                         limit: int, as_json: bool) -> int:
    async with open_venues(session, [venue], private=True) as exchanges:
        ex = exchanges[venue]
        with on(venue):
            opened = await ex.fetch_open_orders(symbol)
            closed = [] if open_only else await ex.fetch_closed_orders(symbol, limit=limit)
    if as_json:
        print(to_json({"venue": venue, "symbol": symbol, "open": plain(opened),
                       **({} if open_only else {"closed": plain(closed)})}))
        return 0
    print(f"{venue} {symbol}: {len(opened)} open")
    if opened:
        print(order_table(opened))
    if not open_only:
        print(f"\n{venue} {symbol}: last {len(closed)} closed, newest first "
              f"(all: unified export orders)")
        if closed:
            print(order_table(closed))
    if any(len(o.id) > ID_WIDTH for o in (*opened, *closed)):
        print("(ids shortened; --json gives every field in full)")
    return 0
