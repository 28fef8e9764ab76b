"""Crash tests on a real cluster: clients keep sending while a message node, a seqnum
instance, the msgprocessor and a scheduler are each killed with SIGKILL and restarted.
Afterwards every Acked message is in history exactly once, a sender's seqnums never went
backwards, and the clients of the dead node are chatting again (from the other node).

The clients are the Python SDK: it resends un-Acked messages with the same timestamp,
probes a silent server with a Ping, and reconnects to the node GetMyNode names."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from prim.clients.sdk import Backoff, PrimClient
from prim.clients.sdk.errors import SendRefused
from tests.cluster.fixtures import start_cluster
from tests.cluster.harness import ClusterThread
from tests.cluster.people import PASSWORD, eventually, history_texts, person

pytestmark = pytest.mark.anyio

PAIRS = 4


@pytest.fixture(scope="module")
def crash_cluster(tmp_path_factory: pytest.TempPathFactory,
                  request: pytest.FixtureRequest) -> Iterator[ClusterThread]:
    thread = start_cluster(tmp_path_factory.mktemp("crash"), request)
    yield thread
    thread.close()


@dataclass
class Sender:
    client: PrimClient
    peer: int
    acked: list[tuple[int, str]] = field(default_factory=list)  # (seqnum, text), in order
    refused: list[str] = field(default_factory=list)

    async def run(self, stop: asyncio.Event) -> None:
        i = 0
        while not stop.is_set():
            body = f"{self.client.user_id}#{i}"
            i += 1
            try:
                sent = await self.client.send_text(self.peer, body)
            except SendRefused as exc:  # e.g. UNAVAILABLE while the seqnum lease moves
                self.refused.append(f"{body}: {exc}")
                await asyncio.sleep(0.2)
                continue
            self.acked.append((sent.seqnum, body))
            await asyncio.sleep(0.02)

    def acked_since(self, mark: int) -> int:
        return len(self.acked) - mark


async def _connected(cluster: ClusterThread, pairs: int = PAIRS) -> list[Sender]:
    api = str(cluster.ready("api-1")["http"])
    ca = str(cluster.ready("api-1")["ca_cert"])
    senders = []
    for _ in range(pairs):
        a, b = await person(cluster), await person(cluster)
        await a.sdk.add_friend(b.user_id, "hi")
        await b.sdk.accept_friend(a.user_id)
        await b.sdk.close()
        client = await PrimClient.log_in(api, a.user_id, PASSWORD, ack_timeout=2.0,
                                         send_timeout=90.0,
                                         backoff=Backoff(initial=0.1, maximum=1.0))
        await client.connect(ca_file=ca)
        await a.sdk.close()
        senders.append(Sender(client, b.user_id))
    return senders


async def test_nothing_acked_is_lost_when_processes_are_killed(
        crash_cluster: ClusterThread) -> None:
    cluster = crash_cluster
    senders = await _connected(cluster)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(s.run(stop)) for s in senders]

    async def progress(what: str, seconds: float = 2.0) -> None:
        """Every sender gets messages Acked after `what`."""
        marks = [len(s.acked) for s in senders]
        await asyncio.sleep(seconds)

        async def all_moved() -> bool:
            return all(s.acked_since(m) > 0 for s, m in zip(senders, marks, strict=True))

        await eventually(all_moved, timeout=45, what=f"every sender chatting after {what}")

    try:
        await progress("start")
        node_1 = str(cluster.ready("message-1")["quic"])

        def on_node_1() -> list[Sender]:
            return [s for s in senders if s.client.node_address == node_1]

        moved = on_node_1()
        assert moved, "placement put nobody on message-1: the test would prove nothing"
        await cluster.call(cluster.cluster.kill("message-1"))
        await progress("SIGKILL of message-1")
        assert all(s.client.node_address != node_1 for s in moved)  # now on the live node
        await cluster.call(cluster.cluster.restart("message-1"))
        await progress("the restart of message-1")

        # New users are placed on the emptier node, the restarted one.
        fresh = await _connected(cluster, 2)
        senders += fresh
        tasks += [asyncio.create_task(s.run(stop)) for s in fresh]
        moved = on_node_1()
        assert moved, "nobody was placed on the restarted message-1"
        # A node that hangs (SIGSTOP: sockets open, nothing answers, no reset): its clients
        # notice by a Ping that gets no Pong and move to the live node.
        cluster.cluster.pause("message-1")
        try:
            await progress("message-1 hung")
            assert all(s.client.node_address != node_1 for s in moved)
        finally:
            cluster.cluster.resume("message-1")

        for name in ("seqnum-1", "msgprocessor-1", "scheduler-1"):
            await cluster.call(cluster.cluster.kill(name))
            await progress(f"SIGKILL of {name}")
            await cluster.call(cluster.cluster.restart(name))
            await progress(f"the restart of {name}")
    finally:
        stop.set()
        for task in tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 60)

    for s in senders:
        seqnums = [seq for seq, _ in s.acked]
        # Never backwards: each Ack's seqnum is above the previous one of that channel.
        assert seqnums == sorted(seqnums) and len(set(seqnums)) == len(seqnums), s.acked
        expected = [body for _, body in s.acked]

        async def persisted(s: Sender = s, expected: list[str] = expected) -> list[str] | None:
            texts = [t for _, t in await history_texts(s.client, s.peer)]
            return texts if set(expected) <= set(texts) else None

        texts = await eventually(persisted, timeout=60, what="every Acked message in history")
        # Exactly once: no Acked message is stored twice (resends across nodes included).
        for body in expected:
            assert texts.count(body) == 1, body
    for s in senders:
        await s.client.close()
