"""The local KuCoin's money outside trading: the funding (main), cross margin and isolated
accounts, inner transfers with their clientOid, withdrawals (pending on the venue's clock, then
done; cancelable while pending), deposit and withdrawal histories paged by currentPage,
deposit addresses per chain, withdrawal quotas and the account's trade fees. Backed by the
engine's neutral FundsBook (unified.sim.funds), in KuCoin's words: {code, data} envelopes,
chain ids (trx) beside chain names (TRC20), memo for the tag, walletTxId as a deposit's key,
status words, and its error codes (400100 account.available.amount, 900003, 260210).

The user's funding account is funded, with a history of past deposits and withdrawals, on the
venue's first request (see `seeded`), when the paper account is (unified.sim.server.fund_user).
"""

from __future__ import annotations

import weakref
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from adapters.kucoin.sim import _int_param, _ms_param, fail, ok, s
from unified.convert import to_ms as ms
from unified.sim.book import Engine, EngineError
from unified.sim.funds import FundsBook, SimTransaction, funds_book
from unified.sim.server import USER, Handler, SimRequest, SimResponse, SimVenue


@attrs.frozen
class Chain:
    id: str  # the wire `chain`
    name: str  # chainName
    fee: Decimal  # withdrawMinFee
    least: Decimal  # withdrawMinSize


#: each currency's chains, the default one first ("default is ERC20" for USDT, "Native" BTC)
CHAINS = {
    "USDT": (Chain("eth", "ERC20", Decimal(5), Decimal(10)),
             Chain("trx", "TRC20", Decimal(1), Decimal(1))),
    "BTC": (Chain("btc", "BTC", Decimal("0.0005"), Decimal("0.001")),
            Chain("bech32", "BTC-Segwit", Decimal("0.0005"), Decimal("0.001"))),
    "ETH": (Chain("eth", "ERC20", Decimal("0.005"), Decimal("0.01")),),
}
KINDS = ("main", "trade", "margin", "isolated")
SEED_DEPOSITS = {"USDT": [(Decimal(50_000), "trx"), (Decimal(2_500), "eth")],
                 "BTC": [(Decimal(2), "btc"), (Decimal("0.5"), "bech32")],
                 "ETH": [(Decimal(10), "eth")]}
SEED_WITHDRAWALS = {"USDT": [(Decimal(100), "trx")], "BTC": [(Decimal("0.1"), "btc")]}

_SEEDED: weakref.WeakSet[Engine] = weakref.WeakSet()


class Refused(Exception):
    """A KuCoin error answer chosen by a handler: {code, msg}."""

    def __init__(self, code: str, msg: str, status: int = 200) -> None:
        super().__init__(code, msg)
        self.answer = fail(code, msg, status)


def seeded(handler: Handler) -> Handler:
    """`handler`, after the user's funding account has been funded on this engine (once); a
    handler's Refused becomes its error answer."""
    def handle(sim: SimVenue, req: SimRequest) -> SimResponse:
        if sim.engine not in _SEEDED:
            _SEEDED.add(sim.engine)
            if sim.engine.wallets.get(USER):
                seed(funds_book(sim.engine))
        try:
            return handler(sim, req)
        except Refused as refused:
            return refused.answer

    return handle


def seed(book: FundsBook) -> None:
    """Past deposits to the funding account (weeks ago) and completed withdrawals."""
    now, n = book.now(), 0
    for ccy, rows in SEED_DEPOSITS.items():
        for amount, chain in rows:
            n += 1
            book.deposit(USER, ccy, amount, chain).created_at = now - timedelta(days=40 - n)
    for ccy, rows in SEED_WITHDRAWALS.items():
        for amount, chain in rows:
            n += 1
            tx = book.withdraw(USER, ccy, amount, f"seed-{chain}-address-{n}", None, chain,
                               _chain(ccy, chain).fee)
            tx.created_at = now - timedelta(days=40 - n)


# ---------------------------------------------------------------- request fields


