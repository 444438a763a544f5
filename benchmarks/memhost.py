"""A local KuCoin holding N closed orders, in its own process (scenario 6), so that the
memory traced in the benchmark process is the client's alone.

`python -m benchmarks.memhost N` prints the base URL, then serves until stdin closes.
"""

from __future__ import annotations

import asyncio
import sys

from benchmarks.local import local_venue, seed_closed_orders

SYMBOL = "BTC/USDT"


async def serve(count: int) -> None:
    async with local_venue("kucoin") as sim:
        seed_closed_orders(sim.engine, SYMBOL, count)
        print(sim.base_url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
