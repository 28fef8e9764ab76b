"""AccountService: user ids, sign-up, sessions (login, logout, listing, revoking,
password change) and account deletion.

Passwords are scrypt hashes (config.auth.scrypt_log_n); tokens are random and only their
SHA-256 is stored (tokens.py). A token stops working at once on Logout, because every
HTTP request and every wire Auth looks its session up in the account store.

NewUserId reserves an id from the same sequence the store assigns ids from (the
AccountIdReservations port) for RESERVATION_TTL_MS; Signup with that `user_id` claims it
atomically, Signup without one gets the next id. A reservation is not bound to whoever
made it (the request has nothing to bind it to), so another client that learns a reserved
id may claim it first; the loser is told to reserve another.

Abuse limits (auth_limits.py, shared through Redis where api processes are several) are
checked before any scrypt work: password checks per client address, then a backoff per
account (not a lockout); Signup and NewUserId per address. scrypt itself runs in the
bounded ScryptPool: past its queue a check is UNAVAILABLE.

ChangePassword, RevokeSession and RevokeOtherSessions end sessions the way Logout does:
revoked in the store, and the devices' live connections closed through the scheduler.
"""

from __future__ import annotations

import asyncio
import logging

from prim.generated.interfaces import AccountServiceInterface
from prim.generated.prim.v1 import (
    ChangePasswordRequest,
    ChangePasswordResponse,
    DeleteAccountRequest,
    DeleteAccountResponse,
    DisconnectUserRequest,
    ErrorCode,
    ListSessionsRequest,
    ListSessionsResponse,
    LoginRequest,
    LoginResponse,
    LogoutRequest,
    LogoutResponse,
    NewUserIdRequest,
    NewUserIdResponse,
    RevokeOtherSessionsRequest,
    RevokeOtherSessionsResponse,
    RevokeSessionRequest,
    RevokeSessionResponse,
    SessionInfo,
    SignupRequest,
    SignupResponse,
)
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.logs import log as log_event
from prim.runtime.storage.errors import NotFound
from prim.runtime.storage.models import GROUP_ID_BASE, Session, User
from prim.services.api.auth_limits import AuthLimits
from prim.services.api.files import delete_all_uploads
from prim.services.api.groups import owned_groups, tell_destroyed
from prim.services.api.server import ApiServer
from prim.services.api.tokens import new_device_id, new_token, token_hash

RESERVATION_TTL_MS = 15 * 60 * 1000
_BAD_CREDENTIALS = "the account id or the password is wrong"

log = logging.getLogger("prim.api.accounts")


