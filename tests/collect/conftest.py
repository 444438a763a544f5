"""The exports every collect test compares with, made once."""

from __future__ import annotations

import pytest

from .support import LOCAL_JOBS, export_reference


@pytest.fixture(scope="package")
def references(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """What `unified export --local` writes for each of LOCAL_JOBS, by file name."""
    folder = tmp_path_factory.mktemp("references")
    return {job[4]: export_reference(folder, *job) for job in LOCAL_JOBS}
