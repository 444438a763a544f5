"""KuCoin futures market data <-> unified: the envelope, contracts, tickers, books, trades,
klines, mark and index prices, funding rates.

Facts from KuCoin's files (kucoin-openapi/rest/api/openapi-futures-{market,fundingfees}.json,
the examples under examples/official/):
- `type` FFWCSX is a perpetual, FFICSX a dated future with `expireDate` (ms); `multiplier` is
  the base amount per contract, negative on inverse contracts (USD per contract), `lotSize`
  the order step in contracts; numbers arrive as JSON numbers (exact Decimals here);
- ticker, book and trade `ts` are nanoseconds; klines are [ms, open, high, low, close, volume]
  with `granularity` in minutes (spot's rows are [s, open, close, high, low, ...]);
- the current funding rate's `timePoint` is the current period's start, `fundingTime` the
  next settlement; its `symbol` names the funding series (.XBTUSDTMFPI8H), not the contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from adapters.kucoin_futures.symbols import contract_symbol, unified_currency, unified_symbol
from unified.candle_rows import decode_ms_ohlcv_rows
from unified.convert import from_ms, from_ns, structure, to_decimal, to_int, to_ms
from unified.derivative_models import FundingRate, IndexPrice, MarkPrice
from unified.errors import ConfigurationError, DecodeError
from unified.models import BookLevel, Candle, Market, MarketKind, OrderBook, Ticker, Trade
from unified.venue import Context, RequestParts

KINDS = {"FFWCSX": MarketKind.SWAP, "FFICSX": MarketKind.FUTURE}
BOOK_DEPTHS = (20, 100)




# ---------------------------------------------------------------- wire shapes


@attrs.frozen
class Contract:
    symbol: str
    type: str
    baseCurrency: str
    quoteCurrency: str
    settleCurrency: str
    multiplier: Decimal
    isInverse: bool
    lotSize: Decimal
    tickSize: Decimal
    status: str
    expireDate: int | None = None
    maxOrderQty: Decimal | None = None
    maxLeverage: Decimal | None = None


@attrs.frozen
class FuturesTicker:
    symbol: str
    ts: int
    price: Decimal | None = None
    bestBidPrice: Decimal | None = None
    bestBidSize: Decimal | None = None
    bestAskPrice: Decimal | None = None
    bestAskSize: Decimal | None = None


@attrs.frozen
class PublicTrade:
    tradeId: str
    ts: int
    price: Decimal
    size: Decimal
    side: str


@attrs.frozen
class Mark:
    timePoint: int
    value: Decimal
    indexPrice: Decimal | None = None


@attrs.frozen
class CurrentFunding:
    timePoint: int
    value: Decimal
    granularity: int | None = None
    predictedValue: Decimal | None = None
    fundingTime: int | None = None


@attrs.frozen
class SettledFunding:
    symbol: str
    fundingRate: Decimal
    timepoint: int


# ---------------------------------------------------------------- encoders


def symbol_query(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    return RequestParts(query=[("symbol", args["symbol"])])


def symbol_path(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """/api/v1/mark-price/{symbol}/current, /api/v1/funding-rate/{symbol}/current."""
    return RequestParts(path_params={"symbol": args["symbol"]})


def encode_book(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    limit = args.get("limit")
    size = BOOK_DEPTHS[0] if limit is None or limit <= BOOK_DEPTHS[0] else BOOK_DEPTHS[1]
    return RequestParts(path_params={"size": str(size)}, query=[("symbol", args["symbol"])])


def encode_candles(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """granularity in minutes (the spec's timeframes); from/to in ms."""
    query = [("symbol", args["symbol"]), ("granularity", args["timeframe"])]
    since: datetime | None = args.get("since")
    if since is not None:
        start = to_ms(since)
        query.append(("from", str(start)))
        if args.get("limit"):
            query.append(("to", str(start + args["limit"] * args["timeframe_seconds"] * 1000)))
    return RequestParts(query=query)


def encode_index(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """The index is its own series (.KXBTUSDT, the contract's indexSymbol): the newest one."""
    market: Market = args["market"]
    index = market.raw.get("indexSymbol") if isinstance(market.raw, Mapping) else None
    if not isinstance(index, str) or not index:
        raise ConfigurationError(f"{market.symbol}: the contract names no index symbol")
    return RequestParts(query=[("symbol", index), ("maxCount", "1")])


def encode_funding_history(ctx: Context, args: Mapping[str, Any]) -> RequestParts:
    """Both ends are required by the venue (the core fills them: funding_history_window_days)."""
    if args.get("since_ms") is None or args.get("until_ms") is None:
        raise ConfigurationError("KuCoin's funding history needs since and until")
    return RequestParts(query=[("symbol", args["symbol"]), ("from", str(args["since_ms"])),
                               ("to", str(args["until_ms"]))])


# ---------------------------------------------------------------- decoders


def decode_time(ctx: Context, data: Any) -> datetime:
    return from_ms(data)


def decode_market(ctx: Context, item: Any) -> Market:
    c = structure(item, Contract)
    kind = KINDS.get(c.type)
    if kind is None:
        raise DecodeError(f"{c.symbol}: unknown contract type {c.type!r}")
    if c.multiplier == 0 or c.lotSize <= 0 or c.tickSize <= 0:
        raise DecodeError(f"{c.symbol}: multiplier, lotSize and tickSize must be non-zero")
    expiry = from_ms(c.expireDate) if kind is MarketKind.FUTURE and c.expireDate else None
    if kind is MarketKind.FUTURE and expiry is None:
        raise DecodeError(f"{c.symbol}: a dated future without expireDate")
    base, quote = unified_currency(ctx, c.baseCurrency), unified_currency(ctx, c.quoteCurrency)
    settle = unified_currency(ctx, c.settleCurrency)
    return Market(
        symbol=contract_symbol(base, quote, settle, expiry), venue_symbol=c.symbol,
        base=base, quote=quote, price_increment=c.tickSize, amount_increment=c.lotSize,
        min_amount=c.lotSize, min_cost=None, active=c.status == "Open", raw=item,
        kind=kind, settle=settle,
        # inverse: |multiplier| quote (USD) per contract; linear: multiplier base per contract
        contract_size=abs(c.multiplier), linear=not c.isInverse, expiry=expiry,
    )


def decode_markets(ctx: Context, data: Any) -> list[Market]:
    if not isinstance(data, list):
        raise DecodeError("contracts/active: expected a list")
    return [decode_market(ctx, item) for item in data]


def _ticker(ctx: Context, item: Any) -> Ticker:
    t = structure(item, FuturesTicker)
    return Ticker(
        symbol=unified_symbol(ctx, t.symbol), timestamp=from_ns(t.ts), last=t.price,
        bid=t.bestBidPrice, ask=t.bestAskPrice, bid_size=t.bestBidSize, ask_size=t.bestAskSize,
        open=None, high=None, low=None, base_volume=None, quote_volume=None, raw=item,
    )


def decode_ticker(ctx: Context, data: Any) -> Ticker:
    return _ticker(ctx, data)


def decode_tickers(ctx: Context, data: Any) -> list[Ticker]:
    if not isinstance(data, list):
        raise DecodeError("allTickers: expected a list")
    out = []
    for item in data:
        if not isinstance(item, dict):
            raise DecodeError("allTickers: expected a list of objects")
        if ctx.markets_by_id and item.get("symbol") not in ctx.markets_by_id:
            continue  # a contract listed since our markets were loaded
        out.append(_ticker(ctx, item))
    return out


def _levels(rows: Any) -> tuple[BookLevel, ...]:
    if not isinstance(rows, list):
        raise DecodeError("book side is not a list")
    out = []
    for row in rows:
        if not isinstance(row, list) or len(row) < 2:
            raise DecodeError(f"book level {row!r} is not [price, size]")
        out.append(BookLevel(price=to_decimal(row[0]), amount=to_decimal(row[1])))
    return tuple(out)


def decode_book(ctx: Context, data: Any) -> OrderBook:
    if not isinstance(data, dict):
        raise DecodeError("order book: expected an object")
    try:
        stamp, bids, asks = data["ts"], data["bids"], data["asks"]
    except KeyError as exc:
        raise DecodeError(f"order book: missing {exc}") from None
    return OrderBook(
        symbol="",  # the core names it from the request
        timestamp=from_ns(stamp), bids=_levels(bids), asks=_levels(asks),
        sequence=to_int(data["sequence"]) if data.get("sequence") is not None else None,
        raw=data,
    )


def decode_trades(ctx: Context, data: Any) -> list[Trade]:
    if not isinstance(data, list):
        raise DecodeError("trade/history: expected a list")
    out = []
    for item in data:
        t = structure(item, PublicTrade)
        out.append(Trade(id=t.tradeId, symbol="", timestamp=from_ns(t.ts),
                         side=ctx.tables.sides.decode(t.side), price=t.price, amount=t.size,
                         raw=item))
    return out


def decode_candles(ctx: Context, data: Any) -> list[Candle]:
    return decode_ms_ohlcv_rows(data, "kline/query")


def decode_mark_price(ctx: Context, data: Any) -> MarkPrice:
    m = structure(data, Mark)
    return MarkPrice(symbol="", mark_price=m.value, index_price=m.indexPrice,
                     timestamp=from_ms(m.timePoint), raw=data)


def decode_index_price(ctx: Context, data: Any) -> IndexPrice:
    """The newest point of the index series (dataList, newest first)."""
    rows = data.get("dataList") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise DecodeError("index/query: expected {dataList: [...]} with a point")
    m = structure(rows[0], Mark)
    return IndexPrice(symbol="", index_price=m.value, timestamp=from_ms(m.timePoint), raw=data)


def decode_funding_rate(ctx: Context, data: Any) -> FundingRate:
    f = structure(data, CurrentFunding)
    start = from_ms(f.timePoint)
    if f.fundingTime is not None:
        following: datetime | None = from_ms(f.fundingTime)
    elif f.granularity:  # older answers: the next settlement is one period after the start
        following = start + timedelta(milliseconds=f.granularity)
    else:
        following = None
    return FundingRate(symbol="", rate=f.value, predicted_rate=f.predictedValue,
                       timestamp=start, next_funding_at=following, raw=data)


def decode_funding_row(ctx: Context, data: Any) -> FundingRate:
    """One settled rate of the public funding history."""
    f = structure(data, SettledFunding)
    return FundingRate(symbol=unified_symbol(ctx, f.symbol), rate=f.fundingRate,
                       predicted_rate=None, timestamp=from_ms(f.timepoint),
                       next_funding_at=None, raw=data)
