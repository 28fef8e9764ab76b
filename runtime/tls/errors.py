"""The one error a client sees when the server's certificate is not the expected one."""

from __future__ import annotations


class CertificateVerificationError(Exception):
    """The server's certificate failed verification (wrong CA, name, dates or pin).

    Never a reason to fall back to another transport: the same server would be reached."""

    def __init__(self, reason: str, transport: str) -> None:
        super().__init__(f"server certificate rejected over {transport}: {reason}")
        self.reason = reason
        self.transport = transport
