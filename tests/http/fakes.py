"""A tiny in-memory implementation of a few services, enough to drive the HTTP binding:
it records each request it gets and answers from a few dicts."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Mapping, Sequence

import betterproto2

from prim.generated.google.api import HttpBody
from prim.generated.prim.v1 import (
    ChatMessage,
    CreateGroupRequest,
    DeleteAccountRequest,
    DeleteAccountResponse,
    DownloadFileRequest,
    EditMessageRequest,
    ErrorCode,
    FileInfo,
    GetFileInfoRequest,
    GetGroupRequest,
    GetMyProfileRequest,
    GetUserRequest,
    Group,
    ListHistoryRequest,
    ListHistoryResponse,
    LoginRequest,
    LoginResponse,
    LogoutRequest,
    LogoutResponse,
    NewUserIdRequest,
    NewUserIdResponse,
    Profile,
    PublicProfile,
    ReadMarker,
    SetReadMarkerRequest,
    SignupRequest,
    SignupResponse,
    UpdateGroupRequest,
    UploadFileRequest,
)
from prim.generated.routes import ROUTES, Route
from prim.runtime.context import CallContext, Principal
from prim.runtime.errors import ApiError

GROUP_BASE = 1 << 36
BOOM_USER = 13  # GetUser of this id raises a plain exception


class MemorySource:
    """A BodySource over bytes in memory, sent in pieces of 7 to exercise the chunking."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def version(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    async def chunks(self, start: int, end: int) -> AsyncIterator[bytes]:
        for at in range(start, end, 7):
            yield self.data[at:min(at + 7, end)]


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, betterproto2.Message, CallContext]] = []

    def record(self, name: str, request: betterproto2.Message, ctx: CallContext) -> None:
        self.calls.append((name, request, ctx))

    @property
    def last(self) -> tuple[str, betterproto2.Message, CallContext]:
        return self.calls[-1]


class Accounts(Recorder):
    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[int, str] = {}

    async def new_user_id(self, request: NewUserIdRequest,
                             ctx: CallContext) -> NewUserIdResponse:
        self.record("new_user_id", request, ctx)
        return NewUserIdResponse(user_id=1000 + len(self.passwords))

    async def signup(self, request: SignupRequest, ctx: CallContext) -> SignupResponse:
        self.record("signup", request, ctx)
        user_id = request.user_id or 1000 + len(self.passwords)
        self.passwords[user_id] = request.password
        return SignupResponse(user_id=user_id)

    async def login(self, request: LoginRequest, ctx: CallContext) -> LoginResponse:
        self.record("login", request, ctx)
        if self.passwords.get(request.user_id) != request.password:
            raise ApiError(ErrorCode.INVALID_CREDENTIALS, "wrong account id or password")
        return LoginResponse(access_token=f"good-{request.user_id}",
                             user_id=request.user_id, expires_at_ms=2**40, device_id="dev-1")

    async def logout(self, request: LogoutRequest, ctx: CallContext) -> LogoutResponse:
        self.record("logout", request, ctx)
        return LogoutResponse()

    async def delete_account(self, request: DeleteAccountRequest,
                             ctx: CallContext) -> DeleteAccountResponse:
        self.record("delete_account", request, ctx)
        if self.passwords.get(ctx.user_id) != request.password:
            raise ApiError(ErrorCode.INVALID_CREDENTIALS, "wrong password", "password")
        return DeleteAccountResponse()


class Users(Recorder):
    async def get_my_profile(self, request: GetMyProfileRequest, ctx: CallContext) -> Profile:
        self.record("get_my_profile", request, ctx)
        return Profile(user_id=ctx.user_id, nickname="me")

    async def get_user(self, request: GetUserRequest, ctx: CallContext) -> PublicProfile:
        self.record("get_user", request, ctx)
        if request.user_id == BOOM_USER:
            raise RuntimeError("secret internal detail")
        return PublicProfile(user_id=request.user_id, nickname=f"user{request.user_id}")


