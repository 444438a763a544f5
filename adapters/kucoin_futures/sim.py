"""The local KuCoin futures: KuCoin futures requests -> the neutral derivatives book -> KuCoin's
JSON, codes and paging (api-futures.kucoin.com's wire, as its docs and examples show it).

Its engine is a contract engine (unified.sim.derivatives): amounts in contracts, money in each
contract's settle currency. Market data here; orders, fills, positions and the account in
sim_trading.py; positions, the account and the ledger in sim_account.py; stop orders in
sim_stops.py. `KucoinFuturesPersonality(loose=rate, seed=n)`
words that share of its successful answers loosely (numbers as strings or numbers).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs

from adapters.kucoin_futures import sim_ws
from unified.clock import Clock
from unified.convert import to_ms as ms
from unified.sim.book import Engine, EngineError, SimMarket
from unified.sim.derivatives import contract_engine, derivatives_book
from unified.sim.funding import FundingRecord
from unified.sim.loose import Loose, loosen, loosened, to_json
from unified.sim.positions import ContractSpec
from unified.sim.records import HOUSE_ACCOUNT, ZERO
from unified.sim.server import USER, Handler, SimRequest, SimResponse, SimVenue
from unified.sim.verify import AuthFailure

OK = "200000"
#: the contracts listed: (venue id, spec, index symbol, funding series)
CONTRACTS = (
    ("XBTUSDTM", ContractSpec("BTC/USDT:USDT", "BTC", "USDT", "USDT", Decimal("0.001"),
                              max_leverage=Decimal(125), maker_fee=Decimal("0.0002"),
                              taker_fee=Decimal("0.0006"), mid=Decimal(30000)),
     ".KXBTUSDT", ".XBTUSDTMFPI8H"),
    ("ETHUSDTM", ContractSpec("ETH/USDT:USDT", "ETH", "USDT", "USDT", Decimal("0.01"),
                              max_leverage=Decimal(100), price_increment=Decimal("0.01"),
                              maker_fee=Decimal("0.0002"), taker_fee=Decimal("0.0006"),
                              mid=Decimal(2000)),
     ".KETHUSDT", ".ETHUSDTMFPI8H"),
    ("XBTUSDM", ContractSpec("BTC/USD:BTC", "BTC", "USD", "BTC", Decimal(-1), linear=False,
                             max_leverage=Decimal(100), maker_fee=Decimal("0.0002"),
                             taker_fee=Decimal("0.0006"), mid=Decimal(30000)),
     ".BXBT", ".XBTUSDMFPI8H"),
)
IDS = {spec.symbol: code for code, spec, _, _ in CONTRACTS}
SYMBOLS = {code: spec.symbol for code, spec, _, _ in CONTRACTS}
INDEXES = {index: spec.symbol for _, spec, index, _ in CONTRACTS}
VENUE_CODES = {"BTC": "XBT"}  # KuCoin's bitcoin is XBT


def s(value: Decimal | None) -> str:
    if value is None:
        return "0"
    return format(value.normalize() if value == value.to_integral() else value, "f")


def ok(data: Any) -> SimResponse:
    return SimResponse(200, {"code": OK, "data": data})


def fail(code: str, msg: str, status: int = 200) -> SimResponse:
    return SimResponse(status, {"code": code, "msg": msg})


def code_of(currency: str) -> str:
    return VENUE_CODES.get(currency, currency)


def currency_of(code: str) -> str:
    return {v: k for k, v in VENUE_CODES.items()}.get(code.upper(), code.upper())


def venue_id(symbol: str) -> str:
    return IDS[symbol]


def unified_of(code: str) -> str:
    symbol = SYMBOLS.get(code)
    if symbol is None:
        raise EngineError("unknown_symbol", f"contract {code} does not exist")
    return symbol


def param(req: SimRequest, name: str) -> str:
    value = req.query.get(name)
    if not value:
        raise EngineError("invalid", f"{name} is required")
    return value


def ms_param(req: SimRequest, name: str) -> datetime | None:
    raw = req.query.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise EngineError("invalid", f"{name} must be milliseconds")
    return datetime.fromtimestamp(int(raw) / 1000, tz=UTC)


def ns(moment: datetime) -> int:
    return ms(moment) * 1_000_000


def spec_of(sim: SimVenue, symbol: str) -> ContractSpec:
    return derivatives_book(sim.engine).spec(symbol)


# ---------------------------------------------------------------- market data


def timestamp(sim: SimVenue, req: SimRequest) -> SimResponse:
    return ok(ms(sim.now()))


def _contract(sim: SimVenue, code: str, spec: ContractSpec, index: str, series: str
              ) -> dict[str, Any]:
    book = derivatives_book(sim.engine)
    funding = book.funding_rate(spec.symbol)
    st = sim.engine.stats(spec.symbol)
    base = code_of(spec.base)
    mark = book.mark(spec.symbol)
    last, opened = st["last"], st["open"]
    change = last - opened if last is not None and opened is not None else 0
    change_rate = (change / opened).quantize(Decimal("0.0001")) if opened else 0
    return {
        "symbol": code, "rootSymbol": code_of(spec.settle), "type": "FFWCSX",
        "firstOpenDate": 1585555200000, "expireDate": None, "settleDate": None,
        "baseCurrency": base, "quoteCurrency": spec.quote,
        "settleCurrency": code_of(spec.settle), "maxOrderQty": 1000000, "maxPrice": 1000000,
        "lotSize": spec.lot, "tickSize": spec.price_increment,
        "indexPriceTickSize": Decimal("0.01"),
        "multiplier": spec.multiplier, "initialMargin": 1 / spec.max_leverage,
        "maintainMargin": spec.maintenance_rate, "maxRiskLimit": 100000,
        "minRiskLimit": 100000, "riskStep": 50000, "makerFeeRate": spec.maker_fee,
        "takerFeeRate": spec.taker_fee, "takerFixFee": 0, "makerFixFee": 0,
        "settlementFee": None, "isDeleverage": True, "isQuanto": spec.linear,
        "isInverse": not spec.linear, "markMethod": "FairPrice", "fairMethod": "FundingRate",
        "fundingBaseSymbol": f".{base}INT8H", "fundingQuoteSymbol": f".{spec.quote}INT8H",
        "fundingRateSymbol": series, "indexSymbol": index, "settlementSymbol": "",
        "status": "Open", "fundingFeeRate": funding.rate,
        "predictedFundingFeeRate": funding.predicted or funding.rate,
        "fundingRateGranularity": 28800000, "openInterest": "0",
        "turnoverOf24h": st["quote_volume"] or 0, "volumeOf24h": st["volume"] or 0,
        "markPrice": mark, "indexPrice": book.index(spec.symbol),
        "lastTradePrice": st["last"] or 0,
        # a duration in ms until the next funding, as the real answer has it (NOTES.md)
        "nextFundingRateTime": max(0, ms(funding.next_at) - ms(sim.now())),
        "maxLeverage": int(spec.max_leverage), "sourceExchanges": ["kucoin"],
        "premiumsSymbol1M": f".{code}PI", "premiumsSymbol8H": f".{code}PI8H",
        "fundingBaseSymbol1M": f".{base}INT", "fundingQuoteSymbol1M": f".{spec.quote}INT",
        "lowPrice": st["low"] or 0, "highPrice": st["high"] or 0,
        "priceChgPct": change_rate, "priceChg": change,
        # risk-limit curve parameters: reported, not enforced
        "k": 490, "m": 300, "f": Decimal("1.3"), "mmrLimit": Decimal("0.3"),
        "mmrLevConstant": int(spec.max_leverage), "supportCross": True,
        "buyLimit": (mark * Decimal("1.05")).quantize(spec.price_increment),
        "sellLimit": (mark * Decimal("0.95")).quantize(spec.price_increment),
    }


def contracts(sim: SimVenue, req: SimRequest) -> SimResponse:
    return ok([_contract(sim, *row) for row in CONTRACTS])


def _ticker(sim: SimVenue, symbol: str) -> dict[str, Any]:
    engine = sim.engine
    bids, asks = engine.depth(symbol, 1)
    trades = engine.trades[symbol]
    last = trades[-1] if trades else None
    return {
        "sequence": engine.book_sequence(symbol), "symbol": venue_id(symbol),
        "side": last.taker_side.value if last else "buy",
        "size": int(last.amount) if last else 0, "tradeId": str(last.seq) if last else "0",
        "price": s(last.price) if last else "0",
        "bestBidPrice": s(bids[0][0]) if bids else "0",
        "bestBidSize": int(bids[0][1]) if bids else 0,
        "bestAskPrice": s(asks[0][0]) if asks else "0",
        "bestAskSize": int(asks[0][1]) if asks else 0, "ts": ns(sim.now()),
    }


def ticker(sim: SimVenue, req: SimRequest) -> SimResponse:
    return ok(_ticker(sim, unified_of(param(req, "symbol"))))


def all_tickers(sim: SimVenue, req: SimRequest) -> SimResponse:
    return ok([_ticker(sim, spec.symbol) for _, spec, _, _ in CONTRACTS])


def _book(sim: SimVenue, symbol: str, levels: int) -> dict[str, Any]:
    bids, asks = sim.engine.depth(symbol, levels)
    return {"sequence": sim.engine.book_sequence(symbol), "symbol": venue_id(symbol),
            "bids": [[p, int(a)] for p, a in bids], "asks": [[p, int(a)] for p, a in asks],
            "ts": ns(sim.now())}


def depth(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/level2/depth20 | depth100."""
    size = req.match.get("size")
    if size not in ("20", "100"):
        return fail("404000", "Url Not Found", 404)
    return ok(_book(sim, unified_of(param(req, "symbol")), int(size)))


