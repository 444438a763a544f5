"""KuCoin <-> unified: encode parameters, unwrap the {code, data} envelope, decode models."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from adapters.kucoin import wire
from unified.convert import decimal_text as num
from unified.convert import from_ms, from_ns, from_seconds, structure, to_decimal, to_ms
from unified.errors import DecodeError, NotSupported, OrderNotFound, VenueError
from unified.models import (
    Balance,
    Balances,
    BookLevel,
    Candle,
    DeadManSwitch,
    Fee,
    Fill,
    LedgerEntry,
    MarginMode,
    Market,
    OcoOrder,
    Order,
    OrderBook,
    OrderStatus,
    OrderType,
    Ticker,
    Trade,
)
from unified.venue import Context, PlacedOrder, ReportedState, RequestParts

#: POST /api/v1/hf/orders/multi: "A maximum of 5 orders ... limit orders of the same trading pair"
BATCH_MAX = 5
#: A refused batch item says only `failMsg`; KuCoin words these like its 400100 answers, whose
#: error rows tell them apart by message (insufficient balance, duplicate clientOid, ...).
BATCH_ITEM_CODE = "400100"


# ---------------------------------------------------------------- envelope






# ---------------------------------------------------------------- encoders


def symbol_query(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(query=[("symbol", args["symbol"])])


def order_ref(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(path_params={"id": args["id"]}, query=[("symbol", args["symbol"])])


def encode_book(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    limit = args.get("limit")
    depth = "20" if limit is None or limit <= 20 else "100"
    return RequestParts(path_params={"depth": depth}, query=[("symbol", args["symbol"])])


def encode_book_full(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """GET /api/v3/market/orderbook/level2: every level (a signed call)."""
    return RequestParts(query=[("symbol", args["symbol"])])


def encode_candles(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    query = [("symbol", args["symbol"]), ("type", args["timeframe"])]
    since: datetime | None = args.get("since")
    if since is not None:
        start = int(since.timestamp())
        query.append(("startAt", str(start)))
        if args.get("limit"):
            query.append(("endAt", str(start + args["limit"] * args["timeframe_seconds"])))
    return RequestParts(query=query)


def encode_balance(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(query=[("type", "trade")])


def encode_create(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(body=order_body(ctx, args))


def order_body(ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
    """One order's fields (POST /api/v1/hf/orders/sync, and each item of .../multi). A market
    order by cost= sends `funds`: the quote amount a buy spends or a sell raises."""
    tables = ctx.tables
    body: dict[str, Any] = {
        "clientOid": args["client_order_id"],
        "side": tables.sides.encode(args["side"]),
        "symbol": args["symbol"],
        "type": tables.order_types.encode(args["type"]),
    }
    if args["type"] is OrderType.LIMIT:
        body["price"] = num(args["price"])
        body["size"] = num(args["amount"])
        if args["time_in_force"] is not None:
            body["timeInForce"] = tables.time_in_force.encode(args["time_in_force"])
        if args["post_only"]:
            body["postOnly"] = True
    elif args["cost"] is not None:
        body["funds"] = num(args["cost"])
    else:
        body["size"] = num(args["amount"])
    body.update(_extras(args.get("extras") or {}))
    return body


#: unified.order_options names -> the HF order fields (the WebSocket order API takes the same)
_EXTRA_FIELDS = {"cancel_after": "cancelAfter", "hidden": "hidden", "iceberg": "iceberg",
                 "stp": "stp", "tags": "tags", "remark": "remark",
                 "allow_max_time_window": "allowMaxTimeWindow", "auto_borrow": "autoBorrow",
                 "auto_repay": "autoRepay"}


def _extras(extras: Mapping[str, Any]) -> dict[str, Any]:
    body = {_EXTRA_FIELDS[k]: v for k, v in extras.items() if k in _EXTRA_FIELDS}
    if "visible_size" in extras:
        body["visibleSize"] = num(extras["visible_size"])
    if "client_timestamp" in extras:
        body["clientTimestamp"] = to_ms(extras["client_timestamp"])
    if "margin_mode" in extras:
        body["isIsolated"] = extras["margin_mode"] is MarginMode.ISOLATED
    return body


def encode_batch(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    orders = args["orders"]
    if not 1 <= len(orders) <= BATCH_MAX or any(o["type"] is not OrderType.LIMIT
                                                  for o in orders):
        raise NotSupported(f"/api/v1/hf/orders/multi takes 1 to {BATCH_MAX} limit orders")
    return RequestParts(body={"orderList": [order_body(ctx, o) for o in orders]})


def encode_history(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    query = [("symbol", args["symbol"])]
    if args.get("since_ms") is not None:
        query.append(("startAt", str(args["since_ms"])))
    if args.get("until_ms") is not None:
        query.append(("endAt", str(args["until_ms"])))
    return RequestParts(query=query)


def encode_ledger(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    query = []
    if args.get("currency"):
        query.append(("currency", args["currency"]))
    if args.get("since_ms") is not None:
        query.append(("startAt", str(args["since_ms"])))
    if args.get("until_ms") is not None:
        query.append(("endAt", str(args["until_ms"])))
    return RequestParts(query=query)


# ---------------------------------------------------------------- decoders


def decode_time(ctx: Context, data: Any) -> datetime:
    return from_ms(data)


def decode_markets(ctx: Context, data: Any) -> list[Market]:
    if not isinstance(data, list):
        raise DecodeError("symbols: expected a list")
    markets = []
    for item in data:
        s = structure(item, wire.Symbol)
        markets.append(
            Market(
                symbol=f"{s.baseCurrency}/{s.quoteCurrency}",
                venue_symbol=s.symbol,
                base=s.baseCurrency,
                quote=s.quoteCurrency,
                price_increment=s.priceIncrement,
                amount_increment=s.baseIncrement,
                min_amount=s.baseMinSize,
                min_cost=s.minFunds,
                active=s.enableTrading,
                raw=item,
                cost_increment=s.quoteIncrement,
            )
        )
    return markets


def _open(last: Decimal | None, change: Decimal | None) -> Decimal | None:
    return last - change if last is not None and change is not None else None


def decode_ticker(ctx: Context, data: Any) -> Ticker:
    s = structure(data, wire.Stats)
    return Ticker(
        symbol=ctx.unified_symbol(s.symbol),
        timestamp=from_ms(s.time),
        last=s.last,
        bid=s.buy,
        ask=s.sell,
        bid_size=None,
        ask_size=None,
        open=_open(s.last, s.changePrice),
        high=s.high,
        low=s.low,
        base_volume=s.vol,
        quote_volume=s.volValue,
        raw=data,
    )


def decode_tickers(ctx: Context, data: Any) -> list[Ticker]:
    if not isinstance(data, dict) or not isinstance(data.get("ticker"), list):
        raise DecodeError("allTickers: expected {time, ticker: [...]}")
    stamp = from_ms(data["time"])
    out = []
    for item in data["ticker"]:
        t = structure(item, wire.AllTickersItem)
        if ctx.markets_by_id and t.symbol not in ctx.markets_by_id:
            continue  # listed after our markets were loaded
        out.append(
            Ticker(
                symbol=ctx.unified_symbol(t.symbol),
                timestamp=stamp,
                last=t.last,
                bid=t.buy,
                ask=t.sell,
                bid_size=t.bestBidSize,
                ask_size=t.bestAskSize,
                open=_open(t.last, t.changePrice),
                high=t.high,
                low=t.low,
                base_volume=t.vol,
                quote_volume=t.volValue,
                raw=item,
            )
        )
    return out


def _levels(rows: Any) -> tuple[BookLevel, ...]:
    if not isinstance(rows, list):
        raise DecodeError("book side is not a list")
    return tuple(BookLevel(price=to_decimal(r[0]), amount=to_decimal(r[1])) for r in rows)


def decode_book(ctx: Context, data: Any) -> OrderBook:
    if not isinstance(data, dict):
        raise DecodeError("order book: expected an object")
    return OrderBook(
        symbol="",  # the answer does not name it: the core sets it from the request
        timestamp=from_ms(data["time"]),
        bids=_levels(data["bids"]),
        asks=_levels(data["asks"]),
        sequence=int(data["sequence"]) if data.get("sequence") is not None else None,
        raw=data,
    )


def decode_trades(ctx: Context, data: Any) -> list[Trade]:
    if not isinstance(data, list):
        raise DecodeError("histories: expected a list")
    out = []
    for item in data:
        t = structure(item, wire.HistoryTrade)
        out.append(
            Trade(
                id=t.sequence,
                symbol="",
                timestamp=from_ns(t.time),
                side=ctx.tables.sides.decode(t.side),
                price=t.price,
                amount=t.size,
                raw=item,
            )
        )
    return out


def decode_candles(ctx: Context, data: Any) -> list[Candle]:
    if not isinstance(data, list):
        raise DecodeError("candles: expected a list")
    out = []
    for row in data:
        if not isinstance(row, list) or len(row) < 7:
            raise DecodeError(f"candle row {row!r} is not [time, o, c, h, l, vol, turnover]")
        out.append(
            Candle(
                timestamp=from_seconds(row[0]),
                open=to_decimal(row[1]),
                close=to_decimal(row[2]),
                high=to_decimal(row[3]),
                low=to_decimal(row[4]),
                volume=to_decimal(row[5]),
                quote_volume=to_decimal(row[6]),
            )
        )
    return out


def decode_balances(ctx: Context, data: Any) -> Balances:
    if not isinstance(data, list):
        raise DecodeError("accounts: expected a list")
    totals: dict[str, list[Decimal]] = {}
    for item in data:
        a = structure(item, wire.Account)
        if a.type != "trade":
            continue
        sums = totals.setdefault(a.currency.upper(), [Decimal(0)] * 3)
        sums[0] += a.balance
        sums[1] += a.available
        sums[2] += a.holds
    return Balances(
        {
            ccy: Balance(currency=ccy, total=t, available=av, held=h)
            for ccy, (t, av, h) in totals.items()
        },
        raw=data,
    )


def decode_placed(ctx: Context, data: Any) -> PlacedOrder:
    """A create's answer: the sync form carries the order's state, the plain form its ids."""
    if isinstance(data, dict) and "status" in data:
        return decode_state(ctx, data)
    p = structure(data, wire.PlacedOrder)
    return PlacedOrder(id=p.orderId, client_order_id=p.clientOid or None)


def decode_canceled(ctx: Context, data: Any) -> PlacedOrder:
    """A cancel's answer: the sync form carries the order's state after it, the plain form
    (the cancel is only requested) the id it was asked by."""
    if isinstance(data, dict) and "status" in data:
        return decode_state(ctx, data)
    c = structure(data, wire.CanceledOrder)
    ref = c.orderId or c.clientOid
    if not ref:
        raise DecodeError("cancel: expected {orderId} or {clientOid}")
    return PlacedOrder(id=ref)


def sync_state(s: wire.SyncOrder) -> str:
    """Name the state from a sync answer's status and sizes (the spec's status table)."""
    if s.status == "open":
        return "active-dealt" if s.dealSize > 0 else "active"
    if s.status == "done":
        return "done-filled" if s.dealSize > 0 and s.canceledSize == 0 else "done-canceled"
    raise DecodeError(f"unknown sync order status {s.status!r}")


def decode_state(ctx: Context, data: Any) -> ReportedState:
    s = structure(data, wire.SyncOrder)
    if not (s.orderId or s.clientOid):
        raise DecodeError("sync answer without orderId or clientOid")
    return ReportedState(
        id=s.orderId or "", client_order_id=s.clientOid or None,
        status=ctx.tables.status.decode(sync_state(s)), filled=s.dealSize,
        created_at=from_ms(s.orderTime) if s.orderTime else None,
        updated_at=from_ms(s.matchTime) if s.matchTime else None, raw=data,
    )


def decode_batch(ctx: Context, data: Any) -> list[PlacedOrder]:
    """One result per order sent, in order; a refused one carries its classified error."""
    if not isinstance(data, list):
        raise DecodeError("orders/multi: expected a list")
    out = []
    for item in data:
        b = structure(item, wire.BatchItem)
        if b.success and b.orderId:
            out.append(PlacedOrder(id=b.orderId, client_order_id=b.clientOid or None))
            continue
        error = ctx.tables.errors.classify(http_status=200, code=BATCH_ITEM_CODE,
                                           message=b.failMsg or "", raw=item)
        out.append(PlacedOrder(id=b.orderId or "", client_order_id=b.clientOid or None,
                               error=error))
    return out


def decode_cancel_all(ctx: Context, data: Any) -> None:
    """DELETE /api/v1/hf/orders?symbol=: "success" (cancels requested; nothing more is said)."""
    if not isinstance(data, str):
        raise DecodeError(f"cancel all: expected a text acknowledgement, got {data!r}")


def decode_cancel_everywhere(ctx: Context, data: Any) -> list[VenueError]:
    """DELETE /api/v1/hf/orders/cancelAll: one error per market it could not cancel."""
    r = structure(data, wire.CancelAllResult)
    return [ctx.tables.errors.classify(
        http_status=200, code=None, message=f"cancel all refused on {f.symbol}: {f.error or ''}",
        raw=data) for f in r.failedSymbols]


def decode_open_symbols(ctx: Context, data: Any) -> list[str]:
    """GET /api/v1/hf/orders/active/symbols: the markets with open orders, unified symbols."""
    return [ctx.unified_symbol(s) for s in structure(data, wire.OpenSymbols).symbols]


def order_state(o: wire.HfOrder) -> str:
    """Name the state from KuCoin's flags; the spec's status table gives its meaning."""
    if o.active:
        return "active-dealt" if o.dealSize > 0 else "active"
    if o.cancelExist or o.cancelledSize > 0:
        return "done-canceled"
    return "done-filled"


def decode_order_lookup(ctx: Context, data: Any) -> Order:
    """GET one order by id or clientOid (HF spot and margin): data null when the venue knows
    no such order, as KuCoin futures answers too."""
    if data is None:
        raise OrderNotFound("no such order", venue=ctx.venue, raw=data)
    return decode_order(ctx, data)


def decode_order(ctx: Context, data: Any) -> Order:
    """One HF order: a lookup's answer (decode_order_lookup) or an item of a listing, where
    null is no order at all (a DecodeError)."""
    o = structure(data, wire.HfOrder)
    tables = ctx.tables
    order_type = tables.order_types.decode(o.type)
    market = order_type is OrderType.MARKET
    amount = o.size if o.size > 0 else None
    return Order(
        id=o.id,
        client_order_id=o.clientOid or None,
        symbol=ctx.unified_symbol(o.symbol),
        side=tables.sides.decode(o.side),
        type=order_type,
        status=tables.status.decode(order_state(o)),
        price=None if market or o.price is None or o.price == 0 else o.price,
        amount=amount,
        filled=o.dealSize,
        remaining=amount - o.dealSize if amount is not None else None,
        average=o.dealFunds / o.dealSize if o.dealSize > 0 else None,
        cost=o.dealFunds,
        fee=Fee(cost=o.fee, currency=o.feeCurrency) if o.feeCurrency else None,
        time_in_force=tables.time_in_force.decode(o.timeInForce) if o.timeInForce else None,
        post_only=bool(o.postOnly),
        created_at=from_ms(o.createdAt),
        updated_at=from_ms(o.lastUpdatedAt),
        raw=data,
    )


def decode_fill(ctx: Context, data: Any) -> Fill:
    f = structure(data, wire.HfFill)
    return Fill(
        id=str(f.id),
        order_id=f.orderId,
        symbol=ctx.unified_symbol(f.symbol),
        side=ctx.tables.sides.decode(f.side),
        price=f.price,
        amount=f.size,
        cost=f.funds,
        fee=Fee(cost=f.fee, currency=f.feeCurrency, rate=f.feeRate),
        liquidity=ctx.tables.liquidity.decode(f.liquidity),
        timestamp=from_ms(f.createdAt),
        raw=data,
    )


_DIRECTION_SIGN = {"in": 1, "out": -1}


def decode_ledger(ctx: Context, data: Any) -> LedgerEntry:
    e = structure(data, wire.LedgerItem)
    sign = _DIRECTION_SIGN.get(e.direction)
    if sign is None:
        raise DecodeError(f"unknown ledger direction {e.direction!r}")
    return LedgerEntry(
        id=e.id,
        currency=e.currency.upper(),
        amount=e.amount * sign,
        balance=None,  # deprecated by KuCoin: always "0" here, so not reported
        kind=e.bizType,
        reference=e.context or None,
        timestamp=from_ms(e.createdAt),
        raw=data,
    )



# ---------------------------------------------------------------- more order operations (3d)


def encode_alter(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """POST /api/v1/hf/orders/alter: the old order by orderId; newPrice and/or newSize."""
    body: dict[str, Any] = {"symbol": args["symbol"], "orderId": args["id"]}
    if args["price"] is not None:
        body["newPrice"] = num(args["price"])
    if args["amount"] is not None:
        body["newSize"] = num(args["amount"])
    return RequestParts(body=body)


def decode_altered(ctx: Context, data: Any) -> PlacedOrder:
    """The replacement order's id (KuCoin cancels the old one and places a new one)."""
    a = structure(data, wire.AlteredOrder)
    return PlacedOrder(id=a.newOrderId, client_order_id=a.clientOid or None)


