"""KuCoin futures, sans-IO: KuCoin's documented futures answers (adapters/kucoin_futures/examples/
official/, byte-identical copies) decode to exact Decimals and UTC times; contracts, symbols both
ways, market data, funding, the account, positions and the ledger; the spec's tables."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest

from adapters.kucoin import envelope
from adapters.kucoin_futures import account_codec as account
from adapters.kucoin_futures import market_codec as market
from adapters.kucoin_futures.endpoints import ENDPOINTS
from adapters.kucoin_futures.symbols import unified_currency, unified_symbol, venue_currency
from unified import (
    AuthenticationError,
    DuplicateClientOrderId,
    InsufficientFunds,
    InvalidOrder,
    OrderNotFound,
    RateLimited,
    VenueUnavailable,
)
from unified.convert import loads
from unified.derivative_models import PositionSide
from unified.errors import DecodeError
from unified.models import MarginMode, Market, MarketKind, Side
from unified.spec import load_spec
from unified.tables import Tables
from unified.venue import Answered, Context, VenueRejected
from unified.wire import WireResponse

from ..conftest import ROOT

SPEC = load_spec("kucoin_futures")
TABLES = Tables(SPEC)
EXAMPLES = ROOT / "adapters" / "kucoin_futures" / "examples"
OFFICIAL = EXAMPLES / "official"
BARE = Context("kucoin_futures", TABLES, {}, {})


def doc(name: str) -> Any:
    return loads((OFFICIAL / name).read_bytes())


def data(name: str) -> Any:
    return doc(name)["response"]["data"]


def contract(**changes: Any) -> dict[str, Any]:
    """The documented XBTUSDTM contract with some fields changed (other contracts)."""
    item: dict[str, Any] = dict(data("futures_get_api_v1_contracts_symbol.json"))
    item.update(changes)
    return item


#: the inverse perpetual and a dated inverse future, as KuCoin lists them (the documented
#: contract's shape with their documented facts: multiplier -1, settled in XBT, expireDate)
INVERSE = contract(symbol="XBTUSDM", rootSymbol="XBT", quoteCurrency="USD", settleCurrency="XBT",
                   multiplier=-1, isInverse=True, tickSize=Decimal("0.1"), lotSize=1)
DATED = contract(symbol="XBTMH25", rootSymbol="XBT", type="FFICSX", quoteCurrency="USD",
                 settleCurrency="XBT", multiplier=-1, isInverse=True,
                 expireDate=1743148800000, settleDate=1743148800000)


def markets() -> list[Market]:
    listed = data("futures_get_api_v1_contracts_active.json")
    return market.decode_markets(BARE, [*listed, INVERSE, DATED])


def loaded() -> Context:
    found = markets()
    return Context("kucoin_futures", TABLES, {m.symbol: m for m in found},
                   {m.venue_symbol: m for m in found})


CTX = loaded()


def utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


# ---------------------------------------------------------------- envelope


def test_unwrap_reads_the_envelope() -> None:
    assert envelope.unwrap(WireResponse(200, {}, b""), {"code": "200000", "data": [1]}) == [1]
    with pytest.raises(VenueRejected) as caught:
        envelope.unwrap(WireResponse(200, {}, b""), {"code": 300018, "msg": "repeated"})
    assert (caught.value.code, caught.value.message) == ("300018", "repeated")
    shapes: list[Any] = [[], "x", {}, {"code": None}, {"code": True}]
    for bad in shapes:
        with pytest.raises(DecodeError):
            envelope.unwrap(WireResponse(200, {}, b""), bad)
    with pytest.raises(VenueRejected):
        envelope.unwrap(WireResponse(502, {}, b""), "<html>")


# ---------------------------------------------------------------- contracts and symbols


def test_the_linear_perpetual() -> None:
    (btc,) = market.decode_markets(BARE, data("futures_get_api_v1_contracts_active.json"))
    assert attrs.evolve(btc, raw=None) == Market(
        symbol="BTC/USDT:USDT", venue_symbol="XBTUSDTM", base="BTC", quote="USDT",
        price_increment=Decimal("0.1"), amount_increment=Decimal(1), min_amount=Decimal(1),
        min_cost=None, active=True, kind=MarketKind.SWAP, settle="USDT",
        contract_size=Decimal("0.001"), linear=True, expiry=None)
    assert btc.raw["indexSymbol"] == ".KXBTUSDT"  # what the index price is asked by


def test_inverse_and_dated_contracts() -> None:
    by_id = {m.venue_symbol: m for m in markets()}
    inverse, dated = by_id["XBTUSDM"], by_id["XBTMH25"]
    assert (inverse.symbol, inverse.kind, inverse.settle, inverse.contract_size,
            inverse.linear, inverse.expiry) == (
        "BTC/USD:BTC", MarketKind.SWAP, "BTC", Decimal(1), False, None)
    assert (dated.symbol, dated.kind, dated.expiry, dated.linear) == (
        "BTC/USD:BTC-250328", MarketKind.FUTURE, datetime(2025, 3, 28, 8, tzinfo=UTC), False)


@pytest.mark.parametrize("changes", [{"type": "FFXXXX"}, {"type": "FFICSX", "expireDate": None},
                                     {"multiplier": 0}, {"tickSize": "abc"},
                                     {"lotSize": 0}, {"isInverse": "maybe"},
                                     {"multiplier": 0.001}])  # a float: never from our JSON
def test_contracts_that_say_nothing_usable_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(DecodeError):
        market.decode_market(BARE, contract(**changes))


def test_symbols_both_ways() -> None:
    assert [unified_symbol(BARE, s) for s in ("XBTUSDTM", "ETHUSDTM", "XBTUSDM", "SOLUSDCM")] == [
        "BTC/USDT:USDT", "ETH/USDT:USDT", "BTC/USD:BTC", "SOL/USDC:USDC"]
    assert unified_symbol(CTX, "XBTMH25") == "BTC/USD:BTC-250328"  # only the loaded one knows
    with pytest.raises(DecodeError):
        unified_symbol(BARE, "XBTMH25")
    assert [CTX.venue_symbol(s) for s in ("BTC/USDT:USDT", "BTC/USD:BTC",
                                          "BTC/USD:BTC-250328")] == [
        "XBTUSDTM", "XBTUSDM", "XBTMH25"]
    assert (unified_currency(BARE, "XBT"), unified_currency(BARE, "usdt")) == ("BTC", "USDT")
    assert (venue_currency(BARE, "BTC"), venue_currency(BARE, "ETH")) == ("XBT", "ETH")


# ---------------------------------------------------------------- market data


def test_ticker_with_nanosecond_time() -> None:
    t = market.decode_ticker(CTX, data("futures_get_api_v1_ticker.json"))
    assert (t.symbol, t.last, t.bid, t.bid_size, t.ask, t.ask_size) == (
        "BTC/USD:BTC", Decimal("67158.4"), Decimal("67169.6"), Decimal(32345),
        Decimal("67169.7"), Decimal(7251))
    assert t.timestamp == datetime(2024, 10, 17, 11, 3, 21, 780000, tzinfo=UTC)


def test_all_tickers_keep_the_loaded_contracts() -> None:
    tickers = market.decode_tickers(CTX, data("futures_get_api_v1_allTickers.json"))
    assert [(t.symbol, t.last) for t in tickers] == [
        ("BTC/USDT:USDT", Decimal(67153)), ("BTC/USD:BTC", Decimal("67145.2"))]
    only_linear = Context("kucoin_futures", TABLES, {}, {"XBTUSDTM": markets()[0]})
    assert len(market.decode_tickers(only_linear,
                                     data("futures_get_api_v1_allTickers.json"))) == 1


@pytest.mark.parametrize("name", ["futures_get_api_v1_level2_depthsize.json",
                                  "futures_get_api_v1_level2_snapshot.json"])
def test_books(name: str) -> None:
    book = market.decode_book(CTX, data(name))
    assert [(b.price, b.amount) for b in book.bids] == [(Decimal(66968), Decimal(2)),
                                                       (Decimal("66964.8"), Decimal(25596))]
    assert [(a.price, a.amount) for a in book.asks] == [(Decimal("66968.1"), Decimal(13501)),
                                                       (Decimal("66968.7"), Decimal(2032))]
    assert book.sequence == 1697895963339
    assert book.timestamp == datetime(2024, 10, 17, 12, 28, 21, 216000, tzinfo=UTC)


def test_public_trades() -> None:
    trades = market.decode_trades(CTX, data("futures_get_api_v1_trade_history.json"))
    assert (trades[0].id, trades[0].side, trades[0].price, trades[0].amount) == (
        "1697915257909", Side.SELL, Decimal(67878), Decimal(1))
    assert trades[0].timestamp == datetime(2024, 10, 18, 9, 0, 32, 152000, tzinfo=UTC)
    assert len(trades) == 3


def test_klines_are_ms_open_high_low_close_volume() -> None:
    first = market.decode_candles(CTX, data("futures_get_api_v1_kline_query.json"))[0]
    assert (first.timestamp, first.open, first.high, first.low, first.close, first.volume) == (
        datetime(2024, 10, 10, 16, tzinfo=UTC), Decimal("60791.1"), Decimal(61035),
        Decimal(58940), Decimal(60300), Decimal(5501167))
    with pytest.raises(DecodeError):
        market.decode_candles(CTX, [[1728576000000, 1, 2, 3, 4]])


def test_mark_and_index_prices() -> None:
    mark = market.decode_mark_price(CTX, data("futures_get_api_v1_mark_price_symbol_current.json"))
    assert (mark.mark_price, mark.index_price, mark.timestamp) == (
        Decimal("67687.08"), Decimal("67683.58"), utc(1729254307000))
    index = market.decode_index_price(CTX, data("futures_get_api_v1_index_query.json"))
    assert (index.index_price, index.timestamp) == (Decimal("69202.94"), utc(1730557515000))
    with pytest.raises(DecodeError):
        market.decode_index_price(CTX, {"dataList": [], "hasMore": False})


def test_current_funding_rate_start_and_next_settlement() -> None:
    rate = market.decode_funding_rate(CTX, data(
        "futures_get_api_v1_funding_rate_symbol_current.json"))
    assert (rate.rate, rate.predicted_rate) == (Decimal("0.000061"), Decimal("0.000109"))
    assert rate.timestamp == datetime(2025, 5, 28, 20, tzinfo=UTC)  # the period's start
    assert rate.next_funding_at == datetime(2025, 5, 29, 4, tzinfo=UTC)  # fundingTime
    older = {k: v for k, v in data("futures_get_api_v1_funding_rate_symbol_current.json").items()
             if k != "fundingTime"}  # without fundingTime: start + granularity (8 h)
    assert market.decode_funding_rate(CTX, older).next_funding_at == rate.next_funding_at


def test_funding_history_rows() -> None:
    rows = [market.decode_funding_row(CTX, r)
            for r in data("futures_get_api_v1_contract_funding_rates.json")]
    assert (rows[0].symbol, rows[0].rate, rows[0].timestamp, rows[0].predicted_rate) == (
        "BTC/USDT:USDT", Decimal("0.00021"), datetime(2023, 12, 11, 12, tzinfo=UTC), None)
    assert all(a.timestamp > b.timestamp for a, b in itertools.pairwise(rows))


def test_bullet_keeps_its_token_out_of_the_repr() -> None:
    decode = ENDPOINTS["ws_token_public"].decode
    assert decode is not None
    bullet = decode(CTX, data("futures_post_api_v1_bullet_public.json"))
    assert bullet.servers[0].endpoint == "wss://ws-api-futures.kucoin.com/"
    assert (bullet.servers[0].ping_interval_ms, bullet.servers[0].ping_timeout_ms) == (
        18000, 10000)
    assert bullet.token[:8] not in repr(bullet)


# ---------------------------------------------------------------- account and positions


def test_account_overview_of_one_currency() -> None:
    balances = account.decode_balance(CTX, data("get_api_v1_account_overview.json"))
    usdt = balances["USDT"]
    # held: what the venue says is locked (positionMargin + orderMargin + frozenFunds)
    assert (usdt.total, usdt.available, usdt.held) == (
        Decimal("402.593460806"), Decimal("290.326799096"), Decimal("112.26666171"))
    assert usdt.total == usdt.available + usdt.held
    # a profitable account (the docs' formulas: marginBalance = the margins + available -
    # unrealisedPNL): held is still the locked margin, never negative
    rich = account.decode_balance(CTX, {
        "currency": "USDT", "availableBalance": "100", "positionMargin": "10",
        "orderMargin": "0", "frozenFunds": "0", "unrealisedPNL": "30", "marginBalance": "80",
        "accountEquity": "110"})["USDT"]
    assert (rich.total, rich.available, rich.held) == (Decimal(110), Decimal(100), Decimal(10))
    btc = account.decode_balance(CTX, {**data("get_api_v1_account_overview.json"),
                                       "currency": "XBT"})
    assert list(btc) == ["BTC"]


def test_positions() -> None:
    inverse, linear = account.decode_positions(CTX, data("futures_get_api_v1_positions.json"))
    assert (linear.symbol, linear.side, linear.contracts, linear.contract_size,
            linear.entry_price, linear.mark_price, linear.liquidation_price, linear.leverage,
            linear.margin_mode, linear.margin, linear.unrealized_pnl, linear.realized_pnl,
            linear.timestamp) == (
        "BTC/USDT:USDT", PositionSide.LONG, Decimal(1), Decimal("0.001"), Decimal("67430.9"),
        Decimal("68323.06"), Decimal("45704.44"), Decimal("2.97"), MarginMode.ISOLATED,
        Decimal("22.1310912243"), Decimal("0.89216"), Decimal("-0.2402787"),
        utc(1730636040926))
    assert (inverse.symbol, inverse.margin_mode, inverse.leverage, inverse.unrealized_pnl) == (
        "ETH/USD:ETH", MarginMode.CROSS, Decimal(10), Decimal("-4.975E-7"))


def test_one_position_its_side_from_the_sign_and_flat_is_none() -> None:
    detail = data("futures_get_api_v1_position.json")
    long = account.decode_position(CTX, detail)
    assert long is not None and (long.side, long.contracts, long.leverage) == (
        PositionSide.LONG, Decimal(1), Decimal("2.88"))
    short = account.decode_position(CTX, {**detail, "currentQty": -7})
    assert short is not None and (short.side, short.contracts) == (PositionSide.SHORT,
                                                                  Decimal(7))
    assert account.decode_position(CTX, {**detail, "currentQty": 0}) is None
    assert account.decode_position(CTX, None) is None
    assert account.decode_positions(CTX, [{**detail, "currentQty": 0}]) == []
    with pytest.raises(DecodeError):
        account.decode_position(CTX, {**detail, "marginMode": "PORTFOLIO"})
    older = {k: v for k, v in detail.items() if k not in ("marginMode", "leverage")}
    found = account.decode_position(CTX, older)
    assert found is not None and (found.margin_mode, found.leverage) == (
        MarginMode.ISOLATED, Decimal("2.88"))  # crossMode false; realLeverage


def test_ledger_rows() -> None:
    rows = data("get_api_v1_transaction_history.json")["dataList"]
    first, second = (account.decode_ledger(CTX, r) for r in rows)
    assert (first.id, first.currency, first.amount, first.balance, first.kind, first.reference,
            first.timestamp) == (
        "51360793", "USDT", Decimal("0.01"), Decimal("14.02924938"), "TransferIn",
        "Transferred from High-Frequency Trading Account", utc(1728665747000))
    assert (second.kind, second.reference) == ("RealisedPNL", "XBTUSDTM")


def test_isolated_margin_answers() -> None:
    answer = account.decode_add_margin(CTX, data(
        "futures_post_api_v1_position_margin_deposit_margin.json"))
    assert isinstance(answer, Answered) and answer.id == "6200c9b83aecfb000152ddcd"
    assert account.decode_auto_deposit(CTX, data(
        "futures_post_api_v1_position_margin_auto_deposit_status.json")) is True
    with pytest.raises(DecodeError):
        account.decode_auto_deposit(CTX, None)


# ---------------------------------------------------------------- the spec's tables


#: endpoint_index.csv (rate_limit_pool, weight) of each operation's method and path
INDEX = {
    "fetch_time": ("GET", "/api/v1/timestamp", "public", 2),
    "load_markets": ("GET", "/api/v1/contracts/active", "public", 3),
    "fetch_ticker": ("GET", "/api/v1/ticker", "public", 2),
    "fetch_tickers": ("GET", "/api/v1/allTickers", "public", 5),
    "fetch_order_book": ("GET", "/api/v1/level2/depth{size}", "public", 5),
    "fetch_order_book_full": ("GET", "/api/v1/level2/snapshot", "public", 3),
    "fetch_trades": ("GET", "/api/v1/trade/history", "public", 5),
    "fetch_ohlcv": ("GET", "/api/v1/kline/query", "public", 3),
    "fetch_mark_price": ("GET", "/api/v1/mark-price/{symbol}/current", "public", 3),
    "fetch_index_price": ("GET", "/api/v1/index/query", "public", 2),
    "fetch_funding_rate": ("GET", "/api/v1/funding-rate/{symbol}/current", "public", 2),
    "iter_funding_rate_history": ("GET", "/api/v1/contract/funding-rates", "public", 5),
    "fetch_balance": ("GET", "/api/v1/account-overview", "futures", 5),
    "create_order": ("POST", "/api/v1/orders", "futures", 2),
    "create_stop_order": ("POST", "/api/v1/orders", "futures", 2),
    "cancel_order": ("DELETE", "/api/v1/orders/{id}", "futures", 1),
    "cancel_order_by_client_id": ("DELETE", "/api/v1/orders/client-order/{id}", "futures", 1),
    "cancel_all_orders": ("DELETE", "/api/v3/orders", "futures", 10),
    "cancel_all_stop_orders": ("DELETE", "/api/v1/stopOrders", "futures", 15),
    "fetch_order": ("GET", "/api/v1/orders/{id}", "futures", 5),
    "fetch_order_by_client_id": ("GET", "/api/v1/orders/byClientOid", "futures", 5),
    "fetch_open_orders": ("GET", "/api/v1/orders", "futures", 2),
    "iter_closed_orders": ("GET", "/api/v1/orders", "futures", 2),
    "iter_open_stop_orders": ("GET", "/api/v1/stopOrders", "futures", 6),
    "iter_my_trades": ("GET", "/api/v1/fills", "futures", 5),
    "fetch_positions": ("GET", "/api/v1/positions", "futures", 2),
    "fetch_position": ("GET", "/api/v1/position", "futures", 2),
    "iter_ledger": ("GET", "/api/v1/transaction-history", "futures", 2),
    "add_margin": ("POST", "/api/v1/position/margin/deposit-margin", "futures", 4),
    "set_auto_deposit_margin": ("POST", "/api/v1/position/margin/auto-deposit-status",
                                "futures", 4),
    "ws_token_public": ("POST", "/api/v1/bullet-public", "public", 10),
    "ws_token_private": ("POST", "/api/v1/bullet-private", "futures", 10),
}


def test_every_operation_has_its_documented_pool_and_weight() -> None:
    assert set(SPEC.endpoints) == set(INDEX)
    for name, ep in SPEC.endpoints.items():
        assert (ep.method, ep.path, ep.pool, ep.weight) == INDEX[name], name
        assert ep.auth == (ep.pool == "futures"), name  # the Futures pool is the signed one
    writes = {n for n, ep in SPEC.endpoints.items() if ep.write}
    assert writes == {"create_order", "create_stop_order", "cancel_order",
                      "cancel_order_by_client_id", "cancel_all_orders", "cancel_all_stop_orders",
                      "add_margin", "set_auto_deposit_margin"}
    assert SPEC.rate_limits.pools["public"].scope == "ip"


def test_capabilities_the_core_reads() -> None:
    caps = SPEC.capabilities
    assert caps["derivatives"] and caps["balance_per_settle_currency"]
    assert caps["leverage_required"] and caps["order_book_depths"] == [20, 100]
    assert caps["currency_aliases"] == {"XBT": "BTC"}
    assert caps["websocket"] and caps["stream_book_sync"] == "sequence"  # its own dialect
    assert list(SPEC.timeframes.values()) == ["1", "5", "15", "30", "60", "120", "240", "480",
                                              "720", "1440", "10080"]


@pytest.mark.parametrize(("code", "message", "error"), [
    ("300018", "clientOid parameter repeated", DuplicateClientOrderId),
    ("400100", "validation.createOrder.clientOidDuplicated", DuplicateClientOrderId),
    ("400100", "order_not_exist_or_not_allow_to_cancel", OrderNotFound),
    ("100004", "Order is in not cancelable state", OrderNotFound),
    ("300003", "Balance not enough", InsufficientFunds),
    ("300016", "The leverage cannot be greater than 125", InvalidOrder),
    ("429000", "Too Many Requests", RateLimited),
    ("200002", "Too many requests in a short period of time", RateLimited),
    ("400005", "Invalid KC-API-SIGN", AuthenticationError),
    ("300015", "settlement in progress", VenueUnavailable),
])
def test_error_table(code: str, message: str, error: type[Exception]) -> None:
    found = TABLES.errors.classify(http_status=200, code=code, message=message)
    assert type(found) is error


def test_replay_examples_carry_the_official_answers() -> None:
    """examples/<op>.json (the replay suite's form) hold the official copies' answers."""
    checked = 0
    for path in EXAMPLES.glob("*.json"):
        example = loads(path.read_bytes())
        source = example["_source"].split(" ")[0]
        if example.get("loose") or not source.startswith("examples/official/"):
            continue
        official = loads((EXAMPLES.parent / source).read_bytes())
        assert example["response"] == official["response"], path.name
        checked += 1
    assert checked == len(SPEC.endpoints)
