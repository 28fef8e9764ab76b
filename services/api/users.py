"""UserService: one's own profile (read, change) and other users' public profiles.

Limits: nickname 1-64 characters, signature up to 256 (line breaks allowed), both trimmed
and free of control characters. An avatar is the id of an image the caller uploaded
(FileService); setting it makes that file readable by every signed-in user, since every
one of them may see the profile.
"""

from __future__ import annotations

from prim.generated.interfaces import UserServiceInterface
from prim.generated.prim.v1 import (
    ErrorCode,
    GetMyProfileRequest,
    GetUserRequest,
    Profile,
    PublicProfile,
    UpdateMyProfileRequest,
)
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.storage.errors import NotFound
from prim.runtime.storage.models import GROUP_ID_BASE, User
from prim.services.api import convert
from prim.services.api.server import ApiServer


class UserServiceImpl(UserServiceInterface):
    def __init__(self, api: ApiServer) -> None:
        self._api = api

    async def get_my_profile(self, request: GetMyProfileRequest, ctx: CallContext) -> Profile:
        return await self._profile(await self._me(ctx))

    async def update_my_profile(self, request: UpdateMyProfileRequest,
                                ctx: CallContext) -> Profile:
        # The fields were checked (and trimmed) by the spec's generated validator.
        nickname, signature, avatar = request.nickname, request.signature, request.avatar
        if avatar:
            await self._share_avatar(avatar, ctx.user_id)
        try:
            user = await self._api.storage.accounts.update_profile(
                ctx.user_id, nickname=nickname, avatar=avatar, signature=signature)
        except NotFound:
            raise _gone() from None
        return await self._profile(user)

    async def _share_avatar(self, file_id: str, user_id: int) -> None:
        uploads = self._api.storage.uploads
        upload = await uploads.get(file_id)
        if upload is None or upload.uploader_id != user_id:
            raise ApiError(ErrorCode.INVALID_ARGUMENT, "avatar must be the file_id of an image "
                           "you uploaded with UploadFile (kind MSG_TYPE_IMAGE), or empty to "
                           "clear it", "avatar")
        if not upload.content_type.lower().startswith("image/"):
            raise ApiError(ErrorCode.INVALID_ARGUMENT, f"avatar must be an image, not "
                           f"{upload.content_type}; upload one with kind MSG_TYPE_IMAGE",
                           "avatar")
        await uploads.set_public(file_id)

    async def get_user(self, request: GetUserRequest, ctx: CallContext) -> PublicProfile:
        user_id = request.user_id
        user = None
        if 0 < user_id < GROUP_ID_BASE:
            user = await self._api.storage.accounts.get_user(user_id)
        if user is None:
            raise ApiError(ErrorCode.NOT_FOUND, f"there is no user {user_id}", "user_id")
        storage = self._api.storage
        friend = await storage.social.get_friend(ctx.user_id, user_id)
        # Whom the user has blocked does not see when they are online.
        online = (not await storage.social.is_blocked(user_id, ctx.user_id)
                  and bool(await storage.online.get_connections(user_id)))
        return convert.public_profile(user, remark=friend.remark if friend else "",
                                      online=online)

    async def _me(self, ctx: CallContext) -> User:
        user = await self._api.storage.accounts.get_user(ctx.user_id)
        if user is None:
            raise _gone()
        return user

    async def _profile(self, user: User) -> Profile:
        last_online = await self._api.storage.online.get_last_online(user.user_id)
        return convert.profile(user, last_online)


def _gone() -> ApiError:
    return ApiError(ErrorCode.NOT_FOUND, "your account no longer exists; sign up again")
