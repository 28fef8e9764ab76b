"""The api service's wiring: one object holding what every feature module needs (storage
ports, the scheduler for relaying business messages, configuration, the clock), the
authenticator the HTTP binding calls, and the map of service name -> implementation.

Feature logic lives in one module per service (accounts.py, users.py, friends.py,
groups.py, messages.py, files.py, nodes.py); each takes an `ApiServer` and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prim.generated.interfaces import SchedulerServiceInterface
from prim.runtime.config import Config
from prim.runtime.context import Principal
from prim.runtime.storage.clock import wall_clock_ms
from prim.runtime.storage.factory import Storage
from prim.runtime.storage.models import Clock
from prim.services.api.passwords import ScryptPool
from prim.services.api.tokens import token_hash


@dataclass
class ApiServer:
    storage: Storage
    # Business messages (friend and group events) go out through SchedulerService.Relay:
    # an in-process object in the embedded deployment, a gRPC stub in production.
    scheduler: SchedulerServiceInterface
    config: Config
    clock: Clock = wall_clock_ms
    # Seconds an edit or read marker waits for a message not stored yet (a cluster's
    # history follows the Acks by the msgprocessor's lag); 0 where the Ack follows the write.
    persist_wait: float = 0.0
    # Every password hash and check of this process (accounts, group passwords).
    scrypt: ScryptPool = field(init=False)

    def __post_init__(self) -> None:
        self.scrypt = ScryptPool(self.config.auth.scrypt_threads, self.config.auth.scrypt_queue)

    async def authenticate(self, token: str) -> Principal | None:
        """The user and device an access token stands for, while it is active."""
        if not token:
            return None
        session = await self.storage.accounts.get_session(token_hash(token))
        if session is None or not session.active(self.clock()):
            return None
        return Principal(user_id=session.user_id, device_id=session.device_id)
