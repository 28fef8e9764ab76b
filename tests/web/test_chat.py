"""Chat in a real browser over the wire: two browser users befriend and chat both ways over
WebTransport, then (a browser without WebTransport) over WebSocket, seeing typing and read
receipts live; a browser user and a Python SDK user exchange texts, images and files
(uploaded, sent as MediaRef, previewed), and a reload restores the conversation."""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

import pytest

from prim.clients.sdk import Message, PrimClient, ReadReceipt
from prim.generated.google.api import HttpBody
from prim.generated.prim.v1 import DownloadFileRequest, MediaRef, MsgType, UploadFileRequest
from tests.clients.conftest import Events
from tests.web.browser import Browser, Page
from tests.web.conftest import WebServer
from tests.web.people import (
    PASSWORD,
    accept_friend,
    add_friend,
    open_chat_with,
    sees_message,
    send_text,
    sign_up,
)

pytestmark = pytest.mark.anyio


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG, made here (no image library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


async def transport_of(page: Page) -> str:
    await page.wait("[data-testid=transport]", has_text="online")
    return await page.text("[data-testid=transport]")


async def image_loaded(page: Page, name: str) -> dict[str, int]:
    """The natural size of the shown image `name`, once it has loaded."""
    script = f"""(async () => {{
        for (let i = 0; i < 100; i++) {{
            const image = document.querySelector('[data-testid=message] img[alt="{name}"]');
            if (image && image.complete && image.naturalWidth > 0)
                return {{ width: image.naturalWidth, height: image.naturalHeight }};
            await new Promise((r) => setTimeout(r, 100));
        }}
        return null;
    }})()"""
    size = await page.evaluate(script)
    assert size is not None, f"the preview of {name} never loaded"
    return dict(size)


@pytest.mark.parametrize("webtransport", [True, False], ids=["webtransport", "websocket"])
async def test_two_browsers_chat_both_ways(web_server: WebServer, browser: Browser,
                                           artifacts: Path, webtransport: bool) -> None:
    expected = "webtransport" if webtransport else "websocket"
    assert expected in web_server.endpoints.browsers, "the ready line names the endpoint"
    alice = await browser.page("alice", webtransport=webtransport)
    bob = await browser.page("bob", webtransport=webtransport)
    alice_id = await sign_up(alice, web_server.url, "alice")
    bob_id = await sign_up(bob, web_server.url, "bob")
    assert expected in await transport_of(alice)
    assert expected in await transport_of(bob)

    await add_friend(alice, bob_id, "hi, it's alice")
    await accept_friend(bob, alice_id)  # bob's request list updates live
    await alice.wait(f"[data-testid=friend][data-user='{bob_id}']")
    # alice writes while bob looks at his conversation list: it counts the message unread.
    await open_chat_with(alice, bob_id)
    await bob.click("[data-testid=tab-chats]")
    await send_text(alice, "hello bob")
    conversation = f"[data-testid=conversation][data-peer='{alice_id}']"
    await bob.wait(f"{conversation} [data-testid=unread]", has_text="1")
    # bob opens it: his read receipt marks alice's message read on her screen.
    await bob.click(conversation)
    await sees_message(bob, "hello bob")
    await bob.gone(f"{conversation} [data-testid=unread]")
    await alice.wait("[data-testid=message]:has([data-testid=read-receipt])",
                     has_text="hello bob")

    # bob's typing shows on alice's screen, then his answer.
    await bob.fill("[data-testid=composer-input]", "hi al")
    await alice.wait("[data-testid=typing]", has_text="bob is typing")
    await send_text(bob, "hi alice")
    await sees_message(alice, "hi alice")
    await alice.screenshot(artifacts / f"06-chat-{expected}.png")


async def test_a_browser_user_and_a_python_user(web_server: WebServer, browser: Browser,
                                                artifacts: Path, tmp_path: Path) -> None:
    bob = await browser.page("bob")
    bob_id = int(await sign_up(bob, web_server.url, "bob"))
    dave = await PrimClient.sign_up(web_server.url, "dave", PASSWORD)
    events = None
    try:
        await dave.connect(ca_file=web_server.endpoints.ca_cert, gateway=web_server.endpoints.quic)
        events = Events(dave)
        await dave.add_friend(bob_id, "dave here")
        await accept_friend(bob, str(dave.user_id))
        await open_chat_with(bob, str(dave.user_id))

        sent = await dave.send_text(bob_id, "hello from python")
        await sees_message(bob, "hello from python")
        receipt = await events.next(ReadReceipt, where=lambda e: e.reader == bob_id)
        assert isinstance(receipt, ReadReceipt) and receipt.seqnum >= sent.seqnum

        await send_text(bob, "hello from the browser")
        got = await events.next(Message, where=lambda e: e.sender == bob_id)
        assert isinstance(got, Message) and got.text == "hello from the browser"

        # bob attaches an image: it is uploaded, previewed, and reaches dave as a MediaRef.
        picture = tmp_path / "red.png"
        picture.write_bytes(png(120, 80, (220, 30, 30)))
        await bob.set_file("[data-testid=composer-file]", picture)
        await bob.wait("[data-testid=attachment]", has_text="red.png")
        await bob.click("[data-testid=composer-send]")
        image = await events.next(Message, where=lambda e: e.type == MsgType.IMAGE)
        assert isinstance(image, Message) and image.media is not None
        assert (image.media.name, image.media.content_type) == ("red.png", "image/png")
        assert (image.media.width, image.media.height) == (120, 80)
        body = await dave.http.files.download_file(DownloadFileRequest(file_id=image.media.file_id))
        assert body.data == picture.read_bytes()
        assert image.media.sha256 == hashlib.sha256(body.data).hexdigest()

        # Any other file goes as a File message, shown as a download link.
        notes = tmp_path / "notes.txt"
        notes.write_text("page 1: hello\n")
        await bob.set_file("[data-testid=composer-file]", notes)
        await bob.click("[data-testid=composer-send]")
        sent_file = await events.next(Message, where=lambda e: e.type == MsgType.FILE)
        assert isinstance(sent_file, Message) and sent_file.media is not None
        assert (sent_file.media.name, sent_file.media.size) == ("notes.txt", 14)
        await bob.wait("[data-testid=file]", has_text="notes.txt")

        # dave sends one: bob's page shows the picture itself.
        blue = png(60, 90, (30, 30, 220))
        info = await dave.http.files.upload_file(UploadFileRequest(
            kind=MsgType.IMAGE, name="blue.png",
            content=HttpBody(content_type="image/png", data=blue)))
        await dave.send(MsgType.IMAGE, bob_id, bytes(MediaRef(
            file_id=info.file_id, content_type="image/png", size=len(blue), name="blue.png",
            sha256=info.sha256, width=60, height=90)))
        assert await image_loaded(bob, "blue.png") == {"width": 60, "height": 90}
        await bob.screenshot(artifacts / "07-chat-with-python-user.png")

        # A reload restores the conversation, images included.
        await bob.reload()
        await sees_message(bob, "hello from python")
        await sees_message(bob, "hello from the browser")
        assert await image_loaded(bob, "blue.png") == {"width": 60, "height": 90}
        assert await image_loaded(bob, "red.png") == {"width": 120, "height": 80}
    finally:
        if events is not None:
            await events.stop()
        await dave.close()

