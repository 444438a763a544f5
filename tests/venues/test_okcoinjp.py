"""OKCoinJapan v3: signing vectors, the status table, error forms, order encoding, fill legs,
cursor paging and the simulator's venue quirks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

import unified
from adapters.okcoinjp import codec
from adapters.okcoinjp.endpoints import ADAPTER
from adapters.okcoinjp.sim import cursor_page
from unified import (
    ConfigurationError,
    InvalidOrder,
    NotSupported,
    OrderNotFound,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from unified import paging as paging_mod
from unified.clock import ManualClock
from unified.convert import from_iso, loads
from unified.errors import DecodeError
from unified.models import Fill, Market, Page
from unified.precision import check_order
from unified.sim.server import SimRequest, SimVenue
from unified.sim.verify import verify
from unified.spec import load_spec
from unified.tables import Tables
from unified.venue import Context, Credentials, VenueRejected
from unified.wire import WireRequest, WireResponse

from ..conftest import DATA, run

SPEC = load_spec("okcoinjp")
TABLES = Tables(SPEC)
BTC_JPY = Market(symbol="BTC/JPY", venue_symbol="BTC-JPY", base="BTC", quote="JPY",
                 price_increment=Decimal("0.1"), amount_increment=Decimal("0.00000001"),
                 min_amount=Decimal("0.0001"), min_cost=None, active=True)
CTX = Context("okcoinjp", TABLES, {"BTC/JPY": BTC_JPY}, {"BTC-JPY": BTC_JPY})
GOLDEN = json.loads((DATA / "signing-vectors.json").read_text())["okcoinjp_v3"]


# ---------------------------------------------------------------- signing


def test_spec_vectors_are_the_golden_ones() -> None:
    golden = {(v["path_and_query"], v["OK-ACCESS-SIGN"]) for v in GOLDEN["vectors"]}
    assert {(v["path_and_query"], v["sign"]) for v in SPEC.signing.vectors} == golden
    assert SPEC.signing.passphrase == "plain" and SPEC.signing.timestamp == "iso_ms"


@pytest.mark.parametrize("vector", GOLDEN["vectors"], ids=lambda v: v["path_and_query"])
def test_signer_reproduces_the_sdk_vectors(vector: dict[str, str]) -> None:
    creds = Credentials(**GOLDEN["credentials"])
    path, _, query = vector["path_and_query"].partition("?")
    request = WireRequest(vector["method"], "https://www.okcoin.jp", path, query,
                          vector["body"].encode())
    signed = ADAPTER.sign(request, creds, from_iso(vector["timestamp"]))
    assert signed.headers["OK-ACCESS-SIGN"] == vector["OK-ACCESS-SIGN"]
    assert signed.headers["OK-ACCESS-TIMESTAMP"] == vector["timestamp"]
    assert signed.headers["OK-ACCESS-PASSPHRASE"] == "passphrase123"  # sent as is
    assert signed.headers["OK-ACCESS-KEY"] == creds.api_key
    # The simulator's spec-driven verifier accepts exactly what the adapter signed.
    assert verify(SPEC.signing, method=signed.method, path_and_query=signed.path_and_query,
                  body=signed.body, headers=signed.headers, keys={creds.api_key: creds},
                  now=from_iso(vector["timestamp"])) == creds.api_key


def test_signature_covers_the_body_as_sent() -> None:
    creds = Credentials(**GOLDEN["credentials"])
    body = b'{"instrument_id":"BTC-JPY"}'
    now = datetime(2019, 3, 18, 7, 26, 50, 123999, tzinfo=UTC)
    signed = ADAPTER.sign(WireRequest("POST", "https://x", "/api/spot/v3/cancel_orders/1", "",
                                      body), creds, now)
    assert signed.headers["OK-ACCESS-TIMESTAMP"] == "2019-03-18T07:26:50.123Z"
    other = ADAPTER.sign(WireRequest("POST", "https://x", "/api/spot/v3/cancel_orders/1", "",
                                     body + b" "), creds, now)
    assert other.headers["OK-ACCESS-SIGN"] != signed.headers["OK-ACCESS-SIGN"]


# ---------------------------------------------------------------- orders and status


def order(**fields: Any) -> dict[str, Any]:
    base = {"order_id": "2500723297813504", "instrument_id": "BTC-JPY", "side": "buy",
            "type": "limit", "price": "4013", "size": "0.001", "filled_size": "0",
            "filled_notional": "0", "order_type": "0", "client_oid": "oktspot76",
            "timestamp": "2019-03-18T07:26:49.000Z"}
    return {**base, **fields}


@pytest.mark.parametrize(("fields", "status"), [
    ({"state": "-2"}, OrderStatus.REJECTED),
    ({"state": "-1"}, OrderStatus.CANCELED),
    ({"state": "0"}, OrderStatus.OPEN),
    ({"state": "1"}, OrderStatus.PARTIALLY_FILLED),
    ({"state": "2"}, OrderStatus.FILLED),
    ({"state": "3"}, OrderStatus.PENDING),
    ({"state": "4"}, OrderStatus.CANCELING),
    ({"state": 2}, OrderStatus.FILLED),  # a number instead of a string
    ({"status": "open"}, OrderStatus.OPEN),
    ({"status": "part_filled"}, OrderStatus.PARTIALLY_FILLED),
    ({"status": "cancelled"}, OrderStatus.CANCELED),
    ({"status": "filled"}, OrderStatus.FILLED),
    ({"status": "failure"}, OrderStatus.REJECTED),
    ({"status": "ordering"}, OrderStatus.PENDING),
    ({"status": "canceling"}, OrderStatus.CANCELING),
    ({"state": "-1", "status": "open"}, OrderStatus.CANCELED),  # state wins
    ({"state": "", "status": "filled"}, OrderStatus.FILLED),
])
def test_state_then_status(fields: dict[str, Any], status: OrderStatus) -> None:
    assert codec.decode_order(CTX, order(**fields)).status is status


@pytest.mark.parametrize("fields", [{"state": "6"}, {"state": "7"}, {"state": "9"},
                                    {"status": "canceled"}, {}])
def test_unknown_or_filter_states_are_decode_errors(fields: dict[str, Any]) -> None:
    with pytest.raises(DecodeError):
        codec.decode_order(CTX, order(**fields))


def test_partial_fill_then_cancel_keeps_filled() -> None:
    o = codec.decode_order(CTX, order(state="-1", size="0.002", filled_size="0.001",
                                      filled_notional="4.013", price_avg="4013"))
    assert o.status is OrderStatus.CANCELED
    assert (o.filled, o.remaining, o.cost, o.average) == (
        Decimal("0.001"), Decimal("0.001"), Decimal("4.013"), Decimal("4013"))


def test_order_type_reads_time_in_force_and_post_only() -> None:
    kinds = {k: codec.decode_order(CTX, order(state="0", order_type=k)) for k in "0123"}
    assert [(o.time_in_force, o.post_only) for o in kinds.values()] == [
        (TimeInForce.GTC, False), (TimeInForce.GTC, True), (TimeInForce.FOK, False),
        (TimeInForce.IOC, False)]
    market = codec.decode_order(CTX, order(state="2", type="market", price="", size="",
                                           notional="5000", filled_size="0.001",
                                           filled_notional="4999"))
    assert (market.price, market.amount, market.time_in_force) == (None, None, None)
    assert market.average == Decimal("4999") / Decimal("0.001")


@pytest.mark.parametrize("fields", [{"type": None}, {"type": ""}, {}])
def test_an_order_without_type_is_a_limit_order(fields: dict[str, Any]) -> None:
    # "type: limit,market (defaulted as limit)" (Get order list, Get order details)
    data = {k: v for k, v in order(state="0").items() if k != "type"} | fields
    o = codec.decode_order(CTX, data)
    assert (o.type, o.price, o.time_in_force) == (OrderType.LIMIT, Decimal("4013"),
                                                  TimeInForce.GTC)


def create_args(**over: Any) -> dict[str, Any]:
    args = {"symbol": "BTC-JPY", "market": BTC_JPY, "type": OrderType.LIMIT, "side": Side.BUY,
            "amount": Decimal("0.01"), "price": Decimal("4900000"), "cost": None,
            "client_order_id": "abc1", "time_in_force": None, "post_only": False}
    return {**args, **over}


@pytest.mark.parametrize(("over", "expected"), [
    ({}, {"order_type": "0", "price": "4900000", "size": "0.01"}),
    ({"post_only": True}, {"order_type": "1"}),
    ({"time_in_force": TimeInForce.FOK}, {"order_type": "2"}),
    ({"time_in_force": TimeInForce.IOC}, {"order_type": "3"}),
    ({"type": OrderType.MARKET, "price": None, "amount": None, "cost": Decimal("5000")},
     {"order_type": "0", "type": "market", "notional": "5000"}),
    ({"type": OrderType.MARKET, "side": Side.SELL, "price": None},
     {"order_type": "0", "type": "market", "side": "sell", "size": "0.01"}),
])
def test_create_body(over: dict[str, Any], expected: dict[str, str]) -> None:
    body = codec.encode_create(CTX, create_args(**over)).body
    assert body["client_oid"] == "abc1" and body["instrument_id"] == "BTC-JPY"
    assert {k: body[k] for k in expected} == expected
    if body["type"] == "market":
        assert "price" not in body
        assert ("notional" in body) != ("size" in body)


@pytest.mark.parametrize("over", [
    {"time_in_force": TimeInForce.GTT},
    {"post_only": True, "time_in_force": TimeInForce.IOC},
    {"type": OrderType.MARKET, "side": Side.SELL, "price": None,
     "time_in_force": TimeInForce.FOK},
    {"client_order_id": "12345"},  # all digits would read as an order id
])
def test_bad_orders_are_refused_before_sending(over: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        codec.encode_create(CTX, create_args(**over))


@pytest.mark.parametrize(("over", "step"), [
    ({"price": Decimal("4900000.05")}, "price step"),  # off the 0.1 tick (the venue's 33028)
    ({"amount": Decimal("0.000000001")}, "amount step"),  # off the size increment (33029)
    ({"amount": Decimal("0.00005")}, "minimum amount"),  # below the minimum size (33024)
])
def test_steps_and_minimums_are_the_cores_check(over: dict[str, Any], step: str) -> None:
    """One mechanism on every venue (unified.precision, called by order_args): InvalidOrder
    naming the step, before sending; the encoder no longer repeats it."""
    args = create_args(**over)
    with pytest.raises(InvalidOrder, match=step) as caught:
        check_order(BTC_JPY, "okcoinjp", price=args["price"], amount=args["amount"], cost=None)
    assert caught.value.venue == "okcoinjp" and caught.value.code is None
    assert codec.encode_create(CTX, args).body["instrument_id"] == "BTC-JPY"
    with pytest.raises(ConfigurationError, match="out of range"):  # more digits than any order
        check_order(BTC_JPY, "okcoinjp", price=None, amount=Decimal("1e30"), cost=None)


def test_ledger_needs_a_currency_and_history_takes_no_window() -> None:
    with pytest.raises(ConfigurationError, match="per currency"):
        codec.encode_ledger(CTX, {"currency": None})
    parts = codec.encode_ledger(CTX, {"currency": "JPY"})
    assert parts.path_params == {"currency": "jpy"}
    since = datetime(2024, 1, 1, tzinfo=UTC)
    for encode in (codec.encode_closed, codec.encode_fills):
        with pytest.raises(NotSupported):
            encode(CTX, {"symbol": "BTC-JPY", "since": since})
    with pytest.raises(NotSupported):
        codec.encode_ledger(CTX, {"currency": "JPY", "until": since})


# ---------------------------------------------------------------- answers and errors


def rejected(status: int, body: Any) -> VenueRejected:
    raw = json.dumps(body).encode()
    with pytest.raises(VenueRejected) as caught:
        ADAPTER.unwrap(WireResponse(status, {}, raw), loads(raw))
    return caught.value


def test_error_forms() -> None:
    assert rejected(400, {"code": 30008, "message": "Request timestamp expired"}).code == "30008"
    assert rejected(400, {"error_code": "33014", "error_message": "x", "result": False}
                    ).code == "33014"
    assert rejected(200, {"error_message": "Order does not exist", "result": "true",
                          "error_code": "35029", "order_id": "-1"}).code == "35029"
    assert rejected(200, {"result": False, "error_code": "", "order_id": "-1"}).code is None
    assert rejected(500, {"message": "boom"}).code is None
    ok = {"client_oid": "a1", "error_code": "0", "error_message": "", "order_id": "1",
          "result": True}
    raw = json.dumps(ok).encode()
    assert ADAPTER.unwrap(WireResponse(200, {}, raw), loads(raw)) == ok
    for empty in ("", 0):
        body = json.dumps({**ok, "error_code": empty}).encode()
        assert ADAPTER.unwrap(WireResponse(200, {}, body), loads(body))["order_id"] == "1"


@pytest.mark.parametrize(("code", "http_status", "name"), [
    ("30008", 400, "ClockSkew"), ("30014", 429, "RateLimited"), ("30026", 429, "RateLimited"),
    ("33014", 400, "OrderNotFound"), ("33017", 400, "InsufficientFunds"),
    ("30044", 400, "VenueUnavailable"), ("30013", 401, "AuthenticationError"),
    ("30015", 400, "AuthenticationError"), ("30011", 400, "PermissionDenied"),
    ("33026", 400, "OrderNotFound"), ("33027", 400, "OrderNotFound"),
    ("33024", 400, "InvalidOrder"), ("33028", 400, "InvalidOrder"),
    ("30009", 500, "VenueUnavailable"), ("30038", 400, "VenueUnavailable"),
    (None, 429, "RateLimited"), (None, 503, "VenueUnavailable"),
])
def test_error_classes(code: str | None, http_status: int, name: str) -> None:
    error = TABLES.errors.classify(http_status=http_status, code=code, message="m")
    assert type(error).__name__ == name


def test_the_whole_okex_v3_table_is_in_the_spec() -> None:
    table = json.loads((DATA / "error-codes" / "okex-v3.json").read_text())["codes"]
    codes = [row.code for row in SPEC.errors if row.code is not None]
    assert len(codes) == len(set(codes))
    assert {str(c["code"]) for c in table} <= set(codes)


def test_numbers_as_strings_or_json_numbers_decode_exactly() -> None:
    raw = b'[{"currency":"ETH","balance":37.11827078,"available":"37.11827078","hold":0}]'
    balances = codec.decode_balances(CTX, loads(raw))
    assert balances["ETH"].total == Decimal("37.11827078") == balances["ETH"].available
    assert balances["ETH"].held == 0
    ledger = codec.decode_ledger(CTX, loads(
        b'{"amount":0.00051843,"balance":0.00100941,"currency":"btc","fee":0,'
        b'"ledger_id":8987285,"timestamp":"2018-10-12T11:01:14.000Z","type":"trade"}'))
    assert (ledger.id, ledger.amount, ledger.currency) == ("8987285", Decimal("0.00051843"), "BTC")
    with pytest.raises(DecodeError):
        codec.decode_balances(CTX, [{"currency": "ETH", "balance": 1.5, "available": "1",
                                     "hold": "0"}])  # a float never reaches Decimal


JUNK: list[Any] = [None, [], {}, "x", 1, [1, 2], {"order_id": []}, [{"instrument_id": 5}],
                   {"asks": [[1.5, "1"]], "bids": []}, [["2019-01-01T00:00:00Z", None]],
                   [{"instrument_id": "BTC-JPY", "timestamp": {}}],
                   {"order_id": "1", "result": "perhaps"}]


@pytest.mark.parametrize("op", [op for op in ADAPTER.endpoints])
def test_junk_answers_are_decode_errors(op: str) -> None:
    # The one junk row that is not junk everywhere: an empty list is how the venue says "none"
    # for a whole-list answer (no instruments, tickers, trades or candles, no non-zero balance,
    # no fills), so it decodes, to nothing. Lists of orders or ledger rows are split into items
    # by the core before decode, so [] never reaches those decoders.
    empty_is_an_answer = {"load_markets", "fetch_tickers", "fetch_trades", "fetch_ohlcv",
                          "fetch_balance", "iter_my_trades",
                          # an empty funding wallet; no deposit address (yet) for the token
                          "fetch_balance_main", "fetch_deposit_address"}
    endpoint = ADAPTER.endpoints[op]
    for junk in JUNK:
        def decode(junk: Any = junk) -> list[Any]:
            rows = endpoint.regroup(CTX, junk) if endpoint.regroup and isinstance(junk, list) \
                else [junk]
            return [endpoint.decode(CTX, row) for row in rows]

        if junk == [] and op in empty_is_an_answer:
            decoded = decode()
            assert all(len(item) == 0 for item in decoded), (op, decoded)
            continue
        with pytest.raises(DecodeError):
            decoded = decode()
            pytest.fail(f"{op} decoded junk {junk!r} into {decoded!r}")


# ---------------------------------------------------------------- fills: two legs per trade


def legs(trade: int, order_id: str, side: str, size: str, price: str,
         fee_leg: str = "received") -> list[dict[str, Any]]:
    """The two /fills rows of one trade, received currency first (higher ledger id)."""
    cost = str(Decimal(size) * Decimal(price))
    base = {"currency": "BTC", "side": side, "size": size}
    quote = {"currency": "JPY", "side": "sell" if side == "buy" else "buy", "size": cost}
    received, given = (base, quote) if side == "buy" else (quote, base)
    rows = []
    for offset, leg in ((1, received), (0, given)):
        charged = (leg is received) == (fee_leg == "received")
        rows.append({"created_at": "2019-11-25T07:45:05.000Z", "trade_id": str(trade),
                     "exec_type": "T", "instrument_id": "BTC-JPY",
                     "ledger_id": str(1000 + 2 * trade + offset), "order_id": order_id,
                     "price": price, "product_id": "BTC-JPY",
                     "timestamp": "2019-11-25T07:45:05.000Z",
                     "fee": "-0.5" if charged else "0", **leg})
    return rows


def test_two_legs_make_one_fill() -> None:
    rows = legs(7, "11", "sell", "0.01", "5000000") + legs(6, "12", "buy", "0.02", "4990000")
    fills = [codec.decode_fill(CTX, item) for item in codec.regroup_fills(CTX, rows)]
    assert [(f.id, f.side, f.amount, f.cost) for f in fills] == [
        ("7", Side.SELL, Decimal("0.01"), Decimal("50000.00")),
        ("6", Side.BUY, Decimal("0.02"), Decimal("99800.00"))]
    assert fills[0].fee is not None and fills[1].fee is not None
    assert (fills[0].fee.cost, fills[0].fee.currency) == (Decimal("0.5"), "JPY")
    assert (fills[1].fee.cost, fills[1].fee.currency) == (Decimal("0.5"), "BTC")


def test_legs_with_their_own_trade_ids_still_pair() -> None:
    rows = legs(7, "11", "sell", "0.01", "5000000")
    rows[0]["trade_id"] = "8"  # the docs' example numbers each leg
    items = codec.regroup_fills(CTX, rows)
    assert len(items) == 1 and len(items[0]) == 2


@pytest.mark.parametrize("empty", ["", None])
def test_a_leg_without_a_fee_is_not_charged(empty: Any) -> None:
    """A leg whose fee is "" or null reports none: the page still reads, the other leg's fee
    is the fee, and with neither leg reporting one the Fill's fee is unknown (None)."""
    rows = legs(7, "11", "sell", "0.01", "5000000")  # the fee on the JPY (received) leg
    given = [dict(r, fee=empty) if r["currency"] == "BTC" else r for r in rows]
    (fill,) = [codec.decode_fill(CTX, i) for i in codec.regroup_fills(CTX, given)]
    assert fill.fee is not None and (fill.fee.cost, fill.fee.currency) == (Decimal("0.5"),
                                                                          "JPY")
    for unreported in ([dict(r, fee=empty) for r in rows],  # neither leg
                       [dict(r, fee=empty) if r["currency"] == "JPY" else r for r in rows]):
        (fill,) = [codec.decode_fill(CTX, i) for i in codec.regroup_fills(CTX, unreported)]
        assert fill.fee is None and fill.cost == Decimal("50000.00")
    (alone,) = [codec.decode_fill(CTX, i)
                for i in codec.regroup_fills(CTX, [dict(rows[1], fee=empty)])]
    assert alone.fee is None and alone.id == "7"


