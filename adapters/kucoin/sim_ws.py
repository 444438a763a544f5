"""The local KuCoin's WebSocket side, written from KuCoin's docs (kucoin-openapi/ws/*.json and
the classic docs' WebSocket section), never from the client's codec.

A bullet (POST /api/v1/bullet-public, or bullet-private signed) grants a token and points at
ws://127.0.0.1:PORT/endpoint; the client connects with `?token=...&connectId=...` and is
greeted `{"id": connectId, "type": "welcome"}`. Uplink: ping -> pong, subscribe / unsubscribe
(topics with up to 100 comma-separated symbols) -> ack when `response` is true, error frames
`{"id", "type": "error", "code", "data"}` with KuCoin's WebSocket codes. Pushes:
/market/ticker:{sym} (and :all), /market/level2:{sym}, /market/match:{sym}; on a private
token /spotMarket/tradeOrdersV2 and /account/balance.

Level2 sequences are the engine's book sequence plus SEQ_BASE, the same numbers the REST
snapshots (/api/v1/market/orderbook/level2_N, /api/v3/market/orderbook/level2) report.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from unified.convert import dumps, to_ms
from unified.models import Liquidity, OrderType, Side
from unified.sim import events as ev
from unified.sim.server import SimVenue
from unified.sim.ws import Connection, Frame, Push, Reply, StreamHub
from unified.sim.ws_faults import KINDS

PATH = "/endpoint"  # KuCoin's own path for its push servers (wss://push1-v2.kucoin.com/endpoint)
SEQ_BASE = 14609309753  # level2 sequences start in KuCoin's range, not at 1
MAX_SYMBOLS = 100  # per topic ("a topic supports up to 100 symbols")
MAX_TOPICS = 300  # per connection
ORDERS = "/spotMarket/tradeOrdersV2"
BALANCE = "/account/balance"
PUBLIC = ("/market/ticker", "/market/level2", "/market/match")
PRIVATE = (ORDERS, BALANCE)
ACCOUNT_ID_BASE = 548674591753  # as GET /api/v1/accounts numbers its rows


def _text(value: Decimal | None) -> str:
    if value is None:
        return "0"
    return format(value.normalize() if value == value.to_integral() else value, "f")


def _ns(event: ev.OrderChanged | ev.BalanceChanged | ev.BookChanged) -> int:
    return to_ms(event.at) * 1_000_000


@attrs.define
class Grant:
    """A bullet's token: public or private (for `account`), refused once revoked."""

    token: str
    private: bool
    account: str | None
    revoked: bool = False


