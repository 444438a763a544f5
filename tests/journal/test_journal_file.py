"""The intent journal on disk: records survive a reopen, settled ones are gone, a torn last
line (a crash mid-write) is dropped, anything else unreadable is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from unified import ConfigurationError, OrderType, Side
from unified.journal import FileJournal, Journal, open_journal
from unified.models import Market

MARKET = Market(symbol="BTC/USDT", venue_symbol="BTC-USDT", base="BTC", quote="USDT",
                price_increment=Decimal("0.1"), amount_increment=Decimal("0.0001"),
                min_amount=Decimal("0.0001"), min_cost=None, active=True)
ARGS = {"market": MARKET, "symbol": "BTC-USDT", "side": Side.BUY, "type": OrderType.LIMIT,
        "amount": Decimal("0.0100"), "price": Decimal("25000.5"), "client_order_id": "uAbc1",
        "post_only": False, "time_in_force": None}
AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_an_unsettled_intent_survives_a_reopen_and_a_settled_one_does_not(tmp_path: Path
                                                                           ) -> None:
    path = tmp_path / "orders.journal"
    journal = FileJournal(path)
    kept = journal.record(venue="kucoin", op="create_order", args=ARGS, sent_at=AT)
    assert path.read_bytes().count(b"\n") == 1  # on disk before the request leaves
    done = journal.record(venue="kucoin", op="create_order",
                          args={**ARGS, "client_order_id": "uAbc2"}, sent_at=AT)
    journal.settle(done, "order 42")
    journal.close()
    again = FileJournal(path)
    assert [i.id for i in again.pending()] == [kept.id]
    intent = again.pending()[0]
    assert intent.client_order_id == "uAbc1" and intent.symbol == "BTC/USDT"
    assert intent.decimal("amount") == Decimal("0.0100") and intent.decimal("price") == \
        Decimal("25000.5")
    assert intent.args["side"] == "buy" and intent.sent_at == AT
    assert again.pending("okcoinjp") == []
    again.close()


def test_a_torn_last_line_is_dropped_and_the_file_stays_appendable(tmp_path: Path) -> None:
    path = tmp_path / "orders.journal"
    journal = FileJournal(path)
    first = journal.record(venue="kucoin", op="create_order", args=ARGS, sent_at=AT)
    journal.close()
    with path.open("ab") as f:
        f.write(b'{"record":"intent","intent":{"id":"half')  # the crash cut it here
    again = FileJournal(path)
    assert [i.id for i in again.pending()] == [first.id]
    again.settle(first, "order 1")
    again.close()
    assert FileJournal(path).pending() == []


def test_a_damaged_record_is_refused_not_skipped(tmp_path: Path) -> None:
    path = tmp_path / "orders.journal"
    path.write_bytes(b'{"record":"intent"}\n')
    with pytest.raises(ConfigurationError, match="line 1"):
        FileJournal(path)


def test_the_default_journal_is_in_memory(tmp_path: Path) -> None:
    journal = open_journal(None)
    assert type(journal) is Journal
    intent = journal.record(venue="okex_v1", op="create_order",
                            args={**ARGS, "client_order_id": None}, sent_at=AT)
    assert journal.pending() == [intent] and intent.client_order_id is None
    journal.settle(intent, "order 7")
    assert journal.pending() == []
    assert isinstance(open_journal(tmp_path / "j"), FileJournal)
    with pytest.raises(ConfigurationError, match="journal"):
        open_journal(42)  # type: ignore[arg-type]


def test_reopening_compacts_the_file_to_the_open_intents(tmp_path: Path) -> None:
    path = tmp_path / "orders.journal"
    journal = FileJournal(path)
    kept = journal.record(venue="kucoin", op="create_order", args=ARGS, sent_at=AT)
    for n in range(20):
        done = journal.record(venue="kucoin", op="create_order",
                              args={**ARGS, "client_order_id": f"uDone{n}"}, sent_at=AT)
        journal.settle(done, f"order {n}")
    journal.close()
    assert path.read_bytes().count(b"\n") == 41
    again = FileJournal(path)
    assert path.read_bytes().count(b"\n") == 1 and [i.id for i in again.pending()] == [kept.id]
    assert FileJournal(path).pending()[0].args == kept.args  # the rewrite reads back the same


def test_two_clients_may_share_one_journal(tmp_path: Path) -> None:
    """One file for two venues: a client that opens (and compacts) it meanwhile loses none of
    the other's records."""
    path = tmp_path / "bot.journal"
    kucoin = FileJournal(path)
    first = kucoin.record(venue="kucoin", op="create_order", args=ARGS, sent_at=AT)
    kucoin.settle(kucoin.record(venue="kucoin", op="create_order", args=ARGS, sent_at=AT), "x")
    okcj = FileJournal(path)  # compacts: the settled intent goes, the open one stays
    assert [i.id for i in okcj.pending("kucoin")] == [first.id]
    second = kucoin.record(venue="kucoin", op="create_order", args=ARGS, sent_at=AT)
    mine = okcj.record(venue="okcoinjp", op="create_order", args=ARGS, sent_at=AT)
    kucoin.settle(first, "order 1")
    after = FileJournal(path)
    assert [i.id for i in after.pending("kucoin")] == [second.id]
    assert [i.id for i in after.pending("okcoinjp")] == [mine.id]


def test_a_cancel_alls_order_ids_survive_a_reopen_and_an_older_intent_without_them_loads(
        tmp_path: Path) -> None:
    path = tmp_path / "orders.journal"
    meant = {"BTC/USDT": ["o1", "o2"]}
    journal = FileJournal(path)
    kept = journal.record(venue="kucoin", op="cancel_all_orders",
                          args={"market": MARKET, "symbol": "BTC-USDT", "open_ids": meant},
                          sent_at=AT)
    meant["BTC/USDT"].append("o3")  # the caller's dict is not the intent's
    assert kept.args["open_ids"] == {"BTC/USDT": ["o1", "o2"]}
    journal.close()
    with path.open("ab") as f:  # as a journal written before the ids were kept has it
        f.write(b'{"record":"intent","intent":{"id":"old1","venue":"kucoin",'
                b'"op":"cancel_all_orders","symbol":"BTC/USDT","client_order_id":null,'
                b'"args":{"symbol":"BTC-USDT"},"sent_at":"2026-12-01T12:00:00+00:00"}}\n')
        f.write(b'{"record":"intent","intent":{"id":"half')  # torn: the file is compacted
    again = FileJournal(path)
    assert {i.id: i.args.get("open_ids") for i in again.pending()} == {
        kept.id: {"BTC/USDT": ["o1", "o2"]}, "old1": None}
    again.close()
    assert {i.id for i in FileJournal(path).pending()} == {kept.id, "old1"}  # compacted
