"""OKCoinJapan's JPY (fiat) codec: the bank withdrawal's body exactly as the docs list it
(amount, trade_pwd: nothing else), refusals that never show the fund password, and the docs'
fiat history answers decoded, each row given a stable id of its own fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from adapters.okcoinjp import fiat_codec
from unified import ConfigurationError, TransactionKind, TransactionStatus
from unified.convert import loads
from unified.errors import DecodeError

from .test_okcoinjp import CTX
from .test_okcoinjp_funds import EXAMPLES

WITHDRAW: dict[str, Any] = {"currency": "JPY", "amount": Decimal(10_000), "address": "bank",
                            "tag": None, "network": None, "trade_password": "123456"}


def example(name: str) -> Any:
    return loads((EXAMPLES / f"{name}.json").read_text())["response"]


def test_the_bank_withdrawal_body_is_the_docs_parameters() -> None:
    parts = fiat_codec.encode_withdraw_fiat(CTX, WITHDRAW)
    assert parts.body == {"amount": "10000", "trade_pwd": "123456"}
    assert not parts.query and not parts.path_params


@pytest.mark.parametrize("bad", [
    {"address": "17DKe3kkkkiiiiTvAKKi2vMPbm1Bz3CMKw"}, {"address": "BANK"}, {"tag": "1"},
    {"network": "BTC"}, {"trade_password": None}, {"trade_password": ""}])
def test_bad_bank_withdrawals_are_refused_without_the_password(bad: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        fiat_codec.encode_withdraw_fiat(CTX, {**WITHDRAW, "trade_password": "p4ss-SECRET",
                                              **bad})
    assert "p4ss-SECRET" not in str(caught.value)


def test_the_fiat_histories_name_no_currency() -> None:
    parts = fiat_codec.encode_fiat_history(CTX, {"currency": "JPY"})
    assert not parts.query and not parts.path_params and parts.body is None
    with pytest.raises(ConfigurationError):
        fiat_codec.encode_fiat_history(CTX, {"currency": "BTC"})


def test_the_docs_answers_decode() -> None:
    assert fiat_codec.decode_withdraw_fiat(CTX, example("withdraw_fiat_00")).id == "74629"
    rows = [fiat_codec.decode_fiat_withdrawal(CTX, r)
            for r in example("iter_fiat_withdrawals_00")]
    assert [(w.amount, w.fee, w.status, w.address) for w in rows] == [
        (Decimal(10_000), Decimal(400), TransactionStatus.PENDING, "bank"),
        (Decimal(19_800), Decimal(400), TransactionStatus.PENDING, "bank")]
    assert rows[0].id == "withdrawal:JPY:1538275769001:10000:400"
    assert rows[0].kind is TransactionKind.WITHDRAWAL and rows[0].currency == "JPY"
    assert rows[0].timestamp.tzinfo is not None
    deposits = [fiat_codec.decode_fiat_deposit(CTX, r) for r in example("iter_fiat_deposits_00")]
    assert [(d.amount, d.fee, d.address, d.kind) for d in deposits] == [
        (Decimal(10_000), None, None, TransactionKind.DEPOSIT),
        (Decimal(7_800), None, None, TransactionKind.DEPOSIT)]
    assert deposits[0].id == "deposit:JPY:1575081569012:10000:"


def test_a_rows_id_is_the_same_however_worded_and_whatever_its_status() -> None:
    row = {"amount": "10000", "fee": "400", "status": "1",
           "timestamp": "2018-09-30T02:49:29.001Z"}
    made = fiat_codec.decode_fiat_withdrawal(CTX, row).id
    for other in ({"amount": 10000, "fee": 400}, {"amount": "10000.00", "fee": "400jpy"},
                  {"status": "4"}, {"status": 6}, {"timestamp": "2018-09-30T02:49:29.001000Z"}):
        assert fiat_codec.decode_fiat_withdrawal(CTX, {**row, **other}).id == made
    assert fiat_codec.decode_fiat_withdrawal(CTX, {**row, "amount": "10001"}).id != made


@pytest.mark.parametrize(("kind", "number", "status"), [
    ("withdrawal", "1", TransactionStatus.PENDING), ("withdrawal", "2", TransactionStatus.PENDING),
    ("withdrawal", "4", TransactionStatus.OK), ("withdrawal", "5", TransactionStatus.PENDING),
    ("withdrawal", "6", TransactionStatus.CANCELED), ("withdrawal", "7", TransactionStatus.FAILED),
    ("withdrawal", "8", TransactionStatus.FAILED), ("withdrawal", "9", TransactionStatus.FAILED),
    ("deposit", "1", TransactionStatus.PENDING), ("deposit", "2", TransactionStatus.PENDING),
    ("deposit", "4", TransactionStatus.OK), ("deposit", "8", TransactionStatus.FAILED)])
def test_every_documented_status_maps(kind: str, number: str, status: TransactionStatus
                                      ) -> None:
    decode = getattr(fiat_codec, f"decode_fiat_{kind}")
    row = {"amount": "1000", "status": number, "timestamp": "2024-01-01T00:00:00.000Z"}
    assert decode(CTX, row).status is status


@pytest.mark.parametrize("bad", [
    {"status": "3"}, {"status": "0"}, {"status": "-1"}, {"fee": "400btc"}, {"timestamp": None},
    {"amount": None}])
def test_unknown_or_missing_fields_are_decode_errors(bad: dict[str, Any]) -> None:
    row = {"amount": "10000", "fee": "400", "status": "1",
           "timestamp": "2018-09-30T02:49:29.001Z", **bad}
    with pytest.raises(DecodeError):
        fiat_codec.decode_fiat_withdrawal(CTX, row)