class KucoinStreams:
    """sim.streams.face for KuCoin (one per local venue: it holds that venue's tokens)."""

    paths = (PATH,)
    idle_counts_downlink = False  # KuCoin wants the client's pings, whatever it pushes
    fault_kinds = frozenset(KINDS) - {"corrupt_checksum"}  # no checksums on KuCoin
    #: ids stay text when the venue words numbers loosely (sim.streams.loosely)
    loose_keep = frozenset({"orderId", "clientOid", "makerOrderId", "takerOrderId", "tradeId",
                            "accountId", "relationEventId", "userId", "id", "symbol"})

    def __init__(self, sim: SimVenue) -> None:
        self.sim = sim
        self.grants: dict[str, Grant] = {}
        self._issued = itertools.count(1)
        self._bbo: dict[str, tuple[Any, ...]] = {}  # last BBO pushed per ticker key

    # ---------------------------------------------------------------- connecting

    def bullet(self, hub: StreamHub, private: bool, account: str | None) -> dict[str, Any]:
        """The data of a bullet answer: a fresh token and this venue's push server."""
        n = next(self._issued)
        digest = hashlib.sha256(f"{self.sim.venue_id}/{private}/{n}".encode()).hexdigest()
        token = f"2neAiuYvAU{'prv' if private else 'pub'}{n}_{digest[:40]}==.{digest[40:62]}=="
        self.grants[token] = Grant(token, private, account)
        origin = self.sim.base_url.replace("http://", "ws://", 1)
        return {"token": token, "instanceServers": [{
            "endpoint": origin + PATH, "encrypt": False, "protocol": "websocket",
            "pingInterval": hub.ping_interval_ms, "pingTimeout": hub.ping_timeout_ms}]}

    def idle_timeout_s(self, hub: StreamHub) -> float:
        return (hub.ping_interval_ms + hub.ping_timeout_ms) / 1000

    def opened(self, hub: StreamHub, conn: Connection) -> list[Reply]:
        connect_id = conn.query.get("connectId") or f"sim-{conn.n}"
        conn.state["id"] = connect_id
        grant = self.grants.get(conn.query.get("token", ""))
        if grant is None:
            return [_error(connect_id, 401, "token is invalid", close=True)]
        if grant.revoked:
            return [_error(connect_id, 401, "token is expired", close=True)]
        conn.state["token"] = grant.token
        conn.private, conn.account = grant.private, grant.account
        return [Reply({"id": connect_id, "type": "welcome"})]

    def silent(self, hub: StreamHub, conn: Connection) -> list[Reply]:
        return [_error(conn.state.get("id", ""), 400, "ping timeout", close=True)]

    def expire(self, hub: StreamHub, conn: Connection) -> list[Reply] | None:
        grant = self.grants.get(conn.state.get("token", ""))
        if grant is not None:
            grant.revoked = True
        return [_error(conn.state.get("id", ""), 401, "token is expired", close=True)]

    # ---------------------------------------------------------------- uplink

    def received(self, hub: StreamHub, conn: Connection, text: str) -> list[Reply | Push]:
        try:
            msg = json.loads(text)
        except ValueError:
            msg = None
        if not isinstance(msg, dict):
            return [_error(conn.state["id"], 400, "request is invalid")]
        ref = msg.get("id")
        ref = conn.state["id"] if ref is None else str(ref)
        kind = msg.get("type")
        if kind == "ping":
            return [Reply({"id": ref, "type": "pong"}, kind="pong")]
        if kind in ("subscribe", "unsubscribe"):
            return self._subscription(conn, ref, kind == "subscribe", msg)
        return [_error(ref, 415, "command type is invalid")]

    def _subscription(self, conn: Connection, ref: str, on: bool, msg: dict[str, Any]
                      ) -> list[Reply | Push]:
        """KuCoin's subscribe grammar (spot's and futures' alike): the topic checked and
        turned into keys by `_keys`, the ack when asked, the 300-topic session limit; what a
        new subscription is sent at once comes from `_subscribed`."""
        topic = msg.get("topic")
        if not isinstance(topic, str) or not topic:
            return [_error(ref, 406, "topic is required")]
        prefix, colon, names = topic.partition(":")
        keys = self._keys(conn, ref, prefix, bool(colon), names)
        if isinstance(keys, Reply):
            return [keys]
        ack: list[Reply | Push] = [Reply({"id": ref, "type": "ack"})] \
            if msg.get("response") is True else []
        if not on:
            conn.subs.difference_update(keys)
            return ack
        if len(conn.subs | set(keys)) > MAX_TOPICS:
            return [_error(ref, 509, "exceed max subscription count limitation of 300 "
                                     "per session")]
        conn.subs.update(keys)
        return ack + self._subscribed(conn, prefix, names)

    def _keys(self, conn: Connection, ref: str, prefix: str, colon: bool, names: str
              ) -> list[str] | Reply:
        """The subscription keys a topic names, or the venue's refusal."""
        if prefix not in PUBLIC + PRIVATE:
            return _error(ref, 404, "topic does not exist")
        if prefix in PRIVATE:
            if colon:
                return _error(ref, 400, "topic is invalid")
            if not conn.private:
                return _error(ref, 403, "login is required")
            return [prefix]
        symbols = names.split(",")
        if not names or any(not x for x in symbols):
            return _error(ref, 400, "topic is invalid")
        if len(symbols) > MAX_SYMBOLS:
            return _error(ref, 509, "exceed max subscription count limitation of 100 per time")
        if not all(x in self._symbols() or (x == "all" and prefix == PUBLIC[0])
                   for x in symbols):
            return _error(ref, 404, "topic does not exist")
        return [f"{prefix}:{x}" for x in symbols]

    def _subscribed(self, conn: Connection, prefix: str, names: str) -> list[Reply | Push]:
        """Pushes a new subscription gets at once: tickers, pushed on a 100 ms beat, send
        the current one."""
        if prefix != PUBLIC[0]:
            return []
        every_market = "all" in names.split(",")
        wanted = self.sim.engine.markets if every_market else [
            self.sim.unified_symbol(x) for x in names.split(",")]
        out: list[Reply | Push] = []
        for symbol in wanted:
            one, every = self._ticker(symbol, self.sim.now())
            out.append(every if every_market else one)
        return out

    def _symbols(self) -> set[str]:
        return {self.sim.venue_symbol(m) for m in self.sim.engine.markets}

    # ---------------------------------------------------------------- pushes

    def render(self, hub: StreamHub, event: ev.EngineEvent) -> list[Push]:
        if isinstance(event, ev.BookChanged):
            return self._level2(hub, event) + self._tickers(hub, event.symbol, event.at)
        if isinstance(event, ev.TradeMade):
            return self._match(hub, event) + self._tickers(hub, event.symbol, event.trade.at,
                                                           traded=True)
        if isinstance(event, ev.OrderChanged):
            if event.order.account not in (conn.account for conn in hub.connections):
                return []
            return [self._private(ORDERS, "orderChange", event.order.account,
                                  order_change(self.sim, event))]
        if any(conn.account == event.account for conn in hub.connections):
            return [self._private(BALANCE, "account.balance", event.account,
                                  balance_change(self.sim, event), id=str(
                                      354689988084000 + event.n))]
        return []

    def _level2(self, hub: StreamHub, event: ev.BookChanged) -> list[Push]:
        code = self.sim.venue_symbol(event.symbol)
        key = f"/market/level2:{code}"
        if not hub.wants(key):
            return []
        seq = SEQ_BASE + event.sequence
        row = [_text(event.price), _text(event.size), str(seq)]
        changes: dict[str, list[list[str]]] = {"asks": [], "bids": []}
        changes["bids" if event.side is Side.BUY else "asks"].append(row)
        return [Push(key, {"topic": key, "type": "message", "subject": "trade.l2update",
                           "data": {"changes": changes, "sequenceEnd": seq,
                                    "sequenceStart": seq, "symbol": code,
                                    "time": to_ms(event.at)}}, book=True)]

    def _match(self, hub: StreamHub, event: ev.TradeMade) -> list[Push]:
        t = event.trade
        code = self.sim.venue_symbol(t.symbol)
        key = f"/market/match:{code}"
        if not hub.wants(key):
            return []
        return [Push(key, {"topic": key, "type": "message", "subject": "trade.l3match", "data": {
            "makerOrderId": event.maker_order_id, "price": _text(t.price), "sequence": str(t.seq),
            "side": t.taker_side.value, "size": _text(t.amount), "symbol": code,
            "takerOrderId": event.taker_order_id, "time": str(to_ms(t.at) * 1_000_000),
            "tradeId": str(t.seq), "type": "match"}})]

    def _tickers(self, hub: StreamHub, symbol: str, at: datetime, traded: bool = False
                 ) -> list[Push]:
        """On a trade, or when the best bid or ask moved: /market/ticker:{sym} and :all."""
        code = self.sim.venue_symbol(symbol)
        if not (hub.wants(f"/market/ticker:{code}") or hub.wants("/market/ticker:all")):
            return []
        bids, asks = self.sim.engine.depth(symbol, 1)
        bbo = (tuple(bids[:1]), tuple(asks[:1]))
        if not traded and self._bbo.get(code) == bbo:
            return []
        self._bbo[code] = bbo
        return list(self._ticker(symbol, at))

    def _ticker(self, symbol: str, at: datetime) -> tuple[Push, Push]:
        """The ticker now, as /market/ticker:{sym} and as /market/ticker:all push it."""
        code = self.sim.venue_symbol(symbol)
        one, every = f"/market/ticker:{code}", "/market/ticker:all"
        bids, asks = self.sim.engine.depth(symbol, 1)
        tape = self.sim.engine.trades[symbol]
        data = {"sequence": str(SEQ_BASE + self.sim.engine.book_sequence(symbol)),
                "price": _text(tape[-1].price if tape else None),
                "size": _text(tape[-1].amount if tape else None),
                "bestAsk": _text(asks[0][0] if asks else None),
                "bestAskSize": _text(asks[0][1] if asks else None),
                "bestBid": _text(bids[0][0] if bids else None),
                "bestBidSize": _text(bids[0][1] if bids else None), "time": to_ms(at)}
        return (Push(one, {"topic": one, "type": "message", "subject": "trade.ticker",
                           "data": data}),
                Push(every, {"topic": every, "type": "message", "subject": code, "data": data}))

    def _private(self, topic: str, subject: str, account: str, data: dict[str, Any],
                 **extra: Any) -> Push:
        return Push(topic, {"topic": topic, "type": "message", "subject": subject, **extra,
                            "userId": user_id(account), "channelType": "private",
                            "data": data}, account=account)

    # ---------------------------------------------------------------- framing and faults

    def encode(self, body: Any) -> Frame:
        return self.sim.streams.text(body)

    def corrupt(self, push: Push) -> Push | None:
        return None

    def malform(self, push: Push) -> Push:
        return attrs.evolve(push, body={**push.body, "data": "\u0000not-an-object"})

    def garbage(self, push: Push) -> Frame:
        return dumps(push.body)[: max(len(dumps(push.body)) // 2, 1)]


def _error(ref: str, code: int, data: str, close: bool = False) -> Reply:
    return Reply({"id": ref, "type": "error", "code": code, "data": data},
                 close=1000 if close else None)


def user_id(account: str) -> str:
    """A KuCoin user id (24 hex digits), the same for an account on every push."""
    return hashlib.sha256(account.encode()).hexdigest()[:24]


_ORDER_TYPE = {ev.PLACED: "received", ev.OPEN: "open", ev.FILL: "match", ev.FILLED: "filled",
               ev.CANCELED: "canceled", ev.AMENDED: "update"}


def order_change(sim: SimVenue, event: ev.OrderChanged) -> dict[str, Any]:
    """orderChange data (V2): the documented fields of each message type."""
    o, kind = event.order, event.kind
    data: dict[str, Any] = {
        "clientOid": o.client_id or "", "orderId": o.id, "orderTime": to_ms(o.created_at),
        "orderType": o.type.value, "originSize": _text(o.amount), "side": o.side.value,
        "status": "new", "symbol": sim.venue_symbol(o.symbol), "ts": _ns(event),
        "type": _ORDER_TYPE[kind]}
    if o.price is not None:
        data["price"] = _text(o.price)
    if kind == ev.PLACED:
        return data
    done = kind in (ev.FILLED, ev.CANCELED)
    data.update(size=_text(o.amount), filledSize=_text(o.filled),
                remainSize="0" if done else _text(o.remaining),
                canceledSize=_text(o.canceled_amount),
                status="done" if done else "open")
    if o.cost_limit is not None:
        data["remainFunds"] = "0" if done else _text(o.cost_limit - o.filled_cost)
    if kind == ev.FILL and event.fill is not None:
        taker = event.fill.liquidity is Liquidity.TAKER
        data.update(status="match" if taker or o.type is OrderType.MARKET else "open",
                    matchPrice=_text(event.fill.price), matchSize=_text(event.fill.amount),
                    tradeId=str(event.fill.trade_id), liquidity=event.fill.liquidity.value,
                    feeType="takerFee" if taker else "makerFee")
    if kind == ev.AMENDED:
        data["oldSize"] = _text(event.old_amount)
    return data


_RELATION = {"hold": "trade.hold", "release": "trade.hold", "trade": "trade.setted",
             "deposit": "trade.transfer", "withdrawal": "trade.transfer"}


def balance_change(sim: SimVenue, event: ev.BalanceChanged) -> dict[str, Any]:
    wallets = sorted(sim.engine.wallets.get(event.account, {}))
    index = wallets.index(event.currency) if event.currency in wallets else 0
    context = {"symbol": sim.venue_symbol(event.symbol), "orderId": event.order_id} \
        if event.symbol and event.order_id else {}
    return {"accountId": str(ACCOUNT_ID_BASE + index), "currency": event.currency,
            "total": _text(event.total), "available": _text(event.available),
            "hold": _text(event.held), "availableChange": _text(event.available_change),
            "holdChange": _text(event.held_change), "relationContext": context,
            "relationEvent": _RELATION[event.reason],
            "relationEventId": str(354689988084000 + event.n), "time": str(to_ms(event.at))}


def streams_of(sim: SimVenue) -> KucoinStreams:
    face = sim.streams.face
    if not isinstance(face, KucoinStreams):
        raise TypeError(f"{sim.venue_id} has no KuCoin streams")
    return face
