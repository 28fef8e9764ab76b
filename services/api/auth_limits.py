"""Who may try a password, sign up or reserve an id, and when: the abuse limits of the
AccountService, checked before any scrypt work is spent.

- Password checks (Login, DeleteAccount, ChangePassword): at most
  `auth.password_attempts_per_ip_per_minute` per client address, then per account a backoff
  after `auth.free_password_failures` wrong passwords (attempt_limiter.Backoff).
- Signup: `auth.signups_per_ip_per_hour` per address; NewUserId: 60 a minute.

A client address is the peer's IP, or, when the peer is one of `auth.trusted_proxies`, the
nearest X-Forwarded-For entry that is not; IPv6 addresses count per /64 (one host usually
has a whole /64 to pick addresses from). Refusals are RATE_LIMITED with retry_after_ms.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from prim.generated.prim.v1 import ErrorCode
from prim.runtime.config.model import AuthConfig
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.storage.models import Clock
from prim.runtime.storage.ports import AttemptCounters
from prim.services.api.attempt_limiter import Backoff, WindowLimit

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class AuthLimits:
    def __init__(self, counters: AttemptCounters, config: AuthConfig, clock: Clock, *,
                 reservations_per_minute: int = 60) -> None:
        self._proxies: list[_Network] = [ipaddress.ip_network(p, strict=False)
                                         for p in config.trusted_proxies]
        self._passwords = WindowLimit(
            counters, "pw-ip", limit=config.password_attempts_per_ip_per_minute,
            window_ms=60_000, clock=clock)
        self._signups = WindowLimit(counters, "signup-ip", limit=config.signups_per_ip_per_hour,
                                    window_ms=3_600_000, clock=clock)
        self._reservations = WindowLimit(counters, "reserve-ip", limit=reservations_per_minute,
                                         window_ms=60_000, clock=clock)
        self._accounts = Backoff(
            counters, "pw-account", free=config.free_password_failures,
            delay_ms=round(config.failure_delay_seconds * 1000),
            max_delay_ms=round(config.max_failure_delay_seconds * 1000), clock=clock)

    async def begin_password_check(self, ctx: CallContext, user_id: int) -> None:
        """Raises RATE_LIMITED when the address or the account must wait; else counts the
        attempt as a failure until `password_ok`."""
        wait = await self._passwords.hit(self.client_key(ctx))
        if wait:
            raise _limited("too many password attempts from this address", wait)
        wait = await self._accounts.wait_ms(str(user_id))
        if wait:
            raise _limited("too many wrong passwords for this account", wait)
        await self._accounts.begin(str(user_id))

    async def password_ok(self, user_id: int) -> None:
        await self._accounts.succeeded(str(user_id))

    async def check_signup(self, ctx: CallContext) -> None:
        wait = await self._signups.hit(self.client_key(ctx))
        if wait:
            raise _limited("too many accounts created from this address", wait)

    async def check_reservation(self, ctx: CallContext) -> None:
        wait = await self._reservations.hit(self.client_key(ctx))
        if wait:
            raise _limited("too many account ids reserved from this address", wait)

    def client_key(self, ctx: CallContext) -> str:
        return address_key(client_address(ctx, self._proxies))


def client_address(ctx: CallContext, trusted_proxies: Sequence[_Network]) -> str:
    """The client's IP as text: the peer's, or X-Forwarded-For's nearest untrusted hop
    when the peer is a trusted proxy (entries further left are the client's to forge)."""
    host = ctx.remote_address.rsplit(":", 1)[0].strip("[]") if ctx.remote_address else ""
    peer = _parse(host)
    forwarded = ctx.headers.get("x-forwarded-for", "")
    if peer is None or not forwarded or not _trusted(peer, trusted_proxies):
        return host
    for hop in reversed([h.strip() for h in forwarded.split(",")]):
        address = _parse(hop)
        if address is None:
            break  # not written by a proxy we trust: stop at the last good hop
        host = hop
        if not _trusted(address, trusted_proxies):
            break
    return host


def address_key(host: str) -> str:
    """One key per IPv4 address, per IPv6 /64 (IPv4-mapped IPv6 counts as the IPv4)."""
    address = _parse(host)
    if address is None:
        return host or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _parse(text: str) -> _Address | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone
    except ValueError:
        return None


def _trusted(address: _Address, proxies: Sequence[_Network]) -> bool:
    return any(address.version == p.version and address in p for p in proxies)


def _limited(what: str, wait_ms: int) -> ApiError:
    seconds = max(1, -(-wait_ms // 1000))
    return ApiError(ErrorCode.RATE_LIMITED, f"{what}; try again in {seconds} s",
                    retry_after_ms=wait_ms)
