"""Canary: no secret or passphrase appears in any log record, repr, error message or traceback."""

from __future__ import annotations

import logging
import traceback

import pytest

import unified
from unified import Credentials, OrderType, Side, UnifiedError

from ..conftest import VENUES, run
from .harness import session

SECRET = "CanarySecret0000000000000000001"
PASSPHRASE = "CanaryPassphrase1"


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
