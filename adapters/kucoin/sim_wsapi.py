"""The local KuCoin's WebSocket order API: `/v1/private` on the REST origin (DESIGN 3b), served
as `sim.order_api` (unified.sim.ws_api: connections, faults) over the same engine as the REST
routes, so that an order placed here is seen over REST and in the private streams. Written
from KuCoin's docs for the order API (https://www.kucoin.com/docs-new/3470133w0) and for the
REST endpoints it mirrors, never from the client's code.

What KuCoin's docs say, and this venue does:
- The client connects to wss://wsapi.kucoin.com/v1/private with the query apikey (its key),
  timestamp (ms), sign = base64(HMAC-SHA256(secret, apikey + timestamp)) and passphrase =
  base64(HMAC-SHA256(secret, passphrase)) (as REST's key version 2 sends it), URL-encoded.
- The venue then sends {"sessionId": <uuid>, "timestamp": <ms>}; the client signs that JSON
  text exactly as received (HMAC-SHA256 with its secret, base64) and sends the signature as a
  text frame; the venue confirms with {"sessionId", "data": "welcome", "pingInterval": 18000,
  "pingTimeout": 10000}.
- {"id", "op": "ping", "timestamp"} is answered {"id", "op": "pong", "timestamp"}.
- A request is {"id": <the client's id for it>, "op", "args"}: op one of spot.order,
  spot.sync_order, spot.modify, spot.cancel, spot.sync_cancel, margin.order, margin.cancel;
  args the business parameters of the REST endpoint. Its answer carries the same id and op,
  "code": "200000", "data" as that endpoint's data, "inTime" and "outTime" (ms, when the
  venue received and answered it) and may carry "rateLimit": {"limit", "reset", "remaining"}.
- A failed connection is told {"code", "msg", "inTime", "outTime"} (e.g. 400003 "KC-API-KEY
  not exists."); a malformed request 4001002 "Please check the param of your request: ..."
  (e.g. "Field 'id' must be a non-empty string."); a rate-limited one 429000 with id and op;
  business errors carry the REST codes (balance insufficient, duplicate clientOid, order not
  found...) with id and op.

Decided here, where the docs are silent:
- A refused connection gets that frame, then a close (1000). The login fails as a REST
  request's headers do, in the same order, with the same codes: 400001 a parameter missing,
  400003 unknown key, 400002 timestamp outside the spec's window (5 s, on the venue's clock),
  400004 passphrase, 400005 sign; a wrong session signature is 400005 too. The first text
  frame after the session message is taken as its signature, whatever it holds.
- Malformed requests name the field (id, op, args; or the frame is not a JSON object); id and
  op are echoed when they are strings. Requests are served in arrival order; answers go out
  as they are ready (a delay fault holds one while later ones are answered).
- Requests count in the REST spot pool, per account, at their REST twins' weights (spot 1,
  margin 2: endpoint_index.csv); every answer carries rateLimit (numbers).
- Cancels take symbol and orderId or clientOid and answer as the REST cancel by that id
  ({orderId} or {clientOid}; sync: with the sizes and status). spot.* refuses a margin order
  and margin.* a spot order, as REST refuses an unknown one (400100).
- margin.order: the venue has no margin accounts. The order is placed against the trade
  account with spot.order's checks (clientOid required, type defaults to limit; isIsolated,
  autoBorrow and autoRepay must be booleans); nothing is ever borrowed (borrowSize "0",
  loanApplyId ""; an order the account cannot fund is refused 200004); it shows tradeType
  MARGIN_TRADE or MARGIN_ISOLATED_TRADE.
- An expired session is closed (1000, "session expired") without a frame; a session silent
  past pingInterval + pingTimeout is closed (1000). Pongs carry the venue's time.
- A reject fault without a code answers 500000 "Internal Server Error" (KuCoin's internal
  error code).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from aiohttp import WSCloseCode

from adapters.kucoin import sim as rest
from adapters.kucoin import sim_margin_orders as margin_rest
from adapters.kucoin import sim_more_orders, sim_orders
from unified.convert import dumps, to_ms
from unified.sim.book import EngineError, SimOrder
from unified.sim.server import MALFORMED, SimRequest, SimResponse, SimVenue
from unified.sim.verify import AuthFailure, signed_text, verify_query
from unified.sim.ws import Connection, Frame, Push, Reply, StreamHub
from unified.sim.ws_api import Answer, OrderApi

PATH = "/v1/private"
#: the login's query parameters, by role (as unified.sim.verify names them)
QUERY = {"key": "apikey", "sign": "sign", "timestamp": "timestamp", "passphrase": "passphrase"}
BAD_REQUEST = "4001002"
BAD_REQUEST_MSG = "Please check the param of your request: "
AUTH = {
    "missing": ("400001", "Any of apikey, sign, timestamp, passphrase is missing."),
    "bad_key": ("400003", "KC-API-KEY not exists."),
    "timestamp": ("400002", "Invalid KC-API-TIMESTAMP"),
    "bad_passphrase": ("400004", "Invalid KC-API-PASSPHRASE"),
    "bad_sign": ("400005", "Invalid KC-API-SIGN"),
}
BAD_SESSION = ("400005", "Invalid session signature.")
INTERNAL = ("500000", "Internal Server Error")
NOT_FOUND = ("400100", "order_not_exist_or_not_allow_to_cancel")
POOL = "spot"
MARGIN = sim_orders.MARGIN

Op = Callable[[SimVenue, str, dict[str, Any]], SimResponse]


def _request(account: str, args: dict[str, Any], ref: str | None = None) -> SimRequest:
    """The REST twin's request for `args` (body, path id, symbol query)."""
    symbol = args.get("symbol")
    return SimRequest(op="order_api", method="POST", path=PATH,
                      match={"id": ref} if ref else {},
                      query={"symbol": symbol} if isinstance(symbol, str) and symbol else {},
                      body=dumps(args).encode(), headers={}, account=account)