def encode_dead_cancel(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """Set DCP: timeout -1 clears it; `symbols` comma separated, empty meaning every pair."""
    seconds: int = args["seconds"]
    body: dict[str, Any] = {"timeout": seconds if seconds > 0 else -1}
    if args["symbols"]:
        body["symbols"] = ",".join(args["symbols"])
    return RequestParts(body=body)


def decode_dead_cancel(ctx: Context, data: Any) -> datetime | None:
    """When the venue will cancel (triggerTime, seconds); None when the switch is unset."""
    if data is None or data == {} or data == "":
        return None
    d = structure(data, wire.DeadCancel)
    return from_seconds(d.triggerTime) if d.triggerTime else None


def decode_dead_cancel_setting(ctx: Context, data: Any) -> DeadManSwitch | None:
    """Get DCP: the armed setting; None when the data is empty ("DCP is not set")."""
    if data is None or data == {} or data == "":
        return None
    d = structure(data, wire.DeadCancelSetting)
    names = tuple(ctx.unified_symbol(x) for x in (d.symbols or "").split(",") if x)
    return DeadManSwitch(seconds=d.timeout, symbols=names, fires_at=from_seconds(d.triggerTime),
                         raw=data)


def encode_partial_cancel(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """Cancel Partial Order: `cancelSize` off the order, which keeps its id and queue place."""
    return RequestParts(path_params={"id": args["id"]},
                        query=[("symbol", args["symbol"]), ("cancelSize", num(args["amount"]))])


def decode_partial_cancel(ctx: Context, data: Any) -> PlacedOrder:
    return PlacedOrder(id=structure(data, wire.PartialCancel).orderId)


def encode_oco(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(body={
        "symbol": args["symbol"], "side": ctx.tables.sides.encode(args["side"]),
        "price": num(args["price"]), "size": num(args["amount"]),
        "stopPrice": num(args["stop_price"]), "limitPrice": num(args["limit_price"]),
        "clientOid": args["client_order_id"], "tradeType": "TRADE",
    })


def oco_ref(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """The OCO endpoints take the id in the path only (no symbol)."""
    return RequestParts(path_params={"id": args["id"]})


def encode_oco_list(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(query=[("symbol", args["symbol"])] if args.get("symbol") else [])


def decode_oco_placed(ctx: Context, data: Any) -> PlacedOrder:
    return PlacedOrder(id=structure(data, wire.OcoPlaced).orderId)


def decode_oco_canceled(ctx: Context, data: Any) -> list[str]:
    """The ids of the two legs it canceled."""
    return list(structure(data, wire.OcoCanceled).cancelledOrderIds)


def decode_oco(ctx: Context, data: Any) -> OcoOrder:
    """An OCO pair; its legs where the answer lists them (the detail form). A leg's fills are
    not reported: a DONE leg counts as filled, any other as not filled."""
    o = structure(data, wire.OcoOrder)
    symbol = ctx.unified_symbol(o.symbol)
    created = from_ms(o.orderTime) if o.orderTime else None
    legs = tuple(_oco_leg(ctx, leg, o.clientOid, symbol, created) for leg in o.orders or ())
    return OcoOrder(id=o.orderId, client_order_id=o.clientOid or None, symbol=symbol,
                    status=ctx.tables.oco_status.decode(o.status), legs=legs, raw=data)


def _oco_leg(ctx: Context, leg: wire.OcoLeg, coid: str | None, symbol: str,
             created: datetime | None) -> Order:
    status = ctx.tables.oco_status.decode(leg.status)
    filled = leg.size if status is OrderStatus.FILLED else Decimal(0)
    return Order(
        id=leg.id, client_order_id=None, symbol=symbol, side=ctx.tables.sides.decode(leg.side),
        type=OrderType.LIMIT, status=status, price=leg.price, amount=leg.size, filled=filled,
        remaining=leg.size - filled, average=None, cost=Decimal(0), fee=None,
        time_in_force=None, post_only=False, created_at=created, updated_at=None,
        raw={"stopPrice": str(leg.stopPrice), "ocoClientOid": coid, "status": leg.status,
             "triggered": leg.status == "TRIGGERED"},
    )
