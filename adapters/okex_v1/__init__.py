"""Legacy OKEx / OKCoin REST v1 spot: one adapter for www.okex.com and www.okcoin.com."""

from unified.venue import VenueDescriptor

VENUE = VenueDescriptor(
    spec="okex_v1",
    adapter="adapters.okex_v1.endpoints:ADAPTER",
    simulator="adapters.okex_v1.sim:PERSONALITY",
)
