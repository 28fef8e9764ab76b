"""FileService: uploads behind Image, Video, Audio and File messages, their metadata, and
downloads.

Each upload's bytes go to the BlobStore and its record (uploader, kind, name, type, size,
hash) to the UploadStore, under one random 128-bit id. `kind` decides the allowed media
types, as the spec's MsgType table says (media_types: MSG_TYPE_IMAGE image/*, MSG_TYPE_FILE
any, ...; a type without any is no upload kind); every kind is limited to
config.limits.max_file_bytes. The bytes stream from the request to a temporary file (the
HTTP binding hands over a BodyStream; the limit is enforced as they arrive)
and back out in chunks, so no file sits in memory whole.

Each user may keep config.limits.upload_quota_bytes in files (ListFiles shows the sum;
DeleteFile frees it; an upload past it is PAYLOAD_TOO_LARGE) and have
config.limits.max_concurrent_uploads uploads in flight in this process (RATE_LIMITED
beyond). The quota is checked before the bytes come (against the declared size and as
they arrive) and again, one upload at a time, when the record is written, so uploads in
flight together cannot pass it within a process.

Who may read a file (GetFileInfo, DownloadFile): ids are unguessable, but an id is easily
forwarded, so an id alone is not enough. The uploader may; so may anyone who can be in a
conversation with the uploader: their friends (either side of the friendship) and the
members of a group the uploader belongs to. Files set as a profile avatar are readable by
every signed-in user (UserService marks them). Everyone else gets PERMISSION_DENIED; an
unknown id is NOT_FOUND. Removing a friend, leaving a group or a block (either way) ends
that access.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterable

from prim.generated import constants as rules
from prim.generated.google.api import HttpBody
from prim.generated.interfaces import FileServiceInterface
from prim.generated.prim.v1 import (
    DeleteFileRequest,
    DeleteFileResponse,
    DownloadFileRequest,
    ErrorCode,
    FileInfo,
    GetFileInfoRequest,
    ListFilesRequest,
    ListFilesResponse,
    MsgType,
    UploadFileRequest,
)
from prim.generated.wire import MSG_TYPE_INFO
from prim.runtime.body_stream import BodyTooLarge, one_chunk
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.storage.errors import BlobTooLarge
from prim.runtime.storage.uploads import Upload
from prim.services.api import convert, paging
from prim.services.api.server import ApiServer
from prim.services.api.upload_slots import UploadSlots

#: The upload kinds and the media types each accepts ("image/*", "*/*"), from the spec.
KIND_MEDIA: dict[int, tuple[str, ...]] = {
    kind: info.media_types for kind, info in MSG_TYPE_INFO.items() if info.media_types
}
# What a stored content type looks like, normalised (the spec's rules on FileInfo.content_type).
_CONTENT_TYPE = re.compile(rules.FILE_INFO_CONTENT_TYPE_PATTERN)
_FILE_ID = re.compile(r"^[0-9a-f]{32}$")
_GROUP_PAGE = 200


class FileServiceImpl(FileServiceInterface):
    def __init__(self, api: ApiServer) -> None:
        self._api = api
        self._slots = UploadSlots(api.config.limits.max_concurrent_uploads)
        self._commit = asyncio.Lock()  # the last quota check and the record, together

    async def upload_file(self, request: UploadFileRequest, ctx: CallContext) -> FileInfo:
        accepted = KIND_MEDIA.get(request.kind)
        if accepted is None:
            kinds = ", ".join(f"MSG_TYPE_{MsgType(k).name}" for k in sorted(KIND_MEDIA))
            raise ApiError(ErrorCode.INVALID_ARGUMENT, f"kind must be one of {kinds}", "kind")
        name = request.name  # checked (and trimmed) by the spec's generated validator
        body = request.content or HttpBody()
        content_type = _content_type(body.content_type, accepted, request.kind)
        streams = ctx.streams
        chunks: AsyncIterable[bytes] = one_chunk(body.data)
        declared: int | None = len(body.data)
        if streams is not None and streams.body is not None:
            chunks, declared = streams.body, streams.body.declared
        if declared == 0:
            raise _empty()
        with self._slots.take(ctx.user_id) as taken:
            if not taken:
                raise ApiError(ErrorCode.RATE_LIMITED, "too many uploads at once: at most "
                               f"{self._slots.per_user} per user; wait for one to finish")
            upload = await self._store(ctx.user_id, request, name, content_type, chunks,
                                       declared)
        return convert.file_info(upload)

    async def _store(self, user_id: int, request: UploadFileRequest, name: str,
                     content_type: str, chunks: AsyncIterable[bytes],
                     declared: int | None) -> Upload:
        config = self._api.config.limits
        storage = self._api.storage
        room = config.upload_quota_bytes - await storage.uploads.usage(user_id)
        limit = min(config.max_file_bytes, max(room, 0))
        if declared is not None and declared > limit:
            raise _too_large(config.max_file_bytes, room, declared)
        try:
            blob = await storage.blobs.put_stream(chunks, content_type, max_bytes=limit)
        except (BlobTooLarge, BodyTooLarge):
            raise _too_large(config.max_file_bytes, room, None) from None
        if blob.size == 0:
            await storage.blobs.delete(blob.blob_id)
            raise _empty()
        upload = Upload(file_id=blob.blob_id, uploader_id=user_id, kind=int(request.kind),
                        name=name, content_type=content_type, size=blob.size,
                        sha256=blob.sha256, created_at=self._api.clock())
        try:
            async with self._commit:
                used = await storage.uploads.usage(user_id)
                if used + blob.size > config.upload_quota_bytes:
                    raise _too_large(config.max_file_bytes, config.upload_quota_bytes - used,
                                     blob.size)
                return await storage.uploads.add(upload)
        except BaseException:
            await storage.blobs.delete(blob.blob_id)
            raise

    async def get_file_info(self, request: GetFileInfoRequest, ctx: CallContext) -> FileInfo:
        return convert.file_info(await self._readable(request.file_id, ctx.user_id))

    async def download_file(self, request: DownloadFileRequest, ctx: CallContext) -> HttpBody:
        upload = await self._readable(request.file_id, ctx.user_id)
        blob = await self._api.storage.blobs.open(upload.file_id)
        if blob is None:
            raise ApiError(ErrorCode.NOT_FOUND, f"the bytes of file {upload.file_id} are gone",
                           "file_id")
        if ctx.streams is not None:  # the transport reads the bytes as it sends them
            ctx.streams.reply = blob
            return HttpBody(content_type=upload.content_type)
        data = b"".join([chunk async for chunk in blob.chunks()])
        return HttpBody(content_type=upload.content_type, data=data)

    async def list_files(self, request: ListFilesRequest, ctx: CallContext) -> ListFilesResponse:
        size = paging.page_size(
            request.page_size, rules.LIST_FILES_REQUEST_PAGE_SIZE_DEFAULT_VALUE,
            rules.LIST_FILES_REQUEST_PAGE_SIZE_MAXIMUM)
        start = paging.decode_token(request.page_token)
        uploads = self._api.storage.uploads
        page = await uploads.list_by_uploader(ctx.user_id, after=start.after, limit=size)
        return ListFilesResponse(
            files=[convert.file_info(u) for u in page.items],
            next_page_token=paging.encode_token(paging.next_position(page.next_after)),
            used_bytes=await uploads.usage(ctx.user_id),
            quota_bytes=self._api.config.limits.upload_quota_bytes)

    async def delete_file(self, request: DeleteFileRequest,
                          ctx: CallContext) -> DeleteFileResponse:
        file_id = request.file_id
        upload = await self._api.storage.uploads.get(file_id) if _FILE_ID.match(file_id) else None
        # Someone else's file is as unknown to the caller as a missing one.
        if upload is None or upload.uploader_id != ctx.user_id:
            raise ApiError(ErrorCode.NOT_FOUND, f"you have no file {file_id!r}", "file_id")
        await delete_upload(self._api, upload.file_id)
        # A profile must not point at a file that is gone.
        accounts = self._api.storage.accounts
        user = await accounts.get_user(ctx.user_id)
        if user is not None and user.avatar == upload.file_id:
            await accounts.update_profile(ctx.user_id, avatar="")
        return DeleteFileResponse()

    async def _readable(self, file_id: str, user_id: int) -> Upload:
        upload = await self._api.storage.uploads.get(file_id) if _FILE_ID.match(file_id) else None
        if upload is None:
            raise ApiError(ErrorCode.NOT_FOUND, f"there is no file {file_id!r}", "file_id")
        if not await self._may_read(upload, user_id):
            raise ApiError(ErrorCode.PERMISSION_DENIED, "only the uploader, their friends and "
                           "the members of their groups may read this file", "file_id")
        return upload

    async def _may_read(self, upload: Upload, user_id: int) -> bool:
        owner = upload.uploader_id
        if upload.public or owner == user_id:
            return True
        social = self._api.storage.social
        # A block, either way, ends every relationship-based path (friends and groups alike):
        # the two no longer converse, so neither reads what the other uploaded.
        if await social.is_blocked(owner, user_id) or await social.is_blocked(user_id, owner):
            return False
        if (await social.get_friend(user_id, owner) is not None
                or await social.get_friend(owner, user_id) is not None):
            return True
        after = 0
        while True:
            page = await social.list_user_groups(user_id, after=after, limit=_GROUP_PAGE)
            for group in page.items:
                if await social.get_member(group.group_id, owner) is not None:
                    return True
            if page.next_after is None:
                return False
            after = page.next_after


async def delete_upload(api: ApiServer, file_id: str) -> None:
    """Removes a file for good: the record first (readers get NOT_FOUND at once), then
    the bytes. Account deletion calls this for each of the account's files."""
    await api.storage.uploads.delete(file_id)
    await api.storage.blobs.delete(file_id)