class AccountServiceImpl(AccountServiceInterface):
    def __init__(self, api: ApiServer) -> None:
        self._api = api
        self._limits = AuthLimits(api.storage.attempts, api.config.auth, api.clock)
        self._dummy_hash: str | None = None
        self._dummy_lock = asyncio.Lock()

    async def new_user_id(self, request: NewUserIdRequest,
                          ctx: CallContext) -> NewUserIdResponse:
        await self._limits.check_reservation(ctx)
        user_id = await self._api.storage.account_ids.reserve(
            self._api.clock() + RESERVATION_TTL_MS)
        return NewUserIdResponse(user_id=user_id)

    async def signup(self, request: SignupRequest, ctx: CallContext) -> SignupResponse:
        # The fields were checked (and trimmed) by the spec's generated validator.
        password, nickname = request.password, request.nickname
        storage = self._api.storage
        wanted = request.user_id
        if wanted is not None and not await storage.account_ids.is_reserved(wanted):
            # Checked before hashing so a bad id costs no scrypt; claim() re-checks atomically.
            raise await self._unclaimable(wanted)
        await self._limits.check_signup(ctx)
        password_hash = await self._api.scrypt.hash(password, self._api.config.auth.scrypt_log_n)
        user: User
        if wanted is None:
            user = await storage.accounts.create_user(nickname, password_hash)
        else:
            try:
                user = await storage.account_ids.claim(wanted, nickname, password_hash)
            except NotFound:
                raise await self._unclaimable(wanted) from None
        log_event(log, logging.INFO, "signed up", user_id=user.user_id)
        return SignupResponse(user_id=user.user_id)

    async def _unclaimable(self, user_id: int) -> ApiError:
        if await self._api.storage.accounts.get_user(user_id) is not None:
            return ApiError(ErrorCode.ALREADY_EXISTS, f"account {user_id} exists already; "
                            "reserve a new id with NewUserId or leave user_id out",
                            "user_id")
        return ApiError(ErrorCode.FAILED_PRECONDITION, f"user id {user_id} is not "
                        "reserved (or its reservation expired); reserve one with NewUserId "
                        "or leave user_id out", "user_id")

    async def login(self, request: LoginRequest, ctx: CallContext) -> LoginResponse:
        user_id = request.user_id
        # No field: naming one would tell which of the two was wrong.
        await self._check_password(ctx, user_id, request.password, "")
        device_id = new_device_id()
        token = new_token()
        expires_at = self._api.clock() + self._api.config.auth.token_ttl_seconds * 1000
        try:
            await self._api.storage.accounts.create_session(token_hash(token), user_id,
                                                            device_id, expires_at)
        except NotFound:  # deleted between the password check and now
            raise ApiError(ErrorCode.INVALID_CREDENTIALS, _BAD_CREDENTIALS) from None
        return LoginResponse(access_token=token, user_id=user_id, expires_at_ms=expires_at,
                             device_id=device_id)

    async def logout(self, request: LogoutRequest, ctx: CallContext) -> LogoutResponse:
        await self._api.storage.accounts.revoke_session(token_hash(ctx.access_token))
        # The device's live connections were opened with this token: they end with it.
        await self._api.scheduler.disconnect_user(DisconnectUserRequest(
            user_id=ctx.user_id, device_id=ctx.device_id,
            reason="this session was signed out; log in again"), CallContext())
        return LogoutResponse()

    async def delete_account(self, request: DeleteAccountRequest,
                             ctx: CallContext) -> DeleteAccountResponse:
        await self._check_password(ctx, ctx.user_id, request.password, "password")
        accounts = self._api.storage.accounts
        await accounts.revoke_user_sessions(ctx.user_id)
        owned = await owned_groups(self._api, ctx.user_id)
        await accounts.delete_user(ctx.user_id)
        await forget_account(self._api, ctx.user_id, owned)
        await self._api.scheduler.disconnect_user(DisconnectUserRequest(
            user_id=ctx.user_id, reason="this account was deleted"), CallContext())
        # Nothing else reads them any more: the inbox, markers and presence go too.
        await self._api.storage.inbox.forget_user(ctx.user_id)
        await self._api.storage.online.forget_user(ctx.user_id)
        return DeleteAccountResponse()

    async def change_password(self, request: ChangePasswordRequest,
                              ctx: CallContext) -> ChangePasswordResponse:
        new_password = request.new_password
        await self._check_password(ctx, ctx.user_id, request.current_password,
                                   "current_password")
        password_hash = await self._api.scrypt.hash(new_password,
                                                    self._api.config.auth.scrypt_log_n)
        try:
            await self._api.storage.accounts.set_password_hash(ctx.user_id, password_hash)
        except NotFound:  # deleted meanwhile
            raise ApiError(ErrorCode.UNAUTHENTICATED, "this account no longer exists") from None
        # Whoever learnt the old password may hold a session: only the caller's stays.
        revoked = await self._end_other_sessions(ctx, "the password was changed; log in again")
        return ChangePasswordResponse(revoked_sessions=revoked)

    async def list_sessions(self, request: ListSessionsRequest,
                            ctx: CallContext) -> ListSessionsResponse:
        sessions = await self._api.storage.accounts.list_sessions(ctx.user_id)
        return ListSessionsResponse(sessions=[
            SessionInfo(device_id=s.device_id, created_at_ms=s.created_at,
                        expires_at_ms=s.expires_at, current=s.device_id == ctx.device_id)
            for s in sessions])

    async def revoke_session(self, request: RevokeSessionRequest,
                             ctx: CallContext) -> RevokeSessionResponse:
        sessions = await self._api.storage.accounts.list_sessions(ctx.user_id)
        session = next((s for s in sessions if s.device_id == request.device_id), None)
        if session is None:
            raise ApiError(ErrorCode.NOT_FOUND, f"no active session has device id "
                           f"{request.device_id!r}; ListSessions shows them", "device_id")
        await self._end_sessions(ctx.user_id, [session], "this session was revoked; log in "
                                 "again")
        return RevokeSessionResponse()

    async def revoke_other_sessions(self, request: RevokeOtherSessionsRequest,
                                    ctx: CallContext) -> RevokeOtherSessionsResponse:
        revoked = await self._end_other_sessions(ctx, "this session was revoked; log in again")
        return RevokeOtherSessionsResponse(revoked_sessions=revoked)

    async def _end_other_sessions(self, ctx: CallContext, reason: str) -> int:
        mine = token_hash(ctx.access_token)
        sessions = await self._api.storage.accounts.list_sessions(ctx.user_id)
        return await self._end_sessions(
            ctx.user_id, [s for s in sessions if s.token_hash != mine], reason)

    async def _end_sessions(self, user_id: int, sessions: list[Session], reason: str) -> int:
        """Revokes the sessions and closes their devices' live connections (opened with
        those tokens), as Logout does for one. Returns how many were still active."""
        revoked = 0
        for session in sessions:
            revoked += await self._api.storage.accounts.revoke_session(session.token_hash)
            await self._api.scheduler.disconnect_user(DisconnectUserRequest(
                user_id=user_id, device_id=session.device_id, reason=reason), CallContext())
        return revoked

    async def _check_password(self, ctx: CallContext, user_id: int, password: str,
                              field: str) -> None:
        """Returns when ``password`` is the account's; else INVALID_CREDENTIALS (the same
        answer, after the same scrypt work, whether the account exists or not), or
        RATE_LIMITED (checked before scrypt) when the address or the account must wait."""
        await self._limits.begin_password_check(ctx, user_id)
        stored = None
        if 0 < user_id < GROUP_ID_BASE:
            stored = await self._api.storage.accounts.get_password_hash(user_id)
        ok = await self._api.scrypt.verify(password, stored or await self._dummy())
        if not ok or stored is None:
            raise ApiError(ErrorCode.INVALID_CREDENTIALS, _BAD_CREDENTIALS, field)
        await self._limits.password_ok(user_id)

    async def _dummy(self) -> str:
        """A hash no password matches, at the configured cost, so that checking a password
        against an unknown account takes as long as against a real one."""
        async with self._dummy_lock:
            if self._dummy_hash is None:
                self._dummy_hash = await self._api.scrypt.hash(
                    new_token(), self._api.config.auth.scrypt_log_n)
            return self._dummy_hash


async def forget_account(api: ApiServer, user_id: int, owned: dict[int, list[int]]) -> None:
    """What outlives the account's rows: its files (uploads and avatars) are deleted, and
    the members of the groups it owned (dissolved with it) are told."""
    await delete_all_uploads(api, user_id)
    await tell_destroyed(api, user_id, owned)
