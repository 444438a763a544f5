"""KuCoin's table of contents: each unified operation and its encoder / decoder."""

from adapters.kucoin import codec, signing, ws, wsapi
from unified.venue import Adapter, Endpoint

ENDPOINTS = {
    "fetch_time": Endpoint(decode=codec.decode_time),
    # the bullet answer's data, read by ws.STREAMS.endpoint (the stream layer's dialect)
    "ws_token_public": Endpoint(decode=ws.bullet_answer),
    "ws_token_private": Endpoint(decode=ws.bullet_answer),
    "load_markets": Endpoint(decode=codec.decode_markets),
    "fetch_ticker": Endpoint(encode=codec.symbol_query, decode=codec.decode_ticker),
    "fetch_tickers": Endpoint(decode=codec.decode_tickers),
    "fetch_order_book": Endpoint(encode=codec.encode_book, decode=codec.decode_book),
    "fetch_order_book_full": Endpoint(encode=codec.encode_book_full, decode=codec.decode_book),
    "fetch_trades": Endpoint(encode=codec.symbol_query, decode=codec.decode_trades),
    "fetch_ohlcv": Endpoint(encode=codec.encode_candles, decode=codec.decode_candles),
    "fetch_balance": Endpoint(encode=codec.encode_balance, decode=codec.decode_balances),
    "create_order": Endpoint(encode=codec.encode_create, decode=codec.decode_placed),
    "create_orders": Endpoint(encode=codec.encode_batch, decode=codec.decode_batch),
    "cancel_order": Endpoint(encode=codec.order_ref, decode=codec.decode_canceled),
    "cancel_order_by_client_id": Endpoint(encode=codec.order_ref, decode=codec.decode_canceled),
    "cancel_all_orders": Endpoint(encode=codec.symbol_query, decode=codec.decode_cancel_all),
    "cancel_all_orders_everywhere": Endpoint(decode=codec.decode_cancel_everywhere),
    "fetch_open_order_symbols": Endpoint(decode=codec.decode_open_symbols),
    # DESIGN 3d: modify (a new id), the dead-man switch, test creates, OCO pairs.
    "edit_order": Endpoint(encode=codec.encode_alter, decode=codec.decode_altered),
    "cancel_all_orders_after": Endpoint(encode=codec.encode_dead_cancel,
                                        decode=codec.decode_dead_cancel),
    "fetch_cancel_all_orders_after": Endpoint(decode=codec.decode_dead_cancel_setting),
    "cancel_order_partial": Endpoint(encode=codec.encode_partial_cancel,
                                     decode=codec.decode_partial_cancel),
    "create_order_test": Endpoint(encode=codec.encode_create, decode=codec.decode_placed),
    "create_oco_order": Endpoint(encode=codec.encode_oco, decode=codec.decode_oco_placed),
    "cancel_oco_order": Endpoint(encode=codec.oco_ref, decode=codec.decode_oco_canceled),
    "cancel_oco_order_by_client_id": Endpoint(encode=codec.oco_ref,
                                              decode=codec.decode_oco_canceled),
    "fetch_oco_order": Endpoint(encode=codec.oco_ref, decode=codec.decode_oco),
    "fetch_oco_order_by_client_id": Endpoint(encode=codec.oco_ref, decode=codec.decode_oco),
    "fetch_oco_orders": Endpoint(encode=codec.encode_oco_list, decode=codec.decode_oco),
    # The plain (acknowledge-only) forms: not used by the client, served by the local venue.
    "create_order_ack": Endpoint(encode=codec.encode_create, decode=codec.decode_placed),
    "cancel_order_ack": Endpoint(encode=codec.order_ref, decode=codec.decode_canceled),
    "cancel_order_by_client_id_ack": Endpoint(encode=codec.order_ref,
                                              decode=codec.decode_canceled),
    "fetch_order": Endpoint(encode=codec.order_ref, decode=codec.decode_order),
    "fetch_order_by_client_id": Endpoint(encode=codec.order_ref, decode=codec.decode_order),
    "fetch_open_orders": Endpoint(encode=codec.symbol_query, decode=codec.decode_order),
    "iter_closed_orders": Endpoint(encode=codec.encode_history, decode=codec.decode_order),
    "iter_my_trades": Endpoint(encode=codec.encode_history, decode=codec.decode_fill),
    "iter_ledger": Endpoint(encode=codec.encode_ledger, decode=codec.decode_ledger),
}

ADAPTER = Adapter(endpoints=ENDPOINTS, sign=signing.sign, unwrap=codec.unwrap, streams=ws.STREAMS,
                  order_api=wsapi.ORDER_API)
