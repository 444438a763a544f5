"""KuCoin spot private pushes -> streamed values: order changes, fills, balance changes.

Source: kucoin-openapi/ws/openapi-spot-private.json, topics /spotMarket/tradeOrdersV2
(subject `orderChange`, schema Spot_spot_private_orderV2) and /account/balance (subject
`account.balance`, schema Spot_spot_private_account), with their example pushes.

Fields that decide something (ids, sizes, prices, statuses, times, the account) are read
strictly; the rest (accountId, the *Change figures, relationContext, feeType, oldSize...) stays
in `raw` only. Unknown statuses and order types are DecodeErrors, never a default; a balance
push about any account but the spot trade account yields nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from adapters.kucoin.ws_frames import BALANCE, ORDERS, Message
from unified.convert import from_ms, from_ns, structure
from unified.errors import DecodeError
from unified.models import Fill, Order, OrderType
from unified.streams.dialect import BalanceChange
from unified.venue import Context

ZERO = Decimal(0)

#: `status`: new (entered the matching system), open (in the book), match (a taker matching),
#: done. `type`: the event. Both enums from Spot_spot_private_orderV2.
STATUSES = frozenset({"new", "open", "match", "done"})
EVENTS = frozenset({"open", "match", "update", "filled", "canceled", "received"})

#: The account a balance push is about: the part of `relationEvent` before its dot (the only
#: documented value is "trade.hold"). "trade" is the spot account that fetch_balance reports
#: (GET /api/v1/accounts?type=trade); "trade_hf" is its high-frequency name (accountType
#: TRADE_HF in the HF ledgers). Every other account (main, margin, an isolated pair's
#: "isolated_BTC-USDT", a bare "other"...) is not the spot balance: its changes yield nothing,
#: whatever it is named, so a name KuCoin adds never forces a resync. A push naming no
#: account at all, or a trade-account push without its figures, is a DecodeError.
TRADE_ACCOUNTS = frozenset({"trade", "trade_hf"})

#: What the order push never carries but a REST order does (dialect.Item.unreported).
ORDER_UNREPORTED = frozenset({"fee", "time_in_force", "post_only"})
#: ... and, once something is filled, what it cost (the push has sizes, not funds).
FILLED_UNREPORTED = ORDER_UNREPORTED | {"cost", "average"}
#: A match push names no fee.
FILL_UNREPORTED = frozenset({"fee"})


@attrs.frozen
class OrderChange:
    """The `data` of an orderChange push, named like its fields. `ts` is nanoseconds,
    `orderTime` milliseconds; sizes are absent from pushes that do not concern them (the
    "received" example has no filledSize)."""

    orderId: str
    symbol: str
    side: str
    orderType: str
    status: str
    type: str
    orderTime: int
    ts: int
    clientOid: str | None = None
    originSize: Decimal | None = None
    size: Decimal | None = None
    price: Decimal | None = None
    filledSize: Decimal | None = None
    remainSize: Decimal | None = None
    canceledSize: Decimal | None = None
    matchPrice: Decimal | None = None
    matchSize: Decimal | None = None
    tradeId: str | None = None
    liquidity: str | None = None


@attrs.frozen
class AccountBalance:
    """The `data` of an account.balance push (`time` is milliseconds, as text)."""

    currency: str
    total: Decimal
    available: Decimal
    hold: Decimal
    relationEvent: str
    time: int


def _data(message: Message, topic: str, subject: str) -> dict[str, Any]:
    if message.topic != topic or message.subject != subject:
        raise DecodeError(f"expected {topic} / {subject}, got {message.topic} / "
                          f"{message.subject}")
    if not isinstance(message.data, dict):
        raise DecodeError(f"{subject}: data must be an object")
    return message.data


def state_name(o: OrderChange) -> str:
    """The state, named as the spec's status table names REST states (active, active-dealt,
    done-filled, done-canceled) from the push's status, event and sizes."""
    if o.status not in STATUSES:
        raise DecodeError(f"orderChange: unknown status {o.status!r}")
    if o.type not in EVENTS:
        raise DecodeError(f"orderChange: unknown type {o.type!r}")
    filled = o.filledSize or ZERO
    if o.status != "done":
        # The match that fills the last of an order still says "match"; the "filled" push
        # follows. Reported as filled at once, so no state claims a full order is partial.
        amount = _amount(o)
        if amount is not None and filled >= amount:
            return "done-filled"
        return "active-dealt" if filled > 0 else "active"
    if o.type == "filled":
        return "done-filled"
    # done + update: "partial amounts ... filled and the unfilled part got canceled, or STP"
    if o.type in ("canceled", "update") or (o.canceledSize or ZERO) > 0:
        return "done-canceled"
    return "done-filled"


