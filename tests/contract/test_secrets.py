"""Canary: no secret or passphrase appears in any log record, repr, error message or traceback,
including tracebacks that print every frame's locals (error trackers, `pytest -l`)."""

from __future__ import annotations

import logging
import traceback
from urllib.parse import parse_qsl

import pytest

import unified
from unified import Credentials, OrderType, Side, UnifiedError
from unified.cli.creds import resolve
from unified.cli.errors import UsageError
from unified.clock import PacedClock
from unified.spec import VenueSpec
from unified.transport import AiohttpTransport
from unified.wire import WireRequest, WireResponse

from ..conftest import VENUES, run
from .harness import session

KEY = "CanaryApiKey00000000000001"
SECRET = "CanarySecret0000000000000000001"
PASSPHRASE = "CanaryPassphrase1"
#: The md5_sorted_params recipe signs with these form parameters (see unified.sim.verify).
SIGNED_PARAMS = ("api_key", "sign")


@pytest.mark.parametrize("venue", VENUES)
def test_no_secret_leaks(venue: str, caplog: pytest.LogCaptureFixture) -> None:
    texts: list[str] = []

    async def scenario() -> None:
        async with session(venue) as s:
            creds = s.sim.credentials
            canary = Credentials(creds.api_key, SECRET,
                                 PASSPHRASE if creds.passphrase is not None else None)
            texts.extend([repr(canary), str(canary)])
            async with unified.connect(venue, credentials=canary, base_url=s.sim.base_url) as ex:
                texts.append(repr(ex))
                for call in (ex.fetch_balance(),
                             ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY, s.amount,
                                             s.price("0.9"))):
                    try:
                        await call
                    except UnifiedError as exc:  # the canary keys are wrong: auth errors
                        trace = "".join(traceback.format_exception(exc))
                        texts.extend([str(exc), repr(exc), trace])

    with caplog.at_level(logging.DEBUG):
        run(scenario())
    texts.extend(record.getMessage() for record in caplog.records)
    assert any("redacted" in t for t in texts)
    for text in texts:
        assert SECRET not in text and PASSPHRASE not in text


class Recording(AiohttpTransport):
    """The real transport, keeping every request it sends (signed ones as signed)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[WireRequest] = []

    async def send(self, request: WireRequest, timeout: float) -> WireResponse:
        self.sent.append(request)
        return await super().send(request, timeout)


def signed_values(spec: VenueSpec, sent: list[WireRequest]) -> set[str]:
    """What signing put on the wire: the key, signature and passphrase headers the spec names,
    and the md5 recipe's signed form parameters."""
    names = {spec.signing.headers[k].lower() for k in ("key", "sign", "passphrase")
             if k in spec.signing.headers}
    found: set[str] = set()
    for request in sent:
        found |= {v for n, v in request.headers.items() if n.lower() in names}
        for text in (request.query, request.body.decode()):
            found |= {v for n, v in parse_qsl(text) if n in SIGNED_PARAMS}
    return found


def with_locals(exc: BaseException) -> list[str]:
    """The exception as a traceback with every frame's locals: the standard library's way
    (what error trackers do) and pytest's `-l` (--showlocals)."""
    std = "".join(traceback.TracebackException.from_exception(exc, capture_locals=True)
                  .format())
    pytest_l = str(pytest.ExceptionInfo.from_exception(exc).getrepr(
        showlocals=True, style="long", truncate_locals=False))
    return [std, pytest_l]


@pytest.mark.parametrize("venue", VENUES)
def test_tracebacks_with_locals_of_signed_calls_show_no_secret(venue: str) -> None:
    """Failures raised from inside signed calls: the venue refusing the canary key (after the
    signed answer), then the connection dropped under every signed call (inside the send)."""
    failures: list[BaseException] = []
    transport = Recording()

    async def scenario() -> VenueSpec:
        async with session(venue) as s:
            canary = Credentials(KEY, SECRET,
                                 PASSPHRASE if s.sim.credentials.passphrase else None)
            clock = PacedClock()  # retries and backoff pass at once
            async with unified.connect(venue, credentials=canary, base_url=s.sim.base_url,
                                       transport=transport, clock=clock,
                                       sleep=clock.sleep) as ex:
                await ex.load_markets()
                for drop in (False, True):
                    if drop:
                        s.sim.faults.add("reset", times=10_000)
                    for call in (ex.fetch_balance(),
                                 ex.create_order(s.symbol, OrderType.LIMIT, Side.BUY,
                                                 s.amount, s.price("0.9"))):
                        try:
                            await call
                        except UnifiedError as exc:
                            failures.append(exc)
            return ex.spec

    spec = run(scenario())
    hidden = {KEY, SECRET, *signed_values(spec, transport.sent)}
    hidden |= {PASSPHRASE} if spec.signing.passphrase != "none" else set()
    assert len(hidden) > 3 and len(failures) == 4
    texts = [repr(r) for r in transport.sent]
    for exc in failures:
        texts += with_locals(exc)
    assert any("WireRequest(" in t and "<redacted>" in t for t in texts[len(transport.sent):])
    for text in texts:
        leaked = [value for value in hidden if value in text]
        assert not leaked, f"{leaked} in:\n{text}"


ENV = {"UNIFIED_KUCOIN_API_KEY": KEY, "UNIFIED_KUCOIN_SECRET": SECRET}  # no passphrase


def test_a_credentials_error_with_locals_shows_no_secret() -> None:
    with pytest.raises(UsageError, match="lacks passphrase") as caught:
        resolve("kucoin", None, ENV, print)
    for text in with_locals(caught.value):
        assert "values, hidden>" in text
        assert KEY not in text and SECRET not in text


def test_credentials_that_are_not_text_are_refused_without_their_value() -> None:
    """A bytes secret would otherwise fail inside a signer, whose locals hold it in plain."""
    with pytest.raises(unified.ConfigurationError, match="secret must be a str") as caught:
        Credentials(KEY, SECRET.encode())  # type: ignore[arg-type]
    assert SECRET not in str(caught.value) and KEY not in str(caught.value)
