"""KuCoin's money codec: bodies and queries as the official files name them (clientOid on the
inner transfer, chain ids, memo for the tag, currency on every history), and the docs'
answers decoded (walletTxId as a deposit's key, chain ids as networks, statuses by word)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from adapters.kucoin import funds_codec, margin_codec
from unified import Account, ConfigurationError, TransactionStatus
from unified.convert import loads
from unified.errors import DecodeError

from .test_kucoin import CTX, EXAMPLES

WITHDRAW: dict[str, Any] = {"currency": "USDT", "amount": Decimal(3), "address": "TKFRQXSDcY",
                            "tag": None, "network": "trx"}


def data(name: str) -> Any:
    return loads((EXAMPLES / f"{name}.json").read_text())["response"]["data"]


def test_the_inner_transfer_carries_its_client_oid() -> None:
    parts = funds_codec.encode_transfer(CTX, {
        "currency": "USDT", "amount": Decimal("0.01"), "from_account": Account.MAIN,
        "to_account": Account.TRADE, "client_id": "64ccc0f164781800010d8c09"})
    assert parts.body == {"clientOid": "64ccc0f164781800010d8c09", "currency": "USDT",
                          "amount": "0.01", "from": "main", "to": "trade"}
    margin = funds_codec.encode_transfer(CTX, {
        "currency": "USDT", "amount": Decimal(1), "from_account": Account.TRADE,
        "to_account": Account.MARGIN, "client_id": "x1"})
    assert (margin.body["from"], margin.body["to"]) == ("trade", "margin")
    for bad in ({"to_account": Account.ISOLATED}, {"to_account": Account.FUTURES},
                {"client_id": None}):
        with pytest.raises(ConfigurationError):
            funds_codec.encode_transfer(CTX, {
                "currency": "USDT", "amount": Decimal(1), "from_account": Account.MAIN,
                "to_account": Account.TRADE, "client_id": "x1", **bad})


def test_withdraw_body_names_chain_memo_and_extras() -> None:
    assert funds_codec.encode_withdraw(CTX, WITHDRAW).body == {
        "currency": "USDT", "address": "TKFRQXSDcY", "amount": "3", "chain": "trx"}
    tagged = funds_codec.encode_withdraw(CTX, {
        **WITHDRAW, "currency": "XRP", "tag": "25802", "network": None, "is_inner": True,
        "remark": "rent", "fee_deduct_type": "INTERNAL"}).body
    assert tagged == {"currency": "XRP", "address": "TKFRQXSDcY", "amount": "3",
                      "memo": "25802", "isInner": True, "remark": "rent",
                      "feeDeductType": "INTERNAL"}


@pytest.mark.parametrize("bad", [{"is_inner": "yes"}, {"remark": 5},
                                 {"fee_deduct_type": "internal"}])
def test_bad_withdraw_extras_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        funds_codec.encode_withdraw(CTX, {**WITHDRAW, **bad})


def test_queries_name_currency_chain_window_and_pairs() -> None:
    parts = funds_codec.encode_history(CTX, {"currency": "BTC", "since_ms": 1728663338000,
                                             "until_ms": 1728692138000})
    assert parts.query == [("currency", "BTC"), ("startAt", "1728663338000"),
                           ("endAt", "1728692138000")]
    with pytest.raises(ConfigurationError):
        funds_codec.encode_history(CTX, {"currency": None})
    assert funds_codec.encode_currency_chain(CTX, {"currency": "USDT", "network": "trx"}
                                             ).query == [("currency", "USDT"), ("chain", "trx")]
    assert funds_codec.encode_currency_chain(CTX, {"currency": "BTC", "network": None}
                                             ).query == [("currency", "BTC")]
    assert funds_codec.encode_cancel_withdrawal(CTX, {"id": "670b891f7e0f440007730692"}
                                                ).path_params == {
        "id": "670b891f7e0f440007730692"}
    ids = [f"C{n}-USDT" for n in range(10)]
    assert funds_codec.encode_trading_fees(CTX, {"symbols": ids}).query == [
        ("symbols", ",".join(ids))]
    for wrong in ([], [*ids, "BTC-USDT"]):
        with pytest.raises(ConfigurationError):
            funds_codec.encode_trading_fees(CTX, {"symbols": wrong})


def test_balances_of_each_account() -> None:
    main = funds_codec.decode_main(CTX, data("get_api_v1_accounts_type_main"))
    assert list(main) == ["USDT"] and main["USDT"].total == Decimal("0.01")  # the main row only
    margin = funds_codec.decode_margin(CTX, data("get_api_v3_margin_accounts"))
    assert (margin["USDT"].total, margin["USDT"].available, margin["USDT"].held) == (
        Decimal("38.68855864"), Decimal("20.01916691"), Decimal("18.66939173"))
    isolated = funds_codec.decode_isolated(CTX, data("get_api_v3_isolated_accounts"))
    assert isolated["USDT"].total == Decimal("4.97047372") and isolated["BTC"].total == 0


def test_deposits_are_keyed_by_wallet_tx_id() -> None:
    (d,) = (funds_codec.decode_deposit(CTX, row)
            for row in data("get_api_v1_deposits_wallet_tx")["items"])
    assert d.id == ("55c643bc2c68d6f17266383ac1be9e454038864b929ae7cee0bc408cc5c869e8"
                    "@12ffGWmMMD1zA1WbFm7Ho3JZ1w6NYXjpFk@234")
    assert d.txid == "55c643bc2c68d6f17266383ac1be9e454038864b929ae7cee0bc408cc5c869e8"
    assert (d.network, d.amount, d.status) == ("trx", Decimal(6), TransactionStatus.OK)
    assert d.timestamp.tzinfo is not None
    inner = [funds_codec.decode_deposit(CTX, row) for row in data("get_api_v1_deposits")["items"]]
    assert inner[0].network is None and inner[0].txid is None  # chain "", walletTxId null
    assert len({d.id for d in inner}) == 2  # no id, no walletTxId: a key from the row itself


def test_withdrawals_addresses_fees_and_trade_fees_decode() -> None:
    assert funds_codec.decode_transfer(CTX, data("post_api_v2_accounts_inner_transfer")).id \
        == "670beb3482a1bb0007dec644"
    placed = funds_codec.decode_withdraw(CTX, data("post_api_v1_withdrawals"))
    assert placed.id == "670a973cf07b3800070e216c"
    assert placed.status is TransactionStatus.PENDING
    funds_codec.decode_canceled_withdrawal(CTX, None)  # data null: taken
    w = funds_codec.decode_withdrawal(CTX, data("get_api_v1_withdrawals")["items"][1])
    assert (w.network, w.fee, w.address) == ("trx", Decimal(0), "TSv3L1fS7******X4nLP6rqNxYz")
    addresses = funds_codec.decode_addresses(CTX, data("get_api_v3_deposit_addresses"))
    assert [a.network for a in addresses] == ["trx", "kcc", "ton", "eth"]
    assert addresses[2].tag == "2085202643" and addresses[0].tag is None  # memo is the tag
    assert funds_codec.decode_withdrawal_fee(CTX, data("get_api_v1_withdrawals_quotas")) == \
        Decimal("0.0005")
    fees = funds_codec.decode_trading_fees(CTX, data("get_api_v1_trade_fees"))
    assert [(f.symbol, f.maker) for f in fees] == [("BTC/USDT", Decimal("0.001")),
                                                   ("ETH/USDT", Decimal("0.001"))]


@pytest.mark.parametrize(("word", "wanted"), [
    ("REVIEW", TransactionStatus.PENDING), ("PROCESSING", TransactionStatus.PENDING),
    ("WALLET_PROCESSING", TransactionStatus.PENDING), ("SUCCESS", TransactionStatus.OK),
    ("FAILURE", TransactionStatus.FAILED)])
def test_withdrawal_status_words(word: str, wanted: TransactionStatus) -> None:
    row = {**data("get_api_v1_withdrawals")["items"][0], "status": word}
    assert funds_codec.decode_withdrawal(CTX, row).status is wanted


def test_unknown_words_are_decode_errors() -> None:
    row = data("get_api_v1_deposits")["items"][0]
    with pytest.raises(DecodeError):
        funds_codec.decode_deposit(CTX, {**row, "status": "REVIEW"})  # a withdrawal's word
    with pytest.raises(DecodeError):
        funds_codec.decode_canceled_withdrawal(CTX, {"withdrawalId": "1"})
    with pytest.raises(DecodeError):
        funds_codec.decode_margin(CTX, {"accounts": None})


def test_margin_loans_are_fok_and_name_isolated_pairs() -> None:
    cross = {"currency": "USDT", "amount": Decimal(10), "isolated": False}
    assert margin_codec.encode_borrow(CTX, cross).body == {
        "currency": "USDT", "size": "10", "timeInForce": "FOK", "isIsolated": False}
    isolated = {**cross, "isolated": True, "symbol": "BTC-USDT"}
    assert margin_codec.encode_repay(CTX, isolated).body == {
        "currency": "USDT", "size": "10", "symbol": "BTC-USDT", "isIsolated": True}
    assert margin_codec.encode_history(CTX, {**isolated, "since_ms": 1729655000000}).query == [
        ("currency", "USDT"), ("isIsolated", "true"), ("symbol", "BTC-USDT"),
        ("startTime", "1729655000000")]
    for bad in ({**cross, "isolated": True}, {**cross, "currency": None}):
        with pytest.raises(ConfigurationError):
            margin_codec.encode_history(CTX, bad)


def test_margin_answers_decode() -> None:
    lent = margin_codec.decode_loan(CTX, data("post_api_v3_margin_borrow"))
    assert (lent.id, lent.amount, lent.timestamp) == ("67187162c0d6990007717b15", Decimal(10),
                                                     None)
    paid = margin_codec.decode_loan(CTX, data("post_api_v3_margin_repay"))
    assert paid.amount == Decimal(10) and paid.timestamp is not None
    ok, failed = (margin_codec.decode_borrow_row(CTX, row)
                  for row in data("get_api_v3_margin_borrow")["items"])
    assert (ok.amount, ok.symbol, failed.amount) == (Decimal(10), None, Decimal(0))
    (repay,) = (margin_codec.decode_repay_row(CTX, row)
                for row in data("get_api_v3_margin_repay")["items"])
    assert repay.amount == Decimal(10)  # principal 9.99986518 + interest 0.00013482
