"""The local KuCoin's WebSocket order API (/v1/private, sim.order_api), checked with a plain
aiohttp client written here from KuCoin's docs (not the project's client): the signed
handshake and session, ping/pong, each operation's answer (keys and JSON types as the docs
show them), orders seen over REST and in the private streams, errors with their codes, many
requests in flight answered by id. The venue runs on a ManualClock: nothing waits on time."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from yarl import URL

from unified.clock import ManualClock
from unified.convert import to_ms
from unified.sim.server import SimVenue
from unified.sim.ws_api import OrderApi

from ..conftest import run
from .helpers import (
    PATIENCE_S,
    before_pong,
    closed,
    kucoin_get,
    kucoin_headers,
    kucoin_ws,
    raw,
    subscribe,
    text_frame,
)

SYMBOL, CODE = "BTC/USDT", "BTC-USDT"
ORDERS, BALANCE = "/spotMarket/tradeOrdersV2", "/account/balance"
D = Decimal
PING_INTERVAL_MS, PING_TIMEOUT_MS = 18000, 10000


def sign(secret: str, text: str) -> str:
    """base64(HMAC-SHA256(secret, text)): the docs' recipe for every signature here."""
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()
                            ).decode()


def login_url(sim: SimVenue, *, key: str | None = None, sign_secret: str | None = None,
              passphrase: str | None = None, stamp_ms: int | None = None,
              drop: str | None = None) -> URL:
    """ws://.../v1/private?apikey&sign&passphrase&timestamp, URL-encoded, as the docs say."""
    creds = sim.credentials
    key = key or creds.api_key
    stamp = str(to_ms(sim.now()) if stamp_ms is None else stamp_ms)
    query = {"apikey": key, "sign": sign(sign_secret or creds.secret, key + stamp),
             "passphrase": sign(creds.secret, passphrase or creds.passphrase or ""),
             "timestamp": stamp}
    if drop:
        del query[drop]
    origin = sim.base_url.replace("http://", "ws://", 1)
    return URL(f"{origin}/v1/private?{urlencode(query)}", encoded=True)


@asynccontextmanager
async def still() -> AsyncIterator[tuple[SimVenue, ManualClock, aiohttp.ClientSession]]:
    clock = ManualClock()
    async with SimVenue("kucoin", clock=clock) as sim, aiohttp.ClientSession() as http:
        yield sim, clock, http
        assert sim.order_api is not None and not sim.order_api.hub.failures


@asynccontextmanager
async def session(sim: SimVenue, http: aiohttp.ClientSession
                  ) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """Connected, the session message signed, welcomed."""
    async with http.ws_connect(login_url(sim)) as ws:
        challenge = await raw(ws)
        assert challenge.type is aiohttp.WSMsgType.TEXT
        await ws.send_str(sign(sim.credentials.secret, challenge.data))
        welcome = await text_frame(ws)
        assert welcome == {"sessionId": json.loads(challenge.data)["sessionId"],
                           "data": "welcome", "pingInterval": PING_INTERVAL_MS,
                           "pingTimeout": PING_TIMEOUT_MS}
        yield ws


async def ask(ws: aiohttp.ClientWebSocketResponse, op: str, args: Any, ref: str = "r1"
              ) -> Any:
    """One request, and the next frame, which must answer it."""
    await ws.send_json({"id": ref, "op": op, "args": args})
    answer = await text_frame(ws)
    assert (answer.get("id"), answer.get("op")) == (ref, op), answer
    return answer


def limit(price: str = "25000", size: str = "0.01", coid: str = "ws1", **more: Any
          ) -> dict[str, Any]:
    return {"clientOid": coid, "side": "buy", "symbol": CODE, "type": "limit", "price": price,
            "size": size, **more}


def well_formed(answer: Any, data_types: dict[str, type]) -> Any:
    """A success as the docs show it: id, op, code "200000", data with these keys and JSON
    types, inTime and outTime (ms integers), rateLimit (limit, reset, remaining)."""
    assert set(answer) == {"id", "op", "code", "data", "inTime", "outTime", "rateLimit"}, answer
    assert answer["code"] == "200000"
    assert isinstance(answer["inTime"], int) and isinstance(answer["outTime"], int)
    assert answer["inTime"] <= answer["outTime"]
    assert set(answer["rateLimit"]) == {"limit", "reset", "remaining"}
    assert all(isinstance(v, int) for v in answer["rateLimit"].values())
    data = answer["data"]
    assert {k: type(v) for k, v in data.items()} == data_types, data
    return data


