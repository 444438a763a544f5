"""OKEx / OKCoin v1 money codec: form bodies as the v1 docs list their fields (signed as
sent), the docs' answers decoded (wallet `holds`, withdraw ids as numbers, records without
ids or currencies of their own), record status numbers, and junk refused as DecodeError."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest

from adapters.okex_v1 import codec, funds_codec
from adapters.okex_v1.endpoints import ADAPTER
from unified import Account, ConfigurationError, TransactionKind, TransactionStatus
from unified.convert import loads
from unified.errors import DecodeError
from unified.wire import WireResponse

from ..conftest import ROOT
from .test_okex_v1 import CTX, SPEC

EXAMPLES = ROOT / "adapters" / "okex_v1" / "examples"
WITHDRAW: dict[str, Any] = {
    "currency": "BTC", "amount": Decimal("0.5"), "address": "15KGpExampleAddress",
    "tag": None, "network": None, "trade_password": "123456", "fee": Decimal("0.002")}


def example(name: str) -> Any:
    """The example's answer as the decoders get it (after unwrap)."""
    text = (EXAMPLES / f"{name}.json").read_text()
    body = loads(text)["response"]
    return codec.unwrap(WireResponse(200, {}, b""), body)


def test_transfer_body_names_the_account_numbers() -> None:
    parts = funds_codec.encode_transfer(CTX, {
        "currency": "BTC", "amount": Decimal("1.5"), "from_account": Account.MAIN,
        "to_account": Account.TRADE, "client_id": None})
    assert parts.body == [("symbol", "btc"), ("amount", "1.5"), ("from", "6"), ("to", "1")]
    with pytest.raises(ConfigurationError):
        funds_codec.encode_transfer(CTX, {"currency": "BTC", "amount": Decimal(1),
                                          "from_account": Account.FUTURES,
                                          "to_account": Account.TRADE})


def test_withdraw_body_is_the_docs_field_list() -> None:
    body = funds_codec.encode_withdraw(CTX, WITHDRAW).body
    assert body == [("symbol", "btc"), ("chargefee", "0.002"), ("trade_pwd", "123456"),
                    ("withdraw_address", "15KGpExampleAddress"), ("withdraw_amount", "0.5"),
                    ("target", "address")]
    inner = dict(funds_codec.encode_withdraw(CTX, {**WITHDRAW, "target": "okcom",
                                                   "fee": 0}).body)
    assert inner["target"] == "okcom" and inner["chargefee"] == "0"


@pytest.mark.parametrize("bad", [
    {"fee": None}, {"fee": Decimal("-0.1")}, {"fee": "x"}, {"fee": Decimal("NaN")},
    {"fee": True}, {"trade_password": None}, {"trade_password": ""}, {"target": "okcn.cn"},
    {"tag": "123"}, {"network": "BTC"}])
