"""The local OKCoinJapan: v3 requests -> neutral engine commands -> OKCoinJapan's JSON.

Faithful to the v3 docs: bare JSON answers (no envelope), numbers as strings, ISO-8601 times,
numeric order ids, cursor paging (ids descending; after=<id> -> ids below it, before=<id> ->
ids above it; OK-BEFORE / OK-AFTER headers carry the page's first / last id; limit <= 100),
two ledger rows per trade in /fills, duplicate client_oids accepted (the latest one wins),
errors as {code, message} with HTTP 4xx, and cancel failures with result: false.

Real answers are looser than the docs: `OkcoinjpPersonality(loose=rate, seed=n)` words that share
of its successful answers the way the live servers do (see `loosen`), reproducibly for a seed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from adapters.okcoinjp.sim_common import (
    Reject,
    _guard,
    _required,
    fail,
    iso,
    ok,
    order_fail,
    s,
)
from unified.convert import from_iso
from unified.errors import DecodeError
from unified.models import OrderStatus, OrderType, Side, TimeInForce
from unified.sim.book import EngineError, LedgerRecord, SimFill, SimMarket, SimOrder
from unified.sim.loose import SAME, Loose, loosen, loosened
from unified.sim.server import Handler, SimRequest, SimResponse, SimVenue
from unified.sim.verify import AuthFailure

T = TypeVar("T")
ORDER_BASE = 2_510_000_000_000_000  # venue order ids: numeric, increasing with time
FILL_BASE = 8_161_000_000  # /fills ledger ids (two per trade)
LEDGER_BASE = 3_995_000_000  # /accounts/<currency>/ledger ids
PAGE_MAX = 100
BOOK_MAX = 200
TRADES_MAX = 60
CANDLES_MAX = 200
GRANULARITIES = {60, 180, 300, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400, 604800,
                 2678400, 8035200, 16070400, 31536000}
CLIENT_OID = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9]{1,32}$")
# "Unfilled orders will be kept in record for only two hours after it is canceled."
FORGET_UNFILLED_CANCELED = timedelta(hours=2)

STATE = {
    OrderStatus.REJECTED: "-2", OrderStatus.CANCELED: "-1", OrderStatus.EXPIRED: "-1",
    OrderStatus.OPEN: "0", OrderStatus.PARTIALLY_FILLED: "1", OrderStatus.FILLED: "2",
    OrderStatus.PENDING: "3", OrderStatus.CANCELING: "4",
}
STATUS = {"-2": "failure", "-1": "cancelled", "0": "open", "1": "part_filled", "2": "filled",
          "3": "ordering", "4": "canceling"}
# The `state` query filter: single states, 6 = open + partially filled, 7 = completed.
STATE_FILTER = {
    **{code: {code} for code in STATUS},
    "6": {"0", "1"},
    "7": {"-1", "2"},
}
LEGACY_FILTER = {name: code for code, name in STATUS.items()}
ORDER_TYPES = {"0": (TimeInForce.GTC, False), "1": (TimeInForce.GTC, True),
               "2": (TimeInForce.FOK, False), "3": (TimeInForce.IOC, False)}


def _instrument(sim: SimVenue, value: Any) -> str:
    code = _required(value, "instrument_id").upper()
    try:
        return sim.unified_symbol(code)
    except EngineError:
        raise Reject(30032, "pair does not exist") from None


def _int_query(req: SimRequest, name: str, default: int, high: int) -> int:
    raw = req.query.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise Reject(30024, f"{name} parameter value error")
    return min(int(raw), high)  # asking for more returns the maximum


def _decimal(body: dict[str, Any], name: str) -> Decimal | None:
    raw = body.get(name)
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
        raise Reject(30025, f"{name} parameter category error")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise Reject(30024, f"{name} parameter value error") from None
    if not value.is_finite() or value <= 0:
        raise Reject(30024, f"{name} parameter value error")
    return value


def cursor_page(req: SimRequest, rows: Sequence[T], key: Callable[[T], int]
                ) -> tuple[list[T], dict[str, str]]:
    """The v3 cursor: `rows` newest first (ids descending); headers name the page's ends."""
    limit = _int_query(req, "limit", PAGE_MAX, PAGE_MAX)
    after, before = req.query.get("after"), req.query.get("before")
    for name, raw in (("after", after), ("before", before)):
        if raw is not None and not raw.isdigit():
            raise Reject(30024, f"{name} parameter value error")
    chosen = [r for r in rows if (not after or key(r) < int(after))
              and (not before or key(r) > int(before))]
    # before alone: the records just newer than the cursor, still listed newest first.
    page = (chosen[-limit:] if limit else []) if before and not after else chosen[:limit]
    if not page:
        return page, {}
    return page, {"OK-BEFORE": str(key(page[0])), "OK-AFTER": str(key(page[-1]))}


