"""mypy --strict and ruff are part of the suite, so a fresh clone proves them too."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from ..conftest import ROOT


@pytest.mark.parametrize("tool", [
    [sys.executable, "-m", "mypy"],
    [sys.executable, "-m", "ruff", "check", "unified", "adapters", "tests", "benchmarks"],
], ids=["mypy", "ruff"])
def test_static_check_is_clean(tool: list[str]) -> None:
    if shutil.which(tool[2]) is None and subprocess.run(
            [*tool[:3], "--version"], capture_output=True, check=False).returncode != 0:
        pytest.fail(f"{tool[2]} is not installed: pip install -e '.[test]'")
    result = subprocess.run(tool, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