def walk_fills(rows: list[dict[str, Any]], page: int, cursor: str | None = None
               ) -> list[Page[Fill]]:
    """Walk /fills rows (ledger ids descending) the way the venue pages them."""
    strategy = paging_mod.strategy_for(SPEC.endpoints["iter_my_trades"].paging, page)

    async def fetch(params: dict[str, str]) -> tuple[Any, dict[str, str]]:
        after = int(params.get("after", "0") or 0)
        chosen = [r for r in rows if not after or int(r["ledger_id"]) < after][:page]
        headers = ({"ok-before": chosen[0]["ledger_id"], "ok-after": chosen[-1]["ledger_id"]}
                   if chosen else {})
        return chosen, headers

    def regroup(items: Sequence[Any]) -> Sequence[Any]:
        return codec.regroup_fills(CTX, items)

    async def collect() -> list[Page[Fill]]:
        return [p async for p in paging_mod.walk(
            fetch, strategy, lambda item: codec.decode_fill(CTX, item), cursor, regroup)]

    return run(collect())


@pytest.mark.parametrize("page", [1, 2, 3, 5, 7, 100])
def test_a_pair_split_across_pages_yields_one_fill(page: int) -> None:
    rows = []
    for trade in range(20, 10, -1):
        side = "buy" if trade % 2 else "sell"
        rows += legs(trade, str(500 + trade), side, "0.01", "5000000",
                     "received" if trade % 3 else "given")
    pages = walk_fills(rows, page)
    fills = [f for p in pages for f in p.items]
    assert [f.id for f in fills] == [str(t) for t in range(20, 10, -1)]  # no gap, no duplicate
    for f in fills:
        assert f.cost == Decimal("50000.00") and f.amount == Decimal("0.01")
        assert f.side is (Side.BUY if int(f.id) % 2 else Side.SELL)
        assert f.fee is None or f.fee.cost == Decimal("0.5")
    if page == 100:
        assert all(f.fee is not None for f in fills)
    # Resuming from any saved cursor gives exactly the remaining fills.
    for i, p in enumerate(pages[:-1]):
        rest = [f.id for q in walk_fills(rows, page, p.cursor) for f in q.items]
        assert rest == [f.id for q in pages[i + 1:] for f in q.items]


