"""The connection dies under a burst of queued sends: the SDK reconnects, resends what was
not Acked with the same idempotency keys, and every message is stored and delivered exactly
once, in the order it was sent. The cut comes from the fault-injecting relay (real sockets,
a real QUIC/TCP close seen by the client), on the embedded and the PostgreSQL/Redis wirings."""

from __future__ import annotations

import asyncio

import pytest

from prim.clients.sdk import Message
from prim.conformance.relay import Action
from tests.clients.conftest import Events, befriend
from tests.conformance_relay.conftest import OpenRelayed
from tests.conformance_relay.conftest import anyio_backend as anyio_backend
from tests.conformance_relay.conftest import backend as backend
from tests.conformance_relay.conftest import pytest_generate_tests as pytest_generate_tests
from tests.conformance_relay.conftest import relayed as relayed

pytestmark = pytest.mark.anyio
BURST = 6


@pytest.mark.parametrize("transport", ["quic", "tcp"])
async def test_a_cut_mid_burst_delivers_every_queued_message_once(relayed: OpenRelayed,
                                                                  transport: str) -> None:
    # The third text of the first connection is never relayed: the connection is cut
    # there, with two texts stored (their Acks perhaps lost) and four not yet sent on.
    rig = await relayed("cut dir=c2s type=TEXT after=3")
    alice = await rig.sdk(transport)
    bob = await rig.sdk(transport)
    rig.relay.rules.clear()  # each link copies the rules it starts with: reconnects get none
    events = Events(bob)
    try:
        await befriend(alice, bob)
        texts = [f"burst {i}" for i in range(BURST)]
        sent = await asyncio.gather(*(alice.send_text(bob.user_id, t) for t in texts))
        cuts = [f for f in rig.relay.faults if f.action is Action.CUT]
        assert len(cuts) == 1 and cuts[0].connection == 1  # alice's first connection
        seqnums = [s.seqnum for s in sent]
        assert seqnums == list(range(seqnums[0], seqnums[0] + BURST))  # in sending order
        got = await events.messages(BURST)
        assert [(m.text, m.seqnum) for m in got] == list(zip(texts, seqnums, strict=True))
        assert await events.quiet()
        rows = [m for m in await bob.history(alice.user_id) if isinstance(m, Message)]
        assert [(m.text, m.seqnum) for m in rows] == list(zip(texts, seqnums, strict=True))
        assert alice.connection.connected
    finally:
        await events.stop()
        await alice.close()
        await bob.close()
