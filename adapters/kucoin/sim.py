"""The local KuCoin: KuCoin requests -> neutral engine commands -> KuCoin's JSON, codes, paging.

`KucoinPersonality(loose=rate, seed=n)` words that share of its successful answers loosely, the
way real answers vary from the docs (see `loosen`), reproducibly for a seed.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from adapters.kucoin import sim_orders, sim_ws
from adapters.kucoin.sim_orders import decimal_field as _decimal_field
from unified.convert import to_ms as ms
from unified.models import OrderStatus, OrderType, Side, TimeInForce
from unified.sim.book import EngineError, SimFill, SimMarket, SimOrder
from unified.sim.loose import Loose, loosen, loosened
from unified.sim.server import Handler, SimRequest, SimResponse, SimVenue
from unified.sim.verify import AuthFailure
from unified.sim.ws import StreamFace
from unified.sim.ws_api import OrderApi

OK = "200000"
BATCH_MAX = 5
CLIENT_OID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
CANDLE_TYPES = {
    "1min": 60, "3min": 180, "5min": 300, "15min": 900, "30min": 1800, "1hour": 3600,
    "2hour": 7200, "4hour": 14400, "6hour": 21600, "8hour": 28800, "12hour": 43200,
    "1day": 86400, "1week": 604800, "1month": 2592000,
}


def s(value: Decimal | None) -> str:
    if value is None:
        return "0"
    return format(value.normalize() if value == value.to_integral() else value, "f")


def ok(data: Any) -> SimResponse:
    return SimResponse(200, {"code": OK, "data": data})


def fail(code: str, msg: str, status: int = 200) -> SimResponse:
    return SimResponse(status, {"code": code, "msg": msg})


def _param(req: SimRequest, name: str) -> str:
    value = req.query.get(name)
    if not value:
        raise EngineError("invalid", f"{name} is required")
    return value


def _int_param(req: SimRequest, name: str, default: int, low: int, high: int) -> int:
    raw = req.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise EngineError("invalid", f"{name} should be between {low} and {high}")
    return int(raw)


def _ms_param(req: SimRequest, name: str) -> datetime | None:
    raw = req.query.get(name)
    if raw is None:
        return None
    if not raw.isdigit():
        raise EngineError("invalid", f"{name} must be milliseconds")
    return datetime.fromtimestamp(int(raw) / 1000, tz=UTC)


# ---------------------------------------------------------------- market data


def symbols(sim: SimVenue, req: SimRequest) -> SimResponse:
    return ok([_symbol(sim, m) for m in sim.engine.markets.values()])


def _symbol(sim: SimVenue, m: SimMarket) -> dict[str, Any]:
    code = sim.venue_symbol(m.symbol)
    return {
        "symbol": code, "name": code, "baseCurrency": m.base, "quoteCurrency": m.quote,
        "feeCurrency": m.quote, "market": "USDS", "baseMinSize": s(m.min_amount),
        "quoteMinSize": s(m.min_cost), "baseMaxSize": "10000000000", "quoteMaxSize": "99999999",
        "baseIncrement": s(m.amount_increment), "quoteIncrement": "0.000001",
        "priceIncrement": s(m.price_increment), "priceLimitRate": "0.1",
        "minFunds": s(m.min_cost), "isMarginEnabled": False, "enableTrading": True,
        "feeCategory": 1, "makerFeeCoefficient": "1.00", "takerFeeCoefficient": "1.00",
        "st": False, "callauctionIsEnabled": False, "callauctionPriceFloor": None,
        "callauctionPriceCeiling": None, "callauctionFirstStageStartTime": None,
        "callauctionSecondStageStartTime": None, "callauctionThirdStageStartTime": None,
        "tradingStartTime": None,
    }


def _ticker_fields(sim: SimVenue, symbol: str) -> dict[str, Any]:
    st = sim.engine.stats(symbol)
    m = sim.engine.market(symbol)
    last, opened = st["last"], st["open"]
    change = (last - opened) if last is not None and opened is not None else None
    rate = (change / opened).quantize(Decimal("0.0001")) if change is not None and opened else None
    return {
        "symbol": sim.venue_symbol(symbol), "buy": s(st["bid"]), "sell": s(st["ask"]),
        "changeRate": s(rate), "changePrice": s(change), "high": s(st["high"]),
        "low": s(st["low"]), "vol": s(st["volume"]), "volValue": s(st["quote_volume"]),
        "last": s(last), "averagePrice": s(last), "takerFeeRate": s(m.taker_fee),
        "makerFeeRate": s(m.maker_fee), "takerCoefficient": "1", "makerCoefficient": "1",
    }


def stats(sim: SimVenue, req: SimRequest) -> SimResponse:
    symbol = sim.unified_symbol(_param(req, "symbol"))
    return ok({"time": ms(sim.now()), **_ticker_fields(sim, symbol)})


def all_tickers(sim: SimVenue, req: SimRequest) -> SimResponse:
    tickers = []
    for symbol in sim.engine.markets:
        fields = _ticker_fields(sim, symbol)
        bids, asks = sim.engine.depth(symbol, 1)
        fields["symbolName"] = fields["symbol"]
        fields["bestBidSize"] = s(bids[0][1]) if bids else None
        fields["bestAskSize"] = s(asks[0][1]) if asks else None
        tickers.append(fields)
    return ok({"time": ms(sim.now()), "ticker": tickers})


def _sequence(sim: SimVenue, symbol: str) -> str:
    """The engine's book sequence, as the level2 pushes number their changes: a snapshot at N
    and the deltas after N are the book."""
    return str(sim_ws.SEQ_BASE + sim.engine.book_sequence(symbol))


def orderbook(sim: SimVenue, req: SimRequest) -> SimResponse:
    depth = req.match.get("depth")
    if depth not in ("20", "100"):
        return fail("404000", "Url Not Found", 404)
    symbol = sim.unified_symbol(_param(req, "symbol"))
    bids, asks = sim.engine.depth(symbol, int(depth))
    return ok({
        "time": ms(sim.now()), "sequence": _sequence(sim, symbol),
        "bids": [[s(p), s(a)] for p, a in bids], "asks": [[s(p), s(a)] for p, a in asks],
    })


def orderbook_full(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v3/market/orderbook/level2: every level (signed: the server checked it)."""
    symbol = sim.unified_symbol(_param(req, "symbol"))
    bids, asks = sim.engine.depth(symbol, 10**9)
    return ok({
        "time": ms(sim.now()), "sequence": _sequence(sim, symbol),
        "bids": [[s(p), s(a)] for p, a in bids], "asks": [[s(p), s(a)] for p, a in asks],
    })


