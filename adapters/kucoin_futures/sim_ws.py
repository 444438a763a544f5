"""The local KuCoin futures' WebSocket side, written from KuCoin's futures topic specs
(kucoin-openapi/ws/openapi-futures-public.json and openapi-futures-private.json: each topic's
`x-response-example` and its schema), never from the client's codec.

The push server's grammar is spot's (adapters.kucoin.sim_ws, the same operator's servers):
bullet grants, `?token=&connectId=`, welcome, ping / pong, subscribe / unsubscribe with an ack
when `response` is true, error frames and token expiry. Topics (up to 100 comma-separated
symbols where a topic names them), subject in brackets:
  public   /contractMarket/level2:{sym} [level2], /contractMarket/ticker:{sym} [ticker],
           /contractMarket/tickerV2:{sym} [tickerV2], /contractMarket/execution:{sym} [match]
  private  /contractMarket/tradeOrders and /contractMarket/tradeOrders:{sym}
           [symbolOrderChange, always on the per-symbol topic], /contract/position:{sym} and
           /contract/positionAll [position.change, on the per-symbol topic],
           /contractAccount/wallet [walletBalance.change]
Level2 sequences are the engine's book sequence: the numbers GET /api/v1/level2/snapshot
reports. Positions and wallets are rendered once the engine's step is over (the derivatives
book settles a fill after the events that made it), as GET /api/v1/position and
GET /api/v1/account-overview answer then, and pushed when they differ from the last push.
Money in position pushes is written as JSON numbers, as the documented example writes it.
"""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal
from typing import Any

from adapters.kucoin.sim_ws import MAX_SYMBOLS, KucoinStreams, user_id
from unified.convert import to_ms
from unified.models import Liquidity, OrderType
from unified.sim import events as ev
from unified.sim.derivatives import derivatives_book
from unified.sim.loose import to_json
from unified.sim.positions import is_unit
from unified.sim.records import ZERO
from unified.sim.server import SimVenue
from unified.sim.ws import Connection, Frame, Push, Reply, StreamHub

log = logging.getLogger(__name__)

LEVEL2, TICKER, TICKER_V2 = ("/contractMarket/level2", "/contractMarket/ticker",
                             "/contractMarket/tickerV2")
EXECUTION, ORDERS = "/contractMarket/execution", "/contractMarket/tradeOrders"
POSITION, POSITION_ALL, WALLET = ("/contract/position", "/contract/positionAll",
                                  "/contractAccount/wallet")
#: topic -> (private, how it names symbols: "one" per-symbol only, "none", "either")
TOPICS = {LEVEL2: (False, "one"), TICKER: (False, "one"), TICKER_V2: (False, "one"),
          EXECUTION: (False, "one"), ORDERS: (True, "either"), POSITION: (True, "one"),
          POSITION_ALL: (True, "none"), WALLET: (True, "none")}
WALLET_ID_BASE = 0x673B0BB925B4BC0001FADFEF  # push ids in the documented example's range
#: position keys of the documented example that GET /api/v1/position does not carry
_FLAT_ZERO = ("maintMarginReq", "realLeverage", "delevPercentage", "currentCost",
              "currentComm", "unrealisedCost", "realisedCost", "markPrice", "markValue",
              "posCost", "posCross", "posInit", "posComm", "posLoss", "posMargin", "posFunding",
              "posMaint", "maintMargin", "avgEntryPrice", "liquidationPrice", "bankruptPrice",
              "realisedGrossCost", "realisedGrossPnl", "unrealisedPnlPcnt",
              "unrealisedRoePcnt", "leverage")
_WALLET_ZEROS = ("crossPosMargin", "crossOrderMargin", "crossUnPnl", "holdBalance",
                 "isolatedFundingFeeMargin")


def _text(value: Decimal | None) -> str:
    if value is None:
        return "0"
    return format(value.normalize() if value == value.to_integral() else value, "f")


