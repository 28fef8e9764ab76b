"""The account-id reservation port: ids that AccountService.NewUserId hands out and a
following Signup claims.

A separate port rather than a change to AccountStore, so the AccountStore contract stays as
it is. Reserved ids come from the same sequence that ``AccountStore.create_user`` draws on,
so a reserved id is never assigned to anyone else, and an unclaimed reservation only burns
one id. A reservation expires; claiming consumes it and creates the user with that id in
one transaction.
"""

from __future__ import annotations

from typing import Protocol

from .models import User


class AccountIdReservations(Protocol):
    async def reserve(self, expires_at: int) -> int:
        """Draws a fresh user id and holds it until ``expires_at`` (ms); also forgets
        reservations that have expired."""

    async def claim(self, user_id: int, nickname: str, password_hash: str) -> User:
        """Creates the user with the reserved id and ends the reservation, atomically.
        NotFound unless ``user_id`` is reserved and the reservation has not expired
        (never reserved, expired, or claimed already)."""

    async def is_reserved(self, user_id: int) -> bool:
        """Whether an unexpired reservation holds ``user_id``."""
