"""The local v1 venue: v1 requests -> neutral engine commands -> v1 JSON, codes and pages.

Speaks the wire protocol of www.okex.com/api/v1 (and www.okcoin.com/api/v1): *.do paths, GET
queries for market data, signed form POSTs for the account, errors as HTTP 200 bodies
{"result": false, "error_code": N}, integer order ids, money as JSON numbers (strings in ticker
and userinfo, as documented), page numbers. Markets and minimums come from the spec.

`OkexV1Personality(loose=rate, seed=n)` words that share of its successful answers loosely, the
way real answers vary from the docs (see `loosen`), reproducibly for a seed.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from adapters.okex_v1.sim_common import (
    _decimal,
    _form,
    _int,
    _need,
    _page,
    _symbol,
    fail,
    number,
    seconds,
    text,
    v1_error,
)
from unified.convert import to_ms as ms
from unified.models import OrderStatus, OrderType, Side
from unified.sim.book import EngineError, SimMarket, SimOrder
from unified.sim.loose import SAME, Loose, loosen, loosened
from unified.sim.server import Handler, SimRequest, SimResponse, SimVenue
from unified.sim.verify import AuthFailure
from unified.spec import load_spec

KLINE_TYPES = {
    "1min": 60, "3min": 180, "5min": 300, "15min": 900, "30min": 1800, "1hour": 3600,
    "2hour": 7200, "4hour": 14400, "6hour": 21600, "12hour": 43200, "1day": 86400,
    "1week": 604800,
}
ORDER_TYPES = {"buy": (Side.BUY, OrderType.LIMIT), "sell": (Side.SELL, OrderType.LIMIT),
               "buy_market": (Side.BUY, OrderType.MARKET),
               "sell_market": (Side.SELL, OrderType.MARKET)}
STATUS = {OrderStatus.CANCELED: -1, OrderStatus.OPEN: 0, OrderStatus.PARTIALLY_FILLED: 1,
          OrderStatus.FILLED: 2}
HISTORY = timedelta(days=2)  # "order_history: only the most recent 2 days are returned"
MAX_PRICE = Decimal(1_000_000)
_CODED = re.compile(r"^(-?\d+): ")
_JS_KEY = re.compile(r"([{,]\s*)([A-Za-z_]\w*)\s*:")


# ---------------------------------------------------------------- market data


def _ticker_fields(sim: SimVenue, symbol: str) -> dict[str, str]:
    st = sim.engine.stats(symbol)
    return {"buy": text(st["bid"]), "high": text(st["high"]), "last": text(st["last"]),
            "low": text(st["low"]), "sell": text(st["ask"]), "vol": text(st["volume"])}


def ticker(sim: SimVenue, req: SimRequest) -> SimResponse:
    symbol = _symbol(sim, req.query)
    fields = _ticker_fields(sim, symbol)
    return SimResponse(200, {"date": str(seconds(sim.now())), "ticker": fields})


def tickers(sim: SimVenue, req: SimRequest) -> SimResponse:
    rows = [{"symbol": sim.venue_symbol(symbol), **_ticker_fields(sim, symbol)}
            for symbol in sim.engine.markets]
    return SimResponse(200, {"date": str(seconds(sim.now())), "tickers": rows})


def depth(sim: SimVenue, req: SimRequest) -> SimResponse:
    symbol = _symbol(sim, req.query)
    size = _int(req.query, "size", 200, 1, 200)
    bids, asks = sim.engine.depth(symbol, size)
    # v1 lists asks from the highest price down to the best one.
    return SimResponse(200, {
        "asks": [[number(p), number(a)] for p, a in reversed(asks)],
        "bids": [[number(p), number(a)] for p, a in bids],
    })


def trades(sim: SimVenue, req: SimRequest) -> SimResponse:
    symbol = _symbol(sim, req.query)
    tape = sim.engine.trades[symbol]
    since = req.query.get("since")
    if since:
        if not since.isdigit():
            raise v1_error(10008, "since must be a trade id")
        rows = [t for t in tape if t.seq > int(since)][:60]
    else:
        rows = tape[-60:]
    return SimResponse(200, [
        {"date": str(seconds(t.at)), "date_ms": str(ms(t.at)), "price": number(t.price),
         "amount": number(t.amount), "tid": str(t.seq), "type": t.taker_side.value}
        for t in rows
    ])


def kline(sim: SimVenue, req: SimRequest) -> SimResponse:
    symbol = _symbol(sim, req.query)
    kind = _need(req.query, "type")
    if kind not in KLINE_TYPES:
        raise v1_error(1025, f"no chart type {kind}")
    size = _int(req.query, "size", 2000, 1, 2000)
    since = req.query.get("since")
    start = None
    if since:
        if not since.isdigit():
            raise v1_error(10008, "since must be milliseconds")
        start = datetime.fromtimestamp(int(since) / 1000, tz=sim.now().tzinfo)
    rows = sim.engine.candles(symbol, KLINE_TYPES[kind], start)
    rows = rows[:size] if start else rows[-size:]
    return SimResponse(200, [
        [ms(t), number(o), number(h), number(lo), number(c), number(v)]
        for t, o, h, lo, c, v, _ in rows  # oldest first
    ])


# ---------------------------------------------------------------- account


def userinfo(sim: SimVenue, req: SimRequest) -> SimResponse:
    _form(req)
    assert req.account is not None
    currencies = sorted({c for m in sim.engine.markets.values() for c in (m.base, m.quote)})
    free, freezed = {}, {}
    for ccy in currencies:
        wallet = sim.engine.wallet(req.account, ccy)
        free[ccy.lower()] = text(wallet.available)
        freezed[ccy.lower()] = text(wallet.held)
    return SimResponse(200, {"info": {"funds": {"free": free, "freezed": freezed}},
                             "result": True})


def _wire_id(order: SimOrder) -> int:
    return order.seq


def _find(sim: SimVenue, account: str, symbol: str, raw_id: str) -> SimOrder:
    if not raw_id.isdigit():
        raise v1_error(10009, f"order {raw_id} does not exist")
    wanted = int(raw_id)
    for order in sim.engine.orders.values():
        if order.seq == wanted and order.account == account and order.symbol == symbol:
            return order
    raise v1_error(10009, f"order {raw_id} does not exist")


def _order(sim: SimVenue, o: SimOrder) -> dict[str, Any]:
    average = (o.filled_cost / o.filled) if o.filled else Decimal(0)
    if o.type is OrderType.LIMIT:
        price, amount = o.price or Decimal(0), o.amount or Decimal(0)
    elif o.side is Side.BUY:  # a market buy: price is the quote amount, amount what it got
        price, amount = o.cost_limit or Decimal(0), o.filled
    else:
        price, amount = average, o.amount or Decimal(0)
    kind = o.side.value + ("_market" if o.type is OrderType.MARKET else "")
    return {
        "amount": number(amount), "avg_price": number(average), "create_date": ms(o.created_at),
        "deal_amount": number(o.filled), "order_id": _wire_id(o), "orders_id": _wire_id(o),
        "price": number(price), "status": STATUS[o.status],
        "symbol": sim.venue_symbol(o.symbol), "type": kind,
    }


def _place(sim: SimVenue, account: str, symbol: str, fields: Mapping[str, Any]) -> SimOrder:
    kind = str(fields.get("type") or "")
    if kind not in ORDER_TYPES:
        raise v1_error(10101, f"order type {kind!r} is wrong")
    side, otype = ORDER_TYPES[kind]
    price, amount = _decimal(fields, "price"), _decimal(fields, "amount")
    if otype is OrderType.LIMIT:
        if price is None or amount is None:
            raise v1_error(10000, "price and amount are required")
        if not 0 < price < MAX_PRICE:
            raise v1_error(10014, "order price must be between 0 and 1,000,000")
        return sim.engine.place(account, symbol, side, otype, amount=amount, price=price)
    if side is Side.BUY:  # buy_market: `price` is the quote amount to spend
        if price is None:
            raise v1_error(10000, "price (the amount to spend) is required")
        return sim.engine.place(account, symbol, side, otype, cost=price)
    if amount is None:
        raise v1_error(10000, "amount is required")
    return sim.engine.place(account, symbol, side, otype, amount=amount)


def trade(sim: SimVenue, req: SimRequest) -> SimResponse:
    params = _form(req)
    assert req.account is not None
    order = _place(sim, req.account, _symbol(sim, params), params)
    return SimResponse(200, {"result": True, "order_id": _wire_id(order)})


def _orders_data(raw: str) -> list[Any]:
    """orders_data is JSON, or the docs' JavaScript-like [{price:3,amount:5,type:'sell'}]."""
    try:
        data = json.loads(raw)
    except ValueError:
        try:
            data = json.loads(_JS_KEY.sub(r'\1"\2":', raw.replace("'", '"')))
        except ValueError:
            raise v1_error(10008, "orders_data is not valid") from None
    if not isinstance(data, list) or not all(isinstance(i, dict) for i in data):
        raise v1_error(10008, "orders_data must be a list of orders")
    return data