def _amount(o: OrderChange) -> Decimal | None:
    for size in (o.size, o.originSize):
        if size is not None and size > 0:
            return size
    return None  # a market order by funds names no size


def order(ctx: Context, o: OrderChange, raw: Any) -> Order:
    tables = ctx.tables
    order_type = tables.order_types.decode(o.orderType)
    amount = _amount(o)
    filled = o.filledSize or ZERO
    price = None if order_type is OrderType.MARKET or not o.price else o.price
    return Order(
        id=o.orderId,
        client_order_id=o.clientOid or None,
        symbol=ctx.unified_symbol(o.symbol),
        side=tables.sides.decode(o.side),
        type=order_type,
        status=tables.status.decode(state_name(o)),
        price=price,
        amount=amount,
        filled=filled,
        # as the REST decoder reports it: what was never filled, canceled or not
        remaining=amount - filled if amount is not None else None,
        average=None,
        cost=ZERO,  # unreported once filled (FILLED_UNREPORTED); exact while nothing is
        fee=None,
        time_in_force=None,
        post_only=False,
        created_at=from_ms(o.orderTime),
        updated_at=from_ns(o.ts),
        raw=raw,
    )


def fill(ctx: Context, o: OrderChange, raw: Any) -> Fill:
    """A `match` push: one execution of the order (matchPrice x matchSize, tradeId)."""
    if o.tradeId is None or o.matchPrice is None or o.matchSize is None:
        raise DecodeError("orderChange match without tradeId, matchPrice and matchSize")
    return Fill(
        id=o.tradeId,
        order_id=o.orderId,
        symbol=ctx.unified_symbol(o.symbol),
        side=ctx.tables.sides.decode(o.side),
        price=o.matchPrice,
        amount=o.matchSize,
        cost=o.matchPrice * o.matchSize,
        fee=None,
        # the field the REST fills report too (feeType tells the fee charged, not the role)
        liquidity=ctx.tables.liquidity.decode(o.liquidity) if o.liquidity else None,
        timestamp=from_ns(o.ts),
        raw=raw,
    )


def order_change(ctx: Context, message: Message) -> tuple[Order, Fill | None]:
    """An orderChange push -> the order as it now stands, and the fill it reports (type
    "match"), if any."""
    data = _data(message, ORDERS, "orderChange")
    o = structure(data, OrderChange)
    return order(ctx, o, data), fill(ctx, o, data) if o.type == "match" else None


def balance_change(message: Message) -> BalanceChange | None:
    """An account.balance push -> the spot account's new figures for one currency; None for
    a change in another account (funding, margin...)."""
    data = _data(message, BALANCE, "account.balance")
    event = data.get("relationEvent")
    account = event.partition(".")[0] if isinstance(event, str) else ""
    if not account:
        raise DecodeError(f"account.balance: relationEvent {event!r} names no account")
    if account not in TRADE_ACCOUNTS:
        return None  # another account's change (read no further: its shape is not ours)
    b = structure(data, AccountBalance)
    return BalanceChange(currency=b.currency.upper(), total=b.total, available=b.available,
                         held=b.hold, timestamp=from_ms(b.time), raw=data)
