"""The binding under hypercorn on a real socket, driven by the generated Python client:
sign up, log in, use the token, create and read a group, upload and download a file, and
get typed errors back."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from hypercorn.asyncio import serve
from hypercorn.config import Config

from prim.generated.google.api import HttpBody
from prim.generated.http_client import PrimApiError, PrimHttpClient
from prim.generated.prim.v1 import (
    CreateGroupRequest,
    DownloadFileRequest,
    ErrorCode,
    GetGroupRequest,
    GetMyProfileRequest,
    ListHistoryRequest,
    LoginRequest,
    MsgType,
    SignupRequest,
    UpdateGroupRequest,
    UploadFileRequest,
)
from prim.runtime.http import build_asgi_app
from tests.http.fakes import authenticate, implementations, served_routes

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def base_url() -> AsyncIterator[str]:
    impls = implementations()
    app = build_asgi_app(impls, authenticate, routes=served_routes(impls))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # port 0: the OS picks a free one
    sock.listen(16)
    sock.setblocking(False)
    port = sock.getsockname()[1]
    config = Config()
    config.bind = [f"fd://{sock.detach()}"]  # hypercorn takes the socket over (and closes it)
    config.accesslog = None
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, config, shutdown_trigger=stop.wait))  # type: ignore[arg-type]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        await task


async def test_client_round_trip_over_hypercorn(base_url: str) -> None:
    async with PrimHttpClient(base_url) as client:
        signed = await client.accounts.signup(SignupRequest(password="pw123456", nickname="a"))
        session = await client.accounts.login(
            LoginRequest(user_id=signed.user_id, password="pw123456"))
        with pytest.raises(PrimApiError) as unauthenticated:
            await client.users.get_my_profile(GetMyProfileRequest())
        assert unauthenticated.value.status == 401
        assert unauthenticated.value.code == ErrorCode.UNAUTHENTICATED

        client.set_token(session.access_token)
        me = await client.users.get_my_profile(GetMyProfileRequest())
        assert me.user_id == signed.user_id

        group = await client.groups.create_group(CreateGroupRequest(name="tea"))
        assert group.group_id >= 1 << 36
        renamed = await client.groups.update_group(
            UpdateGroupRequest(group_id=group.group_id, name="coffee"))
        assert renamed.name == "coffee"
        fetched = await client.groups.get_group(GetGroupRequest(group_id=group.group_id))
        assert fetched == renamed

        with pytest.raises(PrimApiError) as missing:
            await client.groups.get_group(GetGroupRequest(group_id=(1 << 36) + 999))
        assert (missing.value.status, missing.value.code, missing.value.field) == (
            404, ErrorCode.NOT_FOUND, "group_id")

        page = await client.messages.list_history(
            ListHistoryRequest(peer_id=2**46 - 1, from_seqnum=5, page_size=7, page_token="t"))
        assert page.next_page_token == "12:t"

        data = bytes(range(256)) * 4
        info = await client.files.upload_file(UploadFileRequest(
            kind=MsgType.FILE, name="blob.bin",
            content=HttpBody(content_type="application/x-blob", data=data)))
        assert info.size == len(data) and info.content_type == "application/x-blob"
        body = await client.files.download_file(DownloadFileRequest(file_id=info.file_id))
        assert body.data == data and body.content_type == "application/x-blob"


async def test_required_query_parameter_is_sent_even_when_default(base_url: str) -> None:
    # UploadFile's `kind` is REQUIRED: the client sends MSG_TYPE_NA rather than omitting it,
    # and the binding refuses that value as outside the spec's enum_in (not as missing).
    async with PrimHttpClient(base_url, token="good-3") as client:
        with pytest.raises(PrimApiError) as refused:
            await client.files.upload_file(UploadFileRequest(
                content=HttpBody(content_type="text/plain", data=b"x")))
        assert refused.value.field == "kind"
        assert "must be one of MSG_TYPE_FILE" in str(refused.value)