# ---------------------------------------------------------------- public data


@_guard
def server_time(sim: SimVenue, req: SimRequest) -> SimResponse:
    now = sim.now()
    millis = int(now.timestamp() * 1000)
    return ok({"iso": iso(now), "epoch": f"{millis // 1000}.{millis % 1000:03d}"})


def _instrument_json(sim: SimVenue, m: SimMarket) -> dict[str, Any]:
    return {"base_currency": m.base, "instrument_id": sim.venue_symbol(m.symbol),
            "min_size": s(m.min_amount), "quote_currency": m.quote,
            "size_increment": s(m.amount_increment), "tick_size": s(m.price_increment)}


@_guard
def instruments(sim: SimVenue, req: SimRequest) -> SimResponse:
    return ok([_instrument_json(sim, m) for m in sim.engine.markets.values()])


def _ticker_json(sim: SimVenue, symbol: str) -> dict[str, Any]:
    st = sim.engine.stats(symbol)
    tape = sim.engine.trades[symbol]
    code = sim.venue_symbol(symbol)
    return {
        "best_ask": s(st["ask"]), "best_bid": s(st["bid"]), "instrument_id": code,
        "product_id": code, "last": s(st["last"]),
        "last_qty": s(tape[-1].amount) if tape else "", "ask": s(st["ask"]),
        "best_ask_size": s(st["ask_size"]), "bid": s(st["bid"]),
        "best_bid_size": s(st["bid_size"]), "open_24h": s(st["open"]),
        "high_24h": s(st["high"]), "low_24h": s(st["low"]),
        "base_volume_24h": s(st["volume"]), "timestamp": iso(sim.now()),
        "quote_volume_24h": s(st["quote_volume"]),
    }


@_guard
def ticker(sim: SimVenue, req: SimRequest) -> SimResponse:
    return ok(_ticker_json(sim, _instrument(sim, req.match.get("symbol"))))


@_guard
def tickers(sim: SimVenue, req: SimRequest) -> SimResponse:
    return ok([_ticker_json(sim, symbol) for symbol in sim.engine.markets])


def _orders_at(sim: SimVenue, symbol: str, side: Side) -> dict[Decimal, int]:
    counts: dict[Decimal, int] = {}
    for o in sim.engine.orders.values():
        if o.symbol == symbol and o.side is side and o.is_open and o.price is not None \
                and o.type is OrderType.LIMIT:
            counts[o.price] = counts.get(o.price, 0) + 1
    return counts


@_guard
def book(sim: SimVenue, req: SimRequest) -> SimResponse:
    symbol = _instrument(sim, req.match.get("symbol"))
    size = _int_query(req, "size", BOOK_MAX, BOOK_MAX)
    bids, asks = sim.engine.depth(symbol, size)
    bid_n, ask_n = _orders_at(sim, symbol, Side.BUY), _orders_at(sim, symbol, Side.SELL)
    return ok({
        "asks": [[s(p), s(a), str(ask_n.get(p, 1))] for p, a in asks],
        "bids": [[s(p), s(a), str(bid_n.get(p, 1))] for p, a in bids],
        "timestamp": iso(sim.now()),
    })


@_guard
def trades(sim: SimVenue, req: SimRequest) -> SimResponse:
    symbol = _instrument(sim, req.match.get("symbol"))
    limit = _int_query(req, "limit", TRADES_MAX, TRADES_MAX)
    tape = sim.engine.trades[symbol][-limit:] if limit else []
    return ok([
        {"time": iso(t.at), "timestamp": iso(t.at), "trade_id": str(t.seq), "price": s(t.price),
         "size": s(t.amount), "side": t.taker_side.value}
        for t in reversed(tape)
    ])


