"""Running the `unified` command as a subprocess, the way a user does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from unified import registry
from unified.cli.creds import env_names
from unified.sim.server import default_credentials

from ..conftest import ROOT

CLI = [sys.executable, "-m", "unified.cli"]
# No credentials from the machine running the tests can leak in.
BASE_ENV = {k: v for k, v in os.environ.items() if not k.startswith("UNIFIED_")}
BASE_ENV.update(PYTHONPATH=str(ROOT), XDG_CONFIG_HOME="/nonexistent-unified-test-config")


def unified_cmd(*args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True,
                          env={**BASE_ENV, **(env or {})}, cwd=cwd, timeout=timeout,
                          check=False)


def _as_in_a_terminal() -> None:
    # Ctrl-C reaches a foreground command whose SIGINT is at its default. A test run started
    # in the background (a shell without job control, nohup, some CI runners) ignores SIGINT,
    # every child would inherit that, and an "interrupted" export would run to the end.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(*args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
    """A running command whose stdin and stderr the test drives and reads."""
    return subprocess.Popen([*CLI, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**BASE_ENV, **(env or {})}, preexec_fn=_as_in_a_terminal)


def exited(proc: subprocess.Popen[str], timeout: float = 60) -> str:
    """The rest of a child's stderr once it exits, its stdin left open: a paused export is not
    released, so only the signal the test sent can end it."""
    assert proc.stderr is not None
    proc.wait(timeout=timeout)
    return proc.stderr.read()


def read_until(stream: IO[str], marker: str, limit: int = 200) -> list[str]:
    """Lines of a child's output up to the one containing `marker` (which must come)."""
    lines: list[str] = []
    for _ in range(limit):
        line = stream.readline()
        assert line, f"output ended before {marker!r}: {lines}"
        lines.append(line)
        if marker in line:
            return lines
    raise AssertionError(f"no {marker!r} in {lines}")


def sim_env(venue: str) -> dict[str, str]:
    """The environment variables holding a local venue's test credentials."""
    creds = default_credentials(registry.get(venue).spec)
    names = env_names(venue)
    env = {names["api_key"]: creds.api_key, names["secret"]: creds.secret}
    if creds.passphrase:
        env[names["passphrase"]] = creds.passphrase
    return env


def fits(text: str, width: int = 80) -> bool:
    return all(len(line) <= width for line in text.splitlines())


def one_line(stderr: str) -> str:
    lines = [x for x in stderr.splitlines() if x.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]
