"""OKCoinJapan's funding account codec: bodies and queries exactly as the v3 docs show them,
and the docs' answers decoded (status numbers, fees written "0.01000000eth")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from adapters.okcoinjp import funds_codec
from unified import Account, ConfigurationError, TransactionStatus
from unified.convert import loads
from unified.errors import DecodeError

from ..conftest import ROOT
from .test_okcoinjp import CTX

EXAMPLES = ROOT / "adapters" / "okcoinjp" / "examples"
WITHDRAW: dict[str, Any] = {
    "currency": "BTC", "amount": Decimal(1), "address": "17DKe3kkkkiiiiTvAKKi2vMPbm1Bz3CMKw",
    "tag": None, "network": None, "trade_password": "123456", "fee": Decimal("0.0005"),
    "usage_agreement": True, "reason": 2}


def example(name: str) -> Any:
    return loads((EXAMPLES / f"{name}.json").read_text())["response"]


def test_transfer_body_names_the_account_ids() -> None:
    parts = funds_codec.encode_transfer(CTX, {
        "currency": "BTC", "amount": Decimal("1.5"), "from_account": Account.MAIN,
        "to_account": Account.TRADE, "client_id": None})
    assert parts.body == {"currency": "BTC", "amount": "1.5", "from": "6", "to": "1"}
    with pytest.raises(ConfigurationError):
        funds_codec.encode_transfer(CTX, {"currency": "BTC", "amount": Decimal(1),
                                          "from_account": Account.MARGIN,
                                          "to_account": Account.TRADE})


def test_withdraw_body_is_the_docs_example_plus_destination() -> None:
    body = funds_codec.encode_withdraw(CTX, WITHDRAW).body
    assert body == {"amount": "1", "fee": "0.0005", "trade_pwd": "123456", "currency": "BTC",
                    "to_address": "17DKe3kkkkiiiiTvAKKi2vMPbm1Bz3CMKw",
                    "usage_agreement": "1", "reason": "2", "destination": "-1"}
    tagged = funds_codec.encode_withdraw(CTX, {**WITHDRAW, "currency": "XRP", "tag": "123456",
                                               "network": "XRP", "destination": 5,
                                               "fee": Decimal(0)}).body
    assert tagged["to_address"] == "17DKe3kkkkiiiiTvAKKi2vMPbm1Bz3CMKw:123456"
    assert tagged["chain"] == "XRP" and tagged["destination"] == "5" and tagged["fee"] == "0"


@pytest.mark.parametrize("bad", [
    {"usage_agreement": None}, {"usage_agreement": "yes"}, {"reason": 13}, {"reason": True},
    {"fee": None}, {"fee": Decimal("0.00001")}, {"fee": Decimal(-1)}, {"fee": "x"},
    {"trade_password": None}, {"trade_password": ""}, {"destination": "1"},
    {"currency": "JPY"}])
def test_bad_withdraw_extras_are_refused_without_the_password(bad: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        funds_codec.encode_withdraw(CTX, {**WITHDRAW, "trade_password": "p4ss-SECRET", **bad})
    assert "p4ss-SECRET" not in str(caught.value)


def test_histories_take_the_currency_in_the_path() -> None:
    parts = funds_codec.encode_history(CTX, {"currency": "BTC"})
    assert parts.path_params == {"currency": "btc"} and not parts.query
    assert funds_codec.encode_currency(CTX, {"currency": "BTC", "network": None}).query == [
        ("currency", "btc")]
    with pytest.raises(ConfigurationError):
        funds_codec.encode_history(CTX, {"currency": None})


def test_the_docs_answers_decode() -> None:
    assert funds_codec.decode_transfer(CTX, example("transfer_00")).id == "754147"
    assert funds_codec.decode_withdraw(CTX, example("withdraw_00")).id == "67485"
    w = funds_codec.decode_withdrawal(CTX, example("iter_withdrawals_00")[0])
    assert (w.id, w.amount, w.fee, w.status) == ("1", Decimal("0.01105486"), Decimal(0),
                                                 TransactionStatus.PENDING)
    assert w.timestamp.tzinfo is not None and w.network == "BTC"
    d = funds_codec.decode_deposit(CTX, example("iter_deposits_00")[1])
    assert (d.id, d.address, d.txid) == ("3", None, "590426_1_0_WALLET")
    (a,) = funds_codec.decode_addresses(CTX, example("fetch_deposit_address_00"))
    assert a.address == "2Mti44L7thuxyzYiGzZyCcm9R7d7jgGwzZK" and a.network == "BTC"
    assert funds_codec.decode_withdrawal_fee(CTX, example("fetch_withdrawal_fee_00")) == \
        Decimal("0.0005")
    (fee,) = funds_codec.decode_trading_fees(CTX, example("fetch_trading_fees_00"))
    assert (fee.symbol, fee.maker, fee.taker) == ("BTC/JPY", Decimal("0.001"),
                                                  Decimal("0.0015"))
    wallet = funds_codec.decode_wallet(CTX, example("fetch_balance_main_00"))
    assert wallet["ETH"].available == Decimal("37.11827078")


@pytest.mark.parametrize(("status", "wanted"), [
    ("1", TransactionStatus.PENDING), ("3", TransactionStatus.PENDING),
    ("4", TransactionStatus.OK), ("5", TransactionStatus.PENDING),
    ("6", TransactionStatus.CANCELED), ("7", TransactionStatus.FAILED),
    ("8", TransactionStatus.FAILED)])
def test_withdrawal_status_numbers(status: str, wanted: TransactionStatus) -> None:
    row = {**example("iter_withdrawals_00")[0], "status": status, "fee": "0.01000000eth"}
    row["currency"] = "ETH"
    tx = funds_codec.decode_withdrawal(CTX, row)
    assert tx.status is wanted and tx.fee == Decimal("0.01")


def test_unknown_words_are_decode_errors() -> None:
    row = example("iter_withdrawals_00")[0]
    for bad in ({"status": "9"}, {"fee": "0.01eth"}, {"fee": "lots"}):
        with pytest.raises(DecodeError):
            funds_codec.decode_withdrawal(CTX, {**row, **bad})
    with pytest.raises(DecodeError):
        funds_codec.decode_deposit(CTX, {**example("iter_deposits_00")[0], "status": "5"})
    two = [{"currency": "PLT", "chain": "Palette(pPLT)", "min_fee": "0.1"},
           {"currency": "PLT", "chain": "Ethereum(ePLT)", "min_fee": "5"}]
    with pytest.raises(DecodeError):  # which chain was asked is not known here: not guessed
        funds_codec.decode_withdrawal_fee(CTX, two)
