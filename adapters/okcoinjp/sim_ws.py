"""The local OKCoinJapan's WebSocket side (/ws/v3 on the REST origin), written from the v3
docs' "WebSocketAPI" section, never from the client's codec.

Every downlink frame is binary raw DEFLATE (zlib wbits -15), `pong` included. Uplink: the text
`ping`; `{"op": "login", "args": [api_key, passphrase, timestamp, sign]}` with sign =
base64(HMAC-SHA256(secret, timestamp + "GET" + "/users/self/verify")), timestamp in seconds
within 30 s of the venue's clock; `{"op": "subscribe" | "unsubscribe", "args": [channels]}`
answered by one `{"event", "channel"}` per channel. Failures are
`{"event": "error", "message", "errorCode"}` with the 30xxx codes of the docs' table; a failed
login also closes the connection. Channels: spot/ticker, spot/depth (a partial of up to 200
levels per side on subscribing, then updates, each with the CRC32 checksum of the top 25
levels), spot/trade; after login spot/order and spot/account. A connection silent for 30 s
(nothing either way, on the venue's clock) is dropped by the venue's sweep.
"""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from adapters.okcoinjp.sim import BOOK_MAX, STATE, STATUS, _order_type, _ticker_json
from adapters.okcoinjp.sim_common import iso, s
from unified.models import Side
from unified.sim import events as ev
from unified.sim.server import SimVenue
from unified.sim.verify import hmac_sha256_b64
from unified.sim.ws import Connection, Frame, Push, Reply, StreamHub
from unified.sim.ws_faults import KINDS

PATH = "/ws/v3"
IDLE_S = 30.0  # "the connection will break automatically if ... more than 30s"
LOGIN_WINDOW_S = 30  # "The timestamp will expire for every 30 seconds"
ARGS_MAX_BYTES = 4096  # "The total length of multiple channels should not exceed 4,096 bytes"
CHECKSUM_DEPTH = 25
VERIFY_PATH = "/users/self/verify"
PUBLIC = ("spot/ticker", "spot/depth", "spot/trade")
PRIVATE = ("spot/order", "spot/account")
NEVER = "1970-01-01T00:00:00.000Z"  # last_fill_time of an order that never filled


def deflate(text: str) -> bytes:
    packer = zlib.compressobj(wbits=-15)
    return packer.compress(text.encode()) + packer.flush()