def batch_trade(sim: SimVenue, req: SimRequest) -> SimResponse:
    params = _form(req)
    assert req.account is not None
    symbol = _symbol(sim, params)
    items = _orders_data(_need(params, "orders_data"))
    if not 1 <= len(items) <= 5:
        raise v1_error(10008, "orders_data takes 1 to 5 orders")
    results: list[dict[str, Any]] = []
    for item in items:
        fields = {"type": params.get("type"), **item}
        try:
            results.append({"order_id": _wire_id(_place(sim, req.account, symbol, fields))})
        except EngineError as error:
            results.append({"error_code": _code(error), "order_id": -1})
    if all(r["order_id"] == -1 for r in results):
        return fail(results[0]["error_code"])
    return SimResponse(200, {"order_info": results, "result": True})


def cancel_order(sim: SimVenue, req: SimRequest) -> SimResponse:
    params = _form(req)
    assert req.account is not None
    symbol = _symbol(sim, params)
    ids = _need(params, "order_id").split(",")
    if len(ids) > 3:
        raise v1_error(10008, "at most 3 orders per request")
    if len(ids) == 1:
        order = _find(sim, req.account, symbol, ids[0])
        sim.engine.cancel(req.account, order.id)
        return SimResponse(200, {"result": True, "order_id": ids[0]})
    done, refused = [], []
    for raw_id in ids:
        try:
            sim.engine.cancel(req.account, _find(sim, req.account, symbol, raw_id).id)
            done.append(raw_id)
        except EngineError:
            refused.append(raw_id)
    return SimResponse(200, {"success": ",".join(done), "error": ",".join(refused)})