def refused(answer: Any, code: str, *, with_id: bool = True) -> str:
    """An error: code and msg, inTime/outTime, id and op where the request named them."""
    keys = {"code", "msg", "inTime", "outTime"} | ({"id", "op"} if with_id else set())
    assert set(answer) - {"rateLimit"} == keys, answer
    assert answer["code"] == code, answer
    assert isinstance(answer["msg"], str) and answer["msg"]
    assert isinstance(answer["inTime"], int) and isinstance(answer["outTime"], int)
    return str(answer["msg"])


async def rest_order(sim: SimVenue, http: aiohttp.ClientSession, order_id: str,
                     margin: bool = False) -> Any:
    """The order over REST: the spot HF lookup, or the margin one (each knows its own)."""
    system = "/api/v3/hf/margin/orders" if margin else "/api/v1/hf/orders"
    return await kucoin_get(sim, http, f"{system}/{order_id}?symbol={CODE}")


async def rest_open(sim: SimVenue, http: aiohttp.ClientSession) -> list[str]:
    rows = await kucoin_get(sim, http, f"/api/v1/hf/orders/active?symbol={CODE}")
    return [r["id"] for r in rows]


# ---------------------------------------------------------------- the connection


def test_handshake_session_welcome_and_ping() -> None:
    async def go() -> None:
        async with still() as (sim, clock, http), http.ws_connect(login_url(sim)) as ws:
            challenge = await raw(ws)
            message = json.loads(challenge.data)
            assert set(message) == {"sessionId", "timestamp"}
            assert isinstance(message["sessionId"], str) and len(message["sessionId"]) == 36
            assert message["timestamp"] == to_ms(clock.now())
            await ws.send_str(sign(sim.credentials.secret, challenge.data))
            assert await text_frame(ws) == {
                "sessionId": message["sessionId"], "data": "welcome",
                "pingInterval": PING_INTERVAL_MS, "pingTimeout": PING_TIMEOUT_MS}
            clock.advance(1.5)
            await ws.send_json({"id": "ping-123", "op": "ping", "timestamp": 1})
            assert await text_frame(ws) == {"id": "ping-123", "op": "pong",
                                            "timestamp": to_ms(clock.now())}

    run(go())


LOGIN_FAILURES = {
    "bad_sign": ({"sign_secret": "not-the-secret"}, "400005"),
    "bad_passphrase": ({"passphrase": "not-the-passphrase"}, "400004"),
    "unknown_key": ({"key": "no-such-key"}, "400003"),
    "stale": ({"stamp_ms": -6000}, "400002"),
    "ahead": ({"stamp_ms": 6000}, "400002"),
    "missing_sign": ({"drop": "sign"}, "400001"),
}


@pytest.mark.parametrize("case", sorted(LOGIN_FAILURES))
def test_a_bad_login_is_refused_and_closed(case: str) -> None:
    login, code = LOGIN_FAILURES[case]

    async def go() -> None:
        async with still() as (sim, clock, http):
            options = dict(login)
            if "stamp_ms" in options:  # more than the spec's 5 s from the venue's clock
                options["stamp_ms"] = to_ms(clock.now()) + int(options["stamp_ms"])
            async with http.ws_connect(login_url(sim, **options)) as ws:
                answer = await text_frame(ws)
                refused(answer, code, with_id=False)
                assert answer["inTime"] == to_ms(clock.now())
                if case == "unknown_key":
                    assert answer["msg"] == "KC-API-KEY not exists."
                await closed(ws)

    run(go())


def test_the_timestamp_window_is_the_specs() -> None:
    async def go() -> None:
        async with still() as (sim, clock, http):
            old = login_url(sim, stamp_ms=to_ms(clock.now()) - 5000)  # 5 s: inside the window
            async with http.ws_connect(old) as ws:
                assert set(await text_frame(ws)) == {"sessionId", "timestamp"}

    run(go())


@pytest.mark.parametrize("signature", ["wrong-secret", "other-text", "not-a-signature"])
def test_a_bad_session_signature_is_refused_and_closed(signature: str) -> None:
    async def go() -> None:
        async with still() as (sim, _, http), http.ws_connect(login_url(sim)) as ws:
            challenge = (await raw(ws)).data
            text = {"wrong-secret": sign("not-the-secret", challenge),
                    "other-text": sign(sim.credentials.secret, challenge + " "),
                    "not-a-signature": json.dumps({"id": "1", "op": "ping"})}[signature]
            await ws.send_str(text)
            assert refused(await text_frame(ws), "400005", with_id=False)
            await closed(ws)

    run(go())


