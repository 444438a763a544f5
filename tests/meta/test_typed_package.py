"""Installed from the wheel, both import packages carry their types (PEP 561 py.typed): a
user's `mypy --strict` sees the real signatures, not "missing library stubs or py.typed"."""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from ..conftest import ROOT

USER_SCRIPT = textwrap.dedent("""\
    import asyncio
    from decimal import Decimal

    import adapters.kucoin
    import unified
    from unified import Credentials, OrderType, Side, Ticker


    async def main() -> None:
        spec: str = adapters.kucoin.VENUE.spec
        async with unified.connect(spec, credentials=Credentials("k", "s", "p")) as ex:
            ticker: Ticker = await ex.fetch_ticker("BTC/USDT")
            last: Decimal | None = ticker.last
            order = await ex.create_order("BTC/USDT", OrderType.LIMIT, Side.BUY,
                                          Decimal("0.001"), Decimal("20000"))
            print(last, order.id.upper())
            await ex.fetch_ticker(123)  # WRONG


    asyncio.run(main())
""")
WRONG_LINE = next(n for n, line in enumerate(USER_SCRIPT.splitlines(), 1) if "# WRONG" in line)


def _build_wheel(into: Path) -> Path:
    # From a copy of the sources: the build's scratch folders stay out of the shared checkout.
    src = into / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for folder in ("unified", "adapters", "specs"):
        shutil.copytree(ROOT / folder, src / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "_specs"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--no-index", "-q", "-w", str(into), str(src)],
                   check=True, capture_output=True)
    return next(into.glob("exchange_unified-*.whl"))


@pytest.mark.skipif(not (ROOT / "setup.py").exists(), reason="run from a checkout")
def test_mypy_strict_sees_the_installed_types(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"unified/py.typed", "adapters/py.typed"} <= names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True,
                   env=env)
    # The dependencies (attrs, cattrs, aiohttp) come from the test venv's site-packages as a
    # plain path: its .pth files, among them the editable install of this checkout, do not run.
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    packages = Path(subprocess.run([python, "-c", purelib], capture_output=True, text=True,
                                   check=True, env=env).stdout.strip())
    (packages / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    where = subprocess.run([python, "-c", "import unified, adapters, attrs, aiohttp; "
                            "print(unified.__file__); print(adapters.__file__)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path, env=env)
    assert all(Path(p).is_relative_to(packages) for p in where.stdout.split()), where.stdout

    (tmp_path / "user.py").write_text(USER_SCRIPT)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-executable", str(python),
         "--cache-dir", str(tmp_path / "cache"), "--verbose", "user.py"],
        capture_output=True, text=True, cwd=tmp_path, env=env, check=False)
    out = result.stdout
    assert "missing library stubs or py.typed marker" not in out + result.stderr
    # mypy read the wheel's copy, not this checkout.
    parsed = re.findall(r"Parsing (\S+) \(((?:unified|adapters)(?:\.\w+)*)\)", result.stderr)
    assert parsed and all(Path(p).is_relative_to(packages) for p, _ in parsed), parsed
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert len(errors) == 1, out
    assert errors[0].startswith(f"user.py:{WRONG_LINE}: error: Argument 1 to \"fetch_ticker\"")
    assert '"int"; expected "str"' in errors[0]
