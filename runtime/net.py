"""Facts about network addresses shared by the listeners."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """True for a loopback address or "localhost": only this machine can reach a bind there.

    A name other than localhost, and the wildcard addresses (0.0.0.0, ::), are not."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