class Groups(Recorder):
    def __init__(self) -> None:
        super().__init__()
        self.groups: dict[int, Group] = {}

    async def create_group(self, request: CreateGroupRequest, ctx: CallContext) -> Group:
        self.record("create_group", request, ctx)
        group = Group(group_id=GROUP_BASE + len(self.groups), name=request.name,
                      owner_id=ctx.user_id, member_count=1)
        self.groups[group.group_id] = group
        return group

    async def get_group(self, request: GetGroupRequest, ctx: CallContext) -> Group:
        self.record("get_group", request, ctx)
        if request.group_id not in self.groups:
            raise ApiError(ErrorCode.NOT_FOUND, "no such group", "group_id")
        return self.groups[request.group_id]

    async def update_group(self, request: UpdateGroupRequest, ctx: CallContext) -> Group:
        self.record("update_group", request, ctx)
        group = self.groups.get(request.group_id) or Group(group_id=request.group_id)
        if request.name is not None:
            group.name = request.name
        return group


class Messages(Recorder):
    async def list_history(self, request: ListHistoryRequest,
                           ctx: CallContext) -> ListHistoryResponse:
        self.record("list_history", request, ctx)
        return ListHistoryResponse(
            next_page_token=f"{request.from_seqnum + request.page_size}:{request.page_token}")

    async def set_read_marker(self, request: SetReadMarkerRequest,
                              ctx: CallContext) -> ReadMarker:
        self.record("set_read_marker", request, ctx)
        return ReadMarker(peer_id=request.peer_id, seqnum=request.seqnum)

    async def edit_message(self, request: EditMessageRequest, ctx: CallContext) -> ChatMessage:
        self.record("edit_message", request, ctx)
        return ChatMessage(sender=ctx.user_id, receiver=request.peer_id, seqnum=request.seqnum,
                           payload=request.new_payload)


class Files(Recorder):
    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, tuple[FileInfo, HttpBody]] = {}
        # False: downloads answer the bytes in the HttpBody, as a handler without a stream may.
        self.stream_downloads = True

    async def upload_file(self, request: UploadFileRequest, ctx: CallContext) -> FileInfo:
        self.record("upload_file", request, ctx)
        if ctx.streams is not None and ctx.streams.body is not None:
            data = b"".join([chunk async for chunk in ctx.streams.body])
        else:
            data = request.content.data if request.content else b""
        file_id = f"f{len(self.files) + 1}"
        info = FileInfo(file_id=file_id, content_type=ctx.content_type, size=len(data),
                        name=request.name, sha256=hashlib.sha256(data).hexdigest(),
                        uploader_id=ctx.user_id)
        self.files[file_id] = (info, HttpBody(content_type=ctx.content_type, data=data))
        return info

    async def get_file_info(self, request: GetFileInfoRequest, ctx: CallContext) -> FileInfo:
        self.record("get_file_info", request, ctx)
        if request.file_id not in self.files:
            raise ApiError(ErrorCode.NOT_FOUND, "no such file", "file_id")
        return self.files[request.file_id][0]

    async def download_file(self, request: DownloadFileRequest, ctx: CallContext) -> HttpBody:
        self.record("download_file", request, ctx)
        if request.file_id not in self.files:
            raise ApiError(ErrorCode.NOT_FOUND, "no such file", "file_id")
        body = self.files[request.file_id][1]
        if ctx.streams is not None and self.stream_downloads:
            ctx.streams.reply = MemorySource(body.data)
            return HttpBody(content_type=body.content_type)
        return body


def implementations() -> dict[str, Recorder]:
    return {"AccountService": Accounts(), "UserService": Users(), "GroupService": Groups(),
            "MessageService": Messages(), "FileService": Files()}


def served_routes(impls: Mapping[str, object]) -> Sequence[Route]:
    """The spec's routes these fakes implement."""
    return [r for r in ROUTES
            if r.service in impls and hasattr(impls[r.service], r.handler)]


async def authenticate(token: str) -> Principal | None:
    """Tokens are `good-<user id>`; anything else is invalid."""
    prefix, _, user = token.partition("-")
    if prefix == "good" and user.isdigit():
        return Principal(user_id=int(user), device_id="dev-1")
    return None
