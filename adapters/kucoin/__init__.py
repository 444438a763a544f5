"""KuCoin spot, HF order endpoints."""

from unified.venue import VenueDescriptor

VENUE = VenueDescriptor(
    spec="kucoin",
    adapter="adapters.kucoin.endpoints:ADAPTER",
    simulator="adapters.kucoin.sim:PERSONALITY",
)