def checksum(bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> int:
    """Signed CRC32 of "bid:ask:bid:ask..." over the best 25 of each side, price:size each; a
    side that runs out leaves the other's levels alone."""
    parts: list[str] = []
    for i in range(min(max(len(bids), len(asks)), CHECKSUM_DEPTH)):
        for side in (bids, asks):
            if i < len(side):
                parts += side[i]
    crc = zlib.crc32(":".join(parts).encode())
    return crc - (1 << 32) if crc >= 1 << 31 else crc


def _error(code: int, message: str, close: bool = False) -> Reply:
    # errorCode as the docs' format shows it: a string
    return Reply({"event": "error", "message": message, "errorCode": str(code)},
                 close=1000 if close else None)


class OkcoinjpStreams:
    """sim.streams.face for OKCoinJapan."""

    paths = (PATH,)
    idle_counts_downlink = True  # "no data pushed for more than 30s": silence both ways
    fault_kinds = frozenset(KINDS) - {"expire_token"}  # no tokens on OKCoinJapan
    #: ids and codes stay text when the venue words numbers loosely (sim.streams.loosely)
    loose_keep = frozenset({"order_id", "client_oid", "trade_id", "last_fill_id", "state",
                            "order_type", "margin_trading", "instrument_id", "currency", "id",
                            "errorCode"})

    def __init__(self, sim: SimVenue) -> None:
        self.sim = sim
        self._bbo: dict[str, tuple[Any, ...]] = {}

    def idle_timeout_s(self, hub: StreamHub) -> float:
        return IDLE_S

    def opened(self, hub: StreamHub, conn: Connection) -> list[Reply]:
        return []  # no greeting: the client speaks first

    def silent(self, hub: StreamHub, conn: Connection) -> list[Reply]:
        return [Reply(None, close=1000)]

    def expire(self, hub: StreamHub, conn: Connection) -> list[Reply] | None:
        return None

    # ---------------------------------------------------------------- uplink

    def received(self, hub: StreamHub, conn: Connection, text: str) -> list[Reply | Push]:
        if text == "ping":
            return [Reply("pong", kind="pong")]
        try:
            msg = json.loads(text)
        except ValueError:
            msg = None
        op = msg.get("op") if isinstance(msg, dict) else None
        args = msg.get("args") if isinstance(msg, dict) else None
        if op not in ("login", "subscribe", "unsubscribe") or not isinstance(args, list) \
                or not args or not all(isinstance(a, str) for a in args):
            return [_error(30039, "Unrecognized request")]
        if op == "login":
            return self._login(conn, args)
        if len(",".join(args).encode()) > ARGS_MAX_BYTES:
            return [_error(30039, "Unrecognized request")]
        out: list[Reply | Push] = []
        for channel in args:
            out += self._subscription(hub, conn, channel, op == "subscribe")
        return out

    def _login(self, conn: Connection, args: list[str]) -> list[Reply | Push]:
        if conn.private:
            return [_error(30042, "Already logged in")]
        if len(args) != 4:
            return [_error(30027, "Login failure", close=True)]
        key, passphrase, stamp, sign = args
        refusal = self._refusal(key, passphrase, stamp, sign)
        if refusal is not None:
            return [_error(*refusal, close=True)]
        conn.private, conn.account = True, self.sim.accounts[key]
        return [Reply({"event": "login", "success": True})]

    def _refusal(self, key: str, passphrase: str, stamp: str, sign: str
                 ) -> tuple[int, str] | None:
        for value, code, name in ((key, 30001, "OK_ACCESS_KEY"), (sign, 30002, "OK_ACCESS_SIGN"),
                                  (passphrase, 30004, "OK_ACCESS_PASSPHRASE")):
            if not value:
                return code, f"{name} cannot be blank"
        try:
            seconds = Decimal(stamp)
            moment = datetime.fromtimestamp(float(seconds), tz=UTC)
        except (InvalidOperation, ValueError, OverflowError):
            return 30005, "Invalid OK_ACCESS_TIMESTAMP"
        if abs((self.sim.now() - moment).total_seconds()) > LOGIN_WINDOW_S:
            return 30008, "Timestamp request expired"
        creds = self.sim.keys.get(key)
        if creds is None:
            return 30006, "Invalid OK_ACCESS_KEY"
        if passphrase != (creds.passphrase or ""):
            return 30027, "Login failure"
        if sign != hmac_sha256_b64(creds.secret, (stamp + "GET" + VERIFY_PATH).encode()):
            return 30013, "Invalid sign"
        return None

    def _subscription(self, hub: StreamHub, conn: Connection, channel: str, on: bool
                      ) -> list[Reply | Push]:
        name, _, target = channel.partition(":")
        if name not in PUBLIC + PRIVATE or not self._exists(name, target):
            return [_error(30040, f"{name} Channel : {target} doesn't exist")]
        if name in PRIVATE and not conn.private:
            return [_error(30041, "User not logged in")]
        if not on:
            conn.subs.discard(channel)
            return [Reply({"event": "unsubscribe", "channel": channel})]
        conn.subs.add(channel)
        out: list[Reply | Push] = [Reply({"event": "subscribe", "channel": channel})]
        symbol = self.sim.unified_symbol(target) if name in PUBLIC else ""
        if name == "spot/depth":  # the whole book first: "partial"
            out.append(self._depth(channel, symbol, "partial", BOOK_MAX, self.sim.now()))
        elif name == "spot/ticker":
            out.append(self._ticker_push(channel, symbol))
        return out

    def _exists(self, name: str, target: str) -> bool:
        if name == "spot/account":
            return target in {c for m in self.sim.engine.markets.values()
                              for c in (m.base, m.quote)}
        return target in {self.sim.venue_symbol(m) for m in self.sim.engine.markets}

    # ---------------------------------------------------------------- pushes

    def render(self, hub: StreamHub, event: ev.EngineEvent) -> list[Push]:
        if isinstance(event, ev.BookChanged):
            return self._depth_update(hub, event) + self._tickers(hub, event.symbol)
        if isinstance(event, ev.TradeMade):
            return self._trade(hub, event) + self._tickers(hub, event.symbol, traded=True)
        if isinstance(event, ev.OrderChanged):
            key = f"spot/order:{self.sim.venue_symbol(event.symbol)}"
            if not hub.wants(key) or not _told(event):
                return []
            return [Push(key, {"table": "spot/order", "data": [order_push(self.sim, event)]},
                         account=event.order.account)]
        key = f"spot/account:{event.currency}"
        if not hub.wants(key):
            return []
        return [Push(key, {"table": "spot/account", "data": [{
            "balance": s(event.total), "available": s(event.available),
            "currency": event.currency, "id": "", "hold": s(event.held)}]},
            account=event.account)]

    def _depth(self, key: str, symbol: str, action: str, levels: int, at: datetime,
               changed: ev.BookChanged | None = None) -> Push:
        """A partial (the best `levels` of each side) or the update of one changed level,
        with the checksum of the book after it."""
        engine = self.sim.engine
        book = dict(zip((Side.BUY, Side.SELL),
                        engine.depth(symbol, max(levels, CHECKSUM_DEPTH)), strict=True))
        rows: dict[Side, list[list[Any]]] = {Side.BUY: [], Side.SELL: []}
        if changed is None:
            for side, depth in book.items():
                rows[side] = [[s(p), s(a), 0, engine.levels.orders_at(symbol, side, p)]
                              for p, a in depth[:levels]]
        else:  # rows as the docs' update example shows them: [price, size, 0, orders]
            rows[changed.side].append([s(changed.price), s(changed.size), 0, changed.orders])
        texts = {side: [(s(p), s(a)) for p, a in depth] for side, depth in book.items()}
        return Push(key, {"table": "spot/depth", "action": action, "data": [{
            "instrument_id": self.sim.venue_symbol(symbol), "asks": rows[Side.SELL],
            "bids": rows[Side.BUY], "timestamp": iso(at),
            "checksum": checksum(texts[Side.BUY], texts[Side.SELL])}]}, book=True)

    def _depth_update(self, hub: StreamHub, event: ev.BookChanged) -> list[Push]:
        key = f"spot/depth:{self.sim.venue_symbol(event.symbol)}"
        if not hub.wants(key):
            return []
        return [self._depth(key, event.symbol, "update", CHECKSUM_DEPTH, event.at, event)]

    def _trade(self, hub: StreamHub, event: ev.TradeMade) -> list[Push]:
        t = event.trade
        key = f"spot/trade:{self.sim.venue_symbol(t.symbol)}"
        if not hub.wants(key):
            return []
        return [Push(key, {"table": "spot/trade", "data": [{
            "instrument_id": self.sim.venue_symbol(t.symbol), "price": s(t.price),
            "side": t.taker_side.value, "size": s(t.amount), "timestamp": iso(t.at),
            "trade_id": str(t.seq)}]})]

    def _tickers(self, hub: StreamHub, symbol: str, traded: bool = False) -> list[Push]:
        key = f"spot/ticker:{self.sim.venue_symbol(symbol)}"
        if not hub.wants(key):
            return []
        bids, asks = self.sim.engine.depth(symbol, 1)
        bbo = (tuple(bids[:1]), tuple(asks[:1]))
        if not traded and self._bbo.get(key) == bbo:
            return []
        self._bbo[key] = bbo
        return [self._ticker_push(key, symbol)]

    def _ticker_push(self, key: str, symbol: str) -> Push:
        full = _ticker_json(self.sim, symbol)
        return Push(key, {"table": "spot/ticker", "data": [{name: full[name] for name in (
            "instrument_id", "last", "last_qty", "best_bid", "best_bid_size", "best_ask",
            "best_ask_size", "open_24h", "high_24h", "low_24h", "base_volume_24h",
            "quote_volume_24h", "timestamp")}]})

    # ---------------------------------------------------------------- framing and faults

    def encode(self, body: Any) -> Frame:
        return deflate(body if isinstance(body, str) else self.sim.streams.text(body))

    def corrupt(self, push: Push) -> Push | None:
        entry = dict(push.body["data"][0])
        wrong = entry["checksum"] + 1
        entry["checksum"] = wrong - (1 << 32) if wrong >= 1 << 31 else wrong
        return attrs.evolve(push, body={**push.body, "data": [entry]})

    def malform(self, push: Push) -> Push:
        return attrs.evolve(push, body={**push.body, "data": "\u0000not-a-list"})

    def garbage(self, push: Push) -> Frame:
        return b"\xff\xfe not deflate \x00"


def _told(event: ev.OrderChanged) -> bool:
    """Which changes the channel shows: every state change, but not the bare acceptance
    (the first push is the order open, filled or canceled), nor a fill that completes the
    order (its "filled" push follows with that fill)."""
    if event.kind == ev.PLACED:
        return False
    o = event.order
    return not (event.kind == ev.FILL and o.amount is not None and o.remaining <= 0)


def order_push(sim: SimVenue, event: ev.OrderChanged) -> dict[str, Any]:
    o, fill = event.order, event.fill
    state = STATE[o.status]
    code = sim.venue_symbol(o.symbol)
    return {
        "client_oid": o.client_id or "", "filled_notional": s(o.filled_cost),
        "filled_size": s(o.filled), "instrument_id": code,
        "last_fill_px": s(fill.price) if fill else "0",
        "last_fill_qty": s(fill.amount) if fill else "0",
        "last_fill_time": iso(fill.at) if fill else NEVER,
        "last_fill_id": str(fill.trade_id) if fill else "0", "margin_trading": "1",
        "notional": s(o.cost_limit), "order_id": o.id, "order_type": _order_type(o),
        "price": s(o.price), "side": o.side.value, "size": s(o.amount), "state": state,
        "status": STATUS[state], "timestamp": iso(event.at), "type": o.type.value,
        "created_at": iso(o.created_at),
    }