# ---------------------------------------------------------------- operations


ORDER_DATA = {"orderId": str, "clientOid": str}


def test_spot_order_is_seen_over_rest_then_spot_cancel() -> None:
    async def go() -> None:
        async with still() as (sim, clock, http), session(sim, http) as ws:
            clock.advance(2)
            answer = await ask(ws, "spot.order", limit(tags="bot-7", remark="first"))
            data = well_formed(answer, ORDER_DATA)
            assert data["clientOid"] == "ws1"
            assert answer["inTime"] == answer["outTime"] == to_ms(clock.now())
            shown = await rest_order(sim, http, data["orderId"])
            assert (shown["clientOid"], shown["active"], shown["tags"], shown["remark"]) == (
                "ws1", True, "bot-7", "first")
            assert (D(shown["price"]), D(shown["size"])) == (D(25000), D("0.01"))
            assert await rest_open(sim, http) == [data["orderId"]]
            cancel = await ask(ws, "spot.cancel", {"symbol": CODE, "orderId": data["orderId"]},
                               "r2")
            assert well_formed(cancel, {"orderId": str}) == {"orderId": data["orderId"]}
            assert await rest_open(sim, http) == []
            shown = await rest_order(sim, http, data["orderId"])
            assert (shown["active"], shown["cancelExist"]) == (False, True)

    run(go())


SYNC_DATA = {"orderId": str, "clientOid": str, "orderTime": int, "originSize": str,
             "dealSize": str, "remainSize": str, "canceledSize": str, "status": str,
             "matchTime": int}
SYNC_CANCEL_DATA = {"originSize": str, "dealSize": str, "remainSize": str,
                    "canceledSize": str, "status": str}


def test_sync_order_answers_the_state_after_matching() -> None:
    async def go() -> None:
        async with still() as (sim, _, http), session(sim, http) as ws:
            _, asks = sim.engine.depth(SYMBOL, 1)
            taker = well_formed(await ask(ws, "spot.sync_order", limit(
                price=str(asks[0][0]), size="0.001", coid="take")), SYNC_DATA)
            assert (taker["status"], D(taker["dealSize"]), D(taker["remainSize"])) == (
                "done", D("0.001"), 0)
            assert (D(taker["originSize"]), D(taker["canceledSize"])) == (D("0.001"), 0)
            resting = well_formed(await ask(ws, "spot.sync_order", limit(coid="rest"), "r2"),
                                  SYNC_DATA)
            assert (resting["status"], D(resting["dealSize"]), D(resting["remainSize"])) == (
                "open", 0, D("0.01"))
            ioc = well_formed(await ask(ws, "spot.sync_order", limit(
                coid="ioc", timeInForce="IOC"), "r3"), SYNC_DATA)
            assert (ioc["status"], D(ioc["canceledSize"])) == ("done", D("0.01"))
            assert (await rest_order(sim, http, taker["orderId"]))["dealSize"] == "0.001"

    run(go())


def test_modify_answers_a_new_id_and_the_old_order_is_gone() -> None:
    async def go() -> None:
        async with still() as (sim, _, http), session(sim, http) as ws:
            old = well_formed(await ask(ws, "spot.order", limit(stp="CN")), ORDER_DATA)
            moved = well_formed(await ask(ws, "spot.modify", {
                "symbol": CODE, "orderId": old["orderId"], "newPrice": "24000"}, "r2"),
                {"newOrderId": str, "clientOid": str})
            assert moved["newOrderId"] != old["orderId"] and moved["clientOid"] == "ws1"
            assert await rest_open(sim, http) == [moved["newOrderId"]]
            gone = await rest_order(sim, http, old["orderId"])
            assert (gone["active"], gone["cancelExist"]) == (False, True)
            new = await rest_order(sim, http, moved["newOrderId"])
            assert (D(new["price"]), D(new["size"]), new["stp"]) == (D(24000), D("0.01"), "CN")
            by_client = well_formed(await ask(ws, "spot.modify", {
                "symbol": CODE, "clientOid": "ws1", "newSize": "0.02"}, "r3"),
                {"newOrderId": str, "clientOid": str})
            assert await rest_open(sim, http) == [by_client["newOrderId"]]
            refused(await ask(ws, "spot.modify", {"symbol": CODE, "orderId": old["orderId"],
                                                  "newPrice": "1"}, "r4"), "400100")

    run(go())


