"""Hostile answers: mutated venue payloads surface as DecodeError or a mapped VenueError, never as
another exception and never as a silently wrong model."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unified.errors import DecodeError, VenueError
from unified.wire import WireResponse

from ..replay.test_examples import CLASSES, exchange_for, replay
from ..replay.test_examples import EXAMPLES as ALL_EXAMPLES

EXAMPLES = [p for p in ALL_EXAMPLES
            if not json.loads(p.read_text())["expect"].startswith("error:")]

NASTY = st.sampled_from([
    None, "", "NaN", "Infinity", "-1", "1e400", "1E+5", "abc", True, False, 0, -1, 10**30,
    1.5, [], {}, [None], {"x": 1}, "zzz-unknown", "9" * 400,
])


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            found += paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):
            found += paths(v, (*prefix, i))
    return found


def mutate(doc: Any, path: tuple[Any, ...], action: str, new: Any) -> Any:
    doc = json.loads(json.dumps(doc))
    if not path:
        return new
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if action == "delete" and isinstance(parent, dict):
        del parent[last]
    elif action == "delete" and isinstance(parent, list):
        parent.pop(last)
    else:
        parent[last] = new
    if isinstance(parent, dict) and action == "extra":
        parent["unexpectedField"] = new
    return doc


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=25)
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
@given(data=st.data())
def test_mutated_payloads_fail_typed(path: Path, data: st.DataObject) -> None:
    example = json.loads(path.read_text())
    ex = exchange_for(path.parent.parent.name)
    where = data.draw(st.sampled_from(paths(example["response"])))
    action = data.draw(st.sampled_from(["replace", "delete", "extra"]))
    mutated = {**example, "response": mutate(example["response"], where, action,
                                             data.draw(NASTY))}
    try:
        results = replay(ex, mutated)
    except (DecodeError, VenueError):
        return
    for result in results:  # accepted: then it must still be a well-formed model
        assert isinstance(result, CLASSES[example["expect"]])
        for name in getattr(type(result), "__slots__", ()):
            value = getattr(result, name, None)
            if isinstance(value, Decimal):
                assert value.is_finite()


@pytest.mark.parametrize("path", EXAMPLES[:40], ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
@pytest.mark.parametrize("body", [
    b"", b"{", b"<html><body>502 Bad Gateway</body></html>", b"\xff\xfe",
    b'{"code": "200000", "data": {"items": [', b"NaN",
])
@pytest.mark.parametrize("status", [200, 502])
def test_broken_bodies_fail_typed(path: Path, body: bytes, status: int) -> None:
    example = json.loads(path.read_text())
    ex = exchange_for(path.parent.parent.name)
    with pytest.raises((DecodeError, VenueError)):
        payload = ex._pipe.unwrap(WireResponse(status, {"content-type": "text/html"}, body))
        ex._pipe.decode(example["op"], payload)


def test_unknown_side_or_status_is_never_a_default() -> None:
    checked = 0
    for path in EXAMPLES:
        example = json.loads(path.read_text())
        if example["expect"] not in ("Order", "Fill"):
            continue
        ex = exchange_for(path.parent.parent.name)
        tables = ex.tables
        venue_words = set(tables.sides.forward) | set(tables.status.forward)
        for where in paths(example["response"]):
            doc = example["response"]
            for key in where:
                doc = doc[key]
            if isinstance(doc, (str, int)) and not isinstance(doc, bool) \
                    and str(doc) in venue_words and where and where[-1] in (
                        "side", "state", "status", "type"):
                mutated = {**example, "response": mutate(example["response"], where, "replace",
                                                         "zzz-unknown")}
                with pytest.raises(DecodeError):
                    replay(ex, mutated)
                checked += 1
    assert checked >= 3


def _enlarged(value: Any) -> Any:
    """Every number in a payload made huge, as JSON numbers and as numeric strings (the
    envelope's status codes aside: a huge one is an error answer, tested elsewhere)."""
    if isinstance(value, dict):
        return {k: v if k in ("code", "error_code") else _enlarged(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_enlarged(v) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return HUGE_NUMBER
    if isinstance(value, str) and value.replace(".", "", 1).lstrip("-").isdigit() and value:
        return "9E+999999"
    return value


HUGE_NUMBER = "<huge JSON number>"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_huge_numbers_are_decode_errors_not_arithmetic_ones(path: Path) -> None:
    """Valid JSON, absurd magnitudes: whatever arithmetic a decoder does, an overflow is a
    DecodeError (or the answer decodes to finite numbers)."""
    example = json.loads(path.read_text())
    ex = exchange_for(path.parent.parent.name)
    body = json.dumps(_enlarged(example["response"])).replace(f'"{HUGE_NUMBER}"', "9e999999")
    try:
        results = replay(ex, example, body.encode())
    except (DecodeError, VenueError):
        return
    for result in results:
        assert isinstance(result, CLASSES[example["expect"]])
