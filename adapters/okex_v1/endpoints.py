"""v1's table of contents: each operation and its encoder / decoder."""

from adapters.okex_v1 import codec, funds_codec, signing
from unified.venue import Adapter, Endpoint

ENDPOINTS = {
    "fetch_time": Endpoint(encode=codec.encode_time, decode=codec.decode_time),
    "fetch_ticker": Endpoint(encode=codec.symbol_query, decode=codec.decode_ticker),
    "fetch_tickers": Endpoint(decode=codec.decode_tickers),
    "fetch_order_book": Endpoint(encode=codec.encode_book, decode=codec.decode_book),
    "fetch_trades": Endpoint(encode=codec.encode_trades, decode=codec.decode_trades),
    "fetch_ohlcv": Endpoint(encode=codec.encode_candles, decode=codec.decode_candles),
    "fetch_balance": Endpoint(encode=codec.no_params, decode=codec.decode_balances),
    "create_order": Endpoint(encode=codec.encode_create, decode=codec.decode_placed),
    "create_orders": Endpoint(encode=codec.encode_batch, decode=codec.decode_batch),
    "cancel_order": Endpoint(encode=codec.encode_cancel, decode=codec.decode_canceled),
    "cancel_orders": Endpoint(encode=codec.encode_cancel_many, decode=codec.decode_canceled_many),
    "fetch_order": Endpoint(encode=codec.order_ref, decode=codec.decode_one_order),
    "fetch_open_orders": Endpoint(encode=codec.encode_open, decode=codec.decode_order),
    "fetch_orders": Endpoint(encode=codec.encode_orders, decode=codec.decode_orders),
    "iter_closed_orders": Endpoint(encode=codec.encode_history,
                                   decode=codec.decode_history_order),
    "iter_ledger": Endpoint(encode=codec.encode_ledger, decode=codec.decode_ledger),
    "fetch_balance_main": Endpoint(encode=codec.no_params, decode=funds_codec.decode_wallet),
    "transfer": Endpoint(encode=funds_codec.encode_transfer, decode=funds_codec.decode_transfer),
    "withdraw": Endpoint(encode=funds_codec.encode_withdraw, decode=funds_codec.decode_withdraw),
    "cancel_withdrawal": Endpoint(encode=funds_codec.encode_cancel_withdrawal,
                                  decode=funds_codec.decode_cancel_withdrawal),
    "iter_deposits": Endpoint(encode=funds_codec.encode_deposits,
                              decode=funds_codec.decode_deposit),
    "iter_withdrawals": Endpoint(encode=funds_codec.encode_withdrawals,
                                 decode=funds_codec.decode_withdrawal),
}

ADAPTER = Adapter(endpoints=ENDPOINTS, sign=signing.sign, unwrap=codec.unwrap)