def test_cancels_by_id_and_client_id_plain_and_sync() -> None:
    async def go() -> None:
        async with still() as (sim, _, http), session(sim, http) as ws:
            for n in range(3):
                well_formed(await ask(ws, "spot.order", limit(coid=f"c{n}"), f"o{n}"),
                            ORDER_DATA)
            ids = await rest_open(sim, http)
            plain = await ask(ws, "spot.cancel", {"symbol": CODE, "clientOid": "c0"}, "x0")
            assert well_formed(plain, {"clientOid": str}) == {"clientOid": "c0"}
            order_id = (await kucoin_get(sim, http, "/api/v1/hf/orders/client-order/c1"
                                                    f"?symbol={CODE}"))["id"]
            synced = well_formed(await ask(ws, "spot.sync_cancel", {
                "symbol": CODE, "orderId": order_id}, "x1"), {"orderId": str, **SYNC_CANCEL_DATA})
            assert (synced["orderId"], synced["status"], D(synced["canceledSize"]),
                    D(synced["remainSize"])) == (order_id, "done", D("0.01"), 0)
            by_client = well_formed(await ask(ws, "spot.sync_cancel", {
                "symbol": CODE, "clientOid": "c2"}, "x2"), {"clientOid": str, **SYNC_CANCEL_DATA})
            assert by_client["clientOid"] == "c2" and len(ids) == 3
            assert await rest_open(sim, http) == []
            again = await ask(ws, "spot.cancel", {"symbol": CODE, "clientOid": "c2"}, "x3")
            assert refused(again, "400100") == "order_not_exist_or_not_allow_to_cancel"
            refused(await ask(ws, "spot.cancel", {"symbol": CODE}, "x4"), "400100")
            refused(await ask(ws, "spot.cancel", {"orderId": ids[0]}, "x5"), "400100")

    run(go())


MARGIN_DATA = {"orderId": str, "clientOid": str, "borrowSize": str, "loanApplyId": str}


def test_margin_orders_against_the_trade_account() -> None:
    async def go() -> None:
        async with still() as (sim, _, http), session(sim, http) as ws:
            args = {"clientOid": "m1", "side": "buy", "symbol": CODE, "price": "25000",
                    "size": "0.01", "isIsolated": True, "autoBorrow": True, "autoRepay": True}
            data = well_formed(await ask(ws, "margin.order", args), MARGIN_DATA)
            assert (data["clientOid"], data["borrowSize"], data["loanApplyId"]) == ("m1", "0", "")
            shown = await rest_order(sim, http, data["orderId"], margin=True)
            assert (shown["type"], shown["tradeType"], shown["active"]) == (
                "limit", "MARGIN_ISOLATED_TRADE", True)
            with pytest.raises(AssertionError, match="400100"):  # spot does not know it
                await rest_order(sim, http, data["orderId"])
            cross = well_formed(await ask(ws, "margin.order", {**args, "clientOid": "m2",
                                                               "isIsolated": False}, "r2"),
                                MARGIN_DATA)
            assert (await rest_order(sim, http, cross["orderId"], margin=True))["tradeType"] \
                == "MARGIN_TRADE"
            # spot.* does not see margin orders, nor margin.* spot ones
            spot = well_formed(await ask(ws, "spot.order", limit(coid="s1"), "r3"), ORDER_DATA)
            for op, ref in (("spot.cancel", data["orderId"]), ("margin.cancel", spot["orderId"]),
                            ("spot.sync_cancel", data["orderId"])):
                refused(await ask(ws, op, {"symbol": CODE, "orderId": ref}, "r4"), "400100")
            cancel = await ask(ws, "margin.cancel", {"symbol": CODE, "orderId": data["orderId"]},
                               "r5")
            assert well_formed(cancel, {"orderId": str}) == {"orderId": data["orderId"]}
            cancel = await ask(ws, "margin.cancel", {"symbol": CODE, "clientOid": "m2"}, "r6")
            assert well_formed(cancel, {"clientOid": str}) == {"clientOid": "m2"}
            assert await rest_open(sim, http) == [spot["orderId"]]
            for bad in ({"isIsolated": "yes"}, {"autoBorrow": 1}, {"clientOid": None}):
                refused(await ask(ws, "margin.order", {**args, "clientOid": "m3", **bad}, "r7"),
                        "400100")

    run(go())