def _iso_query(req: SimRequest, name: str) -> datetime | None:
    raw = req.query.get(name)
    if not raw:
        return None
    try:
        return from_iso(raw)
    except DecodeError:
        raise Reject(30024, f"{name} parameter value error") from None


@_guard
def candles(sim: SimVenue, req: SimRequest) -> SimResponse:
    symbol = _instrument(sim, req.match.get("symbol"))
    granularity = _int_query(req, "granularity", 60, 10**9)
    if granularity not in GRANULARITIES:
        raise Reject(30024, "granularity parameter value error")
    start, end = _iso_query(req, "start"), _iso_query(req, "end")
    if start is None or end is None:  # either alone is ignored
        start = end = None
    rows = sim.engine.candles(symbol, granularity, start,
                              end + timedelta(seconds=granularity) if end else None)
    return ok([
        [iso(t), s(o), s(h), s(lo), s(c), s(v)]
        for t, o, h, lo, c, v, _ in reversed(rows[-CANDLES_MAX:])  # newest first
    ])


# ---------------------------------------------------------------- account


@_guard
def accounts(sim: SimVenue, req: SimRequest) -> SimResponse:
    assert req.account is not None
    wallets = sim.engine.wallets.get(req.account, {})
    return ok([
        {"hold": s(w.held), "currency": ccy, "balance": s(w.total), "available": s(w.available)}
        for ccy, w in sorted(wallets.items()) if w.total != 0  # non-zero balances only
    ])


# Money moved between the funding wallet and the spot account is "transfer" ("Funds
# transferred in/out") in the spot ledger, as deposits and withdrawals are.
_LEDGER_TYPES = {"trade": "trade", "fee": "fee", "deposit": "transfer", "withdrawal": "transfer",
                 "transfer": "transfer"}


def _ledger_json(sim: SimVenue, e: LedgerRecord) -> dict[str, Any]:
    order = sim.engine.orders.get(e.reference)
    details: dict[str, Any] = {}
    if order is not None:
        code = sim.venue_symbol(order.symbol)
        details = {"instrument_id": code, "order_id": _vid(order), "product_id": code}
    return {"timestamp": iso(e.at), "ledger_id": str(LEDGER_BASE + e.seq),
            "created_at": iso(e.at), "currency": e.currency, "amount": s(e.amount),
            "balance": s(e.balance), "type": _LEDGER_TYPES[e.kind], "details": details}


@_guard
def ledger(sim: SimVenue, req: SimRequest) -> SimResponse:
    assert req.account is not None
    currency = _required(req.match.get("currency"), "currency").upper()
    known = {c for m in sim.engine.markets.values() for c in (m.base, m.quote)}
    if currency not in known:
        raise Reject(30031, "token does not exist")
    rows = sim.engine.account_ledger(req.account, currency)
    page, headers = cursor_page(req, rows, lambda e: LEDGER_BASE + e.seq)
    return ok([_ledger_json(sim, e) for e in page], headers)


# ---------------------------------------------------------------- orders


def _vid(o: SimOrder) -> str:
    return o.id


def _key(o: SimOrder) -> int:
    return int(o.id)


def _adopt_numeric_id(sim: SimVenue, order: SimOrder) -> None:
    """OKCoinJapan order ids are numeric and grow with time. The personality names the
    engine's orders so (order_id); an engine made elsewhere (a seeded history) names them in
    hex: re-key a just-placed order (and what its placement recorded) under a venue id."""
    engine, old = sim.engine, order.id
    new = str(ORDER_BASE + order.seq)
    if old == new:
        return
    del engine.orders[old]
    order.id = new
    engine.orders[new] = order
    for fill in reversed(engine.fills):  # only records made since the order was placed
        if fill.seq < order.seq:
            break
        if fill.order_id == old:
            fill.order_id = new
    for entry in reversed(engine.ledger):
        if entry.seq < order.seq:
            break
        if entry.reference == old:
            entry.reference = new