def _ns(moment: Any) -> int:
    return to_ms(moment) * 1_000_000


def _codes() -> dict[str, str]:
    from adapters.kucoin_futures.sim import IDS  # the venue module builds on this one

    return IDS


def _ratio(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole).quantize(Decimal("0.0001")) if whole else ZERO


class KucoinFuturesStreams(KucoinStreams):
    """sim.streams.face for KuCoin futures (one per local venue: its tokens and the last
    ticker, position and wallet pushed)."""

    loose_keep = KucoinStreams.loose_keep | {"currency", "settleCurrency", "marginMode"}

    def __init__(self, sim: SimVenue) -> None:
        super().__init__(sim)
        self._last_bbo: dict[tuple[str, str], tuple[Any, ...]] = {}
        self._positions: dict[tuple[str, str], dict[str, Any] | None] = {}  # None: flat
        self._wallets: dict[tuple[str, str], dict[str, str]] = {}
        self._versions: dict[tuple[str, str], int] = {}
        self._dirty: set[str] = set()
        self._dirty_wallets: set[tuple[str, str]] = set()
        self._flush_due = False
        self._wallet_pushes = 0

    # ---------------------------------------------------------------- subscribing

    def _keys(self, conn: Connection, ref: str, prefix: str, colon: bool, names: str
              ) -> list[str] | Reply:
        if prefix not in TOPICS:
            return _error(ref, 404, "topic does not exist")
        private, naming = TOPICS[prefix]
        if private and not conn.private:
            return _error(ref, 403, "login is required")
        if (naming == "one" and not colon) or (naming == "none" and colon):
            return _error(ref, 400, "topic is invalid")
        symbols = names.split(",") if colon else []
        if colon and (not names or any(not x for x in symbols)):
            return _error(ref, 400, "topic is invalid")
        if len(symbols) > MAX_SYMBOLS:
            return _error(ref, 509, "exceed max subscription count limitation of 100 per time")
        if not set(symbols) <= set(_codes().values()):
            return _error(ref, 404, "topic does not exist")
        return [f"{prefix}:{x}" for x in symbols] if colon else [prefix]

    def _subscribed(self, conn: Connection, prefix: str, names: str) -> list[Reply | Push]:
        symbols = names.split(",") if names else []
        if conn.account is not None and prefix in (POSITION, POSITION_ALL, WALLET):
            self._baseline(conn.account, prefix, symbols)
        if prefix in (TICKER, TICKER_V2):  # the current one at once, as spot does
            return [self._ticker_push(prefix, x) for x in symbols]
        return []

    def _baseline(self, account: str, prefix: str, codes: list[str]) -> None:
        """What the account's subscriber has now, so that only changes are pushed."""
        if prefix == WALLET:
            for currency in {s.settle for s in derivatives_book(self.sim.engine).specs.values()}:
                self._wallets.setdefault((account, currency), self._wallet(account, currency))
            return
        for code in codes if prefix == POSITION else list(_codes().values()):
            if (account, code) not in self._positions:
                self._positions[(account, code)] = _dedupe(self._position(account, code))

    # ---------------------------------------------------------------- public pushes

    def render(self, hub: StreamHub, event: ev.EngineEvent) -> list[Push]:
        if isinstance(event, ev.BookChanged):
            return self._level2(hub, event) + self._bbo_tickers(hub, event.symbol)
        if isinstance(event, ev.TradeMade):
            return self._execution(hub, event) + self._bbo_tickers(hub, event.symbol, traded=True)
        if isinstance(event, ev.OrderChanged):
            self._touch(hub, event.order.account, None)
            self._order(hub, event)
            return []
        self._touch(hub, event.account, event.currency)
        return []

    def _level2(self, hub: StreamHub, event: ev.BookChanged) -> list[Push]:
        """Orderbook - Increment: one "price,side,size" change a push, size in contracts."""
        code = _codes()[event.symbol]
        key = f"{LEVEL2}:{code}"
        if not hub.wants(key):
            return []
        change = f"{_text(event.price)},{event.side.value},{int(event.size)}"
        return [Push(key, {"topic": key, "type": "message", "subject": "level2",
                           "sn": event.sequence, "data": {
                               "sequence": event.sequence, "change": change,
                               "timestamp": to_ms(event.at)}}, book=True)]

    def _execution(self, hub: StreamHub, event: ev.TradeMade) -> list[Push]:
        """Match execution data: one push a trade, the taker's side."""
        t = event.trade
        code = _codes()[t.symbol]
        key = f"{EXECUTION}:{code}"
        if not hub.wants(key):
            return []
        return [Push(key, {"topic": key, "type": "message", "subject": "match", "sn": t.seq,
                           "data": {"symbol": code, "sequence": t.seq,
                                    "side": t.taker_side.value, "size": int(t.amount),
                                    "price": _text(t.price),
                                    "takerOrderId": event.taker_order_id,
                                    "makerOrderId": event.maker_order_id,
                                    "tradeId": str(t.seq), "ts": _ns(t.at)}})]

    def _bbo_tickers(self, hub: StreamHub, symbol: str, traded: bool = False) -> list[Push]:
        """ticker on every trade and BBO change; tickerV2 on BBO changes."""
        code = _codes()[symbol]
        bids, asks = self.sim.engine.depth(symbol, 1)
        bbo = (tuple(bids[:1]), tuple(asks[:1]))
        out = []
        for prefix in (TICKER, TICKER_V2):
            if not hub.wants(f"{prefix}:{code}"):
                continue
            moved = self._last_bbo.get((prefix, code)) != bbo
            self._last_bbo[(prefix, code)] = bbo
            if moved or (traded and prefix == TICKER):
                out.append(self._ticker_push(prefix, code))
        return out

    def _ticker_push(self, prefix: str, code: str) -> Push:
        """Get Ticker (v1: with the last trade, GET /api/v1/ticker's fields) or Ticker V2
        (the best bid and ask only)."""
        from adapters.kucoin_futures.sim import SYMBOLS, _ticker  # builds on this module

        data = _ticker(self.sim, SYMBOLS[code])
        if prefix == TICKER_V2:
            data = {k: data[k] for k in ("symbol", "sequence", "bestBidSize", "bestBidPrice",
                                         "bestAskPrice", "bestAskSize", "ts")}
        key = f"{prefix}:{code}"
        return Push(key, {"topic": key, "type": "message",
                          "subject": "ticker" if prefix == TICKER else "tickerV2",
                          "sn": data["sequence"], "data": data})

    # ---------------------------------------------------------------- private pushes

    def _fan_out(self, hub: StreamHub, push: Push, keys: set[str]) -> None:
        """One private push to each connection of its account subscribed to any of `keys`
        (once, however many of them it holds)."""
        for conn in list(hub.connections):
            if conn.ready and not conn.closing and conn.account == push.account \
                    and conn.subs & keys:
                hub.deliver(conn, push)

    def _private_push(self, topic: str, subject: str, account: str, data: dict[str, Any],
                      **extra: Any) -> Push:
        return Push(topic, {"topic": topic, "type": "message", "subject": subject, **extra,
                            "userId": user_id(account), "channelType": "private",
                            "data": data}, account=account)

    def _order(self, hub: StreamHub, event: ev.OrderChanged) -> None:
        data = order_change(event)
        if data is None or not any(c.account == event.order.account for c in hub.connections):
            return
        topic = f"{ORDERS}:{data['symbol']}"
        self._fan_out(hub, self._private_push(topic, "symbolOrderChange", event.order.account,
                                              data), {topic, ORDERS})

    def _touch(self, hub: StreamHub, account: str, currency: str | None) -> None:
        """An event of `account`: its positions (and this wallet) are looked at once the
        engine's step is over."""
        if not any(c.account == account and _account_topics(c)
                   for c in hub.connections):
            return
        self._dirty.add(account)
        if currency is not None and not is_unit(currency):
            self._dirty_wallets.add((account, currency))
        if self._flush_due:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a synchronous caller): at once
            self._flush(hub)
            return
        self._flush_due = True
        loop.call_soon(self._flush, hub)

    def _flush(self, hub: StreamHub) -> None:
        self._flush_due = False
        accounts, wallets = sorted(self._dirty), sorted(self._dirty_wallets)
        self._dirty.clear()
        self._dirty_wallets.clear()
        try:
            for account in accounts:
                self._positions_of(hub, account)
            for account, currency in wallets:
                self._wallet_of(hub, account, currency)
        except Exception as exc:  # a face bug must show in tests
            hub.failures.append(exc)
            log.exception("futures stream face failed on positions or wallets")

    def _positions_of(self, hub: StreamHub, account: str) -> None:
        subs: set[str] = set()
        for conn in hub.connections:
            subs |= conn.subs if conn.account == account else set()
        every = POSITION_ALL in subs
        for code in _codes().values():
            topic = f"{POSITION}:{code}"
            if not every and topic not in subs:
                continue
            now = self._position(account, code)
            if _dedupe(now) == self._positions.get((account, code)):
                continue
            self._positions[(account, code)] = _dedupe(now)
            self._fan_out(hub, self._private_push(topic, "position.change", account, now),
                          {topic, POSITION_ALL})

    def _position(self, account: str, code: str) -> dict[str, Any]:
        """The position.change data: GET /api/v1/position's answer with the example's other
        keys (a flat one: currentQty 0, isOpen false, the rest 0)."""
        from adapters.kucoin_futures.sim import SYMBOLS, code_of
        from adapters.kucoin_futures.sim_account import position_json

        book = derivatives_book(self.sim.engine)
        symbol = SYMBOLS[code]
        found = book.position(account, symbol)
        if found is None:
            return {"symbol": code, "crossMode": False, "openingTimestamp": 0,
                    "autoDeposit": False, "currentTimestamp": to_ms(self.sim.now()),
                    "currentQty": 0, "isOpen": False, "realisedPnl": ZERO,
                    "unrealisedPnl": ZERO, "riskLimit": 100000, "riskLimitLevel": 1,
                    "settleCurrency": code_of(book.spec(symbol).settle),
                    "changeReason": "positionChange", "marginMode": "ISOLATED",
                    "positionSide": "BOTH", **dict.fromkeys(_FLAT_ZERO, ZERO)}
        data = position_json(self.sim, found)
        for extra in ("id", "maintainMargin"):  # REST's own, not the push's schema
            data.pop(extra, None)
        data.update(delevPercentage=Decimal(data["delevPercentage"]),
                    unrealisedCost=data["posCost"], posCross=ZERO,
                    unrealisedPnlPcnt=_ratio(data["unrealisedPnl"], abs(data["posCost"])),
                    unrealisedRoePcnt=_ratio(data["unrealisedPnl"], data["posInit"]),
                    changeReason="positionChange")
        return data

    def _wallet_of(self, hub: StreamHub, account: str, currency: str) -> None:
        if currency not in {s.settle for s in derivatives_book(self.sim.engine).specs.values()}:
            return
        figures = self._wallet(account, currency)
        if self._wallets.get((account, currency)) == figures:
            return
        self._wallets[(account, currency)] = figures
        n = self._versions[(account, currency)] = self._versions.get((account, currency), 0) + 1
        data = {**figures, "version": str(n), "timestamp": str(to_ms(self.sim.now()))}
        self._wallet_pushes += 1
        push = self._private_push(WALLET, "walletBalance.change", account, data,
                                  id=format(WALLET_ID_BASE + self._wallet_pushes, "x"))
        self._fan_out(hub, push, {WALLET})

    def _wallet(self, account: str, currency: str) -> dict[str, str]:
        """walletBalance.change's figures: walletBalance is the overview's marginBalance
        (wallet + position margin), availableBalance its availableBalance; isolated only."""
        from adapters.kucoin_futures.sim import code_of

        a = derivatives_book(self.sim.engine).account(account, currency)
        return {"currency": code_of(currency),
                "walletBalance": _text(a.margin_balance),
                "availableBalance": _text(a.available), "equity": _text(a.equity),
                "isolatedOrderMargin": _text(a.order_margin),
                "isolatedPosMargin": _text(a.position_margin),
                "isolatedUnPnl": _text(a.unrealised_pnl),
                "totalCrossMargin": _text(a.available), **dict.fromkeys(_WALLET_ZEROS, "0")}

    # ---------------------------------------------------------------- framing

    def encode(self, body: Any) -> Frame:
        """Decimals as bare JSON numbers (the position pushes' money); every other figure is
        already text or an integer where the docs show one."""
        return to_json(body)


