"""KuCoin futures' table of contents: each unified operation and its encoder / decoder.

Signing is spot's recipe exactly (KC-API-* headers, key version 2) and the WebSocket framing
spot's too: adapters.kucoin.signing, .envelope and .ws_frames, the modules a venue of the same
operator may share (tests/meta/test_layout.py).
"""

import adapters.kucoin.envelope as envelope
import adapters.kucoin.signing as signing
import adapters.kucoin.ws_frames as frames
from adapters.kucoin_futures import account_codec as account
from adapters.kucoin_futures import market_codec as market
from adapters.kucoin_futures import orders_codec as orders
from adapters.kucoin_futures import ws
from unified.venue import Adapter, Endpoint

ENDPOINTS = {
    "fetch_time": Endpoint(decode=market.decode_time),
    "ws_token_public": Endpoint(decode=frames.bullet_answer),
    "ws_token_private": Endpoint(decode=frames.bullet_answer),
    # market data
    "load_markets": Endpoint(decode=market.decode_markets),
    "fetch_ticker": Endpoint(encode=market.symbol_query, decode=market.decode_ticker),
    "fetch_tickers": Endpoint(decode=market.decode_tickers),
    "fetch_order_book": Endpoint(encode=market.encode_book, decode=market.decode_book),
    "fetch_order_book_full": Endpoint(encode=market.symbol_query, decode=market.decode_book),
    "fetch_trades": Endpoint(encode=market.symbol_query, decode=market.decode_trades),
    "fetch_ohlcv": Endpoint(encode=market.encode_candles, decode=market.decode_candles),
    "fetch_mark_price": Endpoint(encode=market.symbol_path, decode=market.decode_mark_price),
    "fetch_index_price": Endpoint(encode=market.encode_index, decode=market.decode_index_price),
    "fetch_funding_rate": Endpoint(encode=market.symbol_path,
                                   decode=market.decode_funding_rate),
    "iter_funding_rate_history": Endpoint(encode=market.encode_funding_history,
                                          decode=market.decode_funding_row),
    # orders (stop orders share the ordinary lookups and cancels: one id space)
    "create_order": Endpoint(encode=orders.encode_create, decode=orders.decode_placed),
    "create_stop_order": Endpoint(encode=orders.encode_stop, decode=orders.decode_placed),
    "cancel_order": Endpoint(encode=orders.id_path, decode=orders.decode_canceled),
    "cancel_order_by_client_id": Endpoint(encode=orders.client_id_path,
                                          decode=orders.decode_canceled),
    "cancel_all_orders": Endpoint(encode=orders.market_query, decode=orders.decode_cancel_all),
    "cancel_all_stop_orders": Endpoint(encode=orders.market_query,
                                       decode=orders.decode_cancel_all),
    "fetch_order": Endpoint(encode=orders.id_path, decode=orders.decode_order),
    "fetch_order_by_client_id": Endpoint(encode=orders.client_id_query,
                                         decode=orders.decode_order),
    "fetch_open_orders": Endpoint(encode=orders.encode_open, decode=orders.decode_order),
    "iter_closed_orders": Endpoint(encode=orders.encode_closed, decode=orders.decode_order),
    "iter_open_stop_orders": Endpoint(encode=orders.market_query, decode=orders.decode_order),
    "iter_my_trades": Endpoint(encode=orders.encode_fills, decode=orders.decode_fill),
    # account, positions, ledger, isolated margin
    "fetch_balance": Endpoint(encode=account.encode_balance, decode=account.decode_balance),
    "fetch_positions": Endpoint(decode=account.decode_positions),
    "fetch_position": Endpoint(encode=account.symbol_query, decode=account.decode_position),
    "iter_ledger": Endpoint(encode=account.encode_ledger, decode=account.decode_ledger),
    "add_margin": Endpoint(encode=account.encode_add_margin, decode=account.decode_add_margin),
    "set_auto_deposit_margin": Endpoint(encode=account.encode_auto_deposit,
                                        decode=account.decode_auto_deposit),
}

ADAPTER = Adapter(endpoints=ENDPOINTS, sign=signing.sign, unwrap=envelope.unwrap,
                  streams=ws.STREAMS)