def _currency(sim: SimVenue, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise Refused("400100", "currency is required")
    known = {c for m in sim.engine.markets.values() for c in (m.base, m.quote)}
    if value not in known:  # codes are upper case at KuCoin
        raise Refused("900003", f"currency {value} not exists", 400)
    return value


def _chain(currency: str, wanted: Any) -> Chain:
    chains = CHAINS.get(currency, ())
    if not chains:
        raise Refused("260210", "withdraw.disabled")
    if wanted in (None, ""):
        return chains[0]
    for chain in chains:
        if chain.id == wanted:
            return chain
    raise Refused("400100", f"chain {wanted} is not supported for {currency}")


def _amount(body: dict[str, Any], name: str = "amount") -> Decimal:
    raw = body.get(name)
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise Refused("400100", f"{name} is invalid")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise Refused("400100", f"{name} is invalid") from None
    if not value.is_finite() or value <= 0:
        raise Refused("400100", f"{name} must be positive")
    return value


def _body(req: SimRequest) -> dict[str, Any]:
    body = req.json()
    if not isinstance(body, dict):
        raise Refused("400100", "body must be an object")
    return body


def _moving(book: FundsBook, account: str, kind: str, currency: str, needed: Decimal
            ) -> None:
    """Refused in KuCoin's words when `kind` cannot pay (the book would refuse it too)."""
    if book.available(account, kind, currency) < needed:
        raise Refused("400100", "account.available.amount")


# ---------------------------------------------------------------- balances


def accounts(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/accounts: the main and trade rows (?type= one of them; ?currency=)."""
    assert req.account is not None
    wanted = req.query.get("type")
    if wanted not in (None, "main", "trade"):
        raise Refused("400100", "type is invalid")
    book = funds_book(sim.engine)
    rows: list[dict[str, Any]] = []
    for kind in ("main", "trade"):
        if wanted not in (None, kind):
            continue
        for ccy, (total, available, held) in sorted(book.balances(req.account, kind).items()):
            if req.query.get("currency") not in (None, ccy):
                continue
            rows.append({"id": str(548674591753 + len(rows)) if kind == "trade"
                         else f"63355cd156298d0001b6{len(rows):04x}", "currency": ccy,
                         "type": kind, "balance": s(total), "available": s(available),
                         "holds": s(held)})
    return ok(rows)


def _asset(book: FundsBook, account: str, ccy: str, symbol: str | None) -> dict[str, Any]:
    total, available, held = book.balances(account, "isolated" if symbol else "margin",
                                           symbol).get(ccy, (Decimal(0),) * 3)
    owed = book.liabilities(account, symbol).get(ccy, Decimal(0))
    principal = sum((loan.principal - loan.repaid for loan in book.loans
                     if loan.account == account and loan.symbol == symbol
                     and loan.currency == ccy), Decimal(0))
    principal = min(max(principal, Decimal(0)), owed)
    return {"currency": ccy, "total": s(total), "available": s(available), "hold": s(held),
            "liability": s(owed), "liabilityPrincipal": s(principal),
            "liabilityInterest": s(owed - principal), "maxBorrowSize": s(total * 4),
            "borrowEnabled": True, "transferInEnabled": True}


def margin_accounts(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v3/margin/accounts: the cross margin account's assets and liabilities."""
    assert req.account is not None
    book = funds_book(sim.engine)
    held = set(book.balances(req.account, "margin")) | set(book.liabilities(req.account))
    return ok({"totalAssetOfQuoteCurrency": "0", "totalLiabilityOfQuoteCurrency": "0",
               "debtRatio": "0", "status": "EFFECTIVE",
               "accounts": [_asset(book, req.account, c, None) for c in sorted(held)]})


def isolated_accounts(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v3/isolated/accounts: each isolated pair's base and quote assets."""
    assert req.account is not None
    book, wanted = funds_book(sim.engine), req.query.get("symbol")
    symbols = sorted({key[2] for key in book.wallets if key[:2] == (req.account, "isolated")}
                     | {loan.symbol for loan in book.loans
                        if loan.account == req.account and loan.symbol})
    assets = []
    for symbol in symbols:
        m = sim.engine.market(symbol)
        if wanted in (None, sim.venue_symbol(symbol)):
            assets.append({"symbol": sim.venue_symbol(symbol), "status": "EFFECTIVE",
                           "debtRatio": "0",
                           "baseAsset": _asset(book, req.account, m.base, symbol),
                           "quoteAsset": _asset(book, req.account, m.quote, symbol)})
    return ok({"totalAssetOfQuoteCurrency": "0", "totalLiabilityOfQuoteCurrency": "0",
               "timestamp": ms(sim.now()), "assets": assets})


# ---------------------------------------------------------------- transfers, withdrawals


def transfer(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/v2/accounts/inner-transfer: {clientOid, currency, amount, from, to}; a
    clientOid used before is refused, never moved twice."""
    assert req.account is not None
    body = _body(req)
    coid = body.get("clientOid")
    if not isinstance(coid, str) or not 1 <= len(coid) <= 128:
        raise Refused("400100", "clientOid is required")
    currency, amount = _currency(sim, body.get("currency")), _amount(body)
    src, dst = body.get("from"), body.get("to")
    if src not in KINDS or dst not in KINDS or src == dst:
        raise Refused("400100", "from/to is invalid")
    if src == "isolated" or dst == "isolated":
        if not body.get("fromTag" if src == "isolated" else "toTag"):
            raise Refused("400100", "fromTag/toTag is required for isolated")
        raise Refused("400100", "isolated transfers are not served by the local venue")
    book = funds_book(sim.engine)
    _moving(book, req.account, str(src), currency, amount)
    try:
        moved = book.transfer(req.account, currency, amount, str(src), str(dst), coid)
    except EngineError as error:
        if error.kind == "duplicate_client_id":
            raise Refused("400100", "clientOid duplicated") from None
        raise
    return ok({"orderId": moved.id})


def withdraw(sim: SimVenue, req: SimRequest) -> SimResponse:
    """POST /api/v1/withdrawals: from the funding account; the fee from the main account
    (EXTERNAL, and by default) or out of the amount (INTERNAL)."""
    assert req.account is not None
    body = _body(req)
    currency, amount = _currency(sim, body.get("currency")), _amount(body)
    address = body.get("address")
    if not isinstance(address, str) or not address:
        raise Refused("400100", "address is required")
    chain = _chain(currency, body.get("chain"))
    if amount < chain.least:
        raise Refused("400100", f"The minimum withdrawal amount is {s(chain.least)}")
    deduct = body.get("feeDeductType")
    if deduct not in (None, "INTERNAL", "EXTERNAL"):
        raise Refused("400100", "feeDeductType is invalid")
    fee = Decimal(0) if body.get("isInner") is True else chain.fee
    book = funds_book(sim.engine)
    inside = deduct == "INTERNAL" or (
        deduct is None and book.available(req.account, "main", currency) < amount + fee)
    sent = amount - fee if inside else amount
    _moving(book, req.account, "main", currency, sent + fee)
    memo = body.get("memo") if isinstance(body.get("memo"), str) else None
    tx = book.withdraw(req.account, currency, sent, address, memo or None, chain.id, fee)
    return ok({"withdrawalId": tx.id})


def cancel_withdrawal(sim: SimVenue, req: SimRequest) -> SimResponse:
    """DELETE /api/v1/withdrawals/{withdrawalId}: only while it is processing (a canceled one
    stays canceled: the same answer again)."""
    assert req.account is not None
    book = funds_book(sim.engine)
    tx = next((t for t in book.transactions if t.id == req.match["id"]
               and t.account == req.account and t.kind == "withdrawal"), None)
    if tx is not None and tx.canceled:
        return ok(None)
    try:
        book.cancel_withdrawal(req.account, req.match["id"])
    except EngineError as error:
        if error.kind in ("not_found", "not_cancelable"):
            raise Refused("400100", "withdrawal not exist or not allow to cancel") from None
        raise
    return ok(None)


# ---------------------------------------------------------------- histories


_WITHDRAWAL_STATUS = {"pending": "PROCESSING", "ok": "SUCCESS", "canceled": "FAILURE"}


def _deposit_json(sim: SimVenue, t: SimTransaction) -> dict[str, Any]:
    # walletTxId: the chain's transaction id, then "@" the address "@" the output index
    return {"currency": t.currency, "chain": t.network, "status": "SUCCESS",
            "address": t.address, "memo": t.tag or "", "isInner": False,
            "amount": f"{t.amount:.8f}", "fee": f"{t.fee:.8f}",
            "walletTxId": f"{t.txid[2:]}@{t.address}@0", "createdAt": ms(t.created_at),
            "updatedAt": ms(t.created_at), "remark": "", "arrears": False}


def _withdrawal_json(sim: SimVenue, t: SimTransaction) -> dict[str, Any]:
    status = _WITHDRAWAL_STATUS[t.status(sim.engine.clock.now())]
    return {"id": t.id, "currency": t.currency, "chain": t.network, "status": status,
            "address": t.address, "memo": t.tag or "", "isInner": t.fee == 0,
            "amount": f"{t.amount:.8f}", "fee": f"{t.fee:.8f}",
            "walletTxId": t.txid[2:] if status == "SUCCESS" else None,
            "createdAt": ms(t.created_at), "updatedAt": ms(t.created_at), "remark": "",
            "arrears": False}  # the docs' withdrawal rows carry it too


def _page(sim: SimVenue, req: SimRequest, kind: str
          ) -> tuple[list[SimTransaction], dict[str, Any]]:
    assert req.account is not None
    currency = _currency(sim, req.query.get("currency"))
    page = _int_param(req, "currentPage", 1, 1, 10**9)
    size = _int_param(req, "pageSize", 50, 10, 500)
    start, end = _ms_param(req, "startAt"), _ms_param(req, "endAt")
    rows = sorted((t for t in funds_book(sim.engine).history(req.account, kind, currency)
                   if (start is None or t.created_at >= start)
                   and (end is None or t.created_at <= end)),
                  key=lambda t: t.created_at, reverse=True)  # newest first
    head = {"currentPage": page, "pageSize": size, "totalNum": len(rows),
            "totalPage": (len(rows) + size - 1) // size}
    return rows[(page - 1) * size:page * size], head


def deposits(sim: SimVenue, req: SimRequest) -> SimResponse:
    rows, head = _page(sim, req, "deposit")
    return ok({**head, "items": [_deposit_json(sim, t) for t in rows]})


def withdrawals(sim: SimVenue, req: SimRequest) -> SimResponse:
    rows, head = _page(sim, req, "withdrawal")
    return ok({**head, "items": [_withdrawal_json(sim, t) for t in rows]})


# ---------------------------------------------------------------- addresses, quotas, fees


def deposit_addresses(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v3/deposit-addresses: one address per chain of the currency (to MAIN)."""
    assert req.account is not None
    currency = _currency(sim, req.query.get("currency"))
    wanted, book = req.query.get("chain"), funds_book(sim.engine)
    return ok([{"address": book.address(req.account, currency, c.id), "memo": "",
                "chainId": c.id, "to": "MAIN", "expirationDate": 0, "currency": currency,
                "contractAddress": "", "chainName": c.name}
               for c in CHAINS.get(currency, ()) if wanted in (None, c.id)])


def quotas(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/withdrawals/quotas: the currency's limits and fee on a chain."""
    assert req.account is not None
    currency = _currency(sim, req.query.get("currency"))
    chain = _chain(currency, req.query.get("chain"))
    available = funds_book(sim.engine).available(req.account, "main", currency)
    return ok({"currency": currency, "limitBTCAmount": "15.79590095",
               "usedBTCAmount": "0.00000000", "quotaCurrency": "USDT",
               "limitQuotaCurrencyAmount": "999999.00000000", "usedQuotaCurrencyAmount": "0",
               "remainAmount": s(available), "availableAmount": s(available),
               "withdrawMinFee": s(chain.fee), "innerWithdrawMinFee": "0",
               "withdrawMinSize": s(chain.least), "isWithdrawEnabled": True, "precision": 8,
               "chain": chain.name, "reason": None, "lockedAmount": "0"})


def trade_fees(sim: SimVenue, req: SimRequest) -> SimResponse:
    """GET /api/v1/trade-fees?symbols=: up to 10 pairs a call."""
    names = [x for x in (req.query.get("symbols") or "").split(",") if x]
    if not 1 <= len(names) <= 10:
        raise Refused("400100", "symbols: 1 to 10 trading pairs")
    rows = []
    for name in names:
        m = sim.engine.market(sim.unified_symbol(name))
        rows.append({"symbol": name, "takerFeeRate": s(m.taker_fee),
                     "makerFeeRate": s(m.maker_fee)})
    return ok(rows)


HANDLERS: dict[str, Handler] = {
    "fetch_balance": accounts,
    "fetch_balance_main": accounts,
    "fetch_balance_margin": margin_accounts,
    "fetch_balance_isolated": isolated_accounts,
    "transfer": transfer,
    "withdraw": withdraw,
    "cancel_withdrawal": cancel_withdrawal,
    "iter_deposits": deposits,
    "iter_withdrawals": withdrawals,
    "fetch_deposit_address": deposit_addresses,
    "fetch_withdrawal_fee": quotas,
    "fetch_trading_fees": trade_fees,
}
