"""Exchange: op -> encode -> sign -> send -> unwrap -> classify -> decode -> page.

Venue-neutral: everything venue-specific comes from the spec and the adapter's pure functions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import string
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from urllib.parse import quote

import attrs

from unified import paging
from unified.clock import Clock, SystemClock, VenueClock
from unified.convert import timeframe_seconds, to_decimal, to_ms
from unified.errors import (
    AmbiguousOutcome,
    BadSymbol,
    ClockSkew,
    ConfigurationError,
    ConnectionFailed,
    DecodeError,
    DuplicateClientOrderId,
    NotSupported,
    OrderNotFound,
    RateLimited,
    TransportError,
    VenueError,
    VenueUnavailable,
)
from unified.limits import RateLimiter, Sleep
from unified.models import (
    Balances,
    Candle,
    Fill,
    LedgerEntry,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    OrderStatus,
    OrderType,
    Page,
    Side,
    Ticker,
    TimeInForce,
    Trade,
)
from unified.retry import RetryPolicy
from unified.spec import EndpointSpec, VenueSpec
from unified.tables import Tables
from unified.transport import AiohttpTransport, Transport
from unified.venue import Adapter, Context, Credentials, PlacedOrder, VenueRejected
from unified.wire import WireRequest, WireResponse, encode_form, encode_json, encode_query

log = logging.getLogger("unified.client")
T = TypeVar("T")
_NOT_JSON = object()
_DECODE_FAILURES = (KeyError, TypeError, ValueError, AttributeError, IndexError, InvalidOperation)
_COID_ALPHABET = string.ascii_letters + string.digits


class PageWalk(AsyncIterator[T]):
    """`async for item in walk` yields items; `walk.pages()` yields Page(items, cursor)."""

    def __init__(self, pages: Callable[[], AsyncIterator[Page[T]]]) -> None:
        self._pages = pages
        self._items: AsyncIterator[T] | None = None

    def pages(self) -> AsyncIterator[Page[T]]:
        return self._pages()

    async def _each(self) -> AsyncIterator[T]:
        async for page in self._pages():
            for item in page.items:
                yield item

    def __aiter__(self) -> PageWalk[T]:
        return self

    async def __anext__(self) -> T:
        if self._items is None:
            self._items = self._each()
        return await self._items.__anext__()


def _decimal_arg(name: str, value: Any, *, allow_none: bool = False) -> Decimal | None:
    if value is None:
        if allow_none:
            return None
        raise ConfigurationError(f"{name} is required")
    if not isinstance(value, Decimal):
        raise ConfigurationError(f"{name} must be a Decimal, got {type(value).__name__}")
    if not value.is_finite() or value <= 0:
        raise ConfigurationError(f"{name} must be a positive finite Decimal, got {value}")
    return value


def _aware(name: str, value: datetime | None) -> datetime | None:
    if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
        raise ConfigurationError(f"{name} must be an aware datetime")
    return value


class Exchange:
    """One venue connection. Use as `async with unified.connect(...) as ex:`."""

    def __init__(
        self,
        *,
        venue: str,
        spec: VenueSpec,
        adapter: Adapter,
        origin: str,
        credentials: Credentials | None = None,
        transport: Transport | None = None,
        clock: Clock | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.venue = venue
        self.spec = spec
        self.adapter = adapter
        self.origin = origin
        self.tables = Tables(spec)
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.clock = VenueClock(clock or SystemClock())
        self._credentials = credentials
        self._transport: Transport = transport or AiohttpTransport()
        self._sleep = sleep
        self._limiter = RateLimiter(spec.rate_limits, self.clock, sleep)
        self._markets: dict[str, Market] | None = None
        self._markets_by_id: dict[str, Market] = {}
        self._markets_lock = asyncio.Lock()
        self._ctx = Context(venue, self.tables, {}, {})

    def __repr__(self) -> str:
        return f"<Exchange {self.venue} {self.origin}>"

    async def __aenter__(self) -> Exchange:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._transport.close()

    def has(self, capability: str) -> bool:
        return bool(self.spec.capability(capability))

    def supports(self, operation: str) -> bool:
        """Whether the venue has an endpoint for a public method, e.g. "iter_my_trades"."""
        return operation in self.spec.endpoints

    # ------------------------------------------------------------------ the request pipeline

    def _build(self, ep: EndpointSpec, op: str, args: Mapping[str, Any], extra: Mapping[str, str]
               ) -> WireRequest:
        try:
            parts = self.adapter.endpoints[op].encode(self._ctx, args)
        except KeyError:
            raise NotSupported(f"{self.venue} does not support {op}") from None
        path = ep.path
        if parts.path_params:
            path = path.format(**{k: quote(v, safe="") for k, v in parts.path_params.items()})
        query = encode_query([*parts.query, *extra.items()])
        headers: dict[str, str] = {}
        body = b""
        if ep.body == "json" and parts.body is not None:
            body = encode_json(parts.body)
            headers["Content-Type"] = "application/json"
        elif ep.body == "form":
            body = encode_form(parts.body or ())
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return WireRequest(ep.method, self.origin, path, query, body, headers)

    async def _send_once(self, ep: EndpointSpec, request: WireRequest) -> WireResponse:
        if ep.auth and self._credentials is None:
            raise ConfigurationError(f"{self.venue}: {ep.name} needs credentials")
        weight = await self._limiter.acquire(ep.pool, ep.weight)
        try:
            if ep.auth:
                assert self._credentials is not None
                # Signed after any rate-limit wait, so the timestamp is fresh when it leaves.
                request = self.adapter.sign(request, self._credentials, self.clock.now())
            response = await self._transport.send(request, self.timeout)
        finally:
            self._limiter.release(ep.pool, weight)
        self._limiter.observe(ep.pool, response.headers)
        return response

    def _unwrap(self, response: WireResponse) -> Any:
        try:
            parsed = response.json()
        except DecodeError:
            parsed = _NOT_JSON
        if parsed is _NOT_JSON:
            if response.status >= 400:
                raise self.tables.errors.classify(
                    http_status=response.status,
                    code=None,
                    message=f"HTTP {response.status} with a non-JSON body",
                    retry_after=self._retry_after(response),
                )
            raise DecodeError(f"{self.venue}: the answer is not JSON ({response.content_type})")
        try:
            payload = self.adapter.unwrap(response, parsed)
        except VenueRejected as rejected:
            raise self.tables.errors.classify(
                http_status=response.status,
                code=rejected.code,
                message=rejected.message,
                raw=parsed,
                retry_after=self._retry_after(response),
            ) from None
        except DecodeError:
            raise
        except _DECODE_FAILURES as exc:
            raise DecodeError(f"{self.venue}: malformed envelope: {exc!r}") from None
        if response.status >= 400:
            raise self.tables.errors.classify(
                http_status=response.status, code=None, message=f"HTTP {response.status}",
                raw=parsed,
            )
        return payload

    def _retry_after(self, response: WireResponse) -> float | None:
        limits = self.spec.rate_limits
        for header, per_second in (
            (limits.retry_after_header, 1.0),
            (limits.reset_header, 1000.0 if limits.reset_unit == "ms" else 1.0),
        ):
            value = response.headers.get(header.lower()) if header else None
            if value:
                try:
                    return max(float(Decimal(value)) / per_second, 0.0)
                except InvalidOperation:
                    continue
        return None

    async def _call(
        self, op: str, args: Mapping[str, Any] | None = None, extra: Mapping[str, str] | None = None
    ) -> tuple[Any, Mapping[str, str]]:
        """One operation: retries reads per the policy; writes are never repeated blindly."""
        ep = self.spec.endpoints.get(op)
        if ep is None:
            raise NotSupported(f"{self.venue} does not support {op}")
        request = self._build(ep, op, args or {}, extra or {})
        attempt, waited, resynced = 0, 0.0, False
        while True:
            attempt += 1
            try:
                response = await self._send_once(ep, request)
                return self._unwrap(response), response.headers
            except ClockSkew:
                # The venue refused before acting: resync once and sign again.
                if resynced or op == "fetch_time":
                    raise
                resynced = True
                await self.sync_time()
            except (TransportError, VenueError) as exc:
                if isinstance(exc, RateLimited):
                    self._limiter.block(ep.pool, exc.retry_after or self.retry.base_s)
                # A 429 or a refused connection means the venue did not act: safe to send again.
                safe = (not ep.write or isinstance(exc, RateLimited)
                        or (isinstance(exc, ConnectionFailed) and not exc.request_sent))
                if not (safe and self.retry.retryable(exc) and attempt < self.retry.attempts):
                    raise
                delay = self.retry.delay(attempt, exc)
                if waited + delay > self.retry.budget_s:
                    raise
                waited += delay
                log.debug("%s %s: retry %d after %.3fs (%s)", self.venue, op, attempt, delay,
                          exc.__class__.__name__)
                await self._sleep(delay)

    def _decode(self, op: str, payload: Any, variant: str | None = None) -> Any:
        ctx = self._ctx if variant is None else attrs.evolve(self._ctx, variant=variant)
        try:
            return self.adapter.endpoints[op].decode(ctx, payload)
        except DecodeError as exc:
            raise DecodeError(f"{self.venue} {op}: {exc}") from None
        except (*_DECODE_FAILURES, OverflowError) as exc:
            raise DecodeError(f"{self.venue} {op}: malformed answer: {exc!r}") from None

    async def _fetch(self, op: str, args: Mapping[str, Any] | None = None) -> Any:
        payload, _ = await self._call(op, args)
        return self._decode(op, payload)

    def _walk(self, op: str, args: Mapping[str, Any], *, cursor: str | None = None,
              page_size: int | None = None, variant: str | None = None) -> PageWalk[Any]:
        ep = self.spec.endpoints.get(op)
        if ep is None:
            raise NotSupported(f"{self.venue} does not support {op}")
        if cursor is not None and not isinstance(cursor, str):
            raise ConfigurationError("cursor must be a string from Page.cursor")
        if variant is not None:
            args = {**args, "variant": variant}

        async def fetch(params: paging.Params) -> tuple[Any, Mapping[str, str]]:
            return await self._call(op, args, params)

        def decode_item(item: Any) -> Any:
            return self._decode(op, item, variant)

        hook = self.adapter.endpoints[op].regroup if op in self.adapter.endpoints else None

        def regroup(rows: Sequence[Any]) -> Sequence[Any]:
            assert hook is not None
            try:
                return hook(self._ctx, rows)
            except DecodeError:
                raise
            except _DECODE_FAILURES as exc:
                raise DecodeError(f"{self.venue} {op}: malformed page: {exc!r}") from None

        def pages() -> AsyncIterator[Page[Any]]:
            strategy = paging.strategy_for(ep.paging, page_size)
            return paging.walk(fetch, strategy, decode_item, cursor,
                               regroup if hook is not None else None)

        return PageWalk(pages)

    # ------------------------------------------------------------------ time and markets

    async def fetch_time(self) -> datetime:
        result: datetime = await self._fetch("fetch_time")
        return result

    async def sync_time(self) -> None:
        """Measure the offset to the venue's clock; signed requests use venue time."""
        sent = self.clock.base.now()
        server = await self.fetch_time()
        self.clock.sync(server, sent, self.clock.base.now())

    async def load_markets(self, reload: bool = False) -> dict[str, Market]:
        async with self._markets_lock:
            if self._markets is None or reload:
                markets: list[Market] = (
                    self._spec_markets() if self.has("static_markets")
                    else await self._fetch("load_markets")
                )
                self._markets = {m.symbol: m for m in markets}
                self._markets_by_id = {m.venue_symbol: m for m in markets}
                self._ctx = Context(self.venue, self.tables, self._markets, self._markets_by_id)
            return dict(self._markets)

    def _spec_markets(self) -> list[Market]:
        """Venues without an instruments endpoint list their markets in the spec."""
        markets = []
        for row in self.spec.markets:
            symbol = str(row["symbol"])
            base, _, quote = symbol.partition("/")
            markets.append(Market(
                symbol=symbol, venue_symbol=self.tables.symbols.to_venue(symbol), base=base,
                quote=quote, price_increment=to_decimal(row["price_increment"]),
                amount_increment=to_decimal(row["amount_increment"]),
                min_amount=to_decimal(row["min_amount"]),
                min_cost=to_decimal(row["min_cost"]) if "min_cost" in row else None,
                active=bool(row.get("active", True)), raw=row,
            ))
        return markets

    async def market(self, symbol: str) -> Market:
        if not isinstance(symbol, str):
            raise BadSymbol(f"symbol must be a string like 'BTC/USDT', got {symbol!r}")
        markets = self._markets if self._markets is not None else await self.load_markets()
        try:
            return markets[symbol]
        except KeyError:
            raise BadSymbol(f"{self.venue} has no market {symbol!r}") from None

    async def _symbol_args(self, symbol: str, **more: Any) -> dict[str, Any]:
        market = await self.market(symbol)
        return {"symbol": market.venue_symbol, "market": market, **more}

    # ------------------------------------------------------------------ public data

    async def fetch_ticker(self, symbol: str) -> Ticker:
        args = await self._symbol_args(symbol)
        result: Ticker = await self._fetch("fetch_ticker", args)
        # Some venues' tickers do not name their pair: it is the one asked for.
        return result if result.symbol else attrs.evolve(result, symbol=args["market"].symbol)

    async def fetch_tickers(self, symbols: Sequence[str] | None = None) -> dict[str, Ticker]:
        wanted = None
        if symbols is not None:
            wanted = {(await self.market(s)).symbol for s in symbols}
        else:
            await self.load_markets()
        tickers: list[Ticker] = await self._fetch("fetch_tickers")
        return {t.symbol: t for t in tickers if wanted is None or t.symbol in wanted}

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        if limit is not None and (not isinstance(limit, int) or limit <= 0):
            raise ConfigurationError("limit must be a positive int")
        args = await self._symbol_args(symbol, limit=limit)
        book: OrderBook = await self._fetch("fetch_order_book", args)
        # Book and trade answers may not name their symbol: it is the one asked for.
        return attrs.evolve(
            book, symbol=args["market"].symbol,
            bids=book.bids[:limit] if limit else book.bids,
            asks=book.asks[:limit] if limit else book.asks,
        )

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        args = await self._symbol_args(symbol)
        trades: list[Trade] = await self._fetch("fetch_trades", args)
        trades = [attrs.evolve(t, symbol=args["market"].symbol) for t in trades]
        trades.sort(key=lambda t: t.timestamp)
        return trades[-limit:] if limit else trades

    async def fetch_ohlcv(self, symbol: str, timeframe: str = "1m", since: datetime | None = None,
                          limit: int | None = None) -> list[Candle]:
        if timeframe not in self.spec.timeframes:
            raise ConfigurationError(
                f"{self.venue} timeframes are {', '.join(self.spec.timeframes)}; got {timeframe!r}"
            )
        args = await self._symbol_args(
            symbol, timeframe=self.spec.timeframes[timeframe], since=_aware("since", since),
            limit=limit, timeframe_seconds=timeframe_seconds(timeframe),
        )
        candles: list[Candle] = await self._fetch("fetch_ohlcv", args)
        candles.sort(key=lambda c: c.timestamp)
        if since is not None:
            candles = [c for c in candles if c.timestamp >= since]
            return candles[:limit] if limit else candles
        return candles[-limit:] if limit else candles  # the most recent ones

    # ------------------------------------------------------------------ account

    async def fetch_balance(self) -> Balances:
        result: Balances = await self._fetch("fetch_balance")
        return result

    def _client_order_id(self, given: str | None) -> str | None:
        pattern = self.spec.client_order_id
        if pattern is None:
            if given is not None:
                raise NotSupported(f"{self.venue} has no client order ids")
            return None
        if given is None:
            return "u" + "".join(secrets.choice(_COID_ALPHABET) for _ in range(23))
        if not isinstance(given, str) or not pattern.fullmatch(given):
            raise ConfigurationError(
                f"client_order_id {given!r} does not match {self.venue}'s {pattern.pattern}"
            )
        return given

    async def create_order(
        self,
        symbol: str,
        type: OrderType,
        side: Side,
        amount: Decimal | None,
        price: Decimal | None = None,
        *,
        client_order_id: str | None = None,
        time_in_force: TimeInForce | None = None,
        post_only: bool = False,
        cost: Decimal | None = None,
    ) -> Order:
        request = OrderRequest(type=type, side=side, amount=amount, price=price,
                               client_order_id=client_order_id, time_in_force=time_in_force,
                               post_only=post_only, cost=cost)
        return await self._place(await self._order_args(symbol, request))

    async def create_orders(self, orders: Sequence[OrderRequest], symbol: str
                            ) -> list[Order | VenueError | AmbiguousOutcome]:
        """Place several orders on one market: through the venue's batch endpoint in chunks of
        the size it allows, else one by one. One result per request, in order: the Order, or the
        VenueError that refused it, or AmbiguousOutcome. Nothing is sent unless all are valid."""
        requests = list(orders)
        if not requests or not all(isinstance(o, OrderRequest) for o in requests):
            raise ConfigurationError("orders must be a non-empty sequence of OrderRequest")
        prepared = [await self._order_args(symbol, o) for o in requests]
        results: list[Order | VenueError | AmbiguousOutcome] = []
        if not self.supports("create_orders"):
            for args in prepared:
                results.append(await self._settled(self._place(args)))
            return results
        size = int(self.spec.capability("batch_create_max") or 1)
        for start in range(0, len(prepared), size):
            chunk = prepared[start:start + size]
            sent_at = self.clock.now()
            try:
                placed = await self._fetch("create_orders",
                                           await self._symbol_args(symbol, orders=chunk))
            except (TransportError, VenueUnavailable) as exc:
                log.info("%s create_orders outcome unknown (%s); reconciling each", self.venue,
                         exc.__class__.__name__)
                for args in chunk:
                    results.append(await self._settled(self._reconcile(args, sent_at)))
                continue
            except VenueError as exc:  # the venue refused the whole batch
                results.extend(exc for _ in chunk)
                continue
            if not isinstance(placed, list) or len(placed) != len(chunk):
                raise DecodeError(f"{self.venue} create_orders: {len(chunk)} orders sent, "
                                  f"the answer lists {len(placed)}")
            for item, args in zip(placed, chunk, strict=True):
                results.append(item.error if item.error is not None
                               else await self._complete(item, args))
        return results

    @staticmethod
    async def _settled(placing: Awaitable[Order]) -> Order | VenueError | AmbiguousOutcome:
        try:
            return await placing
        except (VenueError, AmbiguousOutcome) as exc:
            return exc

    async def _order_args(self, symbol: str, o: OrderRequest) -> dict[str, Any]:
        """Checks one order's arguments before anything is sent; the encoder's args."""
        type, side, amount, price, cost = o.type, o.side, o.amount, o.price, o.cost
        time_in_force, post_only = o.time_in_force, o.post_only
        if not isinstance(type, OrderType):
            raise ConfigurationError(f"type must be an OrderType, got {type!r}")
        if not isinstance(side, Side):
            raise ConfigurationError(f"side must be a Side, got {side!r}")
        if time_in_force is not None and not isinstance(time_in_force, TimeInForce):
            raise ConfigurationError(f"time_in_force must be a TimeInForce, got {time_in_force!r}")
        if time_in_force is not None:
            self.tables.time_in_force.encode(time_in_force)
        if post_only and type is not OrderType.LIMIT:
            raise ConfigurationError("post_only applies to limit orders only")
        if type is OrderType.LIMIT:
            _decimal_arg("amount", amount)
            _decimal_arg("price", price)
            if cost is not None:
                raise ConfigurationError("cost= is for market buys; a limit order takes amount")
        else:
            if price is not None:
                raise ConfigurationError("a market order takes no price")
            if time_in_force not in (None, TimeInForce.IOC, TimeInForce.FOK):
                raise ConfigurationError("a market order has no time in force to set")
            if cost is not None:
                if side is not Side.BUY or amount is not None:
                    raise ConfigurationError("cost= is for market buys, without amount")
                _decimal_arg("cost", cost)
                if not self.has("market_buy_by_cost"):
                    raise NotSupported(f"{self.venue} cannot buy by quote amount")
            else:
                _decimal_arg("amount", amount)
                if side is Side.BUY and not self.has("market_buy_by_amount"):
                    raise NotSupported(
                        f"{self.venue} market buys spend a quote amount: pass cost= instead"
                    )
        coid = self._client_order_id(o.client_order_id)
        return await self._symbol_args(
            symbol, type=type, side=side, amount=amount, price=price, client_order_id=coid,
            time_in_force=time_in_force, post_only=post_only, cost=cost,
        )

    async def _place(self, args: Mapping[str, Any]) -> Order:
        sent_at = self.clock.now()
        try:
            placed = await self._fetch("create_order", args)
        except (TransportError, VenueUnavailable) as exc:
            log.info("%s create_order outcome unknown (%s); reconciling", self.venue,
                     exc.__class__.__name__)
            return await self._reconcile(args, sent_at)
        return await self._complete(placed, args)

    async def _complete(self, placed: Order | PlacedOrder, args: Mapping[str, Any]) -> Order:
        if isinstance(placed, Order):
            return placed
        try:
            return await self.fetch_order(placed.id, args["market"].symbol)
        except (TransportError, VenueError):
            # Placed for sure; only its details are late. Report what we know.
            return self._pending_order(placed, args)

    def _pending_order(self, placed: PlacedOrder, args: Mapping[str, Any]) -> Order:
        return Order(
            id=placed.id, client_order_id=placed.client_order_id or args["client_order_id"],
            symbol=args["market"].symbol, side=args["side"], type=args["type"],
            status=OrderStatus.PENDING, price=args["price"], amount=args["amount"],
            filled=Decimal(0), remaining=args["amount"], average=None, cost=Decimal(0), fee=None,
            time_in_force=args["time_in_force"], post_only=args["post_only"],
            created_at=self.clock.now(), updated_at=None,
        )

    async def _reconcile(self, args: Mapping[str, Any], sent_at: datetime) -> Order:
        """The answer to a create was lost: find the order before ever sending it again."""
        coid = args["client_order_id"]
        symbol = args["market"].symbol
        for _ in range(self.retry.attempts):
            try:
                found = await self._find_placed(args, sent_at)
                if found is not None:
                    return found
                placed = await self._fetch("create_order", args)  # same client id
                return await self._complete(placed, args)
            except DuplicateClientOrderId:
                continue  # it did land after all: look again
            except (TransportError, VenueUnavailable, RateLimited) as exc:
                await self._sleep(self.retry.delay(1, exc))
                continue
        raise AmbiguousOutcome(
            f"could not establish whether the {symbol} order was placed",
            venue=self.venue, client_order_id=coid,
        )

    async def _find_placed(self, args: Mapping[str, Any], sent_at: datetime) -> Order | None:
        symbol = args["market"].symbol
        coid = args["client_order_id"]
        if coid is not None:
            try:
                return await self.fetch_order_by_client_id(coid, symbol)
            except OrderNotFound:
                return None
        # No client ids: a matching order created since we sent is ours.
        candidates = list(await self.fetch_open_orders(symbol))
        async for order in self.iter_closed_orders(symbol, since=None):
            if order.created_at is not None and order.created_at < sent_at:
                break
            candidates.append(order)
        matches = [o for o in candidates if _same_order(o, args, sent_at)]
        if len(matches) > 1:
            raise AmbiguousOutcome(
                f"{len(matches)} orders match the lost {symbol} request", venue=self.venue,
                client_order_id=None,
            )
        return matches[0] if matches else None

    async def cancel_order(self, id: str, symbol: str) -> Order:
        return await self._cancel("cancel_order", "fetch_order", id, symbol)

    async def cancel_order_by_client_id(self, client_order_id: str, symbol: str) -> Order:
        return await self._cancel(
            "cancel_order_by_client_id", "fetch_order_by_client_id", client_order_id, symbol
        )

    async def cancel_orders(self, ids: Sequence[str], symbol: str) -> list[Order]:
        """Cancel several orders: through the venue's batch cancel in chunks of the size it
        allows, else one by one; returns each order's state after the cancel, in `ids` order.
        Safe to repeat; ids that never existed raise OrderNotFound once the others are done."""
        refs = list(ids)
        if not refs or not all(isinstance(i, str) and i for i in refs):
            raise ConfigurationError("ids must be non-empty strings")
        if self.supports("cancel_orders"):
            size = int(self.spec.capability("cancel_ids_max") or 1)
            for start in range(0, len(refs), size):
                args = await self._symbol_args(symbol, ids=refs[start:start + size])
                # Already finished or unknown ids: the lookups below tell which.
                with contextlib.suppress(OrderNotFound):
                    await self._repeatable("cancel_orders", args)
        orders, missing = [], []
        for ref in refs:
            try:
                orders.append(await self.fetch_order(ref, symbol) if self.supports("cancel_orders")
                              else await self.cancel_order(ref, symbol))
            except OrderNotFound:
                missing.append(ref)
        if missing:
            raise OrderNotFound(f"no such orders: {', '.join(missing)}", venue=self.venue)
        return orders

    async def _cancel(self, op: str, lookup: str, ref: str, symbol: str) -> Order:
        if not isinstance(ref, str) or not ref:
            raise ConfigurationError("an order id must be a non-empty string")
        args = await self._symbol_args(symbol, id=ref)
        try:
            result = await self._repeatable(op, args)
        except OrderNotFound:
            # Canceling twice is safe: a finished order reports its final state.
            order: Order = await self._fetch(lookup, args)
            if order.status.is_final:
                return order
            raise
        if isinstance(result, Order) and result.status.is_final:
            return result
        after: Order = await self._fetch(lookup, args)  # its state after the cancel
        return after

    async def _repeatable(self, op: str, args: Mapping[str, Any]) -> Any:
        """A write that is safe to repeat (a cancel): retried like a read when its answer is lost.
        A repeat that finds the order already canceled surfaces as OrderNotFound, which the
        caller resolves by looking the order up."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._fetch(op, args)
            except (TransportError, VenueUnavailable) as exc:
                if attempt >= self.retry.attempts:
                    raise
                await self._sleep(self.retry.delay(attempt, exc))

    async def fetch_order(self, id: str, symbol: str) -> Order:
        if not isinstance(id, str) or not id:
            raise ConfigurationError("an order id must be a non-empty string")
        result: Order = await self._fetch("fetch_order", await self._symbol_args(symbol, id=id))
        return result

    async def fetch_order_by_client_id(self, client_order_id: str, symbol: str) -> Order:
        if not self.has("fetch_order_by_client_id"):
            raise NotSupported(f"{self.venue} has no client order ids")
        if not isinstance(client_order_id, str) or not client_order_id:
            raise ConfigurationError("client_order_id must be a non-empty string")
        args = await self._symbol_args(symbol, id=client_order_id)
        result: Order = await self._fetch("fetch_order_by_client_id", args)
        return result

    async def fetch_open_orders(self, symbol: str) -> list[Order]:
        walk: PageWalk[Order] = self._walk("fetch_open_orders", await self._symbol_args(symbol))
        return [o async for o in walk]

    async def fetch_closed_orders(self, symbol: str, since: datetime | None = None,
                                  limit: int | None = 100) -> list[Order]:
        return await _take(self.iter_closed_orders(symbol, since=since, page_size=limit), limit)

    async def fetch_my_trades(self, symbol: str, since: datetime | None = None,
                              limit: int | None = 100) -> list[Fill]:
        return await _take(self.iter_my_trades(symbol, since=since, page_size=limit), limit)

    def iter_closed_orders(self, symbol: str, since: datetime | None = None,
                           until: datetime | None = None, cursor: str | None = None,
                           page_size: int | None = None) -> PageWalk[Order]:
        return self._history("iter_closed_orders", symbol, since, until, cursor, page_size)

    def iter_my_trades(self, symbol: str, since: datetime | None = None,
                       until: datetime | None = None, cursor: str | None = None,
                       page_size: int | None = None) -> PageWalk[Fill]:
        return self._history("iter_my_trades", symbol, since, until, cursor, page_size)

    def iter_ledger(self, currency: str | None = None, since: datetime | None = None,
                    until: datetime | None = None, cursor: str | None = None,
                    page_size: int | None = None) -> PageWalk[LedgerEntry]:
        if currency is not None and not isinstance(currency, str):
            raise ConfigurationError("currency must be a string like 'USDT'")
        window = self._window(since, until)

        async def args() -> dict[str, Any]:
            return {"currency": currency.upper() if currency else None, **window}

        return self._history_walk("iter_ledger", args, since, until, cursor, page_size)

    def _history(self, op: str, symbol: str, since: datetime | None, until: datetime | None,
                 cursor: str | None, page_size: int | None) -> PageWalk[Any]:
        window = self._window(since, until)

        async def args() -> dict[str, Any]:
            return await self._symbol_args(symbol, **window)

        return self._history_walk(op, args, since, until, cursor, page_size)

    def _history_walk(self, op: str, make_args: Callable[[], Awaitable[dict[str, Any]]],
                      since: datetime | None, until: datetime | None, cursor: str | None,
                      page_size: int | None) -> PageWalk[Any]:
        """A history walk, filtered to the window where the venue cannot; an op with spec
        variants (e.g. deposits, withdrawals) is walked part after part."""
        size = self._page_size(op, page_size)
        variants = self.spec.endpoints[op].variants

        def part(variant: str | None, sub: str | None) -> Callable[[], AsyncIterator[Page[Any]]]:
            async def pages() -> AsyncIterator[Page[Any]]:
                args = await make_args()
                walk = self._walk(op, args, cursor=sub, page_size=size, variant=variant)
                async for page in walk.pages():
                    yield page

            return self._in_window(pages, since, until)

        if not variants:
            return PageWalk(part(None, cursor))
        if cursor is not None and not isinstance(cursor, str):
            raise ConfigurationError("cursor must be a string from Page.cursor")
        return PageWalk(lambda: paging.walk_parts(variants, lambda v, sub: part(v, sub)(),
                                                  cursor))

    @property
    def _venue_filters_time(self) -> bool:
        return bool(self.spec.capabilities.get("history_time_filter", True))

    def _window(self, since: datetime | None, until: datetime | None) -> dict[str, Any]:
        _aware("since", since)
        _aware("until", until)
        if not self._venue_filters_time:
            return {}  # the venue pages by id only: _in_window filters on our side
        return {"since": since, "until": until,
                "since_ms": to_ms(since) if since else None,
                "until_ms": to_ms(until) if until else None}

    def _in_window(self, pages: Callable[[], AsyncIterator[Page[Any]]], since: datetime | None,
                   until: datetime | None) -> Callable[[], AsyncIterator[Page[Any]]]:
        """For venues without a time filter: keep the window's items from a newest-first walk
        and end it at the first page wholly older than `since`."""
        if self._venue_filters_time or (since is None and until is None):
            return pages

        async def filtered() -> AsyncIterator[Page[Any]]:
            async for page in pages():
                stamps = [_moment(item) for item in page.items]
                kept = tuple(item for item, at in zip(page.items, stamps, strict=True)
                             if (since is None or at >= since) and (until is None or at <= until))
                past = since is not None and bool(stamps) and all(at < since for at in stamps)
                yield Page(kept, None if past else page.cursor)
                if past:
                    return

        return filtered

    def _page_size(self, op: str, wanted: int | None) -> int | None:
        ep = self.spec.endpoints.get(op)
        if ep is None:
            raise NotSupported(f"{self.venue} does not support {op}")
        if wanted is not None and (not isinstance(wanted, int) or wanted <= 0):
            raise ConfigurationError("limit must be a positive int")
        cap = ep.paging.page_limit
        if wanted is None:
            return cap
        return min(wanted, cap) if cap else wanted


_RECONCILE_SLACK = timedelta(seconds=5)


def _moment(item: Any) -> datetime:
    """When a history item happened: fills and ledger entries have a timestamp, orders a
    creation time."""
    at = getattr(item, "timestamp", None) or getattr(item, "created_at", None)
    if not isinstance(at, datetime):
        raise DecodeError(f"{type(item).__name__} has no time to filter a window on")
    return at


def _same_order(order: Order, args: Mapping[str, Any], sent_at: datetime) -> bool:
    return (
        order.side is args["side"]
        and order.type is args["type"]
        and (args["price"] is None or order.price == args["price"])
        and (args["amount"] is None or order.amount == args["amount"])
        and (order.created_at is None or order.created_at >= sent_at - _RECONCILE_SLACK)
    )


async def _take(walk: AsyncIterator[T], limit: int | None) -> list[T]:
    out: list[T] = []
    async for item in walk:
        out.append(item)
        if limit is not None and len(out) >= limit:
            break
    return out