# ---------------------------------------------------------------- the simulator's cursor


def sim_request(**query: str) -> SimRequest:
    return SimRequest(op="x", method="GET", path="/", match={}, query=query, body=b"",
                      headers={}, account="user")


def test_sim_cursor_semantics() -> None:
    rows = list(range(300, 0, -1))  # ids descending
    page, headers = cursor_page(sim_request(), rows, int)
    assert page == rows[:100] and headers == {"OK-BEFORE": "300", "OK-AFTER": "201"}
    page, headers = cursor_page(sim_request(after="201", limit="3"), rows, int)
    assert page == [200, 199, 198] and headers == {"OK-BEFORE": "200", "OK-AFTER": "198"}
    page, _ = cursor_page(sim_request(before="198", limit="2"), rows, int)
    assert page == [200, 199]  # the records just newer than the cursor, newest first
    page, headers = cursor_page(sim_request(after="1"), rows, int)
    assert page == [] and headers == {}
    assert len(cursor_page(sim_request(limit="1000"), rows, int)[0]) == 100


# ---------------------------------------------------------------- end to end, local venue


async def _connected(**options: Any) -> tuple[SimVenue, unified.Exchange]:
    sim = SimVenue("okcoinjp", **options)
    await sim.start()
    ex = unified.connect("okcoinjp", credentials=sim.credentials, base_url=sim.base_url,
                         **({"clock": options["clock"]} if "clock" in options else {}))
    await ex.load_markets()
    return sim, ex


