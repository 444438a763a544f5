"""`unified watch` and `arb --watch`: the render functions on real models, the JSON lines, the
loop's --count, the usage errors refused before any request; then end to end, subprocesses
against the local venues (their WebSocket twins, or REST polling where the venue has no
WebSocket), kept moving by --local's paper trader."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import signal
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from unified.cli.arb import Top, best_lines, pairs, render
from unified.cli.arb_watch import live_view
from unified.cli.format import screen, text_of
from unified.cli.watch import (
    Board,
    Watch,
    balances_view,
    book_view,
    fills_view,
    follow,
    json_item,
    orders_view,
    spread_mid,
    tape,
    ticker_view,
    trades_view,
)
from unified.derivative_models import Position, PositionSide
from unified.models import (
    Balance,
    Balances,
    BookLevel,
    Fee,
    Fill,
    Liquidity,
    MarginMode,
    Order,
    OrderBook,
    OrderStatus,
    OrderType,
    Side,
    Ticker,
    TimeInForce,
    Trade,
)
from unified.streams.stream import Stream

from ..conftest import SPOT_VENUES as VENUES
from ..contract.harness import paced, size
from .helpers import fits, one_line, spawn, unified_cmd
from .test_market import BTC

AT = datetime(2024, 3, 1, 9, 14, 30, 123000, tzinfo=UTC)
D = Decimal


def _book(levels: int = 12) -> OrderBook:
    return OrderBook(symbol="BTC/USDT", timestamp=AT, sequence=1042,
                     bids=tuple(BookLevel(price=D("29985") - i, amount=D("0.5") + i)
                                for i in range(levels)),
                     asks=tuple(BookLevel(price=D("30014.9") + i, amount=D("0.00003") * (i + 1))
                                for i in range(levels)))


def _ticker() -> Ticker:
    return Ticker(symbol="BTC/USDT", timestamp=AT, last=D("30001.4"), bid=D("29985"),
                  ask=D("30014.9"), bid_size=D("1.5"), ask_size=D("0.00003"),
                  open=D("29999.8"), high=D("30015"), low=D("29985"), base_volume=D("0.07701"),
                  quote_volume=D("2310.339008"))


def _trade(n: int, side: Side) -> Trade:
    return Trade(id=str(n), symbol="BTC/USDT", timestamp=AT, side=side, price=D("30000") + n,
                 amount=D("0.0001") * n)


def _order(n: int, status: OrderStatus, filled: str = "0") -> Order:
    return Order(id=f"000000006717422b{n:08x}", client_order_id=f"c{n}", symbol="BTC/USDT",
                 side=Side.BUY, type=OrderType.LIMIT, status=status, price=D("29000.5"),
                 amount=D("0.002"), filled=D(filled), remaining=D("0.002") - D(filled),
                 average=None, cost=D("0"), fee=None, time_in_force=TimeInForce.GTC,
                 post_only=False, created_at=AT, updated_at=AT)


def _balances(usdt: str) -> Balances:
    return Balances({"BTC": Balance(currency="BTC", total=D("1.5"), available=D("1"),
                                    held=D("0.5")),
                     "USDT": Balance(currency="USDT", total=D(usdt), available=D(usdt),
                                     held=D("0")),
                     "ETH": Balance(currency="ETH", total=D("0"), available=D("0"),
                                    held=D("0"))})


def test_the_book_view_shows_both_sides_the_spread_and_the_mid() -> None:
    book = _book()
    assert spread_mid(book) == (D("29.9"), D("29999.95"))
    text = text_of(book_view("kucoin", book, depth=3))
    lines = text.splitlines()
    assert lines[0].startswith("kucoin BTC/USDT book")
    rows = [x.split() for x in lines if x.split() and x.split()[0][0].isdigit()]
    assert rows == [["0.5", "29985", "30014.9", "0.00003"], ["1.5", "29984", "30015.9",
                    "0.00006"], ["2.5", "29983", "30016.9", "0.00009"]]  # --depth 3 of 12
    assert "spread 29.9 (0.100%)  mid 29999.95  seq 1042  03-01 09:14:30 UTC" in text
    assert all(len(x) <= 80 for x in lines)


def test_the_book_board_shows_the_last_trades_under_the_book() -> None:
    board = Board(Watch(kind="book", venue="kucoin", symbol="BTC/USDT", depth=3))
    board.add(_book())
    assert "trades" not in text_of(board.view())
    for n in range(1, 8):
        board.tape.appendleft(_trade(n, Side.BUY))
    text = text_of(board.view())
    assert "kucoin BTC/USDT book" in text and "kucoin BTC/USDT trades (last 5)" in text
    prices = [x.split()[-2] for x in text.splitlines() if "03-01" in x and "UTC" not in x]
    assert prices == ["30007", "30006", "30005", "30004", "30003"]  # newest first


def test_a_one_sided_book_says_so() -> None:
    book = OrderBook(symbol="BTC/USDT", timestamp=None, sequence=None,
                     bids=(BookLevel(price=D("1"), amount=D("2")),), asks=())
    assert spread_mid(book) is None
    assert "one side of the book is empty" in text_of(book_view("okex_v1", book, 10))


def test_the_ticker_view_has_the_ticker_commands_rows() -> None:
    text = text_of(ticker_view("kucoin", _ticker()))
    assert "kucoin BTC/USDT ticker" in text
    for label, value in (("last", "30001.4"), ("spread", "29.9"), ("24h change", "+0.01%"),
                         ("quote volume", "2310.339008"), ("time (UTC)", "03-01 09:14:30")):
        line = next(x for x in text.splitlines() if x.strip().startswith(label))
        assert line.split()[-1] == value.split()[-1] or value in line


def test_the_trades_and_fills_views_list_the_newest_first() -> None:
    trades = [_trade(3, Side.SELL), _trade(2, Side.BUY), _trade(1, Side.BUY)]
    text = text_of(trades_view("kucoin", "BTC/USDT", trades))
    assert "kucoin BTC/USDT trades (last 3)" in text
    prices = [x.split()[-2] for x in text.splitlines() if "03-01" in x]
    assert prices == ["30003", "30002", "30001"]
    fill = Fill(id="f1", order_id="000000006717422b000006f4", symbol="BTC/USDT", side=Side.SELL,
                price=D("30014.9"), amount=D("0.00001"), cost=D("0.300149"),
                fee=Fee(cost=D("0.000300149"), currency="USDT"), liquidity=Liquidity.MAKER,
                timestamp=AT)
    text = text_of(fills_view("kucoin", None, [fill]))
    assert "every market: your fills (last 1)" in text
    assert "..000006f4" in text and "0.00030015 USDT" in text and "maker" in text


def test_the_orders_board_keeps_open_orders_and_the_last_changes() -> None:
    board = Board(Watch(kind="orders", venue="kucoin", symbol=None))
    for order in (_order(1, OrderStatus.OPEN), _order(2, OrderStatus.OPEN),
                  _order(1, OrderStatus.PARTIALLY_FILLED, "0.001"),
                  _order(2, OrderStatus.CANCELED)):
        board.add(order)
    assert [o.id[-1] for o in board.opened.values()] == ["1"]
    assert [o.status for o in board.recent][:2] == [OrderStatus.CANCELED,
                                                     OrderStatus.PARTIALLY_FILLED]
    text = text_of(board.view())
    assert "kucoin every market: 1 open" in text and "last 4 changes" in text
    open_part = text.split("last 4 changes")[0]
    assert "partial" in open_part and "canceled" not in open_part
    assert "canceled" in text.split("last 4 changes")[1]
    assert "(of the orders seen since the start)" in text  # nothing known from before
    empty = text_of(orders_view("kucoin", "BTC/USDT", [], []))
    assert "kucoin BTC/USDT: 0 open" in [x.rstrip() for x in empty.splitlines()]


def test_the_orders_board_starts_from_the_open_orders_it_is_given() -> None:
    board = Board(Watch(kind="orders", venue="kucoin", symbol="BTC/USDT"))
    board.seed([_order(1, OrderStatus.OPEN), _order(2, OrderStatus.OPEN)])
    board.add(_order(2, OrderStatus.FILLED, "0.002"))
    board.seed([_order(2, OrderStatus.OPEN)])  # an older answer does not bring it back open
    assert [o.id[-1] for o in board.opened.values()] == ["1"]
    text = text_of(board.view())
    assert "kucoin BTC/USDT: 1 open" in [x.rstrip() for x in text.splitlines()]
    assert "since the start" not in text


def test_the_balances_view_shows_non_zero_balances_and_what_changed() -> None:
    text = text_of(balances_view("kucoin", _balances("99989.5"), _balances("99990")))
    rows = {x.split()[0]: x.split()[1:] for x in text.splitlines()
            if x.split() and x.split()[0] in ("BTC", "ETH", "USDT")}
    assert rows == {"BTC": ["1.5", "1", "0.5"], "USDT": ["99989.5", "99989.5", "0", "-0.5"]}
    first = text_of(balances_view("kucoin", _balances("5")))
    assert "ETH" not in first and "-0.5" not in first
    held = Balances({"BTC": Balance(currency="BTC", total=D("1.5"), available=D("0.9"),
                                    held=D("0.6"))})
    moved = text_of(balances_view("kucoin", held, _balances("5")))
    assert next(x for x in moved.splitlines() if x.startswith("BTC")).split()[-2:] == \
        ["held", "+0.1"]  # the total stayed, the hold moved


def _position(symbol: str, contracts: str) -> Position:
    return Position(symbol=symbol, side=PositionSide.LONG, contracts=D(contracts),
                    contract_size=D("0.001"), entry_price=D("30000"), mark_price=D("30010.5"),
                    liquidation_price=None, leverage=D(5), margin_mode=MarginMode.ISOLATED,
                    margin=D("6.0036"), unrealized_pnl=D("0.0105"), realized_pnl=D(0),
                    timestamp=None)


def test_the_positions_board_keeps_the_open_positions_only() -> None:
    board = Board(Watch(kind="positions", venue="kucoin_futures", symbol=None))
    for item in (_position("ETH/USDT:USDT", "3"), _position("BTC/USDT:USDT", "2"),
                 _position("ETH/USDT:USDT", "0")):
        board.add(item)
    rows = [x.split() for x in text_of(board.view()).splitlines()]
    btc = next(r for r in rows if r and r[0] == "BTC/USDT:USDT")
    assert btc == ["BTC/USDT:USDT", "long", "2", "30000", "30010.5", "-", "5", "6.0036",
                   "0.0105"]
    assert not any(r and r[0] == "ETH/USDT:USDT" for r in rows)  # closed: gone from the view
    board.add(_position("BTC/USDT:USDT", "0"))
    assert "no open positions" in text_of(board.view())


def _parsed(watch: Watch, item: Any) -> dict[str, Any]:
    line = json.dumps(json_item(watch, item), separators=(",", ":"))
    assert "\n" not in line
    parsed: dict[str, Any] = json.loads(line)
    return parsed


def test_json_lines_parse_back_to_the_same_values() -> None:
    book = _book()
    out = _parsed(Watch("book", "kucoin", "BTC/USDT", depth=2), book)
    assert out["venue"] == "kucoin" and out["sequence"] == 1042
    assert out["timestamp"] == "2024-03-01T09:14:30.123Z"
    assert [(D(x["price"]), D(x["amount"])) for x in out["bids"]] == \
        [(x.price, x.amount) for x in book.bids[:2]]
    assert len(out["asks"]) == 2 and D(out["asks"][0]["amount"]) == D("0.00003")
    ticker = _parsed(Watch("ticker", "kucoin", "BTC/USDT"), _ticker())
    assert D(ticker["quote_volume"]) == D("2310.339008") and "raw" not in ticker
    assert isinstance(ticker["last"], str)
    order = _parsed(Watch("orders", "kucoin", None), _order(7, OrderStatus.PARTIALLY_FILLED,
                                                           "0.00100000"))
    assert order["status"] == "partially_filled" and order["filled"] == "0.00100000"
    assert order["side"] == "buy" and order["created_at"].endswith("Z")
    trade = _parsed(Watch("trades", "kucoin", "BTC/USDT"), _trade(5, Side.SELL))
    assert D(trade["amount"]) == D("0.0005") and trade["side"] == "sell"
    balances = _parsed(Watch("balance", "kucoin", None), _balances("10.10"))
    assert [b["currency"] for b in balances["balances"]] == ["BTC", "ETH", "USDT"]
    assert balances["balances"][2]["total"] == "10.10"


def _stream(items: list[Any]) -> tuple[Stream[Any], list[str]]:
    events: list[str] = []

    async def start(s: Stream[Any]) -> None:
        events.append("start")
        for item in items:
            s.push(item)

    async def stop(s: Stream[Any]) -> None:
        events.append("stop")

    return Stream("test", conflate=False, start=start, stop=stop), events


def test_count_stops_after_n_updates_and_closes_the_stream() -> None:
    stream, events = _stream([_trade(n, Side.BUY) for n in range(1, 6)])
    shown: list[Any] = []
    assert asyncio.run(follow(stream, 3, shown.append)) == 3
    assert [t.id for t in shown] == ["1", "2", "3"] and events == ["start", "stop"]
    assert stream.closed


def test_an_interrupted_loop_closes_its_stream() -> None:
    stream, events = _stream([])

    async def interrupted() -> None:
        task = asyncio.create_task(follow(stream, None, print))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(interrupted())
    assert events == ["start", "stop"] and stream.closed


def test_off_a_terminal_each_view_is_printed_in_turn() -> None:
    from rich.console import Console

    out = io.StringIO()
    with screen(Console(file=out, width=80)) as draw:
        for n in (1, 2):
            draw(trades_view("kucoin", "BTC/USDT", [_trade(n, Side.BUY)]))
    assert out.getvalue().count("kucoin BTC/USDT trades (last 1)") == 2
    assert "\x1b" not in out.getvalue()  # no cursor movement, no colour in a pipe


def test_the_arb_live_view_has_the_one_shot_tables() -> None:
    def top(venue: str, bid: str, ask: str) -> Top:
        return Top(venue, "BTC/USDT", D(bid), D("2"), D(ask), D("0.5"), D("0.001"),
                   "spec default tier")

    tops = [top("kucoin", "100.10", "100.20"), top("okex_v1", "101.00", "101.30")]
    same = {"kucoin": lambda x: x, "okex_v1": lambda x: x}
    ranked = pairs(tops, same)
    text = text_of(live_view(tops, ranked, "USDT", same, []), width=100)
    one_shot = render(tops, ranked, "USDT", same, [])
    assert "BTC: best bid and ask per venue, compared in USDT" in text
    assert "best pair: buy on kucoin at 100.2, sell on okex_v1 at 101" in text
    for line in best_lines(ranked[0], "USDT"):
        assert line in text and line in one_shot
    assert "every pair, per BTC in USDT, best first" in text and "+0.597%" in text
    # the same rows as the one-shot tables, cell for cell
    for row in one_shot.splitlines():
        if row.startswith(("kucoin ", "okex_v1 ")):
            assert any(x.split() == row.split() for x in text.splitlines()), row


@pytest.mark.parametrize(("args", "says"), [
    (("watch", "book", "--venue", "kucoin"), "watch book needs a SYMBOL"),
    (("watch", "balance", "BTC/USDT", "--venue", "kucoin"), "watch balance takes no SYMBOL"),
    (("watch", "book", "BTC/USDT", "--venue", "kucoin", "--count", "0"), "must be positive"),
    (("watch", "book", "BTC/USDT", "--venue", "nasdaq"), "unknown venue"),
    (("watch", "candles", "BTC/USDT", "--venue", "kucoin"), "invalid choice"),
    (("arb", "BTC/USDT", "--venue", "kucoin", "--venue", "okex_v1", "--count", "2"),
     "give --watch too"),
    (("arb", "BTC/USDT", "--venue", "kucoin", "--watch"), "at least two"),
])
def test_usage_errors_exit_2_before_any_request(args: tuple[str, ...], says: str) -> None:
    result = unified_cmd(*args, "--local")
    assert result.returncode == 2
    assert says in one_line(result.stderr)


# ---------------------------------------------------------------- end to end


def _lines(*args: str, count: int) -> list[dict[str, Any]]:
    result = unified_cmd("watch", *args, "--local", "--json", "--count", str(count),
                         timeout=90)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == count  # --count stops after that many updates
    return [json.loads(x) for x in lines]


@pytest.mark.parametrize("venue", VENUES)
def test_watch_book_json_lines_are_consistent_books(venue: str) -> None:
    books = _lines("book", BTC[venue], "--venue", venue, "--depth", "5", count=3)
    sequences = []
    for book in books:
        assert book["venue"] == venue and book["symbol"] == BTC[venue]
        bids = [Decimal(x["price"]) for x in book["bids"]]
        asks = [Decimal(x["price"]) for x in book["asks"]]
        assert 0 < len(bids) <= 5 and 0 < len(asks) <= 5  # --depth trims what is shown
        assert bids == sorted(bids, reverse=True) and asks == sorted(asks)
        assert bids[0] < asks[0]
        assert all(isinstance(x["amount"], str) for x in book["bids"] + book["asks"])
        if book["sequence"] is not None:
            sequences.append(book["sequence"])
    assert sequences == sorted(sequences)  # never backwards


@pytest.mark.parametrize("venue", VENUES)
def test_watch_ticker_and_trades(venue: str) -> None:
    for ticker in _lines("ticker", BTC[venue], "--venue", venue, count=2):
        assert ticker["symbol"] == BTC[venue] and ticker["timestamp"].endswith("Z")
        assert Decimal(ticker["last"]) > 0
    for trade in _lines("trades", BTC[venue], "--venue", venue, count=3):
        assert trade["symbol"] == BTC[venue] and trade["side"] in ("buy", "sell")
        assert Decimal(trade["price"]) > 0 and Decimal(trade["amount"]) > 0


@pytest.mark.parametrize("venue", VENUES)
def test_watch_orders_and_balance(venue: str) -> None:
    orders = _lines("orders", "--venue", venue, count=3)
    assert all(o["venue"] == venue and o["status"] for o in orders)
    assert all(Decimal(o["filled"]) >= 0 for o in orders)
    for update in _lines("balance", "--venue", venue, count=2):
        balances = update["balances"]
        assert balances == sorted(balances, key=lambda b: b["currency"])
        for b in balances:
            assert Decimal(b["total"]) == Decimal(b["available"]) + Decimal(b["held"])


def test_watch_book_text_prints_each_update_off_a_terminal() -> None:
    result = unified_cmd("watch", "book", "BTC/USDT", "--venue", "kucoin", "--depth", "3",
                         "--count", "2", "--local", env={"NO_COLOR": "1"}, timeout=90)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("kucoin BTC/USDT book") == 2
    assert result.stdout.count("spread ") == 2 and "mid " in result.stdout
    assert fits(result.stdout) and "\x1b" not in result.stdout


def test_arb_watch_json_reports_every_pair_on_each_update() -> None:
    every = [f"--venue={v}:{BTC[v]}" for v in VENUES]
    result = unified_cmd("arb", *every, "--rate", "JPY/USDT=0.0061", "--watch", "--count", "2",
                         "--json", "--local", timeout=90)
    assert result.returncode == 0, result.stderr
    reports = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(reports) == 2
    for report in reports:
        assert report["reference"] == "USDT"
        assert [v["venue"] for v in report["venues"]] == VENUES
        assert len(report["pairs"]) == len(VENUES) * (len(VENUES) - 1)


def test_arb_watch_text_redraws_the_table() -> None:
    result = unified_cmd("arb", "BTC/USDT", "--venue", "okex_v1", "--venue", "okcoin_v1",
                         "--watch", "--count", "2", "--local", env={"NO_COLOR": "1"},
                         timeout=90)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("BTC: best bid and ask per venue, compared in USDT") == 2
    assert result.stdout.count("every pair, per BTC in USDT, best first") == 2


@pytest.mark.parametrize("venue", VENUES)
def test_ctrl_c_leaves_cleanly_with_130(venue: str) -> None:
    proc = spawn("watch", "trades", BTC[venue], "--venue", venue, "--local", "--json")
    try:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        assert json.loads(first)["symbol"] == BTC[venue]
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        assert proc.returncode == 130
        assert proc.stderr.read() == ""  # no traceback, no warning of an unclosed stream
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


def test_the_book_views_tape_follows_the_public_trades() -> None:
    """`watch book` also follows the symbol's trades (on every venue, polled or streamed)."""

    async def go() -> None:
        for venue in VENUES:
            async with paced(venue) as (_, ex, symbol):
                board = Board(Watch(kind="book", venue=venue, symbol=symbol))
                board.add(await ex.fetch_order_book(symbol, limit=5))
                drawn, live = asyncio.Event(), asyncio.Event()
                task = asyncio.create_task(tape(ex, symbol, board, drawn.set, live.set))
                await asyncio.wait_for(live.wait(), 20)
                book = await ex.fetch_order_book(symbol, limit=1)
                amount = min(size(await ex.market(symbol), 1), book.asks[0].amount)
                await ex.create_order(symbol, OrderType.LIMIT, Side.BUY, amount,
                                      book.asks[0].price)
                await asyncio.wait_for(drawn.wait(), 20)
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                assert [(t.price, t.amount) for t in board.tape] == [
                    (book.asks[0].price, amount)]

    asyncio.run(go())