def _visible(sim: SimVenue, o: SimOrder) -> bool:
    forgotten = (o.status is OrderStatus.CANCELED and o.filled == 0
                 and sim.engine.clock.now() - o.updated_at > FORGET_UNFILLED_CANCELED)
    return not forgotten


def _order_type(o: SimOrder) -> str:
    if o.post_only:
        return "1"
    return {TimeInForce.FOK: "2", TimeInForce.IOC: "3"}.get(o.time_in_force, "0") \
        if o.type is OrderType.LIMIT else "0"


def _order_json(sim: SimVenue, o: SimOrder) -> dict[str, Any]:
    code = sim.venue_symbol(o.symbol)
    state = STATE[o.status]
    avg = o.filled_cost / o.filled if o.filled > 0 else None
    return {
        "client_oid": o.client_id or "", "created_at": iso(o.created_at),
        "filled_notional": s(o.filled_cost), "filled_size": s(o.filled), "funds": "",
        "instrument_id": code, "notional": s(o.cost_limit), "order_id": _vid(o),
        "order_type": _order_type(o), "price": s(o.price), "price_avg": s(avg),
        "product_id": code, "side": o.side.value, "size": s(o.amount),
        "status": STATUS[state], "state": state, "timestamp": iso(o.created_at),
        "type": o.type.value,
    }


def _find(sim: SimVenue, account: str, ref: str, symbol: str) -> SimOrder:
    """/orders/<order_id or client_oid>: digits are an order id, anything else a client id."""
    order: SimOrder | None = None
    if ref.isdigit():
        order = sim.engine.orders.get(ref)
    else:
        order = sim.engine.by_client_id.get((account, ref))
    if order is None or order.account != account or order.symbol != symbol \
            or not _visible(sim, order):
        raise EngineError("not_found", "Order does not exist")
    return order


def _place_args(sim: SimVenue, body: dict[str, Any]) -> dict[str, Any]:
    symbol = _instrument(sim, body.get("instrument_id"))
    market = sim.engine.market(symbol)
    side_raw, kind_raw = _required(body.get("side"), "side"), body.get("type") or "limit"
    order_type = body.get("order_type")
    order_type = "0" if order_type in (None, "") else order_type
    if side_raw not in ("buy", "sell"):
        raise Reject(30024, "side parameter value error")
    if kind_raw not in ("limit", "market") or order_type not in ORDER_TYPES:
        raise Reject(30024, "type parameter value error")
    side, kind = Side(side_raw), OrderType(kind_raw)
    tif, post_only = ORDER_TYPES[order_type]
    price, size, notional = (_decimal(body, n) for n in ("price", "size", "notional"))
    if kind is OrderType.LIMIT:
        price, size = _required_decimal(price, "price"), _required_decimal(size, "size")
        if _off_step(price, market.price_increment):
            raise Reject(33028, "the decimal places of the trading price exceeded the limit")
        notional = None
    else:
        if order_type != "0":
            raise Reject(30024, "order_type parameter value error")
        price = None
        if side is Side.BUY:
            notional, size = _required_decimal(notional, "notional"), None
        else:
            size, notional = _required_decimal(size, "size"), None
    if size is not None:
        if _off_step(size, market.amount_increment):
            raise Reject(33029, "the decimal places of the trading size exceeded the limit")
        if size < market.min_amount:
            raise Reject(33024, "trading amount too small")
    return {"symbol": symbol, "side": side, "type": kind, "amount": size, "price": price,
            "cost": notional, "time_in_force": tif, "post_only": post_only}


def _off_step(value: Decimal, step: Decimal) -> bool:
    try:
        return value % step != 0
    except InvalidOperation:
        raise Reject(30024, "parameter value error") from None


def _required_decimal(value: Decimal | None, name: str) -> Decimal:
    if value is None:
        raise Reject(30023, f"{name} cannot be blank")
    return value


