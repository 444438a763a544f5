"""Work a local venue does because its clock or its tape says so, not because a request asks:
the dead-man switch (cancel an account's orders at a set time) and whatever else registers a
job here (OCO stops: unified.sim.oco), venue-neutral.

The clock is manual in tests and nothing runs in the background, so due work is done whenever
the venue does anything: SimVenue runs `run_due(engine)` before and after each REST request
and each WebSocket order request (so a trade made by request R triggers before R's answer is
sent, and a switch whose time has come fires before the request that finds it). An engine
driven directly (tests, scripts) calls `run_due(engine)` itself. Jobs act through the engine's
own calls (cancel, place), so streams and balances see exactly what an owner's request does;
engine listeners (unified.sim.events) never act, they may not call back into the engine.

The dead-man switch (KuCoin's "DCP"): one per account; `arm` sets it to fire `timeout`
seconds from now on the engine's clock (the last setting wins: arming again re-arms from
now), `disarm` clears it. Once the clock reaches the trigger time, the next due run cancels
every open order of the account on the switch's symbols (every symbol when none were given),
newest first as a cancel-all does, and the switch is unset.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import datetime, timedelta

import attrs

from unified.sim.book import Engine

#: a job: does what has come due on `engine`; True if it changed anything (run again then)
Job = Callable[[Engine], bool]
#: rounds of one run_due; each job's work ends (its states only move forward), this only
#: bounds a job that keeps saying it did something
MAX_ROUNDS = 1000


class DueWork:
    """The jobs of one engine, run in the order they were first registered."""

    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}

    def add(self, name: str, job: Job) -> None:
        """Register `job` under `name` (again: the same place, the new job)."""
        self.jobs[name] = job

    def run(self, engine: Engine) -> None:
        for _ in range(MAX_ROUNDS):
            changed = False
            for job in list(self.jobs.values()):  # all of them: one's work may be another's
                changed = job(engine) or changed
            if not changed:
                return


# Jobs take the engine as an argument: nothing kept here holds it (the keys stay weak).
_WORK: weakref.WeakKeyDictionary[Engine, DueWork] = weakref.WeakKeyDictionary()


def due_work(engine: Engine) -> DueWork:
    work = _WORK.get(engine)
    if work is None:
        work = _WORK[engine] = DueWork()
    return work


def run_due(engine: Engine) -> None:
    """Do whatever has come due on `engine` (cheap when nothing is registered)."""
    work = _WORK.get(engine)
    if work is not None:
        work.run(engine)


# ---------------------------------------------------------------- the dead-man switch


@attrs.frozen
class Switch:
    account: str
    timeout: int  # seconds
    symbols: tuple[str, ...]  # unified symbols; () = every symbol
    set_at: datetime
    fires_at: datetime


_SWITCHES: weakref.WeakKeyDictionary[Engine, dict[str, Switch]] = weakref.WeakKeyDictionary()


def arm(engine: Engine, account: str, timeout: int, symbols: tuple[str, ...] = ()) -> Switch:
    """Set `account`'s switch to fire `timeout` seconds from now (replacing any setting)."""
    if timeout <= 0:
        raise ValueError("a dead-man switch fires a positive number of seconds from now")
    for symbol in symbols:
        engine.market(symbol)
    now = engine.clock.now()
    switch = Switch(account, timeout, tuple(dict.fromkeys(symbols)), now,
                    now + timedelta(seconds=timeout))
    _SWITCHES.setdefault(engine, {})[account] = switch
    due_work(engine).add("dead_man", _fire_due_switches)
    return switch


def disarm(engine: Engine, account: str) -> None:
    _SWITCHES.get(engine, {}).pop(account, None)


def switch_of(engine: Engine, account: str) -> Switch | None:
    """The account's armed switch; None when it is not set (or has fired)."""
    return _SWITCHES.get(engine, {}).get(account)


def _fire_due_switches(engine: Engine) -> bool:
    switches = _SWITCHES.get(engine, {})
    now = engine.clock.now()
    due = sorted((s for s in switches.values() if now >= s.fires_at),
                 key=lambda s: (s.fires_at, s.account))
    for switch in due:
        del switches[switch.account]  # unset first: it fires once
        for order in engine.open_orders(switch.account):
            if not switch.symbols or order.symbol in switch.symbols:
                engine.cancel(switch.account, order.id)
    return bool(due)


__all__ = ["DueWork", "Job", "Switch", "arm", "disarm", "due_work", "run_due", "switch_of"]
