"""OKEx / OKCoin v1 <-> unified: encode form parameters, unwrap answers, decode models."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from adapters.okex_v1 import wire
from unified.candle_rows import decode_ms_ohlcv_rows
from unified.convert import decimal_text as num
from unified.convert import from_ms, from_seconds, structure, to_decimal, to_str
from unified.diagnostics import read_code, read_flag
from unified.errors import (
    ConfigurationError,
    DecodeError,
    NotSupported,
    OrderNotFound,
)
from unified.models import (
    Balance,
    Balances,
    BookLevel,
    Candle,
    LedgerEntry,
    Order,
    OrderBook,
    OrderType,
    Side,
    Ticker,
    Trade,
)
from unified.tables import Tables
from unified.venue import Context, PlacedOrder, RequestParts, VenueRejected
from unified.wire import WireResponse

ALL_UNFILLED = "-1"  # order_info.do order_id=-1: every unfilled order of the pair
MAX_DEPTH = 200
BATCH_MAX = 5
CANCEL_IDS_MAX = 3
ORDERS_INFO_MAX = 50
#: account_records.do type per ledger part (the spec's iter_ledger variants).
RECORD_TYPES = {"deposit": "0", "withdrawal": "1"}
#: account_records.do status -> ledger kind. Deposits: -1 failure, 0 awaiting confirmation,
#: 1 complete. Withdrawals: -3 revoked, -2 cancelled, -1 failure, 0 and 1 pending, 2 complete,
#: 3 email confirmation, 4 verifying, 5 awaiting confirmation.
RECORD_STATES = {
    "deposit": {-1: "deposit_failed", 0: "deposit_pending", 1: "deposit"},
    "withdrawal": {-3: "withdrawal_canceled", -2: "withdrawal_canceled",
                   -1: "withdrawal_failed", 0: "withdrawal_pending", 1: "withdrawal_pending",
                   2: "withdrawal", 3: "withdrawal_pending", 4: "withdrawal_pending",
                   5: "withdrawal_pending"},
}
#: unwrap hands ledger records on wrapped with the currency the answer names once, at its top.
LEDGER_RECORD = "record"
LEDGER_CURRENCY = "currency"


# ---------------------------------------------------------------- answers


def unwrap(response: WireResponse, parsed: Any) -> Any:
    """v1 answers errors in HTTP 200 bodies: {"result": false, "error_code": N}."""
    if response.status >= 400:
        raise VenueRejected(None, f"HTTP {response.status}")
    if not isinstance(parsed, (dict, list)):
        raise DecodeError("not a v1 answer (expected an object or a list)")
    if isinstance(parsed, list):
        return parsed
    # Read loosely (see wire): "error_code": 0 or "" beside a result is no failure, and a
    # result may come as "true" / "false".
    code = read_code(parsed.get("error_code"))
    result = read_flag(parsed.get("result"))
    if result is False or (code is not None and result is None):
        raise VenueRejected(code, "")
    if "success" in parsed and "error" in parsed and not parsed.get("success"):
        raise VenueRejected(None, f"cancel refused for order(s) {parsed.get('error')}")
    if isinstance(parsed.get("records"), list) and isinstance(parsed.get("symbol"), str):
        # Records do not name their currency; the answer does, once.
        currency = parsed["symbol"].upper()
        return {**parsed, "records": [{LEDGER_RECORD: r, LEDGER_CURRENCY: currency}
                                      for r in parsed["records"]]}
    return parsed


# ---------------------------------------------------------------- encoders


def symbol_query(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(query=[("symbol", args["symbol"])])


def encode_trades(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """trades.do: the newest 60, or (`since`, a tid) the 60 after that trade."""
    query = [("symbol", args["symbol"])]
    if args.get("after_id") is not None:
        query.append(("since", str(args["after_id"])))
    return RequestParts(query=query)


def encode_time(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """ticker.do of the first listed pair: its `date` is the server's clock."""
    first = ctx.tables.spec.markets[0]["symbol"]
    return RequestParts(query=[("symbol", ctx.venue_symbol(str(first)))])