def test_bad_withdraw_extras_are_refused_without_the_password(bad: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        funds_codec.encode_withdraw(CTX, {**WITHDRAW, "trade_password": "p4ss-SECRET", **bad})
    assert "p4ss-SECRET" not in str(caught.value)


def test_cancel_and_records_bodies() -> None:
    assert funds_codec.encode_cancel_withdrawal(CTX, {"id": "301", "currency": "LTC"}).body \
        == [("symbol", "ltc"), ("withdraw_id", "301")]
    for bad in ({"id": "301", "currency": None}, {"id": "deposit:BTC:1::1", "currency": "BTC"}):
        with pytest.raises(ConfigurationError):
            funds_codec.encode_cancel_withdrawal(CTX, bad)
    assert funds_codec.encode_deposits(CTX, {"currency": "BTC"}).body == [
        ("symbol", "btc"), ("type", "0")]
    assert funds_codec.encode_withdrawals(CTX, {"currency": "ETH"}).body == [
        ("symbol", "eth"), ("type", "1")]
    with pytest.raises(ConfigurationError):
        funds_codec.encode_deposits(CTX, {"currency": None})


def test_the_spec_declares_the_money_operations() -> None:
    assert SPEC.capability("accounts") == ["main", "trade"]
    assert SPEC.capability("withdraw_extras") == ["trade_password", "fee", "target"]
    assert SPEC.capability("funding_history_needs_currency") is True
    assert SPEC.capability("cancel_withdrawal_needs_currency") is True
    for op in ("fetch_balance_main", "transfer", "withdraw", "cancel_withdrawal"):
        assert SPEC.endpoints[op].method == "POST" and SPEC.endpoints[op].auth
    assert {SPEC.endpoints[op].write for op in ("transfer", "withdraw")} == {True}
    paths = {SPEC.endpoints[op].path for op in ("iter_ledger", "iter_deposits",
                                                "iter_withdrawals")}
    assert paths == {"/api/v1/account_records.do"}
    assert set(ADAPTER.endpoints) >= set(SPEC.endpoints)


def test_the_docs_answers_decode() -> None:
    wallet = funds_codec.decode_wallet(CTX, example("fetch_balance_main"))
    assert set(wallet) == {"BTC", "LTC", "ETH"} and wallet["BTC"].total == 0
    assert funds_codec.decode_transfer(CTX, example("transfer")).status is \
        TransactionStatus.OK
    answered = funds_codec.decode_withdraw(CTX, example("withdraw"))
    assert (answered.id, answered.status) == ("301", TransactionStatus.PENDING)
    assert funds_codec.decode_cancel_withdrawal(CTX, example("cancel_withdrawal")) is None
    (row,) = example("iter_withdrawals_01")["records"]
    w = funds_codec.decode_withdrawal(CTX, row)
    assert (w.kind, w.currency, w.amount, w.fee, w.address, w.status) == (
        TransactionKind.WITHDRAWAL, "BTC", Decimal("2.5"), Decimal("0.1"), "15KGp……",
        TransactionStatus.PENDING)
    assert w.timestamp.tzinfo is not None and w.timestamp.year == 2015
    # a record has no id: the one made of it is its ledger entry's too
    ledger = codec.decode_ledger(attrs.evolve(CTX, variant="withdrawal"), row)
    assert w.id == ledger.id and ledger.amount == Decimal("-2.6")
    (doc,) = example("iter_deposits")["records"]
    d = funds_codec.decode_deposit(CTX, doc)
    assert (d.kind, d.amount, d.status, d.address) == (
        TransactionKind.DEPOSIT, Decimal(0), TransactionStatus.OK,
        "1CWKbfwxSkEWP8W45D76j3BX8vPieoSCyL")


@pytest.mark.parametrize(("status", "wanted"), [
    (-3, TransactionStatus.CANCELED), (-2, TransactionStatus.CANCELED),
    (-1, TransactionStatus.FAILED), (0, TransactionStatus.PENDING),
    (1, TransactionStatus.PENDING), (2, TransactionStatus.OK), (3, TransactionStatus.PENDING),
    (4, TransactionStatus.PENDING), (5, TransactionStatus.PENDING)])
def test_withdrawal_status_numbers(status: int, wanted: TransactionStatus) -> None:
    (row,) = example("iter_withdrawals_01")["records"]
    row = {**row, "record": {**row["record"], "status": status}}
    assert funds_codec.decode_withdrawal(CTX, row).status is wanted


def test_unknown_words_and_junk_are_decode_errors() -> None:
    (row,) = example("iter_withdrawals_01")["records"]
    with pytest.raises(DecodeError):
        funds_codec.decode_withdrawal(CTX, {**row, "record": {**row["record"], "status": 6}})
    (doc,) = example("iter_deposits")["records"]
    with pytest.raises(DecodeError):  # 2 is a withdrawal's "complete", not a deposit's
        funds_codec.decode_deposit(CTX, {**doc, "record": {**doc["record"], "status": 2}})
    decoders = [funds_codec.decode_wallet, funds_codec.decode_withdraw,
                funds_codec.decode_cancel_withdrawal, funds_codec.decode_deposit,
                funds_codec.decode_withdrawal]
    for decode in decoders:
        for junk in (None, [], "x", 1, {"withdraw_id": None}, {"info": {"funds": 1}},
                     {"record": {"amount": "lots", "date": 1, "status": 0},
                      "currency": "BTC"}):
            with pytest.raises(DecodeError):
                decode(CTX, junk)
