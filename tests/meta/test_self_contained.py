"""A fresh clone stands on its own: nothing reaches outside the repository for data, and every
reference file the tests use is in tests/data/reference/ as SOURCES.md lists it."""

from __future__ import annotations

import re

from ..conftest import DATA, ROOT

SCANNED = ["tests", "benchmarks", "unified", "adapters", ".ci"]
# Built from pieces so that this file does not match itself.
OUTSIDE = re.compile("|".join(re.escape(p) for p in (".." + "/shared", "ROOT" + ".parent",
                                                         "/work" + "/shared")))
LISTED = re.compile(r"^\| `([^`]+)` \|", re.MULTILINE)


def test_nothing_reads_outside_the_repository() -> None:
    found: list[str] = []
    for folder in SCANNED:
        files = [p for p in (ROOT / folder).rglob("*") if p.is_file()
                 and "__pycache__" not in p.parts]
        assert files, f"{folder}/ is empty or missing"
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # binary files hold no paths
            found += [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
                      for n, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]
    assert not found, "paths outside the repository:\n" + "\n".join(found)


def test_every_listed_reference_file_is_there_and_every_file_is_listed() -> None:
    listed = LISTED.findall((DATA / "SOURCES.md").read_text())
    assert listed
    missing = [name for name in listed if not (DATA / name).is_file()]
    assert not missing, f"listed in SOURCES.md but missing: {missing}"
    present = {str(p.relative_to(DATA)) for p in DATA.rglob("*") if p.is_file()}
    assert present - {"SOURCES.md"} == set(listed), "SOURCES.md and the folder disagree"
