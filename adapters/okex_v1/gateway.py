"""The v1 dialect of `unified gateway --speak okex_v1`: v1's paths, parameters, signatures,
answers and error codes, served in front of any venue (unified/gateway.py does the HTTP).

Private calls are checked like www.okex.com/api/v1 checks them, by the spec's signing recipe
(md5_sorted_params, verified by unified/sim/verify.py): `sign` over the form's parameters and
the LOCAL secret the user gave the gateway, never the target venue's. Every failure is v1's
{"result": false, "error_code": N} in an HTTP 200 body; the table of what each unified error
becomes is `code_for`, and README "v1 gateway" lists what each call does on the target.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

from adapters.okex_v1 import gateway_calls as calls
from adapters.okex_v1 import gateway_orders as orders
from adapters.okex_v1.gateway_calls import Call, Handler, OrderIds, Refused
from unified.client import Exchange
from unified.errors import (
    AmbiguousOutcome,
    AuthenticationError,
    BadSymbol,
    ConfigurationError,
    InsufficientFunds,
    InvalidOrder,
    NotSupported,
    OrderNotFound,
    RateLimited,
    TransportError,
    UnifiedError,
)
from unified.gateway import GatewayAnswer, GatewayRequest
from unified.sim.verify import AuthFailure, verify
from unified.spec import load_spec
from unified.venue import Credentials

PREFIX = "/api/v1/"
PUBLIC: Mapping[str, Handler] = {
    "ticker.do": calls.ticker, "tickers.do": calls.tickers, "depth.do": calls.depth,
    "trades.do": calls.trades, "kline.do": calls.kline,
}
PRIVATE: Mapping[str, Handler] = {
    "userinfo.do": calls.userinfo, "trade.do": calls.trade,
    "cancel_order.do": orders.cancel_order, "order_info.do": orders.order_info,
    "orders_info.do": orders.orders_info, "order_history.do": orders.order_history,
    "account_records.do": orders.account_records,
    "batch_trade.do": lambda c: calls.batch_trade(c, code_for),
}
#: v1's money calls: not carried out (see the README's table); answered "Non-available API"
NOT_TRANSLATED = 10216
AUTH_CODES = {"missing": 10000, "bad_key": 10006}  # else 10007 "Signature does not match"
SYSTEM_ERROR = 10002


def code_for(error: BaseException) -> int:
    """The v1 error code a unified error (or a refusal) is answered with."""
    if isinstance(error, Refused):
        return error.code
    table: tuple[tuple[type[BaseException], int], ...] = (
        (OrderNotFound, 10009),  # "Order does not exist"
        (InsufficientFunds, 1002),  # "The transaction amount exceed the balance"
        (RateLimited, 10001),  # "Request frequency too high"
        (AuthenticationError, 10017),  # the target refused the gateway's own credentials
        (BadSymbol, 1007),  # "No trading market information"
        (NotSupported, NOT_TRANSLATED),  # "Non-available API": the target cannot do it
        (ConfigurationError, 10008),  # "Illegal parameter"
        (TransportError, 10004),  # "Request failed": the target did not answer
        (AmbiguousOutcome, SYSTEM_ERROR),
    )
    if isinstance(error, InvalidOrder):
        # the minimum amount: 10011 "Amount too low"; a step, a price: 1018 "Order failed"
        return 10011 if "below the minimum" in str(error) else 1018
    for kind, code in table:
        if isinstance(error, kind):
            return code
    return SYSTEM_ERROR  # VenueUnavailable, any other venue error, an unreadable answer


def fail(code: int) -> GatewayAnswer:
    return GatewayAnswer(200, {"result": False, "error_code": code})


class V1Dialect:
    """v1 served; `keys` is the local key pair clients sign with."""

    speaks = "okex_v1"

    def __init__(self, keys: Credentials) -> None:
        self._keys = {keys.api_key: keys}
        self._signing = load_spec("okex_v1").signing
        self.ids = OrderIds()

    def __repr__(self) -> str:
        return "<V1Dialect (keys redacted)>"

    async def answer(self, request: GatewayRequest, exchange: Exchange) -> GatewayAnswer:
        if not request.path.startswith(PREFIX):
            return GatewayAnswer(404, {"result": False, "error_code": NOT_TRANSLATED})
        name = request.path[len(PREFIX):]
        try:
            if name in PUBLIC:
                handler, params = PUBLIC[name], _public(request)
            else:
                params = self._signed(request)
                if name not in PRIVATE:
                    return fail(NOT_TRANSLATED)
                handler = PRIVATE[name]
            body = await handler(Call(params, exchange, self.ids))
        except (Refused, AuthFailure) as refused:
            return fail(AUTH_CODES.get(refused.kind, 10007) if isinstance(refused, AuthFailure)
                        else refused.code)
        except UnifiedError as error:  # in v1's words; anything else is a bug, which
            return fail(code_for(error))  # unified/gateway.py logs and answers with fault()
        return GatewayAnswer(200, body)

    def fault(self, error: Exception) -> GatewayAnswer:
        return fail(SYSTEM_ERROR)

    def _signed(self, request: GatewayRequest) -> dict[str, str]:
        """The signed parameters (a POST's form; a GET's query), `api_key`/`sign` dropped."""
        form = request.body if request.method != "GET" else urlencode(request.query).encode()
        verify(self._signing, method=request.method, path_and_query=request.path, body=form,
               headers=request.headers, keys=self._keys, now=datetime.now(UTC))
        params = dict(parse_qsl(form.decode(errors="replace"), keep_blank_values=True))
        params.pop("api_key", None)
        params.pop("sign", None)
        return params


def _public(request: GatewayRequest) -> dict[str, str]:
    form = dict(parse_qsl(request.body.decode(errors="replace"), keep_blank_values=True))
    return {**form, **request.query}


DIALECT = V1Dialect