def test_ws_orders_reach_the_private_streams() -> None:
    async def go() -> None:
        async with still() as (sim, _, http), session(sim, http) as ws, \
                kucoin_ws(sim, http, private=True) as push:
            await subscribe(push, ORDERS, private=True)
            await subscribe(push, BALANCE, "s2", private=True)
            placed = well_formed(await ask(ws, "spot.order", limit()), ORDER_DATA)
            await ask(ws, "spot.cancel", {"symbol": CODE, "orderId": placed["orderId"]}, "r2")
            frames = await before_pong(push)
            orders = [f["data"] for f in frames if f["topic"] == ORDERS]
            assert [(o["type"], o["status"]) for o in orders] == [
                ("received", "new"), ("open", "open"), ("canceled", "done")]
            assert all((o["orderId"], o["clientOid"]) == (placed["orderId"], "ws1")
                       for o in orders)
            balances = [f["data"] for f in frames if f["topic"] == BALANCE]
            assert [(b["currency"], b["relationEvent"]) for b in balances] == [
                ("USDT", "trade.hold"), ("USDT", "trade.hold")]
            assert all(b["relationContext"]["orderId"] == placed["orderId"] for b in balances)

    run(go())


# ---------------------------------------------------------------- errors


def test_malformed_requests_name_the_field() -> None:
    async def go() -> None:
        async with still() as (sim, _, http), session(sim, http) as ws:
            await ws.send_json({"op": "spot.order", "args": limit()})
            answer = await text_frame(ws)
            assert set(answer) == {"op", "code", "msg", "inTime", "outTime"}
            assert answer["code"] == "4001002"
            assert answer["msg"] == ("Please check the param of your request: Field 'id' must "
                                     "be a non-empty string.")
            await ws.send_json({"id": "", "op": "spot.order", "args": limit()})
            assert (await text_frame(ws))["code"] == "4001002"
            await ws.send_str("not json")
            refused(await text_frame(ws), "4001002", with_id=False)
            assert "'op'" in refused(await ask(ws, "spot.trade", {}), "4001002")
            assert "'args'" in refused(await ask(ws, "spot.order", [], "r2"), "4001002")
            assert await rest_open(sim, http) == []  # nothing was acted on

    run(go())


def test_business_errors_carry_the_rest_codes() -> None:
    async def go() -> None:
        async with still() as (sim, _, http), session(sim, http) as ws:
            well_formed(await ask(ws, "spot.order", limit()), ORDER_DATA)
            duplicate = await ask(ws, "spot.sync_order", limit(price="24000"), "r2")
            assert refused(duplicate, "400100") == "validation.createOrder.clientOidDuplicated"
            poor = await ask(ws, "spot.order", limit(coid="big", size="1000"), "r3")
            assert refused(poor, "200004") == "Balance insufficient!"
            nowhere = await ask(ws, "spot.order", limit(coid="x", symbol="NOPE-USDT"), "r4")
            assert refused(nowhere, "900001") == "Trading pair NOPE-USDT does not exist."
            refused(await ask(ws, "spot.order", limit(coid="x", price="1.05"), "r5"), "400100")
            refused(await ask(ws, "spot.order", limit(coid="bad id!"), "r6"), "400100")
            refused(await ask(ws, "spot.order", limit(coid="x", price=[1]), "r7"), "400100")
            assert len(await rest_open(sim, http)) == 1

    run(go())


def test_past_the_pool_quota_429000_with_id_and_op() -> None:
    async def go() -> None:
        async with still() as (sim, clock, http), session(sim, http) as ws:
            first = await ask(ws, "spot.order", limit())
            quota = first["rateLimit"]["limit"]
            assert first["rateLimit"]["remaining"] == quota - 1
            assert sim.charge("spot", quota - 1, "user") != {}  # the REST spot pool, shared
            limited = await ask(ws, "spot.order", limit(coid="ws2"), "r2")
            assert refused(limited, "429000")
            assert limited["rateLimit"]["remaining"] == 0
            clock.advance(30)  # the pool's window
            assert await rest_open(sim, http) == [first["data"]["orderId"]]
            well_formed(await ask(ws, "spot.order", limit(coid="ws3"), "r3"), ORDER_DATA)

    run(go())


# ---------------------------------------------------------------- the HF create's fields

