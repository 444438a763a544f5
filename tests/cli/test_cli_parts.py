"""The command's pure parts: the credential file check, arb arithmetic, times, rows, layout."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unified.cli.arb import Rate, Top, converter, pairs, parse_fee, parse_rate, plan
from unified.cli.creds import check_permissions, from_env, from_file, resolve
from unified.cli.errors import UsageError
from unified.cli.export import parse_time
from unified.cli.format import beside, columns, fitted, iso
from unified.cli.progress import Progress
from unified.cli.rows import encode, header, ledger_row
from unified.models import LedgerEntry

SECRET = "do-not-print-me"


def _file(tmp_path: Path, text: str, mode: int) -> Path:
    path = tmp_path / "credentials.toml"
    path.write_text(text)
    path.chmod(mode)
    return path


KUCOIN = f'[kucoin]\napi_key = "k"\nsecret = "{SECRET}"\npassphrase = "p"\n'


@pytest.mark.parametrize(("mode", "outcome"), [
    (0o600, "ok"), (0o400, "ok"), (0o640, "warn"), (0o604, "refuse"), (0o644, "refuse"),
])
def test_the_credentials_file_must_not_be_readable_by_others(
        tmp_path: Path, mode: int, outcome: str) -> None:
    path = _file(tmp_path, KUCOIN, mode)
    warnings: list[str] = []
    if outcome == "refuse":
        with pytest.raises(UsageError, match="readable by other users") as caught:
            from_file("kucoin", path, warnings.append)
        assert SECRET not in str(caught.value) and f"{mode:04o}" in str(caught.value)
        return
    creds = from_file("kucoin", path, warnings.append)
    assert creds is not None and creds.secret == SECRET
    assert len(warnings) == (outcome == "warn")
    check_permissions(path, warnings.append)


def test_an_incomplete_or_malformed_file_is_refused_without_its_values(tmp_path: Path) -> None:
    path = _file(tmp_path, f'[kucoin]\napi_key = "k"\nsecret = "{SECRET}"\n', 0o600)
    with pytest.raises(UsageError, match="lacks passphrase") as caught:
        from_file("kucoin", path, print)
    assert SECRET not in str(caught.value)
    path.write_text(f'[kucoin]\napi_key = "k"\nsecret = {SECRET}\n')
    with pytest.raises(UsageError, match="not valid TOML") as caught:
        from_file("kucoin", path, print)
    assert SECRET not in str(caught.value)
    path.write_text(f'[kucoin]\napi_key = "k"\nsecrets = "{SECRET}"\n')
    with pytest.raises(UsageError, match="unknown keys: secrets") as caught:
        from_file("kucoin", path, print)
    assert SECRET not in str(caught.value)


def test_the_environment_comes_before_the_file(tmp_path: Path) -> None:
    path = _file(tmp_path, KUCOIN, 0o600)
    env = {"UNIFIED_OKEX_V1_API_KEY": "ek", "UNIFIED_OKEX_V1_SECRET": "es"}
    creds = resolve("okex_v1", path, env, print)
    assert (creds.api_key, creds.secret, creds.passphrase) == ("ek", "es", None)  # v1: none
    assert resolve("kucoin", path, env, print).secret == SECRET
    with pytest.raises(UsageError, match="lacks secret"):
        from_env("okex_v1", {"UNIFIED_OKEX_V1_API_KEY": "ek"})
    with pytest.raises(UsageError, match="does not exist"):
        resolve("kucoin", tmp_path / "missing.toml", {}, print)
    with pytest.raises(UsageError, match="no credentials: set UNIFIED_OKCOINJP_API_KEY"):
        resolve("okcoinjp", path, {}, print)


def _top(venue: str, bid: str, ask: str, taker: str, symbol: str = "BTC/USDT") -> Top:
    return Top(venue, symbol, Decimal(bid), Decimal("2"), Decimal(ask), Decimal("0.5"),
               Decimal(taker), "spec default tier")


def test_arb_pairs_are_exact_and_ranked() -> None:
    a = _top("a", "100.10", "100.20", "0.001")
    b = _top("b", "101.00", "101.30", "0.002")
    identity = {"a": lambda x: x, "b": lambda x: x}
    ranked = pairs([a, b], identity)
    best = ranked[0]
    assert (best.buy.venue, best.sell.venue) == ("a", "b")
    # 101.00 * 0.998 - 100.20 * 1.001 = 100.798 - 100.3002
    assert best.net == Decimal("0.4978")
    assert best.gross == Decimal("0.80")
    assert best.size == Decimal("0.5") and best.profit == Decimal("0.24890")
    assert ranked[1].net == Decimal("100.10") * Decimal("0.999") - Decimal("101.30") * \
        Decimal("1.002")


def test_arb_converts_quotes_only_with_a_rate() -> None:
    usdt = _top("a", "30000", "30010", "0.001")
    jpy = _top("b", "5000000", "5001000", "0.001", symbol="BTC/JPY")
    with pytest.raises(UsageError, match="--rate JPY/USDT="):
        plan([usdt, jpy], [])
    reference, convert, notes = plan([usdt, jpy], [parse_rate("jpy/usdt=0.0061")])
    assert reference == "USDT" and notes == ["b BTC/JPY converted at JPY/USDT=0.0061"]
    assert convert["b"](Decimal("5000000")) == Decimal("30500.0000")
    inverse = converter("JPY", "USDT", [Rate("USDT", "JPY", Decimal("160"))])
    assert inverse is not None and inverse[0](Decimal("5000000")) == Decimal("31250")
    with pytest.raises(UsageError, match="one base"):
        plan([usdt, _top("c", "1", "2", "0", symbol="ETH/USDT")], [])


@given(st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal("10000000"), places=8),
       st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal("10000000"), places=8),
       st.decimals(min_value=0, max_value=Decimal("0.01"), places=6))
def test_arb_arithmetic_never_rounds_venue_prices(bid: Decimal, ask: Decimal,
                                                  fee: Decimal) -> None:
    a = Top("a", "X/Y", bid, None, ask, None, fee, "spec")
    b = Top("b", "X/Y", bid, None, ask, None, fee, "spec")
    for p in pairs([a, b], {"a": lambda x: x, "b": lambda x: x}):
        # Exact: adding back the fees recovers the spread to the last digit.
        assert p.net + bid * fee + ask * fee == bid - ask
        assert p.size is None and p.profit is None


@pytest.mark.parametrize(("text", "rate"), [("okex_v1=0.0015", "0.0015"),
                                            ("okex_v1=0.15%", "0.0015"), ("kucoin=0", "0")])
def test_fee_overrides(text: str, rate: str) -> None:
    assert parse_fee(text)[1] == Decimal(rate)


@pytest.mark.parametrize("text", ["okex_v1", "okex_v1=1", "okex_v1=-0.1", "okex_v1=abc",
                                  "okex_v1=nan"])
def test_bad_fee_overrides(text: str) -> None:
    with pytest.raises(UsageError):
        parse_fee(text)


def test_times_are_read_as_utc_unless_offset() -> None:
    assert parse_time("2024-03-01", "--since") == datetime(2024, 3, 1, tzinfo=UTC)
    assert parse_time("2024-03-01T09:00:00+09:00", "--since") == datetime(2024, 3, 1,
                                                                          tzinfo=UTC)
    assert parse_time("2024-03-01T09:00Z", "--until").tzinfo is UTC
    with pytest.raises(UsageError, match="ISO-8601"):
        parse_time("yesterday", "--since")
    assert iso(datetime(2024, 3, 1, 9, tzinfo=timezone(timedelta(hours=9)))) == \
        "2024-03-01T00:00:00.000Z"
    assert iso(datetime(2024, 3, 1, microsecond=1, tzinfo=UTC)) == "2024-03-01T00:00:00.000001Z"


def test_rows_keep_exact_decimals_and_quote_csv() -> None:
    entry = LedgerEntry(id="1", currency="BTC", amount=Decimal("-1E-8"), balance=None,
                        kind="trade", reference='{"orderId":"x,y"}',
                        timestamp=datetime(2024, 3, 1, tzinfo=UTC))
    row = ledger_row(entry)
    assert row["amount"] == "-0.00000001" and row["balance"] is None
    text = header("ledger", "csv") + encode("ledger", "csv", [row])
    assert text.splitlines() == ["id,currency,amount,balance,kind,reference,timestamp",
                                 '1,BTC,-0.00000001,,trade,"{""orderId"":""x,y""}",'
                                 "2024-03-01T00:00:00.000Z"]
    assert encode("ledger", "jsonl", [row]).count("\n") == 1 and header("ledger", "jsonl") == ""


def test_layouts_fit_80_columns() -> None:
    values = [("x" * 14,) * 3] * 6
    text = columns("", ["a", "b", "c"], [(f"venue{i}", v[0]) for i, v in enumerate(values)])
    assert max(len(x) for x in text.splitlines()) <= 80 and text.count("venue0") == 1
    assert "venue5" in text
    blocks = ["b" * 30 + "\n" + "c" * 30] * 3
    assert max(len(x) for x in beside(blocks).splitlines()) <= 80
    wide = fitted(["id", "note", "extra"], [("1", "n" * 60, "e" * 30)], droppable=["extra"])
    assert "extra" not in wide and max(len(x) for x in wide.splitlines()) <= 80


def test_progress_prints_plain_lines_off_a_terminal() -> None:
    at = [0.0]
    out = io.StringIO()
    progress = Progress(out, "export x", now=lambda: at[0])
    at[0] = 0.5
    progress.update(10, 1)  # the first: printed
    at[0] = 1.0
    progress.update(20, 2)  # within a second of the last line: not printed
    at[0] = 2.0
    progress.update(30, 3)
    progress.finish("done")
    lines = out.getvalue().splitlines()
    assert lines[0] == "export x: 10 rows, 1 pages, 20 rows/s, 0:00:00"
    assert lines[1].startswith("export x: 30 rows, 3 pages, 15 rows/s")
    assert lines[-1].startswith("export x: done: 30 rows, 3 pages")
    assert "\r" not in out.getvalue()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_redraws_one_line_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.text import Text

    monkeypatch.setenv("COLUMNS", "60")
    out = _Terminal()
    progress = Progress(out, "export ledger kucoin USDT", now=lambda: 1.0)
    for page in range(1, 30):
        progress.update(page * 100, page)
        if page == 10:
            progress.note("paused after page 10")
    progress.finish("done")
    text = out.getvalue()
    draws = [Text.from_ansi(x).plain.split("\n") for x in text.split("\r")]
    assert len(draws) >= 29  # redrawn in place: a carriage return per page at least
    bars = [line for d in draws for line in d if "━" in line]
    assert bars and all(len(line) <= 59 for line in bars)  # the line never wraps
    assert draws[0][0].startswith("export ledger kucoin USDT ━━━━━━━━━━━━ 100 rows")
    # the note is a line of its own above the progress line, which goes on underneath
    noted = next(d for d in draws if "paused" in d[0])
    assert noted[0] == "export ledger kucoin USDT: paused after page 10"
    assert noted[1].startswith("export ledger kucoin USDT ━")
    assert "2,900 rows, 29 page…" in draws[-1][0]  # cut to fit, with an ellipsis
    assert text.endswith("\x1b[?25hexport ledger kucoin USDT: done: 2,900 rows, 29 pages, "
                         "0 rows/s, 0:00:00\n")  # the cursor shown again before the last line


def test_a_session_repr_never_shows_the_environment() -> None:
    from unified.cli.session import Session

    session = Session(environ={"UNIFIED_KUCOIN_SECRET": "canary-secret-value"})
    assert "canary-secret-value" not in repr(session)
    assert session.environ["UNIFIED_KUCOIN_SECRET"] == "canary-secret-value"


def test_a_refused_wait_is_printed() -> None:
    from unified import RateLimited
    from unified.cli.errors import Failed, describe

    banned = RateLimited("IP banned", venue="okex_v1", http_status=403, retry_after=300.0)
    line = describe(Failed("okex_v1", banned))
    assert "retry in 300 s" in line and "max_wait" in line and line.count("\n") == 0