def encode_book(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    query = [("symbol", args["symbol"])]
    if args.get("limit"):
        query.append(("size", str(min(args["limit"], MAX_DEPTH))))
    return RequestParts(query=query)


def encode_candles(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    query = [("symbol", args["symbol"]), ("type", args["timeframe"])]
    if args.get("limit"):
        query.append(("size", str(args["limit"])))
    since: datetime | None = args.get("since")
    if since is not None:
        query.append(("since", str(int(since.timestamp() * 1000))))
    return RequestParts(query=query)


def no_params(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(body=[])


def order_type(tables: Tables, side: Side, kind: OrderType) -> str:
    """v1 `type` carries side and kind at once: buy, sell, buy_market, sell_market."""
    value = tables.sides.encode(side)
    if kind is OrderType.MARKET:
        value += "_market"
    if tables.order_types.decode(value) is not kind or tables.sides.decode(value) is not side:
        raise ConfigurationError(f"the spec has no order type for {side} {kind}")
    return value


def _order_fields(tables: Tables, args: Mapping[str, Any]) -> list[tuple[str, str]]:
    if args.get("post_only"):
        raise NotSupported("v1 has no post-only orders")
    kind: OrderType = args["type"]
    side: Side = args["side"]
    fields = [("type", order_type(tables, side, kind))]
    if kind is OrderType.LIMIT:
        fields += [("price", num(args["price"])), ("amount", num(args["amount"]))]
    elif side is Side.BUY:
        fields.append(("price", num(args["cost"])))  # a market buy's price is what to spend
    else:
        fields.append(("amount", num(args["amount"])))
    return fields


def encode_create(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(body=[("symbol", args["symbol"]), *_order_fields(ctx.tables, args)])


def encode_batch(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """args["orders"]: up to 5 mappings with the create_order keys (type, side, amount, ...)."""
    orders: Sequence[Mapping[str, Any]] = args["orders"]
    if not 1 <= len(orders) <= BATCH_MAX:
        raise NotSupported(f"batch_trade.do takes 1 to {BATCH_MAX} orders")
    data = [dict(_order_fields(ctx.tables, o)) for o in orders]
    orders_data = json.dumps(data, separators=(",", ":"))
    return RequestParts(body=[("symbol", args["symbol"]), ("orders_data", orders_data)])


def order_ref(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(body=[("symbol", args["symbol"]), ("order_id", args["id"])])


def encode_cancel(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    if len(str(args["id"]).split(",")) > CANCEL_IDS_MAX:
        raise NotSupported(f"cancel_order.do takes at most {CANCEL_IDS_MAX} ids")
    return order_ref(ctx, args)


def encode_cancel_many(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """args["ids"]: 1 to 3 order ids."""
    ids: Sequence[str] = args["ids"]
    if not 1 <= len(ids) <= CANCEL_IDS_MAX:
        raise NotSupported(f"cancel_order.do takes 1 to {CANCEL_IDS_MAX} ids")
    return RequestParts(body=[("symbol", args["symbol"]), ("order_id", ",".join(ids))])


def encode_open(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(body=[("symbol", args["symbol"]), ("order_id", ALL_UNFILLED)])


def encode_orders(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """args["ids"]: up to 50 order ids; args["finished"]: query type 1 (else 0, unfilled)."""
    ids: Sequence[str] = args["ids"]
    if not 1 <= len(ids) <= ORDERS_INFO_MAX:
        raise NotSupported(f"orders_info.do takes 1 to {ORDERS_INFO_MAX} ids")
    return RequestParts(body=[("symbol", args["symbol"]),
                              ("type", "1" if args.get("finished") else "0"),
                              ("order_id", ",".join(ids))])


def encode_history(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    # status=1: finished orders (filled and canceled), newest first; page params come from the
    # core. No time window exists: the core filters since/until (history_time_filter = false).
    return RequestParts(body=[("symbol", args["symbol"]), ("status", "1")])


def encode_ledger(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    currency = args.get("currency")
    if not currency:
        raise NotSupported("v1 account_records.do lists one currency: pass currency=")
    # A deposit and a withdrawal record look the same: the core walks one part per type and
    # tells the decoder which (ctx.variant).
    record_type = RECORD_TYPES.get(args.get("variant") or "")
    if record_type is None:
        raise NotSupported("account_records.do lists deposits or withdrawals, one at a time")
    return RequestParts(body=[("symbol", str(currency).lower()), ("type", record_type)])


# ---------------------------------------------------------------- market data


def decode_time(ctx: Context, data: Any) -> datetime:
    return from_seconds(structure(data, wire.TickerAnswer).date)


def decode_ticker(ctx: Context, data: Any) -> Ticker:
    """The answer does not name its pair: the symbol is left empty for the core to fill in."""
    answer = structure(data, wire.TickerAnswer)
    t = answer.ticker
    return Ticker(symbol="", timestamp=from_seconds(answer.date), last=t.last, bid=t.buy,
                  ask=t.sell, bid_size=None, ask_size=None, open=None, high=t.high, low=t.low,
                  base_volume=t.vol, quote_volume=None, raw=data)


def decode_tickers(ctx: Context, data: Any) -> list[Ticker]:
    if not isinstance(data, dict) or not isinstance(data.get("tickers"), list):
        raise DecodeError("tickers.do: expected {date, tickers: [...]}")
    stamp = from_seconds(to_str(data["date"]))
    out = []
    for item in data["tickers"]:
        t = structure(item, wire.TickersItem)
        if ctx.markets_by_id and t.symbol not in ctx.markets_by_id:
            continue  # a pair the spec does not list
        out.append(Ticker(symbol=ctx.unified_symbol(t.symbol), timestamp=stamp, last=t.last,
                          bid=t.buy, ask=t.sell, bid_size=None, ask_size=None, open=None,
                          high=t.high, low=t.low, base_volume=t.vol, quote_volume=None,
                          raw=item))
    return out


def _levels(rows: Any) -> list[BookLevel]:
    if not isinstance(rows, list):
        raise DecodeError("book side is not a list")
    return [BookLevel(price=to_decimal(r[0]), amount=to_decimal(r[1])) for r in rows]


def decode_book(ctx: Context, data: Any) -> OrderBook:
    """depth.do lists asks from the highest price down: sorted here, best first on both sides."""
    if not isinstance(data, dict):
        raise DecodeError("depth.do: expected {asks, bids}")
    return OrderBook(
        symbol="",  # the answer does not name it: the core sets it from the request
        timestamp=None,
        bids=tuple(sorted(_levels(data["bids"]), key=lambda lv: -lv.price)),
        asks=tuple(sorted(_levels(data["asks"]), key=lambda lv: lv.price)),
        sequence=None,
        raw=data,
    )


def decode_trades(ctx: Context, data: Any) -> list[Trade]:
    if not isinstance(data, list):
        raise DecodeError("trades.do: expected a list")
    out = []
    for item in data:
        t = structure(item, wire.PublicTrade)
        out.append(Trade(id=t.tid, symbol="", timestamp=from_ms(t.date_ms),
                         side=ctx.tables.sides.decode(t.type), price=t.price, amount=t.amount,
                         raw=item))
    return out


def decode_candles(ctx: Context, data: Any) -> list[Candle]:
    return decode_ms_ohlcv_rows(data, "kline.do")


# ---------------------------------------------------------------- account and orders


def decode_balances(ctx: Context, data: Any) -> Balances:
    funds = structure(data, wire.UserInfo).info.funds
    out = {}
    for ccy in sorted(set(funds.free) | set(funds.freezed)):
        free = funds.free.get(ccy, Decimal(0))
        held = funds.freezed.get(ccy, Decimal(0))
        out[ccy.upper()] = Balance(currency=ccy.upper(), total=free + held, available=free,
                                   held=held)
    return Balances(out, raw=data)


def decode_placed(ctx: Context, data: Any) -> PlacedOrder:
    return PlacedOrder(id=structure(data, wire.Placed).order_id)


def decode_batch(ctx: Context, data: Any) -> list[PlacedOrder]:
    """In the request's order; a refused item carries its typed error."""
    if not isinstance(data, dict) or not isinstance(data.get("order_info"), list):
        raise DecodeError("batch_trade.do: expected {order_info: [...]}")
    out: list[PlacedOrder] = []
    for item in data["order_info"]:
        b = structure(item, wire.BatchItem)
        if b.error_code is None and b.order_id != "-1":
            out.append(PlacedOrder(id=b.order_id))
            continue
        error = ctx.tables.errors.classify(http_status=200, code=b.error_code, message="",
                                           raw=item)
        out.append(PlacedOrder(id=b.order_id, error=error))
    return out


def decode_canceled(ctx: Context, data: Any) -> PlacedOrder:
    c = structure(data, wire.Canceled)
    accepted = c.order_id if c.order_id is not None else c.success
    if not accepted:
        raise DecodeError("cancel_order.do: no order id in the answer")
    return PlacedOrder(id=accepted.split(",")[0])


def decode_canceled_many(ctx: Context, data: Any) -> list[PlacedOrder]:
    """Accepted ids, then refused ones carrying OrderNotFound."""
    c = structure(data, wire.Canceled)
    if c.order_id is not None:  # the one-id form
        return [PlacedOrder(id=i) for i in c.order_id.split(",")]
    out = [PlacedOrder(id=i) for i in (c.success or "").split(",") if i]
    for refused in (i for i in (c.error or "").split(",") if i):
        error = ctx.tables.errors.classify(
            http_status=200, code=None, message=f"cancel refused for order {refused}", raw=data)
        out.append(PlacedOrder(id=refused, error=error))
    return out


#: order_history.do's status numbers that order_info.do writes otherwise: its 4 is "cancel
#: request in process", order_info's 3 (whose 4 is "order failed"; okex-v1-rest.md)
HISTORY_STATUS = {"4": "3"}


def decode_history_order(ctx: Context, data: Any) -> Order:
    """An order_history.do row: its status read in order_info.do's numbering, then as one."""
    if isinstance(data, dict) and str(data.get("status")) in HISTORY_STATUS:
        data = {**data, "status": HISTORY_STATUS[str(data["status"])]}
    return decode_order(ctx, data)


def decode_order(ctx: Context, data: Any) -> Order:
    o = structure(data, wire.Order)
    tables = ctx.tables
    side = tables.sides.decode(o.type)
    kind = tables.order_types.decode(o.type)
    limit = kind is OrderType.LIMIT
    # A market buy's `price` is the quote amount it may spend and its `amount` is not an order
    # size: neither is reported as price / amount.
    amount = o.amount if limit or side is Side.SELL else None
    filled = o.deal_amount
    average = o.avg_price if filled > 0 and o.avg_price > 0 else None
    return Order(
        id=o.order_id,
        client_order_id=None,
        symbol=ctx.unified_symbol(o.symbol),
        side=side,
        type=kind,
        status=tables.status.decode(o.status),
        price=o.price if limit and o.price > 0 else None,
        amount=amount,
        filled=filled,
        remaining=amount - filled if amount is not None else None,
        average=average,
        cost=filled * average if average is not None else Decimal(0),
        fee=None,  # v1 order answers carry no fee
        time_in_force=tables.time_in_force.decode("GTC") if limit else None,
        post_only=False,
        created_at=from_ms(o.create_date) if o.create_date is not None else None,
        updated_at=None,
        raw=data,
    )


def decode_one_order(ctx: Context, data: Any) -> Order:
    """order_info.do for one id: {"result": true, "orders": [order]}."""
    orders = _orders(data)
    if not orders:
        raise OrderNotFound("order_info.do returned no order", venue=ctx.venue, raw=data)
    return decode_order(ctx, orders[0])


def decode_orders(ctx: Context, data: Any) -> list[Order]:
    return [decode_order(ctx, o) for o in _orders(data)]


def _orders(data: Any) -> list[Any]:
    if not isinstance(data, dict) or not isinstance(data.get("orders"), list):
        raise DecodeError("expected {result, orders: [...]}")
    return list(data["orders"])


def decode_ledger(ctx: Context, data: Any) -> LedgerEntry:
    """One deposit or withdrawal record (ctx.variant says which), as wrapped by unwrap with the
    answer's currency. A withdrawal's amount is what left the account: negative."""
    currency, r, raw = record(data)
    states = RECORD_STATES.get(ctx.variant or "")
    if states is None:
        raise DecodeError(f"account_records.do: not a deposit or withdrawal walk: {ctx.variant!r}")
    kind = states.get(r.status)
    if kind is None:
        raise DecodeError(f"unknown {ctx.variant} status {r.status!r}")
    amount = r.amount if ctx.variant == "deposit" else -r.amount
    return LedgerEntry(id=record_id(ctx.variant or "", currency, r), currency=currency,
                       amount=amount, balance=None, kind=kind, reference=r.addr or None,
                       timestamp=from_ms(r.date), raw=raw)


def record_id(part: str, currency: str, r: wire.AccountRecord) -> str:
    """Records carry no id: this one is made of what identifies a record (the same for its
    ledger entry and its deposit or withdrawal)."""
    return f"{part}:{currency}:{r.date}:{r.addr or ''}:{num(r.amount)}"


def record(data: Any) -> tuple[str, wire.AccountRecord, Any]:
    """(currency, record, raw) of one account_records.do row as unwrap hands it on."""
    if not isinstance(data, dict) or LEDGER_RECORD not in data:
        raise DecodeError("account_records.do: expected a record wrapped by unwrap")
    raw = data[LEDGER_RECORD]
    return to_str(data[LEDGER_CURRENCY]), structure(raw, wire.AccountRecord), raw
