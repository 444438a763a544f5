"""KuCoin futures (api-futures.kucoin.com): perpetual and dated contracts, amounts in lots.

Not registered yet: a registered venue runs the whole venue-parametrized contract suite on its
local twin, and the twin (adapters/kucoin_futures/sim.py) does not exist yet. Registering is
naming this descriptor VENUE.
"""

from unified.venue import VenueDescriptor

DESCRIPTOR = VenueDescriptor(
    spec="kucoin_futures",
    adapter="adapters.kucoin_futures.endpoints:ADAPTER",
    simulator="adapters.kucoin_futures.sim:PERSONALITY",
)