BAD_FIELDS: dict[str, dict[str, Any]] = {
    "time_in_force": {"timeInForce": "GTD"},
    "cancel_after_without_gtt": {"cancelAfter": 60},
    "cancel_after_zero": {"timeInForce": "GTT", "cancelAfter": 0},
    "cancel_after_30_days": {"timeInForce": "GTT", "cancelAfter": 2592000},
    "cancel_after_text": {"timeInForce": "GTT", "cancelAfter": "60"},
    "post_only_text": {"postOnly": "true"},
    "hidden_number": {"hidden": 1},
    "hidden_and_iceberg": {"hidden": True, "iceberg": True, "visibleSize": "0.001"},
    "iceberg_without_visible": {"iceberg": True},
    "visible_above_size": {"iceberg": True, "visibleSize": "0.02"},
    "visible_off_step": {"iceberg": True, "visibleSize": "0.000000001"},
    "visible_without_iceberg": {"visibleSize": "0.001"},
    "stp": {"stp": "XX"},
    "tags_21": {"tags": "t" * 21},
    "remark_not_ascii": {"remark": "café"},
    "window_without_stamp": {"allowMaxTimeWindow": 10},
    "window_negative": {"allowMaxTimeWindow": -1, "clientTimestamp": 0},
    "arrived_too_late": {"allowMaxTimeWindow": 1000, "clientTimestamp": -1001},
    "market_post_only": {"type": "market", "postOnly": True},
}


@pytest.mark.parametrize("case", sorted(BAD_FIELDS))
def test_each_field_is_checked_as_the_hf_create_checks_it(case: str) -> None:
    async def go() -> None:
        async with still() as (sim, clock, http), session(sim, http) as ws:
            fields = dict(BAD_FIELDS[case])
            if "clientTimestamp" in fields:  # relative to the venue's clock
                fields["clientTimestamp"] += to_ms(clock.now())
            for n, op in enumerate(("spot.order", "spot.sync_order", "margin.order")):
                msg = refused(await ask(ws, op, limit(**fields), f"r{n}"), "400100")
                assert any(name in msg for name in fields if name != "type"), msg
            body = json.dumps(limit(**fields))  # the REST create: the same check
            path = "/api/v1/hf/orders/sync"
            async with http.post(sim.base_url + path, data=body,
                                 headers=kucoin_headers(sim, "POST", path, body)) as r:
                assert (await r.json())["code"] == "400100"
            assert await rest_open(sim, http) == []

    run(go())


def test_every_documented_field_accepted_and_shown() -> None:
    async def go() -> None:
        async with still() as (sim, clock, http), session(sim, http) as ws:
            now = to_ms(clock.now())
            fields = {"timeInForce": "GTT", "cancelAfter": 3600, "postOnly": True,
                      "iceberg": True, "visibleSize": "0.002", "stp": "DC", "tags": "t" * 20,
                      "remark": "r" * 20, "clientTimestamp": now - 1000,
                      "allowMaxTimeWindow": 1000}
            data = well_formed(await ask(ws, "spot.order", limit(**fields)), ORDER_DATA)
            shown = await rest_order(sim, http, data["orderId"])
            assert {k: shown[k] for k in ("timeInForce", "cancelAfter", "postOnly", "iceberg",
                                          "hidden", "visibleSize", "stp", "tags", "remark")} == {
                "timeInForce": "GTT", "cancelAfter": 3600, "postOnly": True, "iceberg": True,
                "hidden": False, "visibleSize": "0.002", "stp": "DC", "tags": "t" * 20,
                "remark": "r" * 20}
            hidden = well_formed(await ask(ws, "spot.order", limit(
                coid="h", hidden=True, cancelAfter=-1, timeInForce="GTC"), "r2"), ORDER_DATA)
            assert (await rest_order(sim, http, hidden["orderId"]))["hidden"] is True
            # postOnly is "disabled" with IOC / FOK: the order takes
            _, asks = sim.engine.depth(SYMBOL, 1)
            took = well_formed(await ask(ws, "spot.sync_order", limit(
                coid="t", price=str(asks[0][0]), size="0.001", timeInForce="IOC",
                postOnly=True), "r3"), SYNC_DATA)
            assert (took["status"], took["dealSize"]) == ("done", "0.001")

    run(go())


# ---------------------------------------------------------------- faults (sim.order_api.faults)


def api_of(sim: SimVenue) -> OrderApi:
    assert sim.order_api is not None
    return sim.order_api


async def by_client_id(sim: SimVenue, http: aiohttp.ClientSession, coid: str) -> Any:
    return await kucoin_get(sim, http, f"/api/v1/hf/orders/client-order/{coid}?symbol={CODE}")


