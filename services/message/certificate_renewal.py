"""`CertificateRenewal`: renews the development certificate while a message node runs.

The development certificate is valid for 13 days (browsers pin a certificate by hash for
WebTransport only when it is valid for at most 14), and is re-issued once less than two
days are left (runtime/tls/certificates.py). A node that runs longer than that checks every
`tls.renew_check_seconds`; when the certificate was renewed, the gateway's listeners
present the new one to new connections and the node's NodeInfo carries its hash, so
GetMyNode hands browsers the hash that matches. Configured certificate files (tls.cert_file)
are the operator's to renew and are left alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from prim.generated.prim.v1 import NodeInfo
from prim.runtime.config import Config
from prim.runtime.periodic import Periodic
from prim.runtime.wire.asyncio.server import WireServer
from prim.services.identity import node_certificates
from prim.services.message.listener import browser_fields

log = logging.getLogger("prim.message.certificates")


class CertificateRenewal:
    def __init__(self, config: Config, wire: WireServer, node: NodeInfo, fingerprint: str,
                 on_renewed: Callable[[], Awaitable[None]] | None = None) -> None:
        """`on_renewed`: tells the schedulers (a cluster's registry holds a copy)."""
        self._config = config
        self._wire = wire
        self._node = node
        self._fingerprint = fingerprint
        self._on_renewed = on_renewed
        self._periodic = Periodic("prim-certificate-renewal", config.tls.renew_check_seconds,
                                  self.check, log,
                                  "renewing the development certificate failed; trying later")

    async def check(self) -> bool:
        """Renews the certificate if it is due; True when it was."""
        if self._config.tls.cert_file:
            return False
        certs = await asyncio.to_thread(node_certificates, self._config)
        if certs.fingerprint == self._fingerprint:
            return False
        self._fingerprint = certs.fingerprint
        self._wire.reload_certificate()
        browser_fields(self._wire, self._node)
        log.info("renewed the development certificate; fingerprint %s", certs.fingerprint)
        if self._on_renewed is not None:
            await self._on_renewed()
        return True

    def start(self) -> None:
        self._periodic.start()

    async def stop(self) -> None:
        await self._periodic.stop()