def order_info(sim: SimVenue, req: SimRequest) -> SimResponse:
    params = _form(req)
    assert req.account is not None
    symbol = _symbol(sim, params)
    raw_id = _need(params, "order_id")
    if raw_id == "-1":
        rows = sim.engine.open_orders(req.account, symbol)
    else:
        rows = [_find(sim, req.account, symbol, raw_id)]
    return SimResponse(200, {"result": True, "orders": [_order(sim, o) for o in rows]})


def orders_info(sim: SimVenue, req: SimRequest) -> SimResponse:
    params = _form(req)
    assert req.account is not None
    symbol = _symbol(sim, params)
    finished = _int(params, "type", 0, 0, 1) == 1
    ids = _need(params, "order_id").split(",")
    if len(ids) > 50:
        raise v1_error(10008, "at most 50 orders per request")
    rows = []
    for raw_id in ids:
        try:
            order = _find(sim, req.account, symbol, raw_id)
        except EngineError:
            continue
        if order.is_open != finished:
            rows.append(_order(sim, order))
    return SimResponse(200, {"result": True, "orders": rows})


def order_history(sim: SimVenue, req: SimRequest) -> SimResponse:
    params = _form(req)
    assert req.account is not None
    symbol = _symbol(sim, params)
    status = _int(params, "status", 0, 0, 1)
    page = _int(params, "current_page", 1, 1, 10**9)
    size = _int(params, "page_length", 200, 1, 200)
    if status == 0:
        rows = sim.engine.open_orders(req.account, symbol)
    else:
        since = sim.now() - HISTORY
        rows = [o for o in sim.engine.closed_orders(req.account, symbol) if o.created_at >= since]
    return SimResponse(200, {
        "current_page": page, "orders": [_order(sim, o) for o in _page(rows, page, size)],
        "page_length": size, "result": True, "total": len(rows),
    })


# ---------------------------------------------------------------- loose answers


