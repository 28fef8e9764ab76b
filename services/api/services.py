"""The api service's implementations by service name, as the HTTP binding wants them."""

from __future__ import annotations

from prim.services.api.accounts import AccountServiceImpl
from prim.services.api.files import FileServiceImpl
from prim.services.api.friends import FriendServiceImpl
from prim.services.api.groups import GroupServiceImpl
from prim.services.api.messages import MessageServiceImpl
from prim.services.api.nodes import NodeServiceImpl
from prim.services.api.server import ApiServer
from prim.services.api.users import UserServiceImpl


def build_services(api: ApiServer) -> dict[str, object]:
    """Service name (as in the spec) -> the object implementing its generated interface."""
    return {
        "AccountService": AccountServiceImpl(api),
        "UserService": UserServiceImpl(api),
        "NodeService": NodeServiceImpl(api),
        "FileService": FileServiceImpl(api),
        "FriendService": FriendServiceImpl(api),
        "GroupService": GroupServiceImpl(api),
        "MessageService": MessageServiceImpl(api),
    }
