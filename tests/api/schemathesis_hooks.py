"""Schemathesis hooks for tests/api/test_schemathesis.py (loaded by the schemathesis CLI via
SCHEMATHESIS_HOOKS): every request gets a fresh access token of the fuzzing account, so a
generated Logout (which revokes the token it was made with) cannot lock the rest of the
run out.

Configured by the test through PRIM_ST_BASE_URL, PRIM_ST_ACCOUNT and PRIM_ST_PASSWORD.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import schemathesis


@schemathesis.auth(refresh_interval=None)
class FreshToken:
    def get(self, case: Any, ctx: Any) -> str:
        response = httpx.post(
            f"{os.environ['PRIM_ST_BASE_URL']}/v1/sessions",
            json={"userId": os.environ["PRIM_ST_ACCOUNT"],
                  "password": os.environ["PRIM_ST_PASSWORD"]},
            timeout=10,
        )
        response.raise_for_status()
        return str(response.json()["accessToken"])

    def set(self, case: Any, data: str, ctx: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