def histories(sim: SimVenue, req: SimRequest) -> SimResponse:
    symbol = sim.unified_symbol(_param(req, "symbol"))
    trades = sim.engine.trades[symbol][-100:]
    return ok([
        {"sequence": str(t.seq), "price": s(t.price), "size": s(t.amount),
         "side": t.taker_side.value, "time": ms(t.at) * 1_000_000}
        for t in trades
    ])


def candles(sim: SimVenue, req: SimRequest) -> SimResponse:
    symbol = sim.unified_symbol(_param(req, "symbol"))
    kind = _param(req, "type")
    if kind not in CANDLE_TYPES:
        raise EngineError("invalid", f"Unsupported type {kind}")
    start = int(req.query.get("startAt") or 0)
    end = int(req.query.get("endAt") or 0)
    rows = sim.engine.candles(
        symbol, CANDLE_TYPES[kind],
        datetime.fromtimestamp(start, tz=UTC) if start else None,
        datetime.fromtimestamp(end, tz=UTC) if end else None,
    )
    rows = rows[:1500] if start else rows[-1500:]
    return ok([
        [str(int(t.timestamp())), s(o), s(c), s(h), s(lo), s(v), s(qv)]
        for t, o, h, lo, c, v, qv in reversed(rows)  # newest first, close before high
    ])


