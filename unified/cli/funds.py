"""`unified transfer` and `unified withdraw`: move money between one's accounts, or out.

A withdrawal asks for confirmation on the terminal unless `--yes` (money that leaves is the one
thing that must never happen by accident). Both go through the library's write-once rule: a lost
answer is looked up, never resent; what cannot be established is reported as such (exit 1) with
what was asked, so a person can check the venue before trying again. A trade password is read
from the environment (UNIFIED_<VENUE>_TRADE_PASSWORD) or asked for without echo: never given on
the command line, where it would stay in the shell's history.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from typing import Any

from unified.cli.errors import UsageError, on
from unified.cli.format import plain, to_json
from unified.cli.order import _decimal
from unified.cli.session import Session, open_venues
from unified.models import Account

ACCOUNTS = [a.value for a in Account]


def add_parsers(sub: Any, common: Sequence[argparse.ArgumentParser]) -> None:
    t = sub.add_parser("transfer", parents=list(common),
                       help="move funds between two of your accounts at a venue")
    t.add_argument("currency", metavar="CURRENCY")
    t.add_argument("amount", type=_decimal, metavar="AMOUNT")
    t.add_argument("--venue", required=True)
    t.add_argument("--from", dest="from_account", required=True, choices=ACCOUNTS)
    t.add_argument("--to", dest="to_account", required=True, choices=ACCOUNTS)
    t.add_argument("--json", action="store_true", help="machine-readable output")
    w = sub.add_parser("withdraw", parents=list(common),
                       help="send funds to an address (asks for confirmation unless --yes)")
    w.add_argument("currency", metavar="CURRENCY")
    w.add_argument("amount", type=_decimal, metavar="AMOUNT")
    w.add_argument("address", metavar="ADDRESS")
    w.add_argument("--venue", required=True)
    w.add_argument("--tag", help="memo / destination tag")
    w.add_argument("--network", help="the chain: the venue's id (trx) or a name (TRC20)")
    w.add_argument("--extra", action="append", default=[], metavar="NAME=VALUE",
                   help="a venue's own withdrawal field (see the README), repeatable")
    w.add_argument("--trade-password", action="store_true",
                   help="the venue needs a trade password: read UNIFIED_<VENUE>_TRADE_PASSWORD "
                   "or ask for it")
    w.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    w.add_argument("--json", action="store_true", help="machine-readable output")


async def transfer_command(session: Session, args: argparse.Namespace) -> int:
    async with open_venues(session, [args.venue], private=True) as exchanges:
        with on(args.venue):
            moved = await exchanges[args.venue].transfer(
                args.currency, args.amount, Account(args.from_account), Account(args.to_account))
    if args.json:
        print(to_json({"venue": args.venue, "transfer": plain(moved)}))
    else:
        print(f"{args.venue}: moved {moved.amount} {moved.currency} from "
              f"{moved.from_account.value} to {moved.to_account.value} ({moved.status.value}, "
              f"id {moved.id})")
    return 0


def _extras(args: argparse.Namespace) -> dict[str, str]:
    extras: dict[str, str] = {}
    for item in args.extra:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--extra takes NAME=VALUE, got {item!r}")
        extras[name.replace("-", "_")] = value
    if args.trade_password:
        key = f"UNIFIED_{args.venue.upper()}_TRADE_PASSWORD"
        secret = os.environ.get(key)
        if secret is None:
            if not sys.stdin.isatty():
                raise UsageError(f"--trade-password: set {key} (no terminal to ask on)")
            secret = getpass.getpass("trade password: ")
        extras["trade_password"] = secret
    return extras


def _confirmed(args: argparse.Namespace) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():
        raise UsageError("withdraw asks for confirmation: run it on a terminal or give --yes")
    where = f"{args.address}" + (f" (tag {args.tag})" if args.tag else "")
    answer = input(f"withdraw {args.amount} {args.currency.upper()} from {args.venue} to "
                   f"{where}{f' on {args.network}' if args.network else ''}? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


async def withdraw_command(session: Session, args: argparse.Namespace) -> int:
    extras = _extras(args)
    if not _confirmed(args):
        print("not withdrawn")
        return 1
    async with open_venues(session, [args.venue], private=True) as exchanges:
        with on(args.venue):
            tx = await exchanges[args.venue].withdraw(args.currency, args.amount, args.address,
                                                      tag=args.tag, network=args.network,
                                                      **extras)
    if args.json:
        print(to_json({"venue": args.venue, "withdrawal": plain(tx)}))
    else:
        print(f"{args.venue}: withdrawal {tx.id} of {tx.amount} {tx.currency} to {tx.address} "
              f"is {tx.status.value}" + (f" (fee {tx.fee})" if tx.fee is not None else ""))
    return 0