def snapshot(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/level2/snapshot: every level."""
    return ok(_book(sim, unified_of(param(req, "symbol")), 10**9))


def trade_history(sim: SimVenue, req: SimRequest) -> SimResponse:
    """The newest 100 public trades, newest first."""
    symbol = unified_of(param(req, "symbol"))
    return ok([
        {"sequence": t.seq, "contractId": 1, "tradeId": str(t.seq), "makerOrderId": "",
         "takerOrderId": "", "ts": ns(t.at), "size": int(t.amount), "price": s(t.price),
         "side": t.taker_side.value}
        for t in reversed(sim.engine.trades[symbol][-100:])
    ])


GRANULARITIES = (1, 5, 15, 30, 60, 120, 240, 480, 720, 1440, 10080)


def klines(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/kline/query: granularity in minutes, from / to in ms, at most 500 rows,
    oldest first, [ms, open, high, low, close, volume]."""
    symbol = unified_of(param(req, "symbol"))
    raw = param(req, "granularity")
    if not raw.isdigit() or int(raw) not in GRANULARITIES:
        raise EngineError("invalid", f"granularity {raw} is not supported")
    start, end = ms_param(req, "from"), ms_param(req, "to")
    rows = sim.engine.candles(symbol, int(raw) * 60, start, end)
    rows = rows[:500] if start else rows[-500:]
    return ok([[ms(t), o, h, lo, c, int(v)] for t, o, h, lo, c, v, _ in rows])


def mark_price(sim: SimVenue, req: SimRequest) -> SimResponse:
    symbol = unified_of(req.match["symbol"])
    book = derivatives_book(sim.engine)
    return ok({"symbol": venue_id(symbol), "granularity": 1000, "timePoint": ms(sim.now()),
               "value": book.mark(symbol), "indexPrice": book.index(symbol)})


def index_query(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/index/query?symbol=.KXBTUSDT: the index series (the newest point only:
    the local venue keeps no index history)."""
    index = param(req, "symbol")
    symbol = INDEXES.get(index)
    if symbol is None:
        raise EngineError("unknown_symbol", f"index {index} does not exist")
    value = derivatives_book(sim.engine).index(symbol)
    return ok({"hasMore": False, "dataList": [
        {"symbol": index, "granularity": 1000, "timePoint": ms(sim.now()), "value": value,
         "decomposionList": [{"exchange": "kucoin", "price": value, "weight": 1}]}]})


def funding_current(sim: SimVenue, req: SimRequest) -> SimResponse:
    symbol = unified_of(req.match["symbol"])
    state = derivatives_book(sim.engine).funding_rate(symbol)
    series = next(f for code, spec, _, f in CONTRACTS if spec.symbol == symbol)
    return ok({"symbol": series, "granularity": int(state.interval.total_seconds() * 1000),
               "timePoint": ms(state.period_start), "value": state.rate,
               "predictedValue": state.predicted if state.predicted is not None else state.rate,
               "fundingRateCap": "0.003", "fundingRateFloor": "-0.003", "period": 0,
               "fundingTime": ms(state.next_at)})


def funding_history(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/contract/funding-rates?symbol&from&to (both required): settled rates."""
    symbol = unified_of(param(req, "symbol"))
    since, until = ms_param(req, "from"), ms_param(req, "to")
    if since is None or until is None:
        raise EngineError("invalid", "from and to are required")
    rows = derivatives_book(sim.engine).funding.history(symbol, since, until)
    return ok([{"symbol": venue_id(symbol), "fundingRate": r.rate, "timepoint": ms(r.at)}
               for r in rows])


def bullet_public(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/v1/bullet-public: a token for the push server on this origin (sim_ws.py)."""
    return ok(sim_ws.streams_of(sim).bullet(sim.streams, private=False, account=None))


def bullet_private(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/v1/bullet-private (signed): a token that also gets the account's pushes."""
    return ok(sim_ws.streams_of(sim).bullet(sim.streams, private=True, account=req.account))


# ---------------------------------------------------------------- the personality


def seed_funding(engine: Engine, periods: int = 90) -> None:
    """The venue's past: settled funding rates (reproducible per contract) at each funding
    time before now, and the current rate, for the history and the next settlement."""
    book = derivatives_book(engine)
    for _, spec, _, _ in CONTRACTS:
        state = book.funding.state(spec.symbol)
        rng = random.Random(spec.symbol)
        rate = ZERO
        for k in range(periods, 0, -1):
            rate = Decimal(rng.randint(-3, 12)) / 100_000
            state.history.append(FundingRecord(spec.symbol, state.next_at - state.interval * k,
                                               rate, spec.mid))
        state.rate, state.predicted = rate, Decimal(rng.randint(-3, 12)) / 100_000


def _reword(body: Any, rng: random.Random) -> Any:
    return {"code": OK, "data": loosen(body["data"], rng, keep={"totalPage", "hasMore"})}


def _loosened(handler: Handler) -> Handler:
    return _numbers(loosened(handler, lambda body: isinstance(body, dict)
                             and body.get("code") == OK, _reword))


def _numbers(handler: Handler) -> Handler:
    """Decimals written as the JSON numbers KuCoin futures sends (the server's own encoder
    would write them as strings); the answer is still recorded for the shape checks."""

    def handle(sim: SimVenue, req: SimRequest) -> SimResponse:
        response = handler(sim, req)
        if response.status >= 300 or isinstance(response.body, bytes):
            return response
        sim.answers[req.op] = response.body
        return attrs.evolve(response, body=to_json(response.body).encode())

    return handle


def _handlers() -> dict[str, Handler]:
    from adapters.kucoin_futures import sim_account, sim_stops, sim_trading  # built on this

    own: dict[str, Handler] = {
        "fetch_time": timestamp, "load_markets": contracts, "fetch_ticker": ticker,
        "fetch_tickers": all_tickers, "fetch_order_book": depth,
        "fetch_order_book_full": snapshot, "fetch_trades": trade_history,
        "fetch_ohlcv": klines, "fetch_mark_price": mark_price,
        "fetch_index_price": index_query, "fetch_funding_rate": funding_current,
        "iter_funding_rate_history": funding_history, "ws_token_public": bullet_public,
        "ws_token_private": bullet_private,
    }
    every = {**own, **sim_trading.HANDLERS, **sim_account.HANDLERS, **sim_stops.HANDLERS}
    return {name: _loosened(handler) for name, handler in every.items()}


class KucoinFuturesPersonality(Loose):
    markets: tuple[SimMarket, ...] = tuple(spec.sim_market() for _, spec, _, _ in CONTRACTS)
    stream_face = sim_ws.KucoinFuturesStreams  # the WebSocket side (sim.streams.face)

    @property
    def handlers(self) -> dict[str, Handler]:
        return HANDLERS

    @staticmethod
    def order_id(seq: int) -> str:
        return str(236655147005071360 + seq)  # KuCoin futures ids are long decimal numbers

    @staticmethod
    def make_engine(clock: Clock) -> Engine:
        """The contract engine, its perpetuals with 30 days of settled funding behind them."""
        engine = contract_engine([spec for _, spec, _, _ in CONTRACTS], clock)
        seed_funding(engine)
        return engine

    @staticmethod
    def fund_user(engine: Engine, account: str = USER) -> None:
        """A futures account with USDT and BTC (the settle currencies); the house that quotes
        the seeded book gets deep pockets in both, as its fills open positions too."""
        if account == USER:
            engine.deposit(HOUSE_ACCOUNT, "USDT", Decimal(10) ** 12)
            engine.deposit(HOUSE_ACCOUNT, "BTC", Decimal(10) ** 9)
        engine.deposit(account, "USDT", Decimal(10_000_000))  # a 1x position in the seeded
        engine.deposit(account, "BTC", Decimal(1000))  # book's deepest levels too

    def render_error(self, venue: SimVenue, request: SimRequest, error: EngineError
                     ) -> SimResponse:
        if error.kind == "unknown_symbol":
            return fail("100001", f"Contract does not exist: {error.message}")
        if error.kind == "insufficient_funds":
            return fail("300003", "Balance not enough")
        if error.kind == "duplicate_client_id":
            return fail("300018", "clientOid parameter repeated")
        if error.kind in ("not_found", "not_cancelable"):
            return fail("400100", "The order does not exist or is not allow to be cancel")
        if error.kind == "nothing_to_close":
            return fail("300009", "No open positions to close.")
        return fail("100001", error.message)

    def render_auth_failure(self, venue: SimVenue, failure: AuthFailure) -> SimResponse:
        return {
            "missing": fail("400001", "Please check the header of your request for "
                            "KC-API-KEY, KC-API-SIGN, KC-API-TIMESTAMP, KC-API-PASSPHRASE",
                            401),
            "bad_key": fail("400003", "KC-API-KEY not exists", 401),
            "bad_passphrase": fail("400004", "Invalid KC-API-PASSPHRASE", 401),
            "bad_sign": fail("400005", "Invalid KC-API-SIGN", 401),
            "timestamp": fail("400002", "KC-API-TIMESTAMP Invalid", 400),
        }[failure.kind]

    def render_rate_limited(self, venue: SimVenue, reset_ms: int) -> SimResponse:
        return SimResponse(429, {"code": "429000", "msg": "Too Many Requests"},
                           headers={"gw-ratelimit-remaining": "0",
                                    "gw-ratelimit-reset": str(reset_ms)})

    def rate_headers(self, quota: int, remaining: int, reset_ms: int) -> dict[str, str]:
        return {"gw-ratelimit-limit": str(quota), "gw-ratelimit-remaining": str(remaining),
                "gw-ratelimit-reset": str(reset_ms)}


HANDLERS = _handlers()
PERSONALITY = KucoinFuturesPersonality()

__all__ = ["CONTRACTS", "PERSONALITY", "KucoinFuturesPersonality"]
