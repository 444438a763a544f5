"""A small v1 REST client written from the v1 docs alone (okex-v1-rest.md), sharing no code
with the library: GETs for market data, form-encoded POSTs signed with the upper-case MD5 of
the sorted parameters and `&secret_key=`."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import aiohttp


class V1Client:
    def __init__(self, base_url: str, api_key: str, secret_key: str) -> None:
        self.root = base_url + "/api/v1/"
        self.api_key, self.secret_key = api_key, secret_key
        self.session = aiohttp.ClientSession()

    async def __aenter__(self) -> V1Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()

    def sign(self, params: dict[str, str]) -> str:
        text = "&".join(f"{k}={params[k]}" for k in sorted(params))
        return hashlib.md5(f"{text}&secret_key={self.secret_key}".encode()).hexdigest().upper()

    async def get(self, call: str, **params: str) -> Any:
        async with self.session.get(self.root + call, params=params) as resp:
            assert resp.status == 200, resp.status
            return json.loads(await resp.text(), parse_float=Decimal)

    async def post(self, call: str, *, secret: str | None = None, **params: str) -> Any:
        form = {"api_key": self.api_key, **params}
        signer = self if secret is None else V1Client.__new__(V1Client)
        if secret is not None:
            signer.secret_key = secret
        form["sign"] = signer.sign(form)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        async with self.session.post(self.root + call, data=urlencode(form),
                                     headers=headers) as resp:
            assert resp.status == 200, resp.status
            return json.loads(await resp.text(), parse_float=Decimal)
