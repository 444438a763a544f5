"""The requests a connection waits on, and which refusal a close right after it means (no
venue involved: the keeper's own bookkeeping)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from unified.clock import ManualClock
from unified.errors import (
    AuthenticationError,
    ClockSkew,
    ConnectionFailed,
    InvalidOrder,
    PermissionDenied,
    RateLimited,
    UnifiedError,
    VenueUnavailable,
)
from unified.streams.connection import Connection
from unified.streams.dialect import Event, LoggedIn, Pong, Refused
from unified.streams.pacing import Settings
from unified.streams.pending import Pending

from ..conftest import run


def venue_error(kind: type[Any], code: str = "1") -> UnifiedError:
    error: UnifiedError = kind("refused", venue="test", code=code)
    return error


@pytest.mark.parametrize("kind", [AuthenticationError, PermissionDenied, InvalidOrder])
def test_an_incurable_refusal_of_a_waited_request_is_held(kind: type[Any]) -> None:
    async def go() -> None:
        pending, error = Pending(), venue_error(kind)
        (login,) = pending.expect(["login"])
        assert pending.refuse("login", error)
        assert pending.fatal is error
        assert login.exception() is error

    run(go())


@pytest.mark.parametrize("error", [
    RateLimited("slow down", venue="test"), VenueUnavailable("busy", venue="test"),
    ClockSkew("timestamp expired", venue="test"), ConnectionFailed("dropped"),
])
def test_a_refusal_a_retry_may_cure_is_not_held(error: UnifiedError) -> None:
    async def go() -> None:
        pending = Pending()
        (login,) = pending.expect(["login"])
        assert pending.refuse("login", error)
        assert pending.fatal is None
        assert login.exception() is error

    run(go())


def test_a_refusal_nobody_waited_on_is_not_held() -> None:
    async def go() -> None:
        pending = Pending()
        assert not pending.refuse("7", venue_error(AuthenticationError))
        assert pending.fatal is None
        (done,) = pending.expect(["7"])
        pending.resolve("7")
        assert pending.refuse("7", venue_error(AuthenticationError))  # answered already
        assert pending.fatal is None and done.result() is None

    run(go())


def test_a_refusal_naming_no_pending_request_fails_them_all() -> None:
    async def go() -> None:
        pending, error = Pending(), venue_error(AuthenticationError)
        first, second = pending.expect(["a", "b"])
        assert pending.expect(["a"]) == [first]
        assert pending.refuse(None, error)
        assert first.exception() is error and second.exception() is error
        assert pending.fatal is error
        pending.forget(["a", "b"])
        assert not pending

    run(go())


def connection(events: dict[str, list[Event]]) -> Connection:
    async def nothing(*_: Any) -> None:
        return None

    def refusal(refused: Refused) -> UnifiedError:
        return venue_error(AuthenticationError, refused.code or "")

    return Connection(
        "test", dialect=None, private=True, endpoint=nothing,  # type: ignore[arg-type]
        login=lambda: None, decode=lambda frame: events[str(frame)],
        on_items=lambda items: None, on_lost=lambda conn: None, on_resync=nothing,
        on_broken=lambda conn, error: None, refusal=refusal, clock=ManualClock(),
        settings=Settings())


def test_a_refusal_is_held_only_while_it_is_the_venues_last_word() -> None:
    """A close right after an incurable refusal is that refusal; once anything else is heard
    the refusal was answered on its own, and a later close is a drop (reconnect)."""
    frames: dict[str, list[Event]] = {
        "refused": [Refused(ref="login", code="30013", message="Invalid sign")],
        "pong": [Pong()], "logged in": [LoggedIn()]}

    async def go() -> None:
        conn = connection(frames)
        conn._pending.expect(["login"])
        conn._take("refused")
        assert isinstance(conn._pending.fatal, AuthenticationError)
        conn._take("pong")
        assert conn._pending.fatal is None
        conn._take("logged in")  # the login was failed already: nothing changes
        assert conn._pending.fatal is None

    run(asyncio.wait_for(go(), 5))