async def delete_all_uploads(api: ApiServer, user_id: int) -> int:
    """Deletes every file `user_id` uploaded (avatars included); returns how many."""
    count = 0
    while True:
        page = await api.storage.uploads.list_by_uploader(user_id, limit=_GROUP_PAGE)
        for upload in page.items:
            await delete_upload(api, upload.file_id)
            count += 1
        if page.next_after is None:
            return count


def _empty() -> ApiError:
    return ApiError(ErrorCode.INVALID_ARGUMENT, "the file is empty; send its bytes as the "
                    "request body", "content")


def _too_large(max_file: int, room: int, size: int | None) -> ApiError:
    has = "" if size is None else f"the file has {size} bytes; "
    if room < max_file:
        left = max(room, 0)
        return ApiError(ErrorCode.PAYLOAD_TOO_LARGE, f"{has}your files are near the quota: "
                        f"{left} bytes are left; delete some (DELETE /v1/files/{{file_id}})",
                        "content")
    return ApiError(ErrorCode.PAYLOAD_TOO_LARGE, f"{has}at most {max_file} bytes are allowed",
                    "content")


def _media_matches(media: str, pattern: str) -> bool:
    """`image/png` against `image/*`, `*/*` or an exact `type/subtype`."""
    if pattern == "*/*":
        return True
    if pattern.endswith("/*"):
        return media.startswith(pattern[:-1])
    return media == pattern


def _content_type(declared: str, accepted: tuple[str, ...], kind: MsgType) -> str:
    """The declared Content-Type, normalised, if ``kind`` allows it; else 415."""
    media, _, params = declared.partition(";")
    media = media.strip().lower()
    params = params.strip()
    value = f"{media}; {params}" if params else media
    if not _CONTENT_TYPE.match(value) or len(value) > rules.FILE_INFO_CONTENT_TYPE_MAX_LENGTH:
        raise ApiError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, f"{declared!r} is not a media type; "
                       "send the file's type as Content-Type (e.g. image/png)", "content")
    if not any(_media_matches(media, pattern) for pattern in accepted):
        raise ApiError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, f"a {kind.name} upload must be "
                       f"{' or '.join(accepted)}, not {media}", "content")
    return value
