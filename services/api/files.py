"""FileService: uploads behind Image, Video, Audio and File messages, their metadata, and
downloads.

Each upload's bytes go to the BlobStore and its record (uploader, kind, name, type, size,
hash) to the UploadStore, under one random 128-bit id. `kind` decides the allowed media
types: MSG_TYPE_IMAGE image/*, MSG_TYPE_VIDEO video/*, MSG_TYPE_AUDIO audio/*, MSG_TYPE_FILE
any; every kind is limited to config.limits.max_file_bytes (the HTTP binding's
http.max_body_bytes applies first).

Who may read a file (GetFileInfo, DownloadFile): ids are unguessable, but an id is easily
forwarded, so an id alone is not enough. The uploader may; so may anyone who can be in a
conversation with the uploader: their friends (either side of the friendship) and the
members of a group the uploader belongs to. Files set as a profile avatar are readable by
every signed-in user (UserService marks them). Everyone else gets PERMISSION_DENIED; an
unknown id is NOT_FOUND. Removing a friend, leaving a group or a block (either way) ends
that access.
"""

from __future__ import annotations

import re

from prim.generated.google.api import HttpBody
from prim.generated.interfaces import FileServiceInterface
from prim.generated.prim.v1 import (
    DownloadFileRequest,
    ErrorCode,
    FileInfo,
    GetFileInfoRequest,
    MsgType,
    UploadFileRequest,
)
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.storage.uploads import Upload
from prim.services.api import convert, limits
from prim.services.api.server import ApiServer
from prim.services.api.validate import clean_text

#: The media-type prefix each kind accepts ("" = any).
KIND_MEDIA: dict[MsgType, str] = {
    MsgType.IMAGE: "image/",
    MsgType.VIDEO: "video/",
    MsgType.AUDIO: "audio/",
    MsgType.FILE: "",
}
NAME_MAX = limits.max_length("prim.v1.UploadFileRequest", "name")
CONTENT_TYPE_MAX = 255
# RFC 6838 type/subtype names, then optional parameters of printable ASCII.
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
_FILE_ID = re.compile(r"^[0-9a-f]{32}$")
_GROUP_PAGE = 200


class FileServiceImpl(FileServiceInterface):
    def __init__(self, api: ApiServer) -> None:
        self._api = api

    async def upload_file(self, request: UploadFileRequest, ctx: CallContext) -> FileInfo:
        prefix = KIND_MEDIA.get(request.kind)
        if prefix is None:
            raise ApiError(ErrorCode.INVALID_ARGUMENT, "kind must be MSG_TYPE_IMAGE, "
                           "MSG_TYPE_VIDEO, MSG_TYPE_AUDIO or MSG_TYPE_FILE", "kind")
        name = clean_text(request.name, "name", min_len=0, max_len=NAME_MAX)
        body = request.content or HttpBody()
        content_type = _content_type(body.content_type, prefix, request.kind)
        limit = self._api.config.limits.max_file_bytes
        if len(body.data) > limit:
            raise ApiError(ErrorCode.PAYLOAD_TOO_LARGE, f"the file has {len(body.data)} bytes;"
                           f" at most {limit} are allowed", "content")
        if not body.data:
            raise ApiError(ErrorCode.INVALID_ARGUMENT, "the file is empty; send its bytes as "
                           "the request body", "content")
        storage = self._api.storage
        blob = await storage.blobs.put(body.data, content_type)
        upload = Upload(file_id=blob.blob_id, uploader_id=ctx.user_id, kind=int(request.kind),
                        name=name, content_type=content_type, size=blob.size,
                        sha256=blob.sha256, created_at=self._api.clock())
        try:
            await storage.uploads.add(upload)
        except BaseException:
            await storage.blobs.delete(blob.blob_id)
            raise
        return convert.file_info(upload)

    async def get_file_info(self, request: GetFileInfoRequest, ctx: CallContext) -> FileInfo:
        return convert.file_info(await self._readable(request.file_id, ctx.user_id))

    async def download_file(self, request: DownloadFileRequest, ctx: CallContext) -> HttpBody:
        upload = await self._readable(request.file_id, ctx.user_id)
        data = await self._api.storage.blobs.get(upload.file_id)
        if data is None:
            raise ApiError(ErrorCode.NOT_FOUND, f"the bytes of file {upload.file_id} are gone",
                           "file_id")
        return HttpBody(content_type=upload.content_type, data=data)

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


def _content_type(declared: str, prefix: str, kind: MsgType) -> str:
    """The declared Content-Type, normalised, if ``kind`` allows it; else 415."""
    media, _, params = declared.partition(";")
    media = media.strip().lower()
    params = params.strip()
    value = f"{media}; {params}" if params else media
    if (not _MEDIA_TYPE.match(media) or len(value) > CONTENT_TYPE_MAX
            or not (value.isascii() and value.isprintable())):
        raise ApiError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, f"{declared!r} is not a media type; "
                       "send the file's type as Content-Type (e.g. image/png)", "content")
    if not media.startswith(prefix):
        raise ApiError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, f"a {kind.name} upload must be "
                       f"{prefix}*, not {media}", "content")
    return value