def _words(key: str, value: Any, rng: random.Random) -> Any:
    """v1's own loose words: "result" true or "true", and a placed batch item with an empty
    "error_code" (0, "" or null)."""
    if key == "result" and value is True:
        return rng.choice([True, "true"])
    if key == "order_info" and isinstance(value, dict) and "error_code" not in value:
        return {**{k: loosen(v, rng, _words, k) for k, v in value.items()},
                "error_code": rng.choice([0, "", None])}
    return SAME


def _succeeded(body: Any) -> bool:
    # v1 fails in HTTP 200 bodies: those keep their documented words.
    return not (isinstance(body, dict) and (body.get("result") is False or "error_code" in body))


def _loosened(handler: Handler) -> Handler:
    return loosened(handler, _succeeded, lambda body, rng: loosen(body, rng, _words))


def _handlers(own: dict[str, Handler]) -> dict[str, Handler]:
    """Every handler, the money ones too (adapters/okex_v1/sim_funds.py, which renders with
    this module's helpers), each after the user's wallet is funded (sim_funds.seeded)."""
    from adapters.okex_v1 import sim_funds

    every = {**own, **sim_funds.HANDLERS}
    return {name: sim_funds.seeded(_loosened(handler)) for name, handler in every.items()}


# ---------------------------------------------------------------- failures


def _code(error: EngineError) -> int:
    coded = _CODED.match(error.message)
    if coded:
        return int(coded.group(1))
    if error.kind == "unknown_symbol":
        return 1007
    if error.kind == "insufficient_funds":
        return 1002
    if error.kind == "not_found":
        return 10009
    if error.kind == "not_cancelable":
        return 1050 if "canceled" in error.message else 1051
    if "below the minimum" in error.message:
        return 10011
    return 10008


#: Traded first by the shared contract suite: the seeded book's levels (100 x 5..200 minimum
#: amounts) must be affordable twice over with the default paper funds (100 of each coin,
#: 100,000 USDT). 0.01-BTC minimums make BTC/USDT levels cost more than that; ETH/BTC's do not.
FIRST = "ETH/BTC"


def _markets() -> tuple[SimMarket, ...]:
    out = []
    for row in load_spec("okex_v1").markets:
        symbol = str(row["symbol"])
        base, _, quote = symbol.partition("/")
        minimum, mid = Decimal(row["min_amount"]), Decimal(row["mid"])
        # "a market buy must spend more than the current price of the minimum amount"
        out.append(SimMarket(symbol, base, quote, Decimal(row["price_increment"]),
                             Decimal(row["amount_increment"]), minimum, minimum * mid, mid))
    return tuple(sorted(out, key=lambda m: m.symbol != FIRST))


class OkexV1Personality(Loose):
    markets = _markets()
    handlers = _handlers({
        "fetch_ticker": ticker,
        "fetch_time": ticker,
        "fetch_tickers": tickers,
        "fetch_order_book": depth,
        "fetch_trades": trades,
        "fetch_ohlcv": kline,
        "fetch_balance": userinfo,
        "create_order": trade,
        "create_orders": batch_trade,
        "cancel_order": cancel_order,
        "cancel_orders": cancel_order,
        "fetch_order": order_info,
        "fetch_open_orders": order_info,
        "fetch_orders": orders_info,
        "iter_closed_orders": order_history,
    })
    #: a money soak or contract test withdraws BTC, with what withdraw.do needs besides
    #: currency, amount and address (the spec's withdraw_extras): the local venue's trade
    #: password and a chargefee in BTC's documented range
    withdraw_currency = "BTC"
    withdraw_extras = {"trade_password": "sim-trade-password", "fee": Decimal("0.002")}

    def render_error(self, venue: SimVenue, request: SimRequest, error: EngineError
                     ) -> SimResponse:
        return fail(_code(error))

    def render_auth_failure(self, venue: SimVenue, failure: AuthFailure) -> SimResponse:
        return fail({"missing": 10000, "bad_key": 10006}.get(failure.kind, 10007))

    def render_rate_limited(self, venue: SimVenue, reset_ms: int) -> SimResponse:
        return fail(10001)  # v1 answers a frequency breach in an HTTP 200 body

    def rate_headers(self, quota: int, remaining: int, reset_ms: int) -> dict[str, str]:
        return {}  # v1 sends no rate-limit headers


PERSONALITY = OkexV1Personality()
