"""OKCoinJapan's table of contents: each unified operation and its encoder / decoder."""

from adapters.okcoinjp import codec, fiat_codec, funds_codec, signing, ws
from unified.venue import Adapter, Endpoint

ENDPOINTS = {
    "fetch_time": Endpoint(decode=codec.decode_time),
    "load_markets": Endpoint(decode=codec.decode_markets),
    "fetch_ticker": Endpoint(encode=codec.symbol_path, decode=codec.decode_ticker),
    "fetch_tickers": Endpoint(decode=codec.decode_tickers),
    "fetch_order_book": Endpoint(encode=codec.encode_book, decode=codec.decode_book),
    "fetch_trades": Endpoint(encode=codec.symbol_path, decode=codec.decode_trades),
    "fetch_ohlcv": Endpoint(encode=codec.encode_candles, decode=codec.decode_candles),
    "fetch_balance": Endpoint(decode=codec.decode_balances),
    "create_order": Endpoint(encode=codec.encode_create, decode=codec.decode_placed),
    "cancel_order": Endpoint(encode=codec.encode_cancel, decode=codec.decode_canceled),
    "cancel_order_by_client_id": Endpoint(encode=codec.encode_cancel_by_client_id,
                                          decode=codec.decode_canceled),
    "cancel_orders": Endpoint(encode=codec.encode_cancel_many, decode=codec.decode_canceled_many),
    "fetch_order": Endpoint(encode=codec.encode_order, decode=codec.decode_order),
    "fetch_order_by_client_id": Endpoint(encode=codec.encode_order_by_client_id,
                                         decode=codec.decode_order),
    "fetch_open_orders": Endpoint(encode=codec.encode_open, decode=codec.decode_order),
    "iter_closed_orders": Endpoint(encode=codec.encode_closed, decode=codec.decode_order),
    "iter_my_trades": Endpoint(encode=codec.encode_fills, decode=codec.decode_fill,
                               regroup=codec.regroup_fills),
    "iter_ledger": Endpoint(encode=codec.encode_ledger, decode=codec.decode_ledger),
    "fetch_balance_main": Endpoint(decode=funds_codec.decode_wallet),
    "transfer": Endpoint(encode=funds_codec.encode_transfer, decode=funds_codec.decode_transfer),
    "withdraw": Endpoint(encode=funds_codec.encode_withdraw, decode=funds_codec.decode_withdraw),
    "iter_withdrawals": Endpoint(encode=funds_codec.encode_history,
                                 decode=funds_codec.decode_withdrawal),
    "iter_deposits": Endpoint(encode=funds_codec.encode_history,
                              decode=funds_codec.decode_deposit),
    "withdraw_fiat": Endpoint(encode=fiat_codec.encode_withdraw_fiat,
                              decode=fiat_codec.decode_withdraw_fiat),
    "iter_fiat_withdrawals": Endpoint(encode=fiat_codec.encode_fiat_history,
                                      decode=fiat_codec.decode_fiat_withdrawal),
    "iter_fiat_deposits": Endpoint(encode=fiat_codec.encode_fiat_history,
                                   decode=fiat_codec.decode_fiat_deposit),
    "fetch_deposit_address": Endpoint(encode=funds_codec.encode_currency,
                                      decode=funds_codec.decode_addresses),
    "fetch_withdrawal_fee": Endpoint(encode=funds_codec.encode_currency,
                                     decode=funds_codec.decode_withdrawal_fee),
    "fetch_trading_fees": Endpoint(decode=funds_codec.decode_trading_fees),
}

ADAPTER = Adapter(endpoints=ENDPOINTS, sign=signing.sign, unwrap=codec.unwrap, streams=ws.STREAMS)