def _account_topics(conn: Connection) -> set[str]:
    """The connection's position and wallet subscriptions."""
    return {k for k in conn.subs if k.startswith((POSITION, WALLET))}


def _dedupe(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """A position's figures without the moment it was rendered at (None: flat)."""
    if data is None or not data["isOpen"]:
        return None
    return {k: v for k, v in data.items() if k != "currentTimestamp"}


def _error(ref: str, code: int, data: str) -> Reply:
    return Reply({"id": ref, "type": "error", "code": code, "data": data})


_TYPES = {ev.OPEN: "open", ev.FILL: "match", ev.FILLED: "filled", ev.CANCELED: "canceled",
          ev.AMENDED: "update"}


def order_change(event: ev.OrderChanged) -> dict[str, Any] | None:
    """symbolOrderChange data (openapi-futures-private.json, "Order change pushes"): its
    type enum has no "received", so an order's placement says nothing until it rests or
    matches. Sizes are contracts as text; times in ns as the example writes them."""
    from adapters.kucoin_futures.sim import IDS

    o, kind = event.order, event.kind
    if kind not in _TYPES:
        return None
    done = not o.is_open
    fill = event.fill
    if kind == ev.OPEN or fill is None:  # resting is a maker's; else the latest fill's
        liquidity = "taker" if kind != ev.OPEN and o.type is OrderType.MARKET else "maker"
    else:
        liquidity = fill.liquidity.value
    data: dict[str, Any] = {
        "symbol": IDS[o.symbol], "orderType": o.type.value, "side": o.side.value,
        "canceledSize": _text(o.canceled_amount), "orderId": o.id, "liquidity": liquidity,
        "marginMode": "ISOLATED", "type": _TYPES[kind], "orderTime": _ns(o.created_at),
        "size": _text(o.amount), "filledSize": _text(o.filled),
        "price": _text(o.price), "remainSize": "0" if done else _text(o.remaining),
        "status": "done" if done else "open", "ts": _ns(event.at),
        "clientOid": o.client_id or "", "tradeType": "trade"}
    if kind == ev.FILL and fill is not None:
        taker = fill.liquidity is Liquidity.TAKER
        data.update(matchPrice=_text(fill.price), matchSize=_text(fill.amount),
                    tradeId=str(fill.trade_id), feeType="takerFee" if taker else "makerFee",
                    status="match" if taker or o.type is OrderType.MARKET else "open")
    if kind == ev.AMENDED:
        data["oldSize"] = _text(event.old_amount)
    return data


def streams_of(sim: SimVenue) -> KucoinFuturesStreams:
    face = sim.streams.face
    if not isinstance(face, KucoinFuturesStreams):
        raise TypeError(f"{sim.venue_id} has no KuCoin futures streams")
    return face


__all__ = ["KucoinFuturesStreams", "order_change", "streams_of"]