def _found(sim: SimVenue, account: str, args: dict[str, Any]) -> SimOrder | None:
    order_id, coid = args.get("orderId"), args.get("clientOid")
    try:
        if isinstance(order_id, str) and order_id:
            return sim.engine.get(account, order_id)
        if isinstance(coid, str) and coid:
            return sim.engine.get_by_client_id(account, coid)
    except EngineError:
        pass
    return None


def _other_kind(sim: SimVenue, account: str, args: dict[str, Any], margin: bool) -> bool:
    """Whether args name an order of the other kind (spot vs margin) than the op's."""
    order = _found(sim, account, args)
    return order is not None and (
        sim_orders.shown(sim.engine, order.id)["tradeType"] in MARGIN) != margin


def spot_order(sim: SimVenue, account: str, args: dict[str, Any]) -> SimResponse:
    return rest.place(sim, _request(account, args))


def spot_sync_order(sim: SimVenue, account: str, args: dict[str, Any]) -> SimResponse:
    return rest.place_sync(sim, _request(account, args))


def spot_modify(sim: SimVenue, account: str, args: dict[str, Any]) -> SimResponse:
    if _other_kind(sim, account, args, margin=False):
        return rest.fail(*NOT_FOUND)
    return sim_more_orders.alter(sim, _request(account, args))


def _cancel(sim: SimVenue, account: str, args: dict[str, Any], *, sync: bool, margin: bool
            ) -> SimResponse:
    order_id = args.get("orderId")
    by_client = not order_id
    ref = args.get("clientOid") if by_client else order_id
    if not isinstance(ref, str) or not ref:
        raise EngineError("invalid", "orderId or clientOid is required")
    if _other_kind(sim, account, args, margin):
        return rest.fail(*NOT_FOUND)
    if margin:
        handler = margin_rest.cancel_by_client_oid if by_client else margin_rest.cancel
    elif by_client:
        handler = rest.cancel_sync_by_client_oid if sync else rest.cancel_by_client_oid
    else:
        handler = rest.cancel_sync if sync else rest.cancel
    return handler(sim, _request(account, args, ref))


