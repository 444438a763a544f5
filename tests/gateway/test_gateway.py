"""`unified gateway --speak okex_v1`: a v1 client written from the v1 docs (v1client.py) drives
the gateway over real HTTP on 127.0.0.1, in front of the local KuCoin and OKCoinJapan."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest

import unified
from unified.client import Exchange
from unified.gateway import Gateway, json_text, load_dialect
from unified.sim.server import SimVenue
from unified.venue import Credentials

from ..conftest import run
from .v1client import V1Client

KEY, SECRET = "gw-local-key", "gw-local-secret-key"
#: each local venue's first market, in v1's words
TARGETS = {"kucoin": "btc_usdt", "okcoinjp": "btc_jpy"}
Body = Callable[[V1Client, Exchange, str], Awaitable[None]]


@contextlib.asynccontextmanager
async def gateway(venue: str) -> AsyncIterator[tuple[V1Client, Exchange]]:
    async with SimVenue(venue) as sim, \
            unified.connect(venue, credentials=sim.credentials, base_url=sim.base_url) as ex, \
            Gateway(load_dialect("okex_v1", Credentials(KEY, SECRET)), ex) as gw, \
            V1Client(gw.base_url, KEY, SECRET) as client:
        yield client, ex


def drive(venue: str, body: Body) -> None:
    async def main() -> None:
        async with gateway(venue) as (client, ex):
            await body(client, ex, TARGETS[venue])
    run(main())


venues = pytest.mark.parametrize("venue", sorted(TARGETS))


def unified_symbol(v1: str) -> str:
    return v1.replace("_", "/").upper()


# ---------------------------------------------------------------- market data


@venues
def test_ticker_and_depth_in_v1_shapes(venue: str) -> None:
    async def body(c: V1Client, ex: Exchange, sym: str) -> None:
        answer = await c.get("ticker.do", symbol=sym)
        t = await ex.fetch_ticker(unified_symbol(sym))
        assert set(answer) == {"date", "ticker"} and answer["date"].isdigit()
        fields = answer["ticker"]
        assert set(fields) == {"buy", "high", "last", "low", "sell", "vol"}
        assert all(isinstance(v, str) for v in fields.values())  # strings, as documented
        assert Decimal(fields["buy"]) == t.bid and Decimal(fields["sell"]) == t.ask
        book = await c.get("depth.do", symbol=sym, size="5")
        asks, bids = book["asks"], book["bids"]
        assert len(asks) == len(bids) == 5
        # numbers, asks from the highest down to the best, bids from the best down
        assert all(isinstance(x, Decimal | int) for row in asks + bids for x in row)
        assert [a[0] for a in asks] == sorted((a[0] for a in asks), reverse=True)
        assert [b[0] for b in bids] == sorted((b[0] for b in bids), reverse=True)
        assert Decimal(asks[-1][0]) == t.ask and Decimal(bids[0][0]) == t.bid
        assert await c.get("ticker.do", symbol="doge_eur") == {"result": False,
                                                                 "error_code": 1007}
    drive(venue, body)


@venues
def test_trades_and_kline(venue: str) -> None:
    async def body(c: V1Client, ex: Exchange, sym: str) -> None:
        rows = await c.get("trades.do", symbol=sym)
        assert 0 < len(rows) <= 60
        assert set(rows[0]) == {"date", "date_ms", "price", "amount", "tid", "type"}
        assert [r["date_ms"] for r in rows] == sorted((r["date_ms"] for r in rows), key=int)
        assert {r["type"] for r in rows} <= {"buy", "sell"}
        later = await c.get("trades.do", symbol=sym, since=rows[-3]["tid"])
        assert [r["tid"] for r in later] == [r["tid"] for r in rows[-2:]]
        candles = await c.get("kline.do", symbol=sym, type="1min", size="3")
        assert len(candles) == 3 and all(len(k) == 6 for k in candles)
        assert candles[0][0] < candles[1][0] < candles[2][0]  # ms, oldest first
        assert await c.get("kline.do", symbol=sym, type="7min") == {"result": False,
                                                                     "error_code": 1025}
    drive(venue, body)


# ---------------------------------------------------------------- account and orders


@venues
def test_userinfo_is_the_target_s_balance(venue: str) -> None:
    async def body(c: V1Client, ex: Exchange, sym: str) -> None:
        answer = await c.post("userinfo.do")
        assert answer["result"] is True
        funds = answer["info"]["funds"]
        for ccy, b in (await ex.fetch_balance()).items():
            assert Decimal(funds["free"][ccy.lower()]) == b.available
            assert Decimal(funds["freezed"][ccy.lower()]) == b.held
    drive(venue, body)


async def _low_bid(ex: Exchange, sym: str, times: int = 1) -> tuple[str, str]:
    """A limit buy price well under the book and a small amount the market allows."""
    market = await ex.market(unified_symbol(sym))
    bid = (await ex.fetch_ticker(market.symbol)).bid
    assert bid is not None
    price = (bid * Decimal("0.8")).quantize(market.price_increment)
    return str(price - times * market.price_increment), str(market.min_amount * 2)


@venues
def test_trade_order_info_cancel(venue: str) -> None:
    async def body(c: V1Client, ex: Exchange, sym: str) -> None:
        price, amount = await _low_bid(ex, sym)
        placed = await c.post("trade.do", symbol=sym, type="buy", price=price, amount=amount)
        assert placed["result"] is True and isinstance(placed["order_id"], int)
        oid = str(placed["order_id"])
        info = await c.post("order_info.do", symbol=sym, order_id=oid)
        [row] = info["orders"]
        assert row["order_id"] == row["orders_id"] == placed["order_id"]
        assert (row["status"], row["type"], row["symbol"]) == (0, "buy", sym)
        assert (row["price"], row["amount"], row["deal_amount"]) == \
            (Decimal(price), Decimal(amount), 0)
        opens = await c.post("order_info.do", symbol=sym, order_id="-1")
        assert placed["order_id"] in [o["order_id"] for o in opens["orders"]]
        assert await c.post("cancel_order.do", symbol=sym, order_id=oid) == \
            {"result": True, "order_id": oid}
        [row] = (await c.post("order_info.do", symbol=sym, order_id=oid))["orders"]
        assert row["status"] == -1
        target = (await ex.fetch_open_orders(unified_symbol(sym)))
        assert all(o.price != Decimal(price) for o in target)
    drive(venue, body)


@venues
def test_unknown_orders_answer_10009(venue: str) -> None:
    async def body(c: V1Client, ex: Exchange, sym: str) -> None:
        refused = {"result": False, "error_code": 10009}
        assert await c.post("order_info.do", symbol=sym, order_id="4242") == refused
        assert await c.post("cancel_order.do", symbol=sym, order_id="4242") == refused
        assert await c.post("order_info.do", symbol=sym, order_id="abc") == refused
        assert await c.post("orders_info.do", symbol=sym, type="0", order_id="4242") == \
            {"result": True, "orders": []}
    drive(venue, body)


@venues
def test_batch_trade_orders_info_and_history(venue: str) -> None:
    async def body(c: V1Client, ex: Exchange, sym: str) -> None:
        price, amount = await _low_bid(ex, sym)
        lower, _ = await _low_bid(ex, sym, times=2)
        data = (f"[{{price:{price},amount:{amount}}},{{price:{lower},amount:{amount},"
                f"type:'buy'}},{{price:{lower},amount:0.00000001}}]")  # the docs' syntax
        answer = await c.post("batch_trade.do", symbol=sym, type="buy", orders_data=data)
        assert answer["result"] is True
        first, second, low = answer["order_info"]
        assert low == {"error_code": 10011, "order_id": -1}  # "Amount too low"
        ids = [str(first["order_id"]), str(second["order_id"])]
        opened = await c.post("orders_info.do", symbol=sym, type="0", order_id=",".join(ids))
        assert sorted(o["order_id"] for o in opened["orders"]) == sorted(map(int, ids))
        canceled = await c.post("cancel_order.do", symbol=sym, order_id=",".join(ids))
        assert canceled == {"success": ",".join(ids), "error": ""}
        done = await c.post("orders_info.do", symbol=sym, type="1", order_id=",".join(ids))
        assert {o["status"] for o in done["orders"]} == {-1} and len(done["orders"]) == 2
        history = await c.post("order_history.do", symbol=sym, status="1",
                               current_page="1", page_length="1")
        assert history["result"] is True and history["total"] >= 2
        assert history["current_page"] == 1 and history["page_length"] == 1
        assert len(history["orders"]) == 1
        page2 = await c.post("order_history.do", symbol=sym, status="1",
                             current_page="2", page_length="1")
        assert page2["orders"][0]["order_id"] != history["orders"][0]["order_id"]
        assert (await c.post("order_history.do", symbol=sym, status="0"))["total"] == \
            len(await ex.fetch_open_orders(unified_symbol(sym)))
    drive(venue, body)


@venues
def test_account_records(venue: str) -> None:
    async def body(c: V1Client, ex: Exchange, sym: str) -> None:
        deposits = await c.post("account_records.do", symbol="btc", type="0",
                                current_page="1", page_length="50")
        assert deposits["symbol"] == "btc"
        walked = [tx async for tx in ex.iter_deposits("BTC")]
        assert len(deposits["records"]) == min(len(walked), 50) > 0
        row = deposits["records"][0]
        assert set(row) == {"addr", "account", "amount", "bank", "benificiary_addr",
                            "transaction_value", "fee", "date", "status"}
        dates = [r["date"] for r in deposits["records"]]
        assert dates == sorted(dates, reverse=True)
        withdrawals = await c.post("account_records.do", symbol="btc_usd", type="1")
        assert withdrawals["symbol"] == "btc" and isinstance(withdrawals["records"], list)
    drive(venue, body)


# ---------------------------------------------------------------- refusals


def test_signatures_are_checked_against_the_local_key_pair() -> None:
    async def body(c: V1Client, ex: Exchange, sym: str) -> None:
        assert await c.post("userinfo.do", secret="not-the-secret") == \
            {"result": False, "error_code": 10007}  # "Signature does not match"
        # the target venue's own secret signs nothing here
        assert await c.post("userinfo.do", secret=ex._pipe.credentials.secret) == \
            {"result": False, "error_code": 10007}
        stranger = V1Client.__new__(V1Client)
        stranger.root, stranger.session = c.root, c.session
        stranger.api_key, stranger.secret_key = "someone-else", SECRET
        assert await stranger.post("userinfo.do") == {"result": False, "error_code": 10006}
        unsigned = await c.session.post(c.root + "userinfo.do", data={"api_key": KEY})
        assert json.loads(await unsigned.text()) == {"result": False, "error_code": 10000}
        assert (await c.post("userinfo.do"))["result"] is True
    drive("kucoin", body)


@venues
def test_what_is_not_translated_answers_10216(venue: str) -> None:
    async def body(c: V1Client, ex: Exchange, sym: str) -> None:
        refused = {"result": False, "error_code": 10216}  # "Non-available API"
        assert await c.post("withdraw.do", symbol="btc_usdt", chargefee="0.002",
                            trade_pwd="x", withdraw_address="a", withdraw_amount="1",
                            target="address") == refused
        assert await c.post("wallet_info.do") == refused
        assert await c.post("funds_transfer.do", symbol="btc_usdt", amount="1", to="6",
                            **{"from": "1"}) == refused
        # bad parameters get v1's own codes before the target is asked
        assert await c.post("trade.do", symbol=sym, type="stop", price="1", amount="1") == \
            {"result": False, "error_code": 10101}
        assert await c.post("trade.do", symbol=sym, type="buy", amount="1") == \
            {"result": False, "error_code": 10000}
    drive(venue, body)


def test_a_market_buy_spends_price() -> None:
    async def body(c: V1Client, ex: Exchange, sym: str) -> None:
        placed = await c.post("trade.do", symbol=sym, type="buy_market", price="100")
        [row] = (await c.post("order_info.do", symbol=sym,
                              order_id=str(placed["order_id"])))["orders"]
        assert row["type"] == "buy_market" and row["status"] == 2
        assert row["deal_amount"] > 0 and row["price"] <= 100
    drive("kucoin", body)


def test_a_bug_is_answered_as_a_system_error_without_secrets(
        caplog: pytest.LogCaptureFixture) -> None:
    async def body(c: V1Client, ex: Exchange, sym: str) -> None:
        async def broken(*args: Any, **kw: Any) -> Any:
            raise RuntimeError(f"boom {SECRET}")
        ex.fetch_balance = broken  # type: ignore[method-assign]
        with caplog.at_level(logging.WARNING, logger="unified.gateway"):
            assert await c.post("userinfo.do") == {"result": False, "error_code": 10002}
        assert "RuntimeError" in caplog.text and SECRET not in caplog.text
    drive("kucoin", body)
    dialect = load_dialect("okex_v1", Credentials(KEY, SECRET))
    assert SECRET not in repr(dialect) and KEY not in repr(dialect)


def test_json_numbers_are_exact() -> None:
    assert json_text({"a": [Decimal("0.10000000"), Decimal("123456789.123456789012")],
                      "b": Decimal("1E+2"), "c": Decimal("-0.000"), "s": "x"}) == \
        '{"a":[0.1,123456789.123456789012],"b":100,"c":0,"s":"x"}'
    with pytest.raises(TypeError):
        json_text(0.1)