def timestamp(sim: SimVenue, req: SimRequest) -> SimResponse:
    return ok(ms(sim.now()))


def bullet_public(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/v1/bullet-public: a token for the public push server on this origin."""
    return ok(sim_ws.streams_of(sim).bullet(sim.streams, private=False, account=None))


def bullet_private(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/v1/bullet-private (signed): a token that also gets the account's pushes."""
    return ok(sim_ws.streams_of(sim).bullet(sim.streams, private=True, account=req.account))


# ---------------------------------------------------------------- account


def ledgers(sim: SimVenue, req: SimRequest) -> SimResponse:
    assert req.account is not None
    page = _int_param(req, "currentPage", 1, 1, 10**9)
    size = _int_param(req, "pageSize", 50, 10, 500)
    currency = req.query.get("currency")
    start, end = _ms_param(req, "startAt"), _ms_param(req, "endAt")
    entries = [e for e in sim.engine.account_ledger(req.account, currency)
               if (start is None or e.at >= start) and (end is None or e.at <= end)]
    total_pages = (len(entries) + size - 1) // size
    chunk = entries[(page - 1) * size: page * size]
    # money moved to or from the funding or margin accounts is a TRANSFER (sim_funds)
    biz = {"trade": "TRADE_EXCHANGE", "fee": "TRADE_EXCHANGE", "deposit": "DEPOSIT",
           "withdrawal": "WITHDRAW", "transfer": "TRANSFER"}
    return ok({
        "currentPage": page, "pageSize": size, "totalNum": len(entries),
        "totalPage": total_pages,
        "items": [
            {"id": str(265329987780896 + e.seq), "currency": e.currency, "amount": s(abs(e.amount)),
             "fee": "0", "balance": "0", "accountType": "TRADE", "bizType": biz[e.kind],
             "direction": "in" if e.amount > 0 else "out", "createdAt": ms(e.at),
             "context": f'{{"orderId":"{e.reference}"}}' if e.reference else ""}
            for e in chunk
        ],
    })


# ---------------------------------------------------------------- orders


def _order(sim: SimVenue, o: SimOrder) -> dict[str, Any]:
    open_ = o.is_open
    funds = o.cost_limit if o.cost_limit is not None else (
        o.price * o.amount if o.price is not None and o.amount is not None else None)
    return {
        "id": o.id, "clientOid": o.client_id or "", "symbol": sim.venue_symbol(o.symbol),
        "opType": "DEAL", "type": o.type.value, "side": o.side.value,
        "price": s(o.price) if o.price is not None else "0",
        "size": s(o.amount) if o.amount is not None else "0", "funds": s(funds),
        "dealSize": s(o.filled), "dealFunds": s(o.filled_cost),
        "remainSize": s(o.remaining) if open_ else "0",
        "remainFunds": s(funds - o.filled_cost) if funds is not None and open_ else "0",
        "cancelledSize": s(o.canceled_amount),
        "cancelledFunds": s(o.canceled_amount * o.price) if o.price is not None else "0",
        "fee": s(o.fee), "feeCurrency": o.fee_currency, "stp": None,
        "timeInForce": o.time_in_force.value, "postOnly": o.post_only, "hidden": False,
        "iceberg": False, "visibleSize": "0", "cancelAfter": 0, "channel": "API",
        "remark": None, "tags": None, "cancelExist": o.status is OrderStatus.CANCELED,
        "tradeType": "TRADE", "inOrderBook": open_ and o.type is OrderType.LIMIT,
        "active": open_, "tax": "0", "createdAt": ms(o.created_at),
        "lastUpdatedAt": ms(o.updated_at), **sim_orders.shown(sim.engine, o.id),
    }


def _create_fields(sim: SimVenue, body: Any) -> tuple[str | None, Side, OrderType, TimeInForce,
                                                      str, bool, dict[str, Any]]:
    """A create body's fields, every one checked (sim_orders: the optional ones): client id,
    side, type, time in force, unified symbol, post-only for the engine, fields to keep."""
    if not isinstance(body, dict):
        raise EngineError("invalid", "body must be an object")
    coid = body.get("clientOid")
    if coid is not None and (not isinstance(coid, str) or not CLIENT_OID.match(coid)):
        raise EngineError("invalid", "clientOid is invalid")
    try:
        side = Side(body.get("side"))
        kind = OrderType(body.get("type"))
        tif = TimeInForce(body.get("timeInForce", "GTC"))
    except ValueError:
        raise EngineError("invalid", "side, type or timeInForce is invalid") from None
    symbol = sim.unified_symbol(str(body.get("symbol")))
    post_only, kept = sim_orders.options(
        body, kind, tif, _decimal_field(body, "size"),
        sim.engine.market(symbol).amount_increment, ms(sim.now()))
    return coid, side, kind, tif, symbol, post_only, kept


def place_order(sim: SimVenue, account: str, body: Any, **kept: Any) -> SimOrder:
    """One order from a create body (the sync, plain, batch and WebSocket forms share the
    fields); `kept`: more fields for the order to show (a margin order's tradeType)."""
    coid, side, kind, tif, symbol, post_only, fields = _create_fields(sim, body)
    # `funds` on a market order: the quote amount a buy spends or a sell raises.
    order = sim.engine.place(
        account, symbol, side, kind, amount=_decimal_field(body, "size"),
        price=_decimal_field(body, "price"), cost=_decimal_field(body, "funds"),
        time_in_force=tif, post_only=post_only, client_id=coid,
    )
    sim_orders.keep(sim.engine, order.id, {**fields, **kept})
    return order


def _sizes(o: SimOrder) -> dict[str, Any]:
    """A sync answer's state: sizes, and open / done."""
    return {"originSize": s(o.amount), "dealSize": s(o.filled),
            "remainSize": s(o.remaining) if o.is_open else "0",
            "canceledSize": s(o.canceled_amount), "status": "open" if o.is_open else "done"}


def place(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/v1/hf/orders: acknowledged at once, the order's ids only."""
    assert req.account is not None
    order = place_order(sim, req.account, req.json())
    return ok({"orderId": order.id, "clientOid": order.client_id or ""})


def place_sync(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/v1/hf/orders/sync: answered once matched, with the order's state."""
    assert req.account is not None
    o = place_order(sim, req.account, req.json())
    return ok({"orderId": o.id, "clientOid": o.client_id or "", "orderTime": ms(o.created_at),
               **_sizes(o), "matchTime": ms(o.updated_at)})


def place_multi(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/v1/hf/orders/multi: up to 5 limit orders of one pair, each placed or refused
    on its own (`success`, `failMsg`), in order."""
    assert req.account is not None
    body = req.json()
    items = body.get("orderList") if isinstance(body, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= BATCH_MAX:
        raise EngineError("invalid", f"orderList must hold 1 to {BATCH_MAX} orders")
    out: list[dict[str, Any]] = []
    for item in items:
        try:
            if not isinstance(item, dict) or item.get("type") != "limit":
                raise EngineError("invalid", "batch orders must be limit orders")
            o = place_order(sim, req.account, item)
        except EngineError as error:
            refused = sim.personality.render_error(sim, req, error).body
            out.append({"success": False, "failMsg": refused["msg"]})
            continue
        out.append({"orderId": o.id, "clientOid": o.client_id or "", "success": True})
    return ok(out)


def _lookup(sim: SimVenue, req: SimRequest, by_client: bool, margin: bool = False
            ) -> SimOrder:
    """The order named, in the spot HF system (or the margin one): the other's orders are
    unknown there, as KuCoin keeps them apart."""
    assert req.account is not None
    _param(req, "symbol")
    ref = req.match["id"]
    order = sim.engine.get_by_client_id(req.account, ref) if by_client \
        else sim.engine.get(req.account, ref)
    if sim_orders.is_margin(sim.engine, order.id) != margin:
        raise EngineError("not_found", f"order {ref} does not exist")
    return order


def _cancel(sim: SimVenue, req: SimRequest, by_client: bool, sync: bool = False,
            margin: bool = False) -> SimResponse:
    assert req.account is not None
    try:
        order = _lookup(sim, req, by_client, margin)
        sim.engine.cancel(req.account, order.id)
    except EngineError as error:
        if error.kind in ("not_found", "not_cancelable"):
            return fail("400100", "order_not_exist_or_not_allow_to_cancel")
        raise
    ref = {"clientOid": order.client_id} if by_client else {"orderId": order.id}
    return ok({**ref, **_sizes(order)} if sync else ref)


def cancel(sim: SimVenue, req: SimRequest) -> SimResponse:
    return _cancel(sim, req, by_client=False)


def cancel_by_client_oid(sim: SimVenue, req: SimRequest) -> SimResponse:
    return _cancel(sim, req, by_client=True)


def cancel_sync(sim: SimVenue, req: SimRequest) -> SimResponse:
    """DELETE /api/v1/hf/orders/sync/{orderId}: the order's state after the cancel."""
    return _cancel(sim, req, by_client=False, sync=True)


def cancel_sync_by_client_oid(sim: SimVenue, req: SimRequest) -> SimResponse:
    return _cancel(sim, req, by_client=True, sync=True)


def spot_open(sim: SimVenue, account: str, symbol: str | None = None) -> list[SimOrder]:
    """The account's open orders in the spot HF system (its margin orders are apart)."""
    return [o for o in sim.engine.open_orders(account, symbol)
            if not sim_orders.is_margin(sim.engine, o.id)]


def _cancel_open(sim: SimVenue, account: str, symbol: str) -> None:
    for o in spot_open(sim, account, symbol):
        sim.engine.cancel(account, o.id)


def cancel_all_symbol(sim: SimVenue, req: SimRequest) -> SimResponse:
    """DELETE /api/v1/hf/orders?symbol=: every open order of the pair; answers "success"."""
    assert req.account is not None
    _cancel_open(sim, req.account, sim.unified_symbol(_param(req, "symbol")))
    return ok("success")


def _open_symbols(sim: SimVenue, account: str) -> list[str]:
    return sorted({o.symbol for o in spot_open(sim, account)})


def cancel_all(sim: SimVenue, req: SimRequest) -> SimResponse:
    """DELETE /api/v1/hf/orders/cancelAll: every open order; the pairs it canceled on."""
    assert req.account is not None
    symbols = _open_symbols(sim, req.account)
    for symbol in symbols:
        _cancel_open(sim, req.account, symbol)
    return ok({"succeedSymbols": [sim.venue_symbol(x) for x in symbols], "failedSymbols": []})


def active_symbols(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/hf/orders/active/symbols: the pairs with open orders."""
    assert req.account is not None
    return ok({"symbols": [sim.venue_symbol(x) for x in _open_symbols(sim, req.account)]})


def get_order(sim: SimVenue, req: SimRequest) -> SimResponse:
    return ok(_order(sim, _lookup(sim, req, by_client=False)))


def get_order_by_client_oid(sim: SimVenue, req: SimRequest) -> SimResponse:
    return ok(_order(sim, _lookup(sim, req, by_client=True)))


def active(sim: SimVenue, req: SimRequest) -> SimResponse:
    assert req.account is not None
    symbol = sim.unified_symbol(_param(req, "symbol"))
    return ok([_order(sim, o) for o in spot_open(sim, req.account, symbol)])


def _last_id_page(req: SimRequest, rows: list[Any], key: Any) -> tuple[list[Any], int | None]:
    """KuCoin's lastId paging: rows newest first; lastId is the cursor of the page's last row."""
    limit = _int_param(req, "limit", 20, 1, 100)
    last_raw = req.query.get("lastId")
    if last_raw is not None:
        if not last_raw.isdigit():
            raise EngineError("invalid", "lastId is invalid")
        rows = [r for r in rows if key(r) < int(last_raw)]
    page = rows[:limit]
    return page, key(page[-1]) if page else None


def _window(req: SimRequest, moment: datetime) -> bool:
    start, end = _ms_param(req, "startAt"), _ms_param(req, "endAt")
    return (start is None or moment >= start) and (end is None or moment <= end)


def done(sim: SimVenue, req: SimRequest) -> SimResponse:
    assert req.account is not None
    symbol = sim.unified_symbol(_param(req, "symbol"))
    rows = [o for o in sim.engine.closed_orders(req.account, symbol) if _window(req, o.updated_at)
            and not sim_orders.is_margin(sim.engine, o.id)]
    page, last_id = _last_id_page(req, rows, lambda o: o.seq)
    if not page and "lastId" in req.query:
        return ok(None)  # KuCoin answers data: null past the end
    return ok({"lastId": last_id or 0, "items": [_order(sim, o) for o in page]})


def _fill(sim: SimVenue, f: SimFill) -> dict[str, Any]:
    return {
        "id": f.seq, "orderId": f.order_id, "counterOrderId": "", "tradeId": f.trade_id,
        "symbol": sim.venue_symbol(f.symbol), "side": f.side.value,
        "liquidity": f.liquidity.value, "type": sim.engine.orders[f.order_id].type.value,
        "forceTaker": False, "price": s(f.price), "size": s(f.amount), "funds": s(f.cost),
        "fee": s(f.fee), "feeRate": s(f.fee_rate), "feeCurrency": f.fee_currency, "stop": "",
        "tradeType": "TRADE", "taxRate": "0", "tax": "0", "createdAt": ms(f.at),
    }


def fills(sim: SimVenue, req: SimRequest) -> SimResponse:
    assert req.account is not None
    symbol = sim.unified_symbol(_param(req, "symbol"))
    rows = [f for f in sim.engine.account_fills(req.account, symbol) if _window(req, f.at)]
    if req.query.get("orderId"):
        rows = [f for f in rows if f.order_id == req.query["orderId"]]
    page, last_id = _last_id_page(req, rows, lambda f: f.seq)
    if not page and "lastId" in req.query:
        return ok(None)
    return ok({"items": [_fill(sim, f) for f in page], "lastId": last_id or 0})


# ---------------------------------------------------------------- loose answers

#: Left as documented: the core's page walk reads totalPage only as a JSON integer.
KEEP_TYPE = {"totalPage"}



def _reword(body: Any, rng: random.Random) -> Any:
    # A success may carry an empty `msg` too.
    return {"code": OK, "msg": rng.choice(["", {}, None]),
            "data": loosen(body["data"], rng, keep=KEEP_TYPE)}


def _loosened(handler: Handler) -> Handler:
    return loosened(handler, lambda body: isinstance(body, dict) and body.get("code") == OK,
                    _reword)


def _handlers(own: dict[str, Handler]) -> dict[str, Handler]:
    """Every handler: this module's, the more order operations' (sim_more_orders.py), the
    money ones (sim_funds.py, sim_margin.py), the stop orders' (sim_stops.py) and the margin
    orders' (sim_margin_orders.py), all answering with this module's helpers; each after the
    user's funding account is funded."""
    from adapters.kucoin import sim_funds, sim_margin, sim_margin_orders, sim_more_orders, sim_stops

    every = {**own, **sim_more_orders.HANDLERS, **sim_funds.HANDLERS, **sim_margin.HANDLERS,
             **sim_stops.HANDLERS, **sim_margin_orders.HANDLERS}
    return {name: sim_funds.seeded(_loosened(handler)) for name, handler in every.items()}


# ---------------------------------------------------------------- failures


class KucoinPersonality(Loose):
    markets = (
        SimMarket("BTC/USDT", "BTC", "USDT", Decimal("0.1"), Decimal("0.00000001"),
                  Decimal("0.00001"), Decimal("0.1"), Decimal("30000")),
        SimMarket("ETH/USDT", "ETH", "USDT", Decimal("0.01"), Decimal("0.0000001"),
                  Decimal("0.0001"), Decimal("0.1"), Decimal("2000")),
        SimMarket("ETH/BTC", "ETH", "BTC", Decimal("0.00001"), Decimal("0.0000001"),
                  Decimal("0.0001"), Decimal("0.00001"), Decimal("0.065")),
    )
    handlers = _handlers({
        "fetch_time": timestamp,
        "ws_token_public": bullet_public,
        "ws_token_private": bullet_private,
        "load_markets": symbols,
        "fetch_ticker": stats,
        "fetch_tickers": all_tickers,
        "fetch_order_book": orderbook,
        "fetch_order_book_full": orderbook_full,
        "fetch_trades": histories,
        "fetch_ohlcv": candles,
        "create_order": place_sync,
        "create_orders": place_multi,
        "cancel_order": cancel_sync,
        "cancel_order_by_client_id": cancel_sync_by_client_oid,
        "cancel_all_orders": cancel_all_symbol,
        "cancel_all_orders_everywhere": cancel_all,
        "fetch_open_order_symbols": active_symbols,
        "create_order_ack": place,
        "cancel_order_ack": cancel,
        "cancel_order_by_client_id_ack": cancel_by_client_oid,
        "fetch_order": get_order,
        "fetch_order_by_client_id": get_order_by_client_oid,
        "fetch_open_orders": active,
        "iter_closed_orders": done,
        "iter_my_trades": fills,
        "iter_ledger": ledgers,
    })
    #: what the money contract and soak withdraw on (the default USDT chain, ERC20, has a
    #: 10 USDT least withdrawal; TRC20 takes 1)
    withdraw_extras = {"network": "TRC20"}
    stream_face = sim_ws.KucoinStreams  # the WebSocket side (sim.streams.face)

    @staticmethod
    def order_api(api: OrderApi) -> StreamFace:
        """The WebSocket order API's face (sim.order_api, at /v1/private)."""
        from adapters.kucoin.sim_wsapi import KucoinOrderApi  # it builds on this module

        return KucoinOrderApi(api)

    def render_error(self, venue: SimVenue, request: SimRequest, error: EngineError
                     ) -> SimResponse:
        if error.kind == "unknown_symbol":
            symbol = request.query.get("symbol") or "?"
            return fail("900001", f"Trading pair {symbol} does not exist.")
        if error.kind == "insufficient_funds":
            return fail("200004", "Balance insufficient!")
        if error.kind == "duplicate_client_id":
            return fail("400100", "validation.createOrder.clientOidDuplicated")
        if error.kind in ("not_found", "not_cancelable"):
            return fail("400100", "order not exist.")
        return fail("400100", error.message)

    def render_auth_failure(self, venue: SimVenue, failure: AuthFailure) -> SimResponse:
        return {
            "missing": fail("400001", "Any of KC-API-KEY, KC-API-SIGN, KC-API-TIMESTAMP, "
                            "KC-API-PASSPHRASE is missing in your request header", 401),
            "bad_key": fail("400003", "KC-API-KEY not exists", 401),
            "bad_passphrase": fail("400004", "Invalid KC-API-PASSPHRASE", 401),
            "bad_sign": fail("400005", "Invalid KC-API-SIGN", 401),
            "timestamp": fail("400002", "Invalid KC-API-TIMESTAMP", 400),
        }[failure.kind]

    def render_rate_limited(self, venue: SimVenue, reset_ms: int) -> SimResponse:
        return SimResponse(429, {"code": "429000", "msg": "Too Many Requests"},
                           headers={"gw-ratelimit-remaining": "0",
                                    "gw-ratelimit-reset": str(reset_ms)})

    def rate_headers(self, quota: int, remaining: int, reset_ms: int) -> dict[str, str]:
        return {"gw-ratelimit-limit": str(quota), "gw-ratelimit-remaining": str(remaining),
                "gw-ratelimit-reset": str(reset_ms)}


PERSONALITY = KucoinPersonality()
