"""KuCoin futures ids <-> unified symbols and currency codes.

KuCoin calls bitcoin XBT; unified symbols and codes say BTC (the spec's capability
`currency_aliases`, venue -> unified, read both ways). A contract's unified symbol is
`BASE/QUOTE:SETTLE` (ccxt's habit), a dated future's with `-YYMMDD` of its expiry (UTC):

- XBTUSDTM (linear perpetual, settled in USDT)  -> BTC/USDT:USDT
- XBTUSDM  (inverse perpetual, settled in XBT)  -> BTC/USD:BTC
- XBTMH25  (inverse future expiring 2025-03-28) -> BTC/USD:BTC-250328

The loaded markets carry each mapping (Market.venue_symbol); a contract not loaded is named
from the perpetual pattern <BASE><QUOTE>M, which is all an id alone says.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from unified.errors import DecodeError
from unified.venue import Context

#: <BASE><QUOTE>M, the quote being one of the settle currencies KuCoin lists perpetuals in
_PERPETUAL = re.compile(r"^([A-Z0-9]+?)(USDT|USDC|USD)M$")


def _aliases(ctx: Context) -> Mapping[str, str]:
    table = ctx.tables.spec.capabilities.get("currency_aliases") or {}
    return {str(k).upper(): str(v).upper() for k, v in table.items()}


def unified_currency(ctx: Context, code: str) -> str:
    upper = code.upper()
    return _aliases(ctx).get(upper, upper)


def venue_currency(ctx: Context, code: str) -> str:
    upper = code.upper()
    reverse = {v: k for k, v in _aliases(ctx).items()}
    return reverse.get(upper, upper)


def contract_symbol(base: str, quote: str, settle: str, expiry: datetime | None) -> str:
    symbol = f"{base}/{quote}:{settle}"
    return f"{symbol}-{expiry:%y%m%d}" if expiry is not None else symbol


def unified_symbol(ctx: Context, venue_symbol: str) -> str:
    """The loaded market's symbol; else the perpetual pattern's; else a DecodeError."""
    market = ctx.markets_by_id.get(venue_symbol)
    if market is not None:
        return market.symbol
    found = _PERPETUAL.match(venue_symbol)
    if found is None:
        raise DecodeError(f"{venue_symbol!r} is not a loaded contract nor a perpetual id")
    base, quote = unified_currency(ctx, found[1]), found[2]
    # USD-quoted perpetuals are inverse: margined and settled in the base
    return contract_symbol(base, quote, base if quote == "USD" else quote, None)
