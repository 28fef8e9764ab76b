"""The client drivers shipped with the suite, each a command the runner starts:
`python -m prim.conformance.drivers.raw` (exact bytes, the wire codec only),
`python -m prim.conformance.drivers.sdk` (the Python SDK, asyncio) and
`python -m prim.conformance.drivers.trio_client` (trio; session logic of its own)."""
