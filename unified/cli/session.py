"""Which venues a command talks to, and how: a real origin with the user's credentials, another
origin (`--base-url`), or local venues started in-process with a seeded account (`--local`)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path

import attrs

import unified
from unified import registry
from unified.cli.creds import credentials_given, resolve
from unified.cli.errors import UsageError, on
from unified.client import Exchange
from unified.venue import Credentials


@attrs.frozen
class Target:
    """One `--venue` argument: `kucoin`, or `kucoin:BTC/USDT` to give that venue its own symbol."""

    venue: str
    symbol: str


def targets(symbol: str | None, venues: Sequence[str]) -> list[Target]:
    out = []
    for given in venues:
        venue, _, own = given.partition(":")
        registry.get(venue)  # unknown venue: ConfigurationError, exit 2
        chosen = own or symbol
        if not chosen:
            raise UsageError(f"no symbol for {venue}: give SYMBOL or --venue {venue}:BASE/QUOTE")
        out.append(Target(venue, chosen.upper()))
    if not out:
        raise UsageError("give at least one --venue")
    return out


@attrs.frozen
class Session:
    """The connection options every command shares."""

    local: bool = False
    base_urls: tuple[str, ...] = ()  # "URL" or "VENUE=URL"
    credentials: Path | None = None
    # repr=False: the environment holds UNIFIED_*_SECRET values, and tracebacks show locals
    environ: Mapping[str, str] = attrs.field(factory=lambda: dict(os.environ), repr=False)

    def base_url(self, venue: str, venues: Sequence[str]) -> str | None:
        chosen = None
        for given in self.base_urls:
            name, sep, url = given.partition("=")
            if sep and name == venue:
                chosen = url
            elif not sep:
                if len(set(venues)) > 1:
                    raise UsageError("with several venues, give --base-url VENUE=URL")
                chosen = given
        return chosen


def _warn(message: str) -> None:
    print(f"unified: {message}", file=sys.stderr)


@contextlib.asynccontextmanager
async def open_venues(session: Session, venues: Sequence[str], private: bool = False,
                      if_given: bool = False) -> AsyncIterator[dict[str, Exchange]]:
    """An open Exchange per venue id: with credentials when `private` (required), or
    `if_given` (where the user has set some). With `session.local`, each venue is a local
    venue started here, seeded with the same paper account and trading history on every
    run (its paper account's credentials always given)."""
    wanted = list(dict.fromkeys(venues))
    for venue in wanted:
        registry.get(venue)
    async with contextlib.AsyncExitStack() as stack:
        opened: dict[str, Exchange] = {}
        for venue in wanted:
            if session.local:
                opened[venue] = await stack.enter_async_context(_local(venue))
                continue
            credentials = (resolve(venue, session.credentials, session.environ, _warn)
                           if private else _if_given(session, venue, if_given))
            with on(venue):
                ex = unified.connect(venue, credentials=credentials,
                                     base_url=session.base_url(venue, wanted))
            opened[venue] = await stack.enter_async_context(ex)
        yield opened


def _if_given(session: Session, venue: str, wanted: bool) -> Credentials | None:
    if not wanted:
        return None
    try:
        return credentials_given(venue, session.credentials, session.environ, _warn)
    except UsageError as exc:  # wanted, not needed: the command goes on without them
        _warn(f"{exc}; going on without credentials for {venue}")
        return None


@contextlib.asynccontextmanager
async def _local(venue: str) -> AsyncIterator[Exchange]:
    from unified.sim import history

    sim, clock = await history.start_seeded(venue)
    try:
        # The venue and the client share a clock that stands still: every run sees the same
        # state, so output (and an export resumed in a new process) is reproducible.
        async with history.connect(sim, clock) as ex:
            yield ex
    finally:
        await sim.stop()