@_guard
def place(sim: SimVenue, req: SimRequest) -> SimResponse:
    assert req.account is not None
    body = req.json()
    if not isinstance(body, dict):
        raise Reject(30021, "json data format error")
    coid = body.get("client_oid") or None
    if coid is not None and (not isinstance(coid, str) or not CLIENT_OID.match(coid)):
        raise Reject(30024, "client_oid parameter value error")
    args = _place_args(sim, body)
    # No warning for a repeated client_oid: lookups by it find the latest order. The engine
    # refuses a repeat, so the earlier order gives the id up (and has it back on a refusal).
    earlier = sim.engine.by_client_id.pop((req.account, coid), None) if coid else None
    try:
        order = sim.engine.place(req.account, args.pop("symbol"), args.pop("side"),
                                 args.pop("type"), client_id=coid, **args)
    except EngineError:
        if earlier is not None:
            sim.engine.by_client_id[(req.account, earlier.client_id or "")] = earlier
        raise
    _adopt_numeric_id(sim, order)
    return ok({"client_oid": coid or "", "error_message": "", "error_code": "0",
               "order_id": _vid(order), "result": True})


def cancel(sim: SimVenue, req: SimRequest) -> SimResponse:
    assert req.account is not None
    ref = req.match["id"]
    try:
        body = req.json()
    except EngineError:
        return fail(30021, "json data format error")
    try:
        symbol = _instrument(sim, body.get("instrument_id") if isinstance(body, dict) else None)
        order = _find(sim, req.account, ref, symbol)
    except Reject as r:
        return fail(r.code, r.message, r.status)
    except EngineError:
        return order_fail(33014, "Order does not exist", ref if ref.isdigit() else "-1",
                          "" if ref.isdigit() else ref)
    if not order.is_open:
        code, message = ((33026, "Transaction completed") if order.status is OrderStatus.FILLED
                         else (33027, "Cancelled order or order cancelling"))
        return order_fail(code, message, _vid(order), order.client_id or "")
    sim.engine.cancel(req.account, order.id)
    return ok({"client_oid": order.client_id or "", "error_message": "", "error_code": "0",
               "order_id": _vid(order), "result": True})


