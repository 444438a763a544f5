"""KuCoin futures (api-futures.kucoin.com): perpetual and dated contracts, amounts in lots."""

from unified.venue import VenueDescriptor

VENUE = VenueDescriptor(
    spec="kucoin_futures",
    adapter="adapters.kucoin_futures.endpoints:ADAPTER",
    simulator="adapters.kucoin_futures.sim:PERSONALITY",
)
