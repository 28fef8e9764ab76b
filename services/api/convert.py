"""Storage records -> spec messages, shared by the api feature modules."""

from __future__ import annotations

from prim.generated.prim.v1 import FileInfo, Profile, PublicProfile
from prim.runtime.storage.models import User
from prim.runtime.storage.uploads import Upload


def profile(user: User, last_online_at_ms: int | None) -> Profile:
    return Profile(user_id=user.user_id, nickname=user.nickname, avatar=user.avatar,
                   signature=user.signature, created_at_ms=user.created_at,
                   last_online_at_ms=last_online_at_ms or 0)


def public_profile(user: User, *, remark: str, online: bool) -> PublicProfile:
    return PublicProfile(user_id=user.user_id, nickname=user.nickname, avatar=user.avatar,
                         signature=user.signature, remark=remark, online=online)


def file_info(upload: Upload) -> FileInfo:
    return FileInfo(file_id=upload.file_id, content_type=upload.content_type, size=upload.size,
                    name=upload.name, sha256=upload.sha256, uploader_id=upload.uploader_id,
                    created_at_ms=upload.created_at)