def test_drop_after_accept_places_the_order_and_cuts_the_answer() -> None:
    async def go() -> None:
        async with still() as (sim, _, http):
            fault = api_of(sim).faults.add("drop_after_accept", op="spot.order")
            async with session(sim, http) as ws:
                assert await ask(ws, "spot.sync_order", limit(coid="other"))  # not that op
                await ws.send_json({"id": "lost", "op": "spot.order", "args": limit()})
                await ws.send_json({"id": "after", "op": "spot.order",
                                    "args": limit(coid="after")})
                await closed(ws)
            await asyncio.wait_for(fault.acted.wait(), PATIENCE_S)
            assert (await by_client_id(sim, http, "ws1"))["active"] is True
            assert len(await rest_open(sim, http)) == 2  # "after" was never acted on
            async with session(sim, http) as ws:  # once only
                well_formed(await ask(ws, "spot.order", limit(coid="ws2")), ORDER_DATA)

    run(go())


def test_delay_holds_an_answer_until_released() -> None:
    async def go() -> None:
        async with still() as (sim, clock, http), session(sim, http) as ws:
            fault = api_of(sim).faults.add("delay", op="spot.order")
            in_ms = to_ms(clock.now())
            await ws.send_json({"id": "held", "op": "spot.order", "args": limit()})
            await asyncio.wait_for(fault.acted.wait(), PATIENCE_S)
            assert (await by_client_id(sim, http, "ws1"))["active"] is True  # acted at once
            quick = await ask(ws, "spot.order", limit(coid="quick"), "quick")  # once only
            well_formed(quick, ORDER_DATA)
            await ws.send_json({"id": "p", "op": "ping", "timestamp": 0})
            assert (await text_frame(ws))["op"] == "pong"
            clock.advance(3)
            fault.release()
            held = await text_frame(ws)
            assert held["id"] == "held" and well_formed(held, ORDER_DATA)["clientOid"] == "ws1"
            assert (held["inTime"], held["outTime"]) == (in_ms, in_ms + 3000)
            assert fault.released.is_set()

    run(go())


def test_reject_answers_the_given_error_instead_of_acting() -> None:
    async def go() -> None:
        async with still() as (sim, _, http), session(sim, http) as ws:
            faults = api_of(sim).faults
            fault = faults.add("reject", op="spot.order", code="429000", msg="Too Many Requests")
            assert refused(await ask(ws, "spot.order", limit()), "429000") == "Too Many Requests"
            await asyncio.wait_for(fault.acted.wait(), PATIENCE_S)
            assert await rest_open(sim, http) == []
            faults.add("reject", op="spot.cancel")  # no code: the venue's internal error
            placed = well_formed(await ask(ws, "spot.order", limit(), "r2"), ORDER_DATA)
            cancel = {"symbol": CODE, "orderId": placed["orderId"]}
            assert refused(await ask(ws, "spot.cancel", cancel, "r3"), "500000")
            assert await rest_open(sim, http) == [placed["orderId"]]
            every = faults.add("reject", times=None, code="400100", msg="no")
            for n in range(3):
                refused(await ask(ws, "spot.cancel", cancel, f"e{n}"), "400100")
            faults.clear()
            assert every not in faults.pending
            well_formed(await ask(ws, "spot.cancel", cancel, "r4"), {"orderId": str})

    run(go())


def test_expire_session_closes_it_and_a_new_login_is_needed() -> None:
    async def go() -> None:
        async with still() as (sim, _, http):
            async with http.ws_connect(login_url(sim)) as ws:
                old_challenge = (await raw(ws)).data
                await ws.send_str(sign(sim.credentials.secret, old_challenge))
                assert (await text_frame(ws))["data"] == "welcome"
                fault = api_of(sim).faults.add("expire_session")
                msg = await closed(ws)
                assert msg.type is aiohttp.WSMsgType.CLOSE and msg.data == 1000
                assert msg.extra == "session expired"
            await asyncio.wait_for(fault.acted.wait(), PATIENCE_S)
            async with http.ws_connect(login_url(sim)) as ws:  # the old session's signature
                new_challenge = (await raw(ws)).data
                assert json.loads(new_challenge)["sessionId"] != json.loads(
                    old_challenge)["sessionId"]
                await ws.send_str(sign(sim.credentials.secret, old_challenge))
                refused(await text_frame(ws), "400005", with_id=False)
                await closed(ws)
            async with session(sim, http) as ws:
                well_formed(await ask(ws, "spot.order", limit()), ORDER_DATA)

    run(go())


