"""How much each scenario does: the full run, --quick, and the tiny one the smoke test uses."""

from __future__ import annotations

import attrs


@attrs.frozen
class Sizes:
    name: str
    call_rounds: int  # timed rounds of single calls (each contender once per round)
    call_warmup: int
    walk_orders: int  # closed orders held for the walk
    walk_page: int  # orders per page (KuCoin's HF maximum is 100)
    walk_rounds: int
    page_rounds: int  # rounds of one page of closed orders
    decode_orders: int
    decode_reps: int
    import_runs: int  # fresh interpreters per import measurement
    memory_counts: tuple[int, ...]  # history lengths walked under tracemalloc
    venue_rounds: int  # other venues' single calls
    stream_frames: int  # KuCoin level2 pushes in the recorded-style feed
    stream_depth: int  # levels a side the feed's book holds
    stream_reps: int  # timed passes over the feed per contender (interleaved)
    stream_samples: int  # memory samples over the long feed


FULL = Sizes("full", call_rounds=2000, call_warmup=100, walk_orders=10_000, walk_page=100,
             walk_rounds=5, page_rounds=300, decode_orders=100_000, decode_reps=3,
             import_runs=9, memory_counts=(10_000, 50_000, 100_000), venue_rounds=1000,
             stream_frames=100_000, stream_depth=500, stream_reps=3, stream_samples=20)
QUICK = Sizes("quick", call_rounds=150, call_warmup=20, walk_orders=2_000, walk_page=100,
              walk_rounds=2, page_rounds=30, decode_orders=10_000, decode_reps=1,
              import_runs=3, memory_counts=(1_000, 5_000), venue_rounds=100,
              stream_frames=5_000, stream_depth=500, stream_reps=1, stream_samples=10)
TINY = Sizes("tiny", call_rounds=5, call_warmup=1, walk_orders=250, walk_page=100,
             walk_rounds=1, page_rounds=2, decode_orders=200, decode_reps=1,
             import_runs=1, memory_counts=(200, 400), venue_rounds=3,
             stream_frames=2_000, stream_depth=100, stream_reps=1, stream_samples=5)