def test_walk_is_stable_while_orders_arrive_and_resumes() -> None:
    async def scenario() -> None:
        sim, ex = await _connected()
        try:
            async def closed_order(i: int) -> str:
                o = await ex.create_order("BTC/JPY", OrderType.LIMIT, Side.BUY,
                                          Decimal("0.001"), Decimal(4_000_000 + i))
                await ex.cancel_order(o.id, "BTC/JPY")
                return o.id

            first = [await closed_order(i) for i in range(11)]
            seen, cursors = [], []
            async for page in ex.iter_closed_orders("BTC/JPY", page_size=4).pages():
                seen += [o.id for o in page.items]
                cursors.append(page.cursor)
                await closed_order(100 + len(cursors))  # newer records land mid-walk
            assert seen == sorted(first, key=int, reverse=True)
            rest = [o.id async for o in ex.iter_closed_orders("BTC/JPY", cursor=cursors[0],
                                                              page_size=4)]
            assert rest == seen[4:]
            payload, headers = await ex._pipe.call(
                "iter_closed_orders", {"symbol": "BTC-JPY"}, {"before": seen[1], "limit": "1"})
            assert [row["order_id"] for row in payload] == [seen[0]]
            assert headers["ok-before"] == headers["ok-after"] == seen[0]
        finally:
            await ex.close()
            await sim.stop()

    run(scenario())