@_guard
def cancel_batch(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/spot/v3/cancel_batch_orders: [{instrument_id, order_ids}] (up to 4 pairs, 10 ids
    each) -> {instrument_id: [one result per id]}; an id it cannot cancel is refused in place."""
    assert req.account is not None
    try:
        body = req.json()
    except EngineError:
        return fail(30021, "json data format error")
    if not isinstance(body, list) or not 1 <= len(body) <= 4:
        raise Reject(30024, "parameter value error")
    out: dict[str, list[dict[str, Any]]] = {}
    for group in body:
        ids = group.get("order_ids") if isinstance(group, dict) else None
        if not isinstance(ids, list) or not 1 <= len(ids) <= 10:
            raise Reject(30024, "order_ids parameter value error")
        pair = str(group.get("instrument_id"))
        symbol = _instrument(sim, pair)
        out[pair] = [_cancel_one(sim, req.account, str(ref), symbol) for ref in ids]
    return ok(out)


def _cancel_one(sim: SimVenue, account: str, ref: str, symbol: str) -> dict[str, Any]:
    try:
        order = _find(sim, account, ref, symbol)
    except (Reject, EngineError):
        return _batch_result(ref, "", 33014, "Order does not exist")
    if not order.is_open:
        code, message = ((33026, "Transaction completed") if order.status is OrderStatus.FILLED
                         else (33027, "Cancelled order or order cancelling"))
        return _batch_result(_vid(order), order.client_id or "", code, message)
    sim.engine.cancel(account, order.id)
    return _batch_result(_vid(order), order.client_id or "", 0, "")


def _batch_result(order_id: str, client_oid: str, code: int, message: str) -> dict[str, Any]:
    return {"result": code == 0, "error_message": message, "error_code": str(code),
            "client_oid": client_oid, "order_id": order_id}


@_guard
def get_order(sim: SimVenue, req: SimRequest) -> SimResponse:
    assert req.account is not None
    symbol = _instrument(sim, req.query.get("instrument_id"))
    return ok(_order_json(sim, _find(sim, req.account, req.match["id"], symbol)))


@_guard
def orders_pending(sim: SimVenue, req: SimRequest) -> SimResponse:
    assert req.account is not None
    symbol = _instrument(sim, req.query.get("instrument_id"))
    page, headers = cursor_page(req, sim.engine.open_orders(req.account, symbol), _key)
    return ok([_order_json(sim, o) for o in page], headers)


@_guard
def orders(sim: SimVenue, req: SimRequest) -> SimResponse:
    assert req.account is not None
    symbol = _instrument(sim, req.query.get("instrument_id"))
    raw = _required(req.query.get("state") or req.query.get("status"), "state")
    wanted = STATE_FILTER.get(LEGACY_FILTER.get(raw, raw))
    if wanted is None:
        raise Reject(30024, "state parameter value error")
    rows = sorted((o for o in sim.engine.orders.values()
                   if o.account == req.account and o.symbol == symbol
                   and STATE[o.status] in wanted and _visible(sim, o)), key=lambda o: -o.seq)
    page, headers = cursor_page(req, rows, _key)
    return ok([_order_json(sim, o) for o in page], headers)


def _legs(sim: SimVenue, f: SimFill) -> list[tuple[int, dict[str, Any]]]:
    """Two ledger rows per trade; the received currency's row gets the higher id."""
    m = sim.engine.market(f.symbol)
    code = sim.venue_symbol(f.symbol)
    order = sim.engine.orders[f.order_id]
    other = Side.SELL if f.side is Side.BUY else Side.BUY
    rows = []
    for ccy, side, size in ((m.base, f.side, f.amount), (m.quote, other, f.cost)):
        stamp = iso(f.at)
        rows.append((FILL_BASE + 2 * f.seq + (1 if side is Side.BUY else 0), {
            "created_at": stamp, "currency": ccy, "exec_type": f.liquidity.value[0].upper(),
            "fee": s(-f.fee) if f.fee_currency == ccy and f.fee else "0",
            "instrument_id": code, "ledger_id": "", "liquidity": f.liquidity.value[0].upper(),
            "order_id": _vid(order), "price": s(f.price), "product_id": code,
            "side": side.value, "size": s(size), "timestamp": stamp, "trade_id": str(f.trade_id),
        }))
    for key, row in rows:
        row["ledger_id"] = str(key)
    return sorted(rows, key=lambda r: -r[0])


@_guard
def fills(sim: SimVenue, req: SimRequest) -> SimResponse:
    assert req.account is not None
    symbol = _instrument(sim, req.query.get("instrument_id"))
    wanted = req.query.get("order_id")
    rows = [leg for f in sim.engine.account_fills(req.account, symbol)
            if not wanted or _vid(sim.engine.orders[f.order_id]) == wanted
            for leg in _legs(sim, f)]
    page, headers = cursor_page(req, rows, lambda leg: leg[0])
    return ok([row for _, row in page], headers)


# ---------------------------------------------------------------- loose answers


def _words(key: str, value: Any, rng: random.Random) -> Any:
    """OKCoinJapan's own loose words, as the live servers send them: a success's
    "error_message": {}, "error_code" "0", 0, "" or null, "result" true or "true", a ledger
    row's empty details as {}, "" or null; integers stay integers."""
    if key == "error_message" and value == "":
        return {}
    if key == "error_code" and value == "0":
        return rng.choice(["0", 0, "", None])
    if key == "result" and value is True:
        return rng.choice([True, "true"])
    if key == "details" and value == {}:
        return rng.choice([{}, "", None])
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return SAME


def _loosened(handler: Handler) -> Handler:
    return loosened(handler, lambda body: True, lambda body, rng: loosen(body, rng, _words))


def _handlers(own: dict[str, Handler]) -> dict[str, Handler]:
    """Every handler, the funding account's too (adapters/okcoinjp/sim_funds.py, which renders
    with this module's helpers), each after the user's wallet is funded (sim_funds.seeded)."""
    from adapters.okcoinjp import sim_funds

    every = {**own, **sim_funds.HANDLERS}
    return {name: sim_funds.seeded(_loosened(handler)) for name, handler in every.items()}


# ---------------------------------------------------------------- failures


_INVALID = (("multiple of", 33029, "the decimal places of the trading size exceeded the limit"),
            ("below the minimum", 33024, "trading amount too small"),
            ("not JSON", 30021, "json data format error"))


class OkcoinjpPersonality(Loose):
    markets = (
        SimMarket("BTC/JPY", "BTC", "JPY", Decimal("0.1"), Decimal("0.00000001"),
                  Decimal("0.0001"), Decimal("1"), Decimal("5000000")),
        SimMarket("ETH/JPY", "ETH", "JPY", Decimal("0.01"), Decimal("0.000001"),
                  Decimal("0.001"), Decimal("1"), Decimal("300000")),
        # A crypto-quoted pair, as OKCoinJapan's exchange has listed (ETH/BTC).
        SimMarket("ETH/BTC", "ETH", "BTC", Decimal("0.000001"), Decimal("0.000001"),
                  Decimal("0.001"), Decimal("0.00001"), Decimal("0.06")),
    )
    handlers = _handlers({
        "fetch_time": server_time,
        "load_markets": instruments,
        "fetch_ticker": ticker,
        "fetch_tickers": tickers,
        "fetch_order_book": book,
        "fetch_trades": trades,
        "fetch_ohlcv": candles,
        "fetch_balance": accounts,
        "create_order": place,
        "cancel_order": cancel,
        "cancel_order_by_client_id": cancel,
        "cancel_orders": cancel_batch,
        "fetch_order": get_order,
        "fetch_order_by_client_id": get_order,
        "fetch_open_orders": orders_pending,
        "iter_closed_orders": orders,
        "iter_my_trades": fills,
        "iter_ledger": ledger,
    })
    #: what a withdrawal here needs besides currency, amount and address (the spec's
    #: withdraw_extras): the local venue's fund password, a fee in range, the agreement, a reason
    withdraw_currency = "BTC"  # JPY leaves only to the registered bank account, not reached
    withdraw_extras = {"trade_password": "sim-fund-password", "fee": Decimal("0.0005"),
                       "usage_agreement": True, "reason": 1}

    @staticmethod
    def stream_face(sim: SimVenue) -> Any:
        """The WebSocket side (sim.streams.face); imported here: it renders with this module."""
        from adapters.okcoinjp.sim_ws import OkcoinjpStreams

        return OkcoinjpStreams(sim)

    @staticmethod
    def order_id(seq: int) -> str:
        """The venue's numeric order ids, growing with time (see _adopt_numeric_id)."""
        return str(ORDER_BASE + seq)

    def render_error(self, venue: SimVenue, request: SimRequest, error: EngineError
                     ) -> SimResponse:
        if error.kind == "unknown_symbol":
            return fail(30032, "pair does not exist")
        if error.kind == "insufficient_funds":
            return fail(33017, "Greater than the maximum available balance")
        if error.kind in ("not_found", "not_cancelable"):
            return fail(33014, "Order does not exist")
        if error.kind == "duplicate_client_id":  # not reachable: the venue accepts repeats
            return fail(33013, "order placement failed")
        for needle, code, message in _INVALID:
            if needle in error.message:
                return fail(code, message)
        return fail(30024, error.message)

    def render_auth_failure(self, venue: SimVenue, failure: AuthFailure) -> SimResponse:
        if failure.kind == "timestamp":
            if failure.detail.startswith("unreadable"):
                return fail(30005, "Invalid OK-ACCESS-TIMESTAMP")
            return fail(30008, "Request timestamp expired")
        return {
            "missing": fail(30001, "OK-ACCESS-KEY header is required"),
            "bad_key": fail(30006, "Invalid OK-ACCESS-KEY"),
            "bad_passphrase": fail(30015, "Invalid OK-ACCESS-PASSPHRASE"),
            "bad_sign": fail(30013, "Invalid Sign", 401),
        }[failure.kind]

    def render_rate_limited(self, venue: SimVenue, reset_ms: int) -> SimResponse:
        return fail(30026, "Requested too frequent; endpoint limit exceeded", 429)

    def rate_headers(self, quota: int, remaining: int, reset_ms: int) -> dict[str, str]:
        return {}  # OKCoinJapan does not report its quotas in headers


PERSONALITY = OkcoinjpPersonality()
