"""JOBS.toml mistakes are refused before any job runs: exit 2 and one line saying which job
and what; so is `--dask` without the dask extra."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from unified.cli.main import main

from .support import job_table, write_jobs

GOOD = job_table("ledger", "kucoin", None, 25, "ledger.csv")


@pytest.mark.parametrize(("text", "says"), [
    ("", "expected one or more [[job]] tables"),
    ("[[job]\n", "not valid TOML"),
    ('title = "x"\n' + GOOD, "nothing else"),
    ('[[job]]\nkind = "ledger"\nout = "a.csv"\nlocal = true\n', "job 1: `venue` is required"),
    (GOOD + '[[job]]\nvenue = "nowhere"\nkind = "ledger"\nout = "b.csv"\nlocal = true\n',
     "job 2: "),
    (job_table("trades", "kucoin", None, 5, "a.csv"), "kind must be one of"),
    (job_table("orders", "kucoin", None, 5, "a.csv"), "orders need `symbol`"),
    (job_table("ledger", "kucoin", "BTC/USDT", 5, "a.csv"), "take `currency`, not `symbol`"),
    (job_table("fills", "okex_v1", "BTC/USDT", 5, "a.csv"), "okex_v1 has no fills history"),
    (job_table("ledger", "kucoin", None, 5, "a.txt"), "`out` must end in .csv"),
    (job_table("ledger", "kucoin", None, 5, "a.csv", local=True, credentials="me"),
     "either `local = true` or `credentials"),
    (job_table("ledger", "kucoin", None, 5, "a.csv", local=False), "either `local = true`"),
    (job_table("ledger", "kucoin", None, 5, "a.csv", local=True,
               base_url="http://127.0.0.1:1"), "starts its own venue"),
    (job_table("ledger", "kucoin", None, 5, "a.csv", local=True, region="eu"),
     "unknown keys region"),
    (job_table("ledger", "kucoin", None, 0, "a.csv"), "`page_size` must be a positive"),
    (GOOD + 'since = 2024-03-02\nuntil = 2024-03-01\n', "`since` is after `until`"),
    (GOOD + 'since = "yesterday"\n', "not an ISO-8601 date"),
    (GOOD + GOOD, "two jobs write"),
])
def test_a_bad_job_file_exits_2_naming_the_job(text: str, says: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    jobs = tmp_path / "jobs.toml"
    jobs.write_text(text, encoding="utf-8")
    assert main(["collect", str(jobs)]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "ledger.csv").exists() and not (tmp_path / "a.csv").exists()


def test_a_file_that_is_no_export_is_kept_unless_forced(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    jobs = write_jobs(tmp_path, [GOOD])
    (tmp_path / "ledger.csv").write_text("mine\n", encoding="utf-8")
    assert main(["collect", str(jobs)]) == 2
    assert "add --force" in capsys.readouterr().err
    assert (tmp_path / "ledger.csv").read_text() == "mine\n"
    assert main(["collect", str(jobs), "--force"]) == 0
    assert (tmp_path / "ledger.csv").read_text().startswith("id,currency,")


def test_a_checkpoint_of_another_export_is_refused(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    jobs = write_jobs(tmp_path, [GOOD])
    assert main(["collect", str(jobs)]) == 0
    write_jobs(tmp_path, [GOOD + 'since = 2024-03-01T12:00:00Z\n'])
    capsys.readouterr()
    assert main(["collect", str(jobs)]) == 2
    err = capsys.readouterr().err
    assert "job 1: " in err and "another export (since differ)" in err, err


def test_dask_without_the_extra_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed: ImportError
    jobs = write_jobs(tmp_path, [GOOD])
    assert main(["collect", str(jobs), "--dask", "tcp://127.0.0.1:1"]) == 2
    assert 'pip install "exchange-unified[dask]"' in capsys.readouterr().err
    assert not (tmp_path / "ledger.csv").exists()


def test_local_and_base_url_options_belong_in_the_job_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jobs = write_jobs(tmp_path, [GOOD])
    assert main(["collect", str(jobs), "--local"]) == 2
    assert "in JOBS.toml" in capsys.readouterr().err
