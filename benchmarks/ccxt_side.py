"""ccxt's KuCoin client, configured fairly: no rate limiter, HF order endpoints, every API base
URL pointed at the local venue, markets loaded before anything is timed.

ccxt is optional (the `bench` extra); without it every ccxt figure reads "n/a".
"""

from __future__ import annotations

import importlib
from typing import Any

from unified.venue import Credentials


def available() -> bool:
    try:
        importlib.import_module("ccxt.async_support")
    except ImportError:
        return False
    return True


def version() -> str | None:
    try:
        return str(importlib.import_module("ccxt").__version__)
    except ImportError:
        return None


async def kucoin(base_url: str, credentials: Credentials) -> Any:
    """A loaded ccxt.async_support.kucoin talking to the local KuCoin."""
    ccxt = importlib.import_module("ccxt.async_support")
    ex = ccxt.kucoin({
        "enableRateLimit": False,
        "apiKey": credentials.api_key,
        "secret": credentials.secret,
        "password": credentials.passphrase,
        "options": {
            # The account uses HF order endpoints; known up front, so ccxt does not ask
            # (/api/v1/hf/accounts/opened) and neither does it probe the unified-account
            # mode (UTA): the local venue, like a classic KuCoin spot account, has neither.
            "hf": True,
            "uta": False,
            # Spot only: no futures / margin symbol lists (not part of this comparison).
            "fetchMarkets": {"types": ["spot"], "fetchTickersFees": True},
        },
    })
    for name in list(ex.urls["api"]):
        ex.urls["api"][name] = base_url
    # Currencies (/api/v3/currencies) only name coins; the local venue does not serve them and
    # nothing timed here needs them.
    ex.has["fetchCurrencies"] = False
    try:
        await ex.load_markets(params={"marginables": False})
    except BaseException:
        await ex.close()
        raise
    return ex
