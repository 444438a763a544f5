"""Shared test setup: hypothesis profiles, the registered venues, and an event-loop runner."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
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
#: every venue: the venue-parametrized suites run on each (amounts in contracts on a contract
#: venue, its money in the settle currency); SPOT_VENUES for what only spot markets do (the
#: CLI's side-by-side market tables); contract venues also have tests/contract/test_derivatives.py
ALL_VENUES = list(registry.venues())
CONTRACT_VENUES = [v for v in ALL_VENUES if registry.get(v).spec.capability("derivatives")]
SPOT_VENUES = [v for v in ALL_VENUES if v not in CONTRACT_VENUES]
VENUES = ALL_VENUES


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _loopback_only(address: Any) -> None:
    """Tests reach only 127.0.0.1 / ::1 (or local sockets): anything else is a bug, refused."""
    if not isinstance(address, tuple):
        return  # AF_UNIX paths, socketpairs
    host = str(address[0])
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise AssertionError(f"a test tried to reach {host}: tests stay on loopback")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def connect(self: socket.socket, address: Any) -> None:
        _loopback_only(address)
        _connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _loopback_only(address)
        return _connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
