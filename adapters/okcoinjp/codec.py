"""OKCoinJapan v3 <-> unified: encode parameters, unwrap answers, decode models.

There is no success envelope: a 2xx body is the payload itself. Failures come as non-2xx
{code, message}, as {error_code, error_message}, or as an order answer with result: false
(sometimes all at once); `unwrap` turns each into VenueRejected for the spec's error table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from adapters.okcoinjp import wire
from unified.convert import decimal_text as num
from unified.convert import from_iso, structure, to_decimal, to_iso_ms
from unified.diagnostics import read_code, read_flag, read_text
from unified.errors import ConfigurationError, DecodeError, NotSupported
from unified.models import (
    Balance,
    Balances,
    BookLevel,
    Candle,
    Fee,
    Fill,
    LedgerEntry,
    Market,
    Order,
    OrderBook,
    OrderType,
    Ticker,
    TimeInForce,
    Trade,
)
from unified.venue import Context, PlacedOrder, RequestParts, VenueRejected
from unified.wire import WireResponse

BOOK_MAX = 200  # levels per side the book endpoint returns at most
CANDLES_MAX = 200  # candles per answer
CANCEL_IDS_MAX = 10  # cancel_batch_orders: "each with 10 orders at maximum" per pair
FILLS_PAGE = "100"  # always even: a page never splits a trade's two legs by our choice
CLOSED = "7"  # the `state` filter for canceled + fully filled orders
ZERO = Decimal(0)
#: "type: limit,market (defaulted as limit)": an order that names no type is a limit order
DEFAULT_ORDER_TYPE = "limit"


# ---------------------------------------------------------------- envelope


def unwrap(response: WireResponse, parsed: Any) -> Any:
    if isinstance(parsed, dict):
        # Codes, messages and the result flag are read loosely (see wire): "error_code": 0 and
        # "error_message": {} on a success are not failures.
        code = read_code(parsed.get("code")) or read_code(parsed.get("error_code"))
        message = (read_text(parsed.get("message"))
                   or read_text(parsed.get("error_message")) or "")
        if code is not None or response.status >= 400 \
                or read_flag(parsed.get("result")) is False:
            raise VenueRejected(code, message or f"HTTP {response.status}")
    if response.status >= 400:
        raise VenueRejected(None, f"HTTP {response.status}")
    return parsed


# ---------------------------------------------------------------- encoders


def _no_window(args: Mapping[str, Any], what: str) -> None:
    """The v3 history endpoints page by id only; a time window would be silently ignored."""
    if args.get("since") is not None or args.get("until") is not None:
        raise NotSupported(
            f"okcoinjp {what} take no time window (only after/before id cursors): walk without "
            "since/until and filter by timestamp"
        )


def _client_oid(value: str | None) -> str:
    # The docs allow letters+digits or letters only; an all-digit id would also be read as an
    # order id by /orders/<id> and /cancel_orders/<id>.
    if not value or value.isdigit():
        raise ConfigurationError(f"okcoinjp client order ids need a letter: {value!r}")
    return value


def _order_id(value: str) -> str:
    if not value.isdigit():
        raise ConfigurationError(
            f"okcoinjp order ids are numeric, got {value!r} (for a client id use the "
            "by-client-id call)"
        )
    return value


def symbol_path(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(path_params={"symbol": args["symbol"]})


def encode_book(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    limit = args.get("limit")
    query = [("size", str(min(limit, BOOK_MAX)))] if limit else []
    return RequestParts(path_params={"symbol": args["symbol"]}, query=query)


def encode_candles(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    query = [("granularity", args["timeframe"])]
    since: datetime | None = args.get("since")
    if since is not None:
        # start and end are both needed (either alone is ignored); end is the open time of the
        # last candle wanted, so ask for at most the 200 the venue returns.
        count = min(args.get("limit") or CANDLES_MAX, CANDLES_MAX)
        end = since + timedelta(seconds=args["timeframe_seconds"] * (count - 1))
        query += [("start", to_iso_ms(since)), ("end", to_iso_ms(end))]
    return RequestParts(path_params={"symbol": args["symbol"]}, query=query)


def _order_type(ctx: Context, args: Mapping[str, Any]) -> str:
    """`order_type`: 0 normal, 1 post only, 2 fill or kill, 3 immediate or cancel."""
    tif: TimeInForce | None = args["time_in_force"]
    if args["type"] is OrderType.MARKET:
        # "When placing market orders, order_type must be 0": a market order is already IOC.
        if tif is TimeInForce.FOK:
            raise ConfigurationError("okcoinjp market orders cannot be fill-or-kill")
        return "0"
    if args["post_only"]:
        if tif not in (None, TimeInForce.GTC):
            raise ConfigurationError(f"post only cannot be combined with {tif}")
        return "1"
    return ctx.tables.time_in_force.encode(tif or TimeInForce.GTC)


def encode_create(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    # Steps and minimums (the venue's 33028/33029/33024) are checked by the core before this.
    body: dict[str, str] = {
        "client_oid": _client_oid(args["client_order_id"]),
        "instrument_id": args["symbol"],
        "side": ctx.tables.sides.encode(args["side"]),
        "type": ctx.tables.order_types.encode(args["type"]),
        "order_type": _order_type(ctx, args),
    }
    if args["type"] is OrderType.LIMIT:
        body["price"] = num(args["price"])
        body["size"] = num(args["amount"])
    elif args["cost"] is not None:
        body["notional"] = num(args["cost"])  # market buy: quote currency to spend
    else:
        body["size"] = num(args["amount"])  # market sell: base currency to sell
    return RequestParts(body=body)


def encode_cancel(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(path_params={"id": _order_id(args["id"])},
                        body={"instrument_id": args["symbol"]})


def encode_cancel_by_client_id(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(path_params={"id": _client_oid(args["id"])},
                        body={"instrument_id": args["symbol"]})


def encode_cancel_many(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """POST /api/spot/v3/cancel_batch_orders: up to 10 order ids of one pair."""
    ids = [_order_id(i) for i in args["ids"]]
    if not 1 <= len(ids) <= CANCEL_IDS_MAX:
        raise NotSupported(f"cancel_batch_orders takes 1 to {CANCEL_IDS_MAX} ids per pair")
    return RequestParts(body=[{"instrument_id": args["symbol"], "order_ids": ids}])


def encode_order(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(path_params={"id": _order_id(args["id"])},
                        query=[("instrument_id", args["symbol"])])


def encode_order_by_client_id(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(path_params={"id": _client_oid(args["id"])},
                        query=[("instrument_id", args["symbol"])])


def encode_open(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(query=[("instrument_id", args["symbol"])])


def encode_closed(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    _no_window(args, "order lists")
    return RequestParts(query=[("instrument_id", args["symbol"]), ("state", CLOSED)])


def encode_fills(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    _no_window(args, "fills")
    return RequestParts(query=[("instrument_id", args["symbol"]), ("limit", FILLS_PAGE)])


def encode_ledger(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    currency = args.get("currency")
    if not currency:
        raise ConfigurationError(
            "okcoinjp keeps one spot ledger per currency (/api/spot/v3/accounts/<currency>/ledger):"
            " pass currency=, e.g. iter_ledger('JPY')"
        )
    _no_window(args, "ledgers")
    return RequestParts(path_params={"currency": currency.lower()})


# ---------------------------------------------------------------- decoders


def _list(data: Any, what: str) -> list[Any]:
    if not isinstance(data, list):
        raise DecodeError(f"{what}: expected a list, got {type(data).__name__}")
    return data


def _when(*values: str | None) -> datetime:
    for value in values:
        if value:
            return from_iso(value)
    raise DecodeError("no timestamp")


def _positive(value: Decimal | None) -> Decimal | None:
    return value if value is not None and value > 0 else None


def decode_time(ctx: Context, data: Any) -> datetime:
    return from_iso(structure(data, wire.ServerTime).iso)


def decode_markets(ctx: Context, data: Any) -> list[Market]:
    markets = []
    for item in _list(data, "instruments"):
        i = structure(item, wire.Instrument)
        markets.append(Market(
            symbol=f"{i.base_currency.upper()}/{i.quote_currency.upper()}",
            venue_symbol=i.instrument_id, base=i.base_currency.upper(),
            quote=i.quote_currency.upper(), price_increment=i.tick_size,
            amount_increment=i.size_increment, min_amount=i.min_size, min_cost=None,
            active=True, raw=item,
        ))
    return markets


def _ticker(ctx: Context, t: wire.Ticker, item: Any) -> Ticker:
    return Ticker(
        symbol=ctx.unified_symbol(t.instrument_id), timestamp=from_iso(t.timestamp),
        last=t.last, bid=t.best_bid, ask=t.best_ask, bid_size=t.best_bid_size,
        ask_size=t.best_ask_size, open=t.open_24h, high=t.high_24h, low=t.low_24h,
        base_volume=t.base_volume_24h, quote_volume=t.quote_volume_24h, raw=item,
    )


def decode_ticker(ctx: Context, data: Any) -> Ticker:
    return _ticker(ctx, structure(data, wire.Ticker), data)


def decode_tickers(ctx: Context, data: Any) -> list[Ticker]:
    out = []
    for item in _list(data, "tickers"):
        # Every row is read first: a malformed one is a DecodeError, even for a market we skip.
        t = structure(item, wire.Ticker)
        if ctx.markets_by_id and t.instrument_id not in ctx.markets_by_id:
            continue  # listed after our markets were loaded
        out.append(_ticker(ctx, t, item))
    return out


def _levels(rows: list[Any]) -> tuple[BookLevel, ...]:
    levels = []
    for row in rows:
        # [price, size, num_orders] (OKEx books may add a 4th field); only the first two count.
        if not isinstance(row, list) or len(row) < 2:
            raise DecodeError(f"book level {row!r} is not [price, size, num_orders]")
        levels.append(BookLevel(price=to_decimal(row[0]), amount=to_decimal(row[1])))
    return tuple(levels)


def decode_book(ctx: Context, data: Any) -> OrderBook:
    b = structure(data, wire.Book)
    stamp = b.timestamp or b.time
    return OrderBook(
        symbol="",  # the answer does not name it: the core sets it from the request
        timestamp=from_iso(stamp) if stamp else None,
        bids=_levels(b.bids), asks=_levels(b.asks), sequence=None, raw=data,
    )


def decode_trades(ctx: Context, data: Any) -> list[Trade]:
    out = []
    for item in _list(data, "trades"):
        t = structure(item, wire.PublicTrade)
        out.append(Trade(
            id=t.trade_id, symbol="", timestamp=_when(t.timestamp, t.time),
            side=ctx.tables.sides.decode(t.side), price=t.price, amount=t.size, raw=item,
        ))
    return out


def _candle(row: Any) -> Candle:
    if isinstance(row, dict):  # the older OKEx v3 object form
        row = [row.get(k) for k in ("time", "open", "high", "low", "close", "volume")]
    if not isinstance(row, list) or len(row) < 6:
        raise DecodeError(f"candle {row!r} is not [time, open, high, low, close, volume]")
    return Candle(
        timestamp=from_iso(row[0]), open=to_decimal(row[1]), high=to_decimal(row[2]),
        low=to_decimal(row[3]), close=to_decimal(row[4]), volume=to_decimal(row[5]),
        quote_volume=None,
    )


def decode_candles(ctx: Context, data: Any) -> list[Candle]:
    return [_candle(row) for row in _list(data, "candles")]


def decode_balances(ctx: Context, data: Any) -> Balances:
    balances: dict[str, Balance] = {}
    for item in _list(data, "accounts"):
        a = structure(item, wire.Account)
        ccy = a.currency.upper()
        if ccy in balances:
            raise DecodeError(f"accounts: {ccy} listed twice")
        balances[ccy] = Balance(currency=ccy, total=a.balance, available=a.available, held=a.hold)
    return Balances(balances, raw=data)


def decode_placed(ctx: Context, data: Any) -> PlacedOrder:
    r = structure(data, wire.OrderResult)
    if not r.order_id or r.order_id == "-1":
        raise DecodeError("order answer without an order_id")
    return PlacedOrder(id=r.order_id, client_order_id=r.client_oid or None)


def decode_canceled(ctx: Context, data: Any) -> PlacedOrder:
    r = structure(data, wire.OrderResult)
    ref = r.order_id if r.order_id and r.order_id != "-1" else r.client_oid
    if not ref:
        raise DecodeError("cancel answer without order_id or client_oid")
    return PlacedOrder(id=ref, client_order_id=r.client_oid or None)


def decode_canceled_many(ctx: Context, data: Any) -> list[PlacedOrder]:
    """{pair: [{order_id, result, error_code, ...}]}: the ids it took, and those it refused
    with their classified error (a finished or unknown order)."""
    if not isinstance(data, dict) or not data \
            or not all(isinstance(v, list) and v for v in data.values()):
        raise DecodeError("cancel_batch_orders: expected {instrument_id: [results]}")
    out = []
    for item in (i for rows in data.values() for i in rows):
        r = structure(item, wire.OrderResult)
        if not r.order_id:
            raise DecodeError("cancel_batch_orders: a result without order_id")
        code = r.error_code
        if r.result is True and code is None:
            out.append(PlacedOrder(id=r.order_id, client_order_id=r.client_oid or None))
            continue
        error = ctx.tables.errors.classify(http_status=200, code=code,
                                           message=r.error_message or "", raw=item)
        out.append(PlacedOrder(id=r.order_id, client_order_id=r.client_oid or None, error=error))
    return out


def status_key(o: wire.SpotOrder) -> str:
    """`state` (numeric) wins; older answers carry only the string `status`."""
    if o.state not in (None, ""):
        return f"state:{o.state}"
    if o.status:
        return f"status:{o.status}"
    raise DecodeError(f"order {o.order_id} has neither state nor status")


def decode_order(ctx: Context, data: Any) -> Order:
    o = structure(data, wire.SpotOrder)
    tables = ctx.tables
    order_type = tables.order_types.decode(o.type or DEFAULT_ORDER_TYPE)
    market = order_type is OrderType.MARKET
    amount = _positive(o.size)
    filled = o.filled_size or ZERO
    cost = o.filled_notional or ZERO
    average = _positive(o.price_avg) or (cost / filled if filled > 0 else None)
    kind = o.order_type or "0"
    return Order(
        id=o.order_id,
        client_order_id=o.client_oid or None,
        symbol=ctx.unified_symbol(o.instrument_id),
        side=tables.sides.decode(o.side),
        type=order_type,
        status=tables.status.decode(status_key(o)),
        price=None if market else _positive(o.price),
        amount=amount,
        filled=filled,
        remaining=amount - filled if amount is not None else None,
        average=average,
        cost=cost,
        fee=None,  # v3 spot orders do not report fees: see the fills
        time_in_force=None if market else tables.time_in_force.decode(kind),
        post_only=kind == "1",
        created_at=_when(o.timestamp, o.created_at),
        updated_at=None,
        raw=data,
    )


# ---------------------------------------------------------------- fills: two legs per trade


def _pair_currencies(ctx: Context, venue_symbol: str) -> tuple[str, str]:
    market = ctx.markets_by_id.get(venue_symbol)
    if market is not None:
        return market.base, market.quote
    base, _, quote = ctx.unified_symbol(venue_symbol).partition("/")
    return base, quote


def regroup_fills(ctx: Context, rows: Sequence[Any]) -> list[list[Any]]:
    """One item per trade: [base leg, quote leg], or [base leg] when its partner is elsewhere.

    The base-currency leg anchors the trade, so each trade yields exactly one Fill whichever way a
    page boundary falls: a quote leg whose base leg is on a neighbouring page is dropped here and
    its trade comes out of that page (with cost = price x size, and no fee when the fee sat on
    the missing leg). Legs pair by (order_id, trade_id); failing that (the docs' example gives
    each leg its own trade_id) by (order_id, price, time).
    """
    legs = [structure(row, wire.FillLeg) for row in rows]
    roles = []
    for leg in legs:
        base, quote = _pair_currencies(ctx, leg.instrument_id)
        ccy = leg.currency.upper()
        if ccy not in (base, quote):
            raise DecodeError(f"fill leg in {ccy} does not belong to {leg.instrument_id}")
        roles.append(ccy == base)
    used: set[int] = set()
    items: list[list[Any]] = []
    for i, leg in enumerate(legs):
        if not roles[i]:
            continue
        partner = _partner(legs, roles, used, leg)
        if partner is None:
            items.append([rows[i]])
        else:
            used.add(partner)
            items.append([rows[i], rows[partner]])
    return items


def _partner(legs: list[wire.FillLeg], roles: list[bool], used: set[int],
             base: wire.FillLeg) -> int | None:
    quotes = [j for j, leg in enumerate(legs)
              if not roles[j] and j not in used and leg.order_id == base.order_id]
    for j in quotes:
        if legs[j].trade_id == base.trade_id:
            return j
    stamp = base.timestamp or base.created_at
    for j in quotes:
        if legs[j].price == base.price and (legs[j].timestamp or legs[j].created_at) == stamp:
            return j
    return None


def _fill_fee(base: wire.FillLeg, quote: wire.FillLeg | None) -> Fee | None:
    """The fee is negative on the leg of the currency charged (positive = a rebate). A leg
    whose fee is "" or null reports none: it is not charged, and the Fill's fee is then
    unknown (None) unless the other leg carries it."""
    legs = [base] if quote is None else [base, quote]
    charged = [(leg, leg.fee) for leg in legs if leg.fee is not None and leg.fee != 0]
    if len(charged) > 1:
        raise DecodeError(f"trade {base.trade_id}: a fee on both legs")
    if charged:
        leg, fee = charged[0]
        return Fee(cost=-fee, currency=leg.currency.upper())
    if quote is None or any(leg.fee is None for leg in legs):
        return None  # the fee may sit on the leg that is on another page, or is unreported
    received = base if base.side == "buy" else quote
    return Fee(cost=ZERO, currency=received.currency.upper())


def decode_fill(ctx: Context, item: Any) -> Fill:
    rows = item if isinstance(item, list) else [item]
    if not 1 <= len(rows) <= 2:
        raise DecodeError(f"a fill is one or two legs, got {len(rows)}")
    legs = [structure(row, wire.FillLeg) for row in rows]
    base, quote = legs[0], (legs[1] if len(legs) == 2 else None)
    base_ccy, _ = _pair_currencies(ctx, base.instrument_id)
    if base.currency.upper() != base_ccy:
        raise DecodeError(f"trade {base.trade_id}: the first leg is not in {base_ccy}")
    side = ctx.tables.sides.decode(base.side)
    if quote is not None and ctx.tables.sides.decode(quote.side) is side:
        raise DecodeError(f"trade {base.trade_id}: both legs are {side.value}")
    liquidity = base.exec_type or base.liquidity
    return Fill(
        id=base.trade_id,
        order_id=base.order_id,
        symbol=ctx.unified_symbol(base.instrument_id),
        side=side,
        price=base.price,
        amount=base.size,
        cost=quote.size if quote is not None else base.price * base.size,
        fee=_fill_fee(base, quote),
        liquidity=ctx.tables.liquidity.decode(liquidity) if liquidity else None,
        timestamp=_when(base.timestamp, base.created_at),
        raw=rows,
    )


def decode_ledger(ctx: Context, data: Any) -> LedgerEntry:
    e = structure(data, wire.LedgerRow)
    details = e.details or {}
    reference = details.get("order_id")
    return LedgerEntry(
        id=e.ledger_id,
        currency=e.currency.upper(),
        amount=e.amount,
        balance=e.balance,
        kind=e.type,
        reference=str(reference) if reference not in (None, "") else None,
        timestamp=_when(e.timestamp, e.created_at),
        raw=data,
    )

