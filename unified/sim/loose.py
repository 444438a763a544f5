"""Answers worded as loosely as real venues word them, for every local venue.

Real answers vary from the docs: the same number arrives as a JSON number or a string, an
empty value as "" or null, and each venue words its diagnostics its own way. A personality
that is `Loose(loose=rate, seed=n)` words that share of its successful answers loosely,
reproducibly for a seed; its handlers are wrapped with `loosened`, and it passes its own
diagnostic words as a `Words` hook. Meaning never changes, only the JSON type.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from unified.sim.server import Handler, SimRequest, SimResponse, SimVenue

#: A Words hook's "no word of my own for this": the common rules apply.
SAME: Any = object()
#: (key, value, rng) -> the venue's own loose wording of a field, or SAME.
Words = Callable[[str, Any, random.Random], Any]


class Loose:
    """A personality's loose-answer switch: `loose` is the share of successful answers worded
    loosely (0: always as documented, 1: always loose)."""

    def __init__(self, loose: float = 0.0, seed: int = 0) -> None:
        self.loose = loose
        self.rng = random.Random(seed)

    def draw(self) -> bool:
        return self.loose > 0 and self.rng.random() < self.loose


def plain_number(text: str) -> bool:
    """Digits the venue could as well have sent as a JSON number (exactly the same text)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return False
    return value.is_finite() and format(value, "f") == text


def loosen(value: Any, rng: random.Random, words: Words | None = None, key: str = "",
           keep: Collection[str] = ()) -> Any:
    """`value` worded loosely: numbers as JSON numbers or strings, "" as "" or null, and the
    venue's own `words`; fields in `keep` and list items keep their list's key."""
    if words is not None:
        said = words(key, value, rng)
        if said is not SAME:
            return said
    if isinstance(value, dict):
        return {k: loosen(v, rng, words, k, keep) for k, v in value.items()}
    if isinstance(value, list):
        return [loosen(v, rng, words, key, keep) for v in value]
    if key in keep or isinstance(value, bool) or value is None:
        return value
    if value == "":
        return rng.choice(["", None])
    if isinstance(value, int):
        return rng.choice([value, str(value)])
    if isinstance(value, float):  # a simulator's exact float (v1): the same digits as text
        return rng.choice([value, format(Decimal(repr(value)), "f")])
    if isinstance(value, str) and plain_number(value):
        return rng.choice([value, Decimal(value)])
    return value


def to_json(value: Any) -> str:
    """JSON with Decimals as bare numbers: the server's own encoder writes them as strings."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{json.dumps(k)}:{to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    return json.dumps(value)


def loosened(handler: Handler, eligible: Callable[[Any], bool],
             reword: Callable[[Any, random.Random], Any]) -> Handler:
    """`handler`, whose successful answers a Loose personality words loosely: `eligible` says
    which bodies are successes the venue words freely, `reword` words one."""

    def handle(sim: SimVenue, req: SimRequest) -> SimResponse:
        response = handler(sim, req)
        personality, body = sim.personality, response.body
        if response.status >= 300 or isinstance(body, bytes) or not eligible(body) \
                or not isinstance(personality, Loose) or not personality.draw():
            return response
        body = reword(body, personality.rng)
        sim.answers[req.op] = body  # the server only records the answers it encodes itself
        return attrs.evolve(response, body=to_json(body).encode())

    return handle