def test_duplicate_client_ids_are_accepted_and_the_latest_wins() -> None:
    async def scenario() -> None:
        sim, ex = await _connected()
        try:
            a = await ex.create_order("BTC/JPY", OrderType.LIMIT, Side.BUY, Decimal("0.001"),
                                      Decimal("4000000"), client_order_id="botA1")
            b = await ex.create_order("BTC/JPY", OrderType.LIMIT, Side.BUY, Decimal("0.001"),
                                      Decimal("4000001"), client_order_id="botA1")
            assert (await ex.fetch_order_by_client_id("botA1", "BTC/JPY")).id == b.id != a.id
            assert a.id.isdigit() and int(b.id) > int(a.id)
        finally:
            await ex.close()
            await sim.stop()

    run(scenario())


def test_30044_on_create_is_reconciled_by_client_id() -> None:
    async def scenario() -> None:
        sim, ex = await _connected()
        try:
            sim.faults.add("status", op="create_order", status=400,
                           body=b'{"code":30044,"message":"Endpoint request timeout"}')
            o = await ex.create_order("BTC/JPY", OrderType.LIMIT, Side.BUY, Decimal("0.001"),
                                      Decimal("4000000"), client_order_id="lost30044")
            mine = [x for x in sim.engine.orders.values() if x.account == "user"]
            assert [x.id for x in mine] == [o.id] and o.client_order_id == "lost30044"
        finally:
            await ex.close()
            await sim.stop()

    run(scenario())


