"""OKCoinJapan REST v3 (spot)."""

from unified.venue import VenueDescriptor

VENUE = VenueDescriptor(
    spec="okcoinjp",
    adapter="adapters.okcoinjp.endpoints:ADAPTER",
    simulator="adapters.okcoinjp.sim:PERSONALITY",
)
