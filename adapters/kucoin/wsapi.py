"""KuCoin's WebSocket order API, sans-IO: the signed connect URL, the session handshake, pings,
requests and answers.

Sources: KuCoin's "Add/Cancel Order" WebSocket API page (docs-new/3470133w0) and the SDK notes
in the reference library (venue-docs/kucoin-ws-order-api.md):

- connect to `wss://wsapi.kucoin.com/v1/private?apikey=&sign=&passphrase=&timestamp=` (values
  URL-encoded): `sign` is base64(HMAC-SHA256(secret, apikey + timestamp)), `timestamp` in ms,
  `passphrase` HMAC'd with the secret as REST's key version 2 sends it;
- the venue pushes `{"sessionId", "timestamp"}`; the client answers with that exact text
  signed (base64 HMAC-SHA256 with the secret); the venue then says
  `{"sessionId", "data": "welcome", "pingInterval", "pingTimeout"}` (ms);
- ping `{"id", "op": "ping", "timestamp"}` -> `{"id", "op": "pong", "timestamp"}`;
- a request `{"id", "op", "args"}` (args: the REST endpoint's business parameters) is answered
  `{"id", "op", "code", "data", "inTime", "outTime"}`; "200000" is success, any other code an
  error with `msg`, classified through the same error table as REST.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from adapters.kucoin import codec
from adapters.kucoin.signing import hmac_b64, signed_passphrase
from unified.convert import dumps, loads, to_int, to_ms, to_str
from unified.errors import DecodeError
from unified.streams.rpc import Answer, Event, Pong, Session, Welcome
from unified.venue import Context, Credentials

PATH = "/v1/private"
#: the order API's host for the production REST origin (elsewhere: the origin's own host)
PRODUCTION = {"api.kucoin.com": "wsapi.kucoin.com"}
OK = "200000"

#: unified operation -> the order API's op (spot; margin_* when margin_mode is given)
OPS = {
    "create": "spot.order", "create_sync": "spot.sync_order", "edit": "spot.modify",
    "cancel": "spot.cancel", "cancel_sync": "spot.sync_cancel",
    "margin_create": "margin.order", "margin_cancel": "margin.cancel",
}


def connect_url(origin: str, credentials: Credentials, now: datetime) -> str:
    """The signed URL. The token-like query is a credential: never log it."""
    parts = urlsplit(origin)
    scheme = "wss" if parts.scheme == "https" else "ws"
    host = PRODUCTION.get(parts.hostname or "", parts.netloc)
    timestamp = str(to_ms(now))
    query = urlencode({
        "apikey": credentials.api_key,
        "sign": hmac_b64(credentials.secret, (credentials.api_key + timestamp).encode()),
        "passphrase": signed_passphrase(credentials),
        "timestamp": timestamp,
    })
    return f"{scheme}://{host}{PATH}?{query}"


def session_reply(session: Session, credentials: Credentials) -> str:
    return hmac_b64(credentials.secret, session.text.encode())


def encode_ping(ref: str, now: datetime) -> str:
    return dumps({"id": ref, "op": "ping", "timestamp": to_ms(now)})


def encode_request(ref: str, op: str, args: Mapping[str, Any]) -> str:
    return dumps({"id": ref, "op": OPS[op], "args": dict(args)})


def _seconds(frame: Mapping[str, Any], key: str) -> float:
    value = to_int(frame.get(key))
    if value <= 0:
        raise DecodeError(f"order API welcome: {key} must be a positive number of ms")
    return value / 1000


def decode(text: str | bytes) -> Event:
    raw = text.decode() if isinstance(text, bytes) else text
    frame = loads(raw)
    if not isinstance(frame, dict):
        raise DecodeError(f"order API frame: expected an object, got {type(frame).__name__}")
    if frame.get("op") == "pong":
        return Pong(id=to_str(frame.get("id")))
    if "code" in frame:
        code = to_str(frame["code"])
        message = frame.get("msg")
        frame_id = frame.get("id")
        return Answer(id=None if frame_id is None else to_str(frame_id),
                      op=None if frame.get("op") is None else to_str(frame["op"]), code=code,
                      message=message if isinstance(message, str) else "", raw=frame,
                      data=frame.get("data"))
    if "sessionId" in frame:
        session_id = to_str(frame["sessionId"])
        if frame.get("data") == "welcome":
            return Welcome(session_id=session_id,
                           ping_interval_s=_seconds(frame, "pingInterval"),
                           ping_timeout_s=_seconds(frame, "pingTimeout"))
        return Session(session_id=session_id, text=raw)
    raise DecodeError("order API frame of an unknown kind")


class KucoinOrderApi:
    """The OrderApi dialect (unified.streams.rpc) of KuCoin's order API."""

    ops = frozenset(OPS)

    def connect_url(self, origin: str, credentials: Credentials, now: datetime) -> str:
        return connect_url(origin, credentials, now)

    def session_reply(self, session: Session, credentials: Credentials) -> str:
        return session_reply(session, credentials)

    def ping(self, ref: str, now: datetime) -> str:
        return encode_ping(ref, now)

    def request(self, ref: str, op: str, args: Mapping[str, Any]) -> str:
        return encode_request(ref, op, args)

    def args(self, ctx: Context, op: str, args: Mapping[str, Any]) -> dict[str, Any]:
        """The op's business parameters: the REST HF endpoint's, from the same encoders."""
        if op in ("create", "create_sync", "margin_create"):
            return codec.order_body(ctx, args)
        if op == "edit":
            return dict(codec.encode_alter(ctx, args).body)
        key = "clientOid" if args.get("by_client_id") else "orderId"
        return {"symbol": args["symbol"], key: args["id"]}

    def decode(self, text: str | bytes) -> Event:
        return decode(text)


ORDER_API = KucoinOrderApi()
