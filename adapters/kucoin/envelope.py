"""KuCoin's REST envelope, {code, data}: shared by spot and futures (api-futures.kucoin.com
answers the same way), so that KuCoin futures builds on it as on the signer."""

from __future__ import annotations

from typing import Any

from unified.diagnostics import read_text
from unified.errors import DecodeError
from unified.venue import VenueRejected
from unified.wire import WireResponse

SUCCESS = "200000"


def unwrap(response: WireResponse, parsed: Any) -> Any:
    """The data of a success (code "200000"); any other code is a VenueRejected."""
    if not isinstance(parsed, dict) or "code" not in parsed:
        if response.status >= 400:
            raise VenueRejected(None, f"HTTP {response.status}")
        raise DecodeError("not a KuCoin {code, data} envelope")
    code = parsed["code"]
    if isinstance(code, bool) or not isinstance(code, (str, int)):
        if response.status >= 400:
            raise VenueRejected(None, f"HTTP {response.status}")
        raise DecodeError(f"unreadable KuCoin code {code!r}")
    if str(code).strip() != SUCCESS:
        raise VenueRejected(str(code).strip(), read_text(parsed.get("msg")) or "")
    return parsed.get("data")  # `msg` of a success ("", {}, null or text) says nothing more
