"""`unified gateway --speak okex_v1 --venue VENUE`: serve one venue's REST protocol on 127.0.0.1,
carrying each request out on VENUE (see unified/gateway.py and README "v1 gateway")."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from unified.cli.errors import UsageError
from unified.cli.session import Session, open_venues
from unified.gateway import Gateway, load_dialect, speakable
from unified.venue import Credentials

ENV_KEY, ENV_SECRET = "UNIFIED_GATEWAY_API_KEY", "UNIFIED_GATEWAY_SECRET_KEY"


def add_parser(sub: Any, common: Sequence[argparse.ArgumentParser]) -> None:
    g = sub.add_parser("gateway", parents=common,
                       help="serve the v1 REST protocol on 127.0.0.1 in front of a venue")
    g.add_argument("--speak", required=True, metavar="PROTOCOL",
                   help="the protocol served: okex_v1")
    g.add_argument("--venue", required=True, help="the venue requests are carried out on")
    g.add_argument("--port", type=int, default=0, help="default: a free port")
    g.add_argument("--api-key", metavar="KEY",
                   help=f"the local api_key clients sign with (or ${ENV_KEY})")
    g.add_argument("--secret-key", metavar="SECRET",
                   help=f"the local secret_key clients sign with (or ${ENV_SECRET}; "
                        "prefer it: a command line is visible to other users)")


def local_keys(api_key: str | None, secret_key: str | None,
               environ: Mapping[str, str]) -> Credentials:
    """The key pair the gateway's clients sign with: never the target venue's."""
    key = api_key or environ.get(ENV_KEY)
    secret = secret_key or environ.get(ENV_SECRET)
    if not key or not secret:
        raise UsageError(f"the gateway needs a local key pair for its clients: give --api-key "
                         f"and --secret-key, or set {ENV_KEY} and {ENV_SECRET}")
    return Credentials(key, secret)


async def serve(session: Session, speak: str, venue: str, port: int,
                keys: Credentials) -> int:
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port} is not a port number")
    if speak not in speakable():
        raise UsageError(f"the gateway cannot speak {speak!r}: choose {', '.join(speakable())}")
    dialect = load_dialect(speak, keys)
    async with open_venues(session, [venue], private=True) as opened, \
            Gateway(dialect, opened[venue], port=port) as gateway:
        where = " (local)" if session.local else ""
        print(f"{speak} gateway in front of {venue}{where}; Ctrl-C to stop")
        print(f"listening on {gateway.base_url}", flush=True)
        await asyncio.Event().wait()
    return 0


def run(session: Session, args: argparse.Namespace) -> int:
    keys = local_keys(args.api_key, args.secret_key, session.environ)
    return asyncio.run(serve(session, args.speak, args.venue, args.port, keys))