def test_expire_session_waits_for_a_session_or_for_its_op() -> None:
    async def go() -> None:
        async with still() as (sim, _, http):
            faults = api_of(sim).faults
            waiting = faults.add("expire_session")  # none live: the next one welcomed
            async with http.ws_connect(login_url(sim)) as ws:
                await ws.send_str(sign(sim.credentials.secret, (await raw(ws)).data))
                assert (await text_frame(ws))["data"] == "welcome"
                await closed(ws)
            await asyncio.wait_for(waiting.acted.wait(), PATIENCE_S)
            at_op = faults.add("expire_session", op="spot.order")
            async with session(sim, http) as ws:
                await ws.send_json({"id": "r1", "op": "spot.order", "args": limit()})
                await closed(ws)
            await asyncio.wait_for(at_op.acted.wait(), PATIENCE_S)
            assert await rest_open(sim, http) == []  # not acted on

    run(go())


def test_fault_kinds_are_checked_and_stream_faults_cut_sessions() -> None:
    async def go() -> None:
        async with still() as (sim, _, http):
            with pytest.raises(ValueError, match="unknown order API fault"):
                api_of(sim).faults.add("drop")
            with pytest.raises(ValueError, match="cannot delay"):
                api_of(sim).hub.faults.add("delay")
            async with session(sim, http) as ws:
                muted = api_of(sim).hub.faults.add("mute_pings")
                await ws.send_json({"id": "p", "op": "ping", "timestamp": 0})
                await asyncio.wait_for(muted.acted.wait(), PATIENCE_S)
                well_formed(await ask(ws, "spot.order", limit()), ORDER_DATA)  # no pong first
                drop = api_of(sim).hub.faults.add("drop")
                assert (await closed(ws)).type is not aiohttp.WSMsgType.CLOSE
                await asyncio.wait_for(drop.acted.wait(), PATIENCE_S)

    run(go())


# ---------------------------------------------------------------- many in flight, silence, stop


def test_many_requests_in_flight_are_answered_by_id() -> None:
    async def go() -> None:
        async with still() as (sim, _, http), session(sim, http) as ws:
            slow = api_of(sim).faults.add("delay", op="spot.sync_order")
            await ws.send_json({"id": "slow", "op": "spot.sync_order",
                                "args": limit(coid="slow")})
            sent = {f"q{n}": f"c{n}" for n in range(40)}
            for ref, coid in sent.items():
                await ws.send_json({"id": ref, "op": "spot.order",
                                    "args": limit(coid=coid, price=str(20000 + int(ref[1:])))})
            await ws.send_json({"id": "p", "op": "ping", "timestamp": 0})
            answers = {}
            while len(answers) < len(sent) + 1:
                frame = await text_frame(ws)
                answers[frame["id"]] = frame
            assert answers.pop("p")["op"] == "pong"
            assert {ref: a["data"]["clientOid"] for ref, a in answers.items()} == sent
            assert len({a["data"]["orderId"] for a in answers.values()}) == len(sent)
            slow.release()
            last = await text_frame(ws)
            assert last["id"] == "slow" and well_formed(last, SYNC_DATA)["status"] == "open"
            assert len(await rest_open(sim, http)) == len(sent) + 1

    run(go())


def test_a_silent_session_is_closed_on_the_venues_clock() -> None:
    async def go() -> None:
        async with still() as (sim, clock, http), session(sim, http) as ws:
            hub = api_of(sim).hub
            clock.advance((PING_INTERVAL_MS + PING_TIMEOUT_MS) / 1000)
            assert hub.sweep() == 0
            await ws.send_json({"id": "p", "op": "ping", "timestamp": 0})
            assert (await text_frame(ws))["op"] == "pong"
            clock.advance((PING_INTERVAL_MS + PING_TIMEOUT_MS) / 1000 + 0.001)
            assert hub.sweep() == 1
            await closed(ws)

    run(go())


def test_a_stopping_venue_sends_held_answers_then_closes() -> None:
    async def go() -> None:
        sim = SimVenue("kucoin", clock=ManualClock())
        await sim.start()
        try:
            async with aiohttp.ClientSession() as http, session(sim, http) as ws:
                fault = api_of(sim).faults.add("delay")
                await ws.send_json({"id": "held", "op": "spot.order", "args": limit()})
                await asyncio.wait_for(fault.acted.wait(), PATIENCE_S)
                stopping = asyncio.create_task(sim.stop())
                assert (await text_frame(ws))["id"] == "held"
                assert (await closed(ws)).data == 1001
                await stopping
                assert api_of(sim).connections == []
        finally:
            await sim.stop()

    run(go())
