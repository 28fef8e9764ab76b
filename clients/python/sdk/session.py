"""Accounts and sessions: sign up, log in, and the `Session` (token, user, device) that every
later call carries. Thin over the generated HTTP client; nothing here touches the wire."""

from __future__ import annotations

from dataclasses import dataclass

from prim.generated.http_client import PrimHttpClient
from prim.generated.prim.v1 import LoginRequest, LogoutRequest, SignupRequest


@dataclass(frozen=True, slots=True)
class Session:
    base_url: str
    user_id: int
    access_token: str
    expires_at_ms: int
    device_id: str


async def sign_up(http: PrimHttpClient, nickname: str, password: str) -> int:
    """Creates an account; its user id."""
    answer = await http.accounts.signup(SignupRequest(password=password, nickname=nickname))
    return answer.user_id


async def log_in(http: PrimHttpClient, base_url: str, user_id: int, password: str,
                 device_name: str) -> Session:
    """A new device session; the HTTP client sends its token from now on."""
    answer = await http.accounts.login(LoginRequest(user_id=user_id, password=password,
                                                    device_name=device_name))
    http.set_token(answer.access_token)
    return Session(base_url=base_url, user_id=answer.user_id, access_token=answer.access_token,
                   expires_at_ms=answer.expires_at_ms, device_id=answer.device_id)


async def log_out(http: PrimHttpClient) -> None:
    """Revokes the session's token on the server."""
    await http.accounts.logout(LogoutRequest())
    http.set_token(None)
