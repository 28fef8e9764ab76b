"""A trio program (the SDK's trio client, on its own thread and event loop) chats with an
asyncio one (PrimClient), on every wiring."""

from __future__ import annotations

import asyncio

import pytest
import trio

from prim.clients.sdk import Message, PrimClient
from prim.clients.sdk.trio_client import open_trio_client
from tests.clients.conftest import PASSWORD, Events, Server, befriend

pytestmark = pytest.mark.anyio


async def test_a_trio_program_chats_with_an_asyncio_one(server: Server) -> None:
    alice = await server.client()
    bob = await PrimClient.sign_up(server.endpoints.http, "trio bob", PASSWORD)
    await befriend(alice, bob)
    await bob.close()
    events = Events(alice)

    async def trio_program() -> tuple[int, list[str]]:
        async with open_trio_client(server.endpoints.http, bob.user_id, PASSWORD,
                                    ca_file=server.endpoints.ca_cert) as client:
            sent = await client.send_text(alice.user_id, "hello from trio")
            heard: list[str] = []
            with trio.fail_after(10):
                async for event in client.events():
                    if isinstance(event, Message):
                        heard.append(event.text)
                        break
            return sent.seqnum, heard

    try:
        program = asyncio.create_task(asyncio.to_thread(trio.run, trio_program))
        (got,) = await events.messages(1, timeout=10)
        assert (got.sender, got.text) == (bob.user_id, "hello from trio")
        reply = await alice.send_text(bob.user_id, "hello from asyncio")
        seqnum, heard = await program
        assert heard == ["hello from asyncio"]
        assert (seqnum, reply.seqnum) == (got.seqnum, got.seqnum + 1)
    finally:
        await events.stop()
        await alice.close()
