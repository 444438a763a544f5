"""Scenario 9, JSON: the decoders on the delta path, over the feed's live frames (text).

Contenders: json.loads with floats (the floor: not exact, not usable); the stdlib decoder with
parse_float=Decimal (`convert.loads_stdlib`, what unified used before); msgspec's C decoder
with float_hook=Decimal (every float literal handed to Decimal as its own text); unified's
`convert.loads` as it stands (msgspec first, the stdlib reader for what msgspec refuses); and
orjson, the parser ccxt's WebSocket client uses when importable (floats: shown for scale).

Before timing, the exact decoders must agree on every frame (same values, same types).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import msgspec

from benchmarks.feed import Feed
from unified import convert

Decoder = Callable[[str], Any]


def decoders() -> dict[str, Decoder]:
    out: dict[str, Decoder] = {
        "json_floats": json.loads,
        "stdlib_decimal": convert.loads_stdlib,
        "msgspec_decimal": msgspec.json.Decoder(float_hook=Decimal).decode,
        "unified": convert.loads,
    }
    with contextlib.suppress(ImportError):  # not a dependency of either library
        out["orjson"] = importlib.import_module("orjson").loads
    return out


def _same(a: Any, b: Any) -> bool:
    """Equal values of equal types all the way down (1 == Decimal(1) is not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) and str(a) == str(b)


def check(frames: list[str], fns: dict[str, Decoder]) -> None:
    reference = fns["stdlib_decimal"]
    for text in frames:
        want = reference(text)
        for name in ("msgspec_decimal", "unified"):
            if not _same(fns[name](text), want):
                raise AssertionError(f"{name} disagrees with the stdlib reader on {text[:80]}")


def _seconds(fn: Decoder, frames: list[str]) -> float:
    gc.collect()
    start = time.perf_counter()
    for text in frames:
        fn(text)
    return time.perf_counter() - start


def run(feed: Feed, reps: int, path_us: float | None) -> dict[str, Any]:
    """`path_us`: unified's whole path per frame, to tell the decoder's share of it."""
    frames = feed.frames[feed.pre:]
    fns = decoders()
    check(frames, fns)
    secs: dict[str, list[float]] = {name: [] for name in fns}
    for i in range(reps):
        names = list(fns)
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:  # rotated: drift hits every decoder alike
            secs[name].append(_seconds(fns[name], frames))
    per_s = {k: round(len(frames) / statistics.median(v)) for k, v in secs.items()}
    us = {k: round(1e6 / v, 3) for k, v in per_s.items()}
    out: dict[str, Any] = {"frames": len(frames), "frames_per_s": per_s, "us_per_frame": us,
                           "msgspec_over_stdlib": round(per_s["msgspec_decimal"]
                                                        / per_s["stdlib_decimal"], 2),
                           "chosen": "msgspec" if convert.loads is not convert.loads_stdlib
                           else "stdlib"}
    if path_us:
        # unified's path with each exact decoder in place of the one it ran with (estimated:
        # the path's time less the chosen decoder's, plus this one's)
        rest = path_us - us["unified"]
        exact = ("stdlib_decimal", "msgspec_decimal")
        out["path_frames_per_s_est"] = {k: round(1e6 / (rest + us[k])) for k in exact}
        out["share_of_path"] = {k: round(us[k] / (rest + us[k]), 3) for k in exact}
    return out