def margin_order(sim: SimVenue, account: str, args: dict[str, Any]) -> SimResponse:
    if not args.get("clientOid"):
        raise EngineError("invalid", "clientOid is required")
    return margin_rest.place(sim, _request(account, {"type": "limit", **args}))


#: each operation, its REST twin's weight in the spot pool
OPS: dict[str, tuple[Op, int]] = {
    "spot.order": (spot_order, 1),
    "spot.sync_order": (spot_sync_order, 1),
    "spot.modify": (spot_modify, 1),
    "spot.cancel": (lambda sim, a, args: _cancel(sim, a, args, sync=False, margin=False), 1),
    "spot.sync_cancel": (lambda sim, a, args: _cancel(sim, a, args, sync=True, margin=False),
                         1),
    "margin.order": (margin_order, 2),
    "margin.cancel": (lambda sim, a, args: _cancel(sim, a, args, sync=False, margin=True), 2),
}


class KucoinOrderApi:
    """The face of `sim.order_api.hub` for KuCoin (unified.sim.ws.StreamFace)."""

    paths: tuple[str, ...] = (PATH,)
    idle_counts_downlink = False  # the venue wants the client's pings
    fault_kinds = frozenset({"drop", "mute_pings"})  # stream faults that make sense here
    loose_keep: frozenset[str] = frozenset()

    def __init__(self, api: OrderApi) -> None:
        self.api, self.sim = api, api.sim
        self._sessions = itertools.count(1)

    def _ms(self) -> int:
        return to_ms(self.sim.now())

    def idle_timeout_s(self, hub: StreamHub) -> float:
        return (hub.ping_interval_ms + hub.ping_timeout_ms) / 1000

    # ---------------------------------------------------------------- the session

    def opened(self, hub: StreamHub, conn: Connection) -> list[Reply]:
        now = self._ms()
        try:
            key = verify_query(self.sim.spec.signing, query=conn.query, names=QUERY,
                               keys=self.sim.keys, now=self.sim.now())
        except AuthFailure as failure:
            code, msg = AUTH[failure.kind]
            return [Reply({"code": code, "msg": msg, "inTime": now, "outTime": now},
                          close=WSCloseCode.OK)]
        n = next(self._sessions)
        digest = hashlib.sha256(f"{self.sim.venue_id}/session/{n}".encode()).digest()
        session = {"sessionId": str(uuid.UUID(bytes=digest[:16], version=4)), "timestamp": now}
        conn.state.update(key=key, session=session["sessionId"], challenge=self.encode(session))
        return [Reply(session)]

    def _confirm(self, hub: StreamHub, conn: Connection, text: str, in_ms: int) -> None:
        """The session's signature: welcome, or refuse and close."""
        key = conn.state["key"]
        creds = self.sim.keys.get(key)
        if creds is None or not signed_text(self.sim.spec.signing, creds.secret,
                                            conn.state["challenge"], text):
            code, msg = BAD_SESSION
            hub.deliver(conn, Reply({"code": code, "msg": msg, "inTime": in_ms,
                                     "outTime": self._ms()}, close=WSCloseCode.OK))
            return
        conn.account, conn.private = self.sim.accounts[key], True
        hub.deliver(conn, Reply({"sessionId": conn.state["session"], "data": "welcome",
                                 "pingInterval": hub.ping_interval_ms,
                                 "pingTimeout": hub.ping_timeout_ms}))
        self.api.welcomed(conn)

    # ---------------------------------------------------------------- requests

    def received(self, hub: StreamHub, conn: Connection, text: str) -> list[Reply | Push]:
        if conn.closing:
            return []  # the venue is closing it: nothing more is acted on
        in_ms = self._ms()
        if conn.account is None:
            self._confirm(hub, conn, text, in_ms)
            return []
        try:
            msg = json.loads(text, parse_float=Decimal)
        except ValueError:
            msg = None
        if not isinstance(msg, dict):
            return [self._bad(in_ms, "the request must be a JSON object.")]
        ref, op, args = msg.get("id"), msg.get("op"), msg.get("args")
        if not isinstance(ref, str) or not ref:
            return [self._bad(in_ms, "Field 'id' must be a non-empty string.", op=op)]
        if op == "ping":
            return [Reply({"id": ref, "op": "pong", "timestamp": self._ms()}, kind="pong")]
        if not isinstance(op, str) or op not in OPS:
            return [self._bad(in_ms, f"Field 'op' must be one of {', '.join(OPS)}.", ref, op)]
        if not isinstance(args, dict):
            return [self._bad(in_ms, "Field 'args' must be an object.", ref, op)]
        self.api.serve(conn, op, lambda: self._act(conn, ref, op, args, in_ms),
                       lambda code, text: self._refused(ref, op, in_ms, code, text))
        return []

    def _bad(self, in_ms: int, what: str, ref: Any = None, op: Any = None) -> Reply:
        body: dict[str, Any] = {"id": ref} if isinstance(ref, str) and ref else {}
        if isinstance(op, str):
            body["op"] = op
        body.update(code=BAD_REQUEST, msg=BAD_REQUEST_MSG + what, inTime=in_ms,
                    outTime=self._ms())
        return Reply(body)

    def _act(self, conn: Connection, ref: str, op: str, args: dict[str, Any], in_ms: int
             ) -> Answer:
        """Charge the pool, then do it as its REST twin would; the answer to send."""
        assert conn.account is not None
        account = conn.account
        handler, weight = OPS[op]
        charged = self.sim.charge(POOL, weight, account)
        if isinstance(charged, SimResponse):  # 429: not acted on
            return self._answer(ref, op, in_ms, charged, self._rate(charged.headers))
        try:
            response = handler(self.sim, account, args)
        except EngineError as error:
            response = self.sim.personality.render_error(self.sim, _request(account, args),
                                                         error)
        except MALFORMED as exc:
            invalid = EngineError("invalid", f"invalid request parameters ({type(exc).__name__})")
            response = self.sim.personality.render_error(self.sim, _request(account, args),
                                                         invalid)
        return self._answer(ref, op, in_ms, response, self._rate(charged))

    def _rate(self, headers: dict[str, str] | Any) -> dict[str, int]:
        quota = self.sim.spec.rate_limits.pools[POOL].quota
        return {"limit": int(headers.get("gw-ratelimit-limit", quota)),
                "reset": int(headers.get("gw-ratelimit-reset", 0)),
                "remaining": int(headers.get("gw-ratelimit-remaining", 0))}

    def _answer(self, ref: str, op: str, in_ms: int, response: SimResponse,
                rate: dict[str, int]) -> Answer:
        body = response.body

        def render() -> Any:
            out: dict[str, Any] = {"id": ref, "op": op, "code": body["code"]}
            if body["code"] == rest.OK:
                out["data"] = body["data"]
            else:
                out["msg"] = body.get("msg") or ""
            out.update(inTime=in_ms, outTime=self._ms(), rateLimit=rate)
            return out

        return render

    def _refused(self, ref: str, op: str, in_ms: int, code: str, msg: str) -> Answer:
        code, msg = (code, msg) if code else INTERNAL
        return lambda: {"id": ref, "op": op, "code": code, "msg": msg, "inTime": in_ms,
                        "outTime": self._ms()}

    # ---------------------------------------------------------------- StreamFace's rest

    def silent(self, hub: StreamHub, conn: Connection) -> list[Reply]:
        return []  # closed 1000 by the hub

    def expire(self, hub: StreamHub, conn: Connection) -> list[Reply] | None:
        return [Reply(None, close=WSCloseCode.OK)]

    def render(self, hub: StreamHub, event: Any) -> list[Push]:
        return []  # no pushes here: the private streams tell of these orders

    def encode(self, body: Any) -> Frame:
        return dumps(body)

    def corrupt(self, push: Push) -> Push | None:
        return None

    def malform(self, push: Push) -> Push:
        return push

    def garbage(self, push: Push) -> Frame:
        return dumps(push.body)[:1]