def test_ledger_and_window_are_refused_before_sending() -> None:
    async def scenario() -> None:
        sim, ex = await _connected()
        try:
            sent = dict(sim.requests)
            with pytest.raises(ConfigurationError):
                [e async for e in ex.iter_ledger()]
            assert sim.requests == sent
            # No time filter at the venue: the core filters a newest-first walk itself.
            later = datetime.now(UTC) + timedelta(hours=1)
            assert await ex.fetch_my_trades("BTC/JPY", since=later) == []
            entries = [e async for e in ex.iter_ledger("jpy", page_size=1)]
            assert entries and {e.currency for e in entries} == {"JPY"}
        finally:
            await ex.close()
            await sim.stop()

    run(scenario())


def test_unfilled_canceled_orders_are_forgotten_after_two_hours() -> None:
    async def scenario() -> None:
        clock = ManualClock(datetime.now(UTC))
        sim, ex = await _connected(clock=clock)
        try:
            o = await ex.create_order("BTC/JPY", OrderType.LIMIT, Side.BUY, Decimal("0.001"),
                                      Decimal("4000000"))
            await ex.cancel_order(o.id, "BTC/JPY")
            clock.advance(timedelta(hours=2, seconds=1).total_seconds())
            with pytest.raises(OrderNotFound):
                await ex.fetch_order(o.id, "BTC/JPY")
        finally:
            await ex.close()
            await sim.stop()

    run(scenario())
