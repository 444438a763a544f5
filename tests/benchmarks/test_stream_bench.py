"""The stream benchmark's pieces: the feed has the venue's documented shape and is a correct
feed (its own model is the book every correct consumer ends with), ccxt.pro is driven through
its own code and agrees, and the JSON reader the benchmark chose answers what the stdlib reader
answers. No timing is asserted here."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.kucoin import ws
from benchmarks import ccxt_stream, feed, streams
from benchmarks.sizes import TINY
from unified import convert
from unified.errors import DecodeError

from ..conftest import ROOT, run

EXAMPLES = ROOT / "tests" / "data" / "streams"


def test_a_frame_is_byte_for_byte_the_documented_layout() -> None:
    example = (EXAMPLES / "kucoin_ws_level2_increment.json").read_text().strip()
    data = json.loads(example)["data"]
    assert feed.frame_text(data["changes"]["asks"], data["changes"]["bids"],
                           data["sequenceStart"], data["sequenceEnd"], data["time"]) == example


def test_the_feed_is_sequenced_and_the_snapshot_is_the_rest_shape() -> None:
    f = feed.generate(600, 30)
    assert len(f.frames) == 600 and f.removals > 0 and f.changes > 600
    previous_end = None
    for text in f.frames:
        _, delta = ws.level2_delta(streams._message(text))
        if previous_end is not None:
            assert delta.start == previous_end + 1  # a healthy connection: no gap
        previous_end = delta.end
        rows = sorted([*delta.bids, *delta.asks], key=lambda r: int(str(r[2])))
        assert [int(str(r[2])) for r in rows] == list(range(delta.start, delta.end + 1))
    assert previous_end == f.final_sequence
    snapshot = json.loads(f.snapshot)
    example = json.loads((EXAMPLES / "kucoin_rest_level2_snapshot.json").read_text())
    assert snapshot.keys() == {"code", "data"} and snapshot["code"] == "200000"
    assert snapshot["data"].keys() == example["response"]["data"].keys()
    bids = [Decimal(p) for p, _ in snapshot["data"]["bids"]]
    asks = [Decimal(p) for p, _ in snapshot["data"]["asks"]]
    assert bids == sorted(bids, reverse=True) and asks == sorted(asks) and bids[0] < asks[0]
    # taken inside a buffered frame: that frame overlaps the snapshot's sequence
    inside = ws.level2_delta(streams._message(f.frames[f.pre - 3]))[1]
    assert inside.start <= f.snapshot_sequence < inside.end


def test_unified_ends_with_the_model_book() -> None:
    assert run(streams.verify_unified(feed.generate(1500, 40))) == []


def test_the_dispatched_path_builds_the_same_books_as_the_direct_one() -> None:
    """Scenario 9's receive-path contender (the dialect's decode and the routing) feeds the
    same keeper: book for book, it reads what the direct path reads."""
    f = feed.generate(600, 30)

    async def books(dispatched: bool) -> list[Any]:
        contender = await streams.seeded(f, streams.BOOK_LIMIT)
        step = contender.dispatched() if dispatched else contender.step(1)
        return [(b.sequence, b.bids, b.asks) for b in map(step, f.frames[f.pre:])]

    direct, routed = run(books(False)), run(books(True))
    assert routed == direct and len(direct) == len(f.frames) - f.pre


# ccxt.pro is the bench extra's, not the test extra's: with it installed (`pip install -e
# ".[bench]"`) these compare against it; without, the scenario's own tests above still run and
# the smoke test checks that the table reads n/a for ccxt.
if ccxt_stream.available():

    def test_ccxt_pro_is_seeded_by_its_own_path_and_agrees() -> None:
        f = feed.generate(1500, 40)

        async def check() -> Any:
            seeded = await ccxt_stream.seeded(f)
            try:
                return seeded.book()["nonce"]
            finally:
                await seeded.close()

        assert run(check()) >= f.snapshot_sequence
        assert run(streams.verify_ccxt(f)) == []


    def test_the_stream_scenario_with_ccxt_pro() -> None:
        out = run(streams.run(TINY, use_ccxt=True))
        assert out["agree"] == {"unified": [], "ccxt": []}
        assert out["throughput"]["frames_per_s"]["ccxt"] > 0
        assert out["throughput"]["unified_over_ccxt"] > 0


JSON_EDGES = ["1", "-0", "1.0", "1e5", "-0.0", "123456789012345678901234567890", "1e400",
              "NaN", "-Infinity", '"\\ud800"', '{"a":1,"a":2}', ' [1, 2] ', '"\x01"', "[1,]",
              "01", "1.", "\ufeff[1]", "[" * 5000 + "]" * 5000, '"abc', "1 2", "", "  "]


def _answer(fn: Any, body: Any) -> tuple[str, str]:
    try:
        return "ok", repr(fn(body))
    except DecodeError as exc:
        return "error", str(exc)


@pytest.mark.parametrize("text", JSON_EDGES)
def test_loads_answers_what_the_stdlib_reader_answers(text: str) -> None:
    for body in (text, text.encode("utf-8", "surrogatepass"), b"\xef\xbb\xbf" + text.encode()):
        assert _answer(convert.loads, body) == _answer(convert.loads_stdlib, body)


NUMBER = st.decimals(allow_nan=False, allow_infinity=False).flatmap(
    lambda d: st.sampled_from([str(d), format(d, "f")]))  # "1E+5", "-0E-7", "0.0000001"
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.text()).map(json.dumps)
JSON = st.recursive(  # documents as text, so numbers keep every digit they were written with
    SCALAR | NUMBER,
    lambda inner: st.lists(inner, max_size=4).map(lambda xs: "[" + ",".join(xs) + "]")
    | st.dictionaries(st.text(), inner, max_size=4).map(
        lambda d: "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in d.items()) + "}"),
    max_leaves=20)


@given(JSON)
def test_loads_matches_the_stdlib_reader_on_any_document(text: str) -> None:
    assert _answer(convert.loads, text) == _answer(convert.loads_stdlib, text)
    for body in (text.encode(), text.encode("utf-16")):  # UTF-16: the stdlib reader's path
        assert _answer(convert.loads, body) == _answer(convert.loads_stdlib, body)


# -- the level2 decode path's shortcuts answer what the general code answers ----------------

def test_a_push_and_a_delta_are_records_whose_payload_is_not_their_value() -> None:
    from unified.streams.sequenced import Delta, make_delta

    a = ws.Message(topic="/t", subject="s", data={"x": 1}, raw={"whole": 1})
    b = ws.Message(topic="/t", subject="s", data={"x": 1}, raw={"whole": 2})
    assert a == b and (a != b) is False and "whole" not in repr(a)
    assert a != ws.Message(topic="/t", subject="s", data={"x": 2}) and a != ("/t", "s", {"x": 1})
    d = make_delta(1, 2, [], [], None, {"raw": 1})
    assert d == Delta(start=1, end=2, bids=[], asks=[]) and d.raw == {"raw": 1}
    assert hash(Delta(start=1, end=2, bids=(), asks=())) == hash(make_delta(1, 2, (), (), None, 5))
    assert "raw" not in repr(d)


@given(st.integers(-(10 ** 14), 10 ** 14) | st.sampled_from([0, 999, 1000, -1, 10 ** 20]))
def test_push_times_are_convert_from_ms(ms: int) -> None:
    from adapters.kucoin.ws_market import _time_ms

    def answer(fn: Any) -> Any:
        try:
            return fn(ms)
        except DecodeError as exc:
            return str(exc)

    assert answer(_time_ms) == answer(convert.from_ms)


@pytest.mark.parametrize("text", [*JSON_EDGES, '{"type":"message","topic":"/market/level2:X",'
                                  '"subject":"trade.l2update","data":{"a":1.50,"b":[1e400]}}'])
def test_the_push_decoder_reads_what_convert_loads_reads(text: str) -> None:
    def answer(body: Any) -> tuple[str, str]:
        try:
            event = ws.decode(body)
        except DecodeError as exc:
            return "error", type(exc).__name__
        return "ok", repr(event.data if isinstance(event, ws.Message) else event)

    def reference(body: Any) -> tuple[str, str]:
        try:
            frame = convert.loads(body)
        except DecodeError as exc:
            return "error", type(exc).__name__
        if isinstance(frame, dict) and frame.get("type") == "message":
            return "ok", repr(frame.get("data"))
        return answer(body)  # not a push: the same code either way

    for body in (text, text.encode("utf-8", "surrogatepass")):
        assert answer(body) == reference(body)
