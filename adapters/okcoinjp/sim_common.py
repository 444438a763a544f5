"""What the local OKCoinJapan's handlers share (sim.py, sim_funds.py): its error answer, its
number and time words, and the guard that turns a Reject into {code, message}."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from unified.convert import to_iso_ms
from unified.sim.server import SimRequest, SimResponse, SimVenue


class Reject(Exception):
    """A venue error answer chosen by a handler: HTTP 400 {code, message}."""

    def __init__(self, code: int, message: str, status: int = 400) -> None:
        self.code, self.message, self.status = code, message, status
        super().__init__(code, message)


def s(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def iso(moment: datetime) -> str:
    return to_iso_ms(moment)


def ok(body: Any, headers: dict[str, str] | None = None) -> SimResponse:
    return SimResponse(200, body, headers=headers or {})


def fail(code: int, message: str, status: int = 400) -> SimResponse:
    return SimResponse(status, {"code": code, "message": message})


def order_fail(code: int, message: str, order_id: str = "-1", client_oid: str = "") -> SimResponse:
    """Cancel failures carry both error forms and result: false."""
    return SimResponse(400, {
        "client_oid": client_oid, "code": str(code), "error_code": str(code),
        "error_message": message, "message": message, "order_id": order_id, "result": False,
    })


def _guard(fn: Callable[[SimVenue, SimRequest], SimResponse]
           ) -> Callable[[SimVenue, SimRequest], SimResponse]:
    def handle(sim: SimVenue, req: SimRequest) -> SimResponse:
        try:
            return fn(sim, req)
        except Reject as r:
            return fail(r.code, r.message, r.status)

    return handle


# ---------------------------------------------------------------- request helpers


def _required(value: Any, name: str) -> str:
    if value is None or value == "":
        raise Reject(30023, f"{name} cannot be blank")
    if not isinstance(value, str):
        raise Reject(30025, f"{name} parameter category error")
    return value
