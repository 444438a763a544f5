"""Shared test setup: hypothesis profiles, the registered venues, and an event-loop runner."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings

from unified import registry

T = TypeVar("T")

settings.register_profile(
    "ci", deadline=None, derandomize=True, max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
#: reference data copied into the repository (see SOURCES.md there): a clone needs nothing beside it
DATA = ROOT / "tests" / "data" / "reference"
VENUES = list(registry.venues())


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)
