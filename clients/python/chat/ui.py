"""`prim chat` at a terminal: a Textual UI over one `PrimClient`.

The login screen signs up or logs in. The main screen has the conversation list (unread
counts, friend and join requests waiting), the open conversation (scroll back with
ctrl+o: older messages come from the local store, then from history), who is typing and how
far the others have read, and one input line: text is sent to the open conversation, and a
line starting with / is a command (/help lists them). Events arrive through the SDK on
Textual's own asyncio loop; the SDK's local store keeps history between runs.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, ListItem, ListView, Static

from prim.clients.sdk import (
    ChatEvent,
    FriendNotice,
    GroupNotice,
    Message,
    PrimClient,
    PrimClientError,
    ReadReceipt,
    Sequenced,
    SequencedEvent,
    Typing,
)
from prim.generated.constants import is_group_id
from prim.generated.http_client import PrimApiError
from prim.generated.prim.v1 import FriendEventKind, GetMyProfileRequest, GroupEventKind
from prim.runtime.tls.errors import CertificateVerificationError
from prim.runtime.wire.client_errors import WireClientError

from .app import ChatOptions, describe
from .conversations import Conversations
from .render import Renderer

PAGE = 30  # messages per scroll-back step
TYPING_SHOWN = 4.0  # seconds a "typing" notice stays
TYPING_EVERY = 2.0  # seconds between our own Typing frames
UI_HELP = ("/to ID · /friend ID [msg] · /accept ID · /reject ID · /group NAME [password] · "
           "/join GID [password] · /approve GID UID · /deny GID UID · /members · /file PATH · "
           "/requests · ctrl+o older · ctrl+q quit")
_ERRORS = (PrimApiError, PrimClientError, WireClientError, CertificateVerificationError,
           httpx.HTTPError, OSError, ValueError, IndexError)


class LoginScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        with Vertical(id="login"):
            yield Label("PRIM chat")
            yield Input(placeholder="user id (log in) or nickname (sign up)", id="who")
            yield Input(placeholder="password", password=True, id="password")
            with Horizontal():
                yield Button("Log in", id="login-button", variant="primary")
                yield Button("Sign up", id="signup-button")
            yield Static("", id="login-status", markup=False)

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        # In a worker: the screen keeps handling input while the network is asked.
        self.enter(signing_up=event.button.id == "signup-button")

    @work(exclusive=True, group="login")
    async def enter(self, *, signing_up: bool) -> None:
        app = self.app
        assert isinstance(app, ChatUI)
        who = self.query_one("#who", Input).value.strip()
        password = self.query_one("#password", Input).value
        status = self.query_one("#login-status", Static)
        try:
            if signing_up:
                status.update(f"signing up {who}...")
                client = await app.sign_up(who, password)
                status.update(f"your user id is {client.user_id}")
            else:
                if not who.isdigit():
                    raise ValueError("log in with your user id (a number)")
                client = await app.log_in(int(who), password)
        except _ERRORS as exc:
            status.update(f"error: {describe(exc, app.options.server)}")
            return
        await app.start(client)


class ChatScreen(Screen[None]):
    BINDINGS = [Binding("ctrl+o", "older", "older messages"),
                Binding("ctrl+q", "app.quit", "quit")]

    def __init__(self, client: PrimClient, nickname: str) -> None:
        super().__init__()
        self.client = client
        self.nickname = nickname
        self.render_ = Renderer(client)
        self.render_.remember(client.user_id, nickname)
        self.conversations = Conversations(client.user_id)
        self.shown: list[SequencedEvent] = []  # the open conversation's messages on screen
        self.read_by: dict[int, int] = {}  # the open conversation: reader -> seqnum
        self.typing: dict[int, float] = {}  # user -> when they were last seen typing
        self.requests: list[str] = []  # lines for the waiting friend and join requests
        self._typed_at = 0.0

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="side"):
                yield Label(f"{self.nickname}({self.client.user_id})", id="me")
                yield ListView(id="conversations")
                yield Static("", id="requests", markup=False)
            with Vertical(id="main"):
                yield Label("no conversation open: pick one, or /to ID", id="title")
                yield ListView(id="messages")
                yield Static("", id="status", markup=False)
                yield Input(placeholder="type a message, or /help", id="compose")
        yield Footer()

    async def on_mount(self) -> None:
        await self.load_inbox()
        await self.load_requests()
        self.follow()
        self.set_interval(1.0, self.expire_typing)
        self.query_one("#compose", Input).focus()

    # -- the conversation list ---------------------------------------------------------

    async def load_inbox(self) -> None:
        store = self.client.store
        if store is not None:
            for c in store.conversations():
                self.conversations.seed(c.peer_id, unread=c.unread, newest=c.newest,
                                        read=c.read_seqnum, active_at=0)
        for e in await self.client.inbox(since_ms=1):
            active = e.last_message.timestamp_ms if e.last_message is not None else 0
            self.conversations.seed(e.peer_id, unread=e.unread_count, newest=e.last_seqnum,
                                    read=e.read_seqnum, active_at=active)
        await self.refresh_list()

    async def refresh_list(self) -> None:
        view = self.query_one("#conversations", ListView)
        items = []
        for row in self.conversations.rows():
            unread = f"  ({row.unread})" if row.unread else ""
            mark = "> " if row.peer_id == self.conversations.open else "  "
            item = ListItem(Label(Text(f"{mark}{await self.render_.name(row.peer_id)}"
                                       f"{unread}")), name=str(row.peer_id))
            items.append(item)
        await view.clear()
        await view.extend(items)

    def unread(self) -> dict[int, int]:
        """peer -> unread count, as the list shows it (for tests and the title)."""
        return {r.peer_id: r.unread for r in self.conversations.rows()}

    @on(ListView.Selected, "#conversations")
    async def picked(self, event: ListView.Selected) -> None:
        if event.item.name:
            await self.open(int(event.item.name))

    async def load_requests(self) -> None:
        lines = []
        for r in await self.client.friend_requests():
            lines.append(f"friend request from {await self.render_.name(r.requester_id)}: "
                         f"/accept {r.requester_id} or /reject {r.requester_id}")
        for g in await self.client.my_groups():
            self.render_.remember(g.group_id, g.name)
            try:
                waiting = await self.client.join_requests(g.group_id)
            except PrimApiError:
                continue  # not an admin there
            for j in waiting:
                lines.append(f"{await self.render_.name(j.user_id)} asks to join {g.name}: "
                             f"/approve {g.group_id} {j.user_id}")
        self.requests = lines
        self.query_one("#requests", Static).update("\n".join(lines))

    # -- the open conversation ---------------------------------------------------------

    async def open(self, peer_id: int) -> None:
        self.shown, self.read_by = [], {}
        self.query_one("#title", Label).update(
            Text(f"{'group' if is_group_id(peer_id) else 'with'} "
                 f"{await self.render_.name(peer_id)}"))
        mark = self.conversations.opened(peer_id)
        await self.older()
        if mark:
            await self.client.mark_read(peer_id, mark)
        await self.refresh_list()
        self.show_status()

    async def action_older(self) -> None:
        await self.older()

    async def older(self) -> None:
        """The page before the oldest message shown: from the local store where it has
        them, else from the server's history."""
        peer = self.conversations.open
        if peer is None:
            return
        before = self.shown[0].seqnum if self.shown else 0
        page: list[SequencedEvent] = []
        if self.client.store is not None:
            page = list(self.client.store.history(peer, limit=PAGE, before=before))
        if len(page) < PAGE:
            server = await self.client.history(peer, limit=PAGE,
                                               before=max(before - 1, 0) if before else 0)
            have = {e.seqnum for e in page}
            page = sorted([*page, *(e for e in server if e.seqnum not in have)],
                          key=lambda e: e.seqnum)[-PAGE:]
        older = [e for e in page if not self.shown or e.seqnum < self.shown[0].seqnum]
        self.shown[:0] = older
        await self.redraw()

    async def redraw(self) -> None:
        view = self.query_one("#messages", ListView)
        items = []
        for event in self.shown:
            line = await self.line(event)
            if line is not None:
                items.append(ListItem(Label(Text(line))))
        await view.clear()
        await view.extend(items)
        view.scroll_end(animate=False)

    async def line(self, event: SequencedEvent) -> str | None:
        if isinstance(event, Message):
            line = await self.render_.message(event)
            if event.sender == self.client.user_id and self.read_by and max(
                    self.read_by.values()) >= event.seqnum:
                line += "  ✓read"
            return line
        return await self.render_.event(event)

    def show_status(self, extra: str = "") -> None:
        now = time.monotonic()
        typing = [u for u, at in self.typing.items() if now - at < TYPING_SHOWN]
        parts = [extra] if extra else []
        names = [self.render_.cached(u) for u in typing]
        if names:
            parts.append(f"{', '.join(names)} typing...")
        for reader, seqnum in self.read_by.items():
            parts.append(f"{self.render_.cached(reader)} read up to #{seqnum}")
        self.query_one("#status", Static).update(" · ".join(parts))

    def expire_typing(self) -> None:
        if self.typing:
            self.show_status()

    # -- input -------------------------------------------------------------------------

    @on(Input.Changed, "#compose")
    async def typed(self, event: Input.Changed) -> None:
        peer = self.conversations.open
        now = time.monotonic()
        if peer is not None and event.value and not event.value.startswith("/") and (
                now - self._typed_at > TYPING_EVERY):
            self._typed_at = now
            await self.client.typing(peer)

    @on(Input.Submitted, "#compose")
    async def submitted(self, event: Input.Submitted) -> None:
        line = event.value.strip()
        event.input.value = ""
        if not line:
            return
        try:
            if line.startswith("/"):
                await self.command(line[1:])
            elif self.conversations.open is None:
                self.show_status("no conversation open: pick one, or /to ID")
            else:
                await self.client.send_text(self.conversations.open, line)
                self._typed_at = 0.0  # the message ends the notice: the next key is news
                await self.after_send()
        except _ERRORS as exc:
            self.show_status(f"error: {describe(exc, self.client.session.base_url)}")

    async def after_send(self) -> None:
        # Our own message is not an event: it is shown from the store (or history).
        peer = self.conversations.open
        assert peer is not None
        newest = self.shown[-1].seqnum if self.shown else 0
        store = self.client.store
        recent = store.history(peer, limit=10) if store is not None else (
            await self.client.history(peer, limit=10))
        fresh = [e for e in recent if e.seqnum > newest]
        for e in fresh:
            self.conversations.message(peer, e.seqnum, e.sender, e.timestamp)
        self.shown.extend(fresh)
        await self.redraw()
        await self.refresh_list()

    async def command(self, text: str) -> None:
        name, _, rest = text.partition(" ")
        args = rest.split()
        client = self.client
        if name == "help":
            self.show_status(UI_HELP)
        elif name == "to":
            await self.open(int(args[0]))
        elif name == "friend":
            await client.add_friend(int(args[0]), " ".join(args[1:]))
            self.show_status(f"friend request sent to {await self.render_.name(int(args[0]))}")
        elif name == "accept":
            await client.accept_friend(int(args[0]))
            await self.load_requests()
            await self.open(int(args[0]))
        elif name == "reject":
            await client.reject_friend(int(args[0]))
            await self.load_requests()
        elif name == "group":
            group = await client.create_group(args[0], args[1] if len(args) > 1 else "")
            self.render_.remember(group.group_id, group.name)
            self.conversations.row(group.group_id)
            await self.open(group.group_id)
            self.show_status(f"created {group.name}({group.group_id})")
        elif name == "join":
            await client.join_group(int(args[0]), password=args[1] if len(args) > 1 else "")
            self.show_status(f"asked to join {args[0]}")
        elif name in ("approve", "deny"):
            group_id, user_id = int(args[0]), int(args[1])
            if name == "approve":
                await client.approve_join(group_id, user_id)
            else:
                await client.reject_join(group_id, user_id)
            await self.load_requests()
        elif name == "members":
            peer = self.conversations.open
            if peer is None or not is_group_id(peer):
                raise ValueError("open a group first")
            names = [await self.render_.name(m.user_id) for m in await client.members(peer)]
            self.show_status("members: " + ", ".join(names))
        elif name == "file":
            if self.conversations.open is None:
                raise ValueError("open a conversation first")
            await client.send_file(self.conversations.open, Path(rest.strip()).expanduser())
            await self.after_send()
        elif name == "requests":
            await self.load_requests()
        else:
            raise ValueError(f"no command /{name}: /help lists them")

    # -- events ------------------------------------------------------------------------

    @work(exclusive=True, group="events")
    async def follow(self) -> None:
        async for event in self.client:
            try:
                await self.arrived(event)
            except _ERRORS as exc:
                self.show_status(f"error: {describe(exc, self.client.session.base_url)}")

    async def arrived(self, event: ChatEvent) -> None:
        peer = self.conversations.open
        if isinstance(event, Typing):
            if event.conversation == peer and event.user_id != self.client.user_id:
                await self.render_.name(event.user_id)
                self.typing[event.user_id] = time.monotonic()
                self.show_status()
            return
        if isinstance(event, ReadReceipt):
            if event.conversation == peer and event.reader != self.client.user_id:
                await self.render_.name(event.reader)
                self.read_by[event.reader] = max(self.read_by.get(event.reader, 0),
                                                 event.seqnum)
                await self.redraw()
                self.show_status()
            return
        if isinstance(event, FriendNotice | GroupNotice):
            await self.notice(event)
        if not isinstance(event, Sequenced):
            line = await self.render_.event(event)
            if line is not None:
                self.show_status(line)
            return
        if isinstance(event, Message):
            self.typing.pop(event.sender, None)
            self.conversations.message(event.conversation, event.seqnum, event.sender,
                                       event.timestamp)
            if event.conversation == peer:
                await self.client.mark_read(peer, event.seqnum)
                self.conversations.opened(peer)
            await self.refresh_list()
        if event.conversation == peer and event.conversation != self.client.user_id:
            self.shown.append(event)
            await self.redraw()
            self.show_status()

    async def notice(self, event: FriendNotice | GroupNotice) -> None:
        line = await self.render_.event(event)
        if line is not None:
            self.show_status(line)
        if isinstance(event, FriendNotice) and event.kind == FriendEventKind.ACCEPTED:
            self.conversations.row(event.sender)
            await self.refresh_list()
        if isinstance(event, GroupNotice) and event.kind == GroupEventKind.JOIN_APPROVED:
            self.conversations.row(event.group_id)
            await self.refresh_list()
        await self.load_requests()


class ChatUI(App[int]):
    TITLE = "PRIM chat"
    CSS = """
    #login { width: 60; height: auto; margin: 2 4; }
    #side { width: 36; border-right: solid $accent; }
    #conversations { height: 1fr; }
    #requests { height: auto; max-height: 8; color: $warning; }
    #messages { height: 1fr; }
    #status { height: auto; color: $text-muted; }
    #title { text-style: bold; }
    """

    def __init__(self, options: ChatOptions, *, store_dir: Path | None = None) -> None:
        super().__init__()
        self.options = options
        self.store_dir = store_dir
        self.client: PrimClient | None = None

    def on_mount(self) -> None:
        self.push_screen(LoginScreen())

    async def sign_up(self, nickname: str, password: str) -> PrimClient:
        if not nickname:
            raise ValueError("type the nickname to sign up with")
        created = await PrimClient.sign_up(self.options.server, nickname, password,
                                           device_name=self.options.device_name,
                                           store_dir=self.store_dir)
        return await self.connected(created)

    async def log_in(self, user_id: int, password: str) -> PrimClient:
        client = await PrimClient.log_in(self.options.server, user_id, password,
                                         device_name=self.options.device_name,
                                         store_dir=self.store_dir)
        return await self.connected(client)

    async def connected(self, client: PrimClient) -> PrimClient:
        try:
            await client.connect(ca_file=self.options.ca_file,
                                 pin_sha256=self.options.pin_sha256,
                                 gateway=self.options.gateway)
        except BaseException:
            await client.close()
            raise
        return client

    async def start(self, client: PrimClient) -> None:
        self.client = client
        profile = await client.http.users.get_my_profile(GetMyProfileRequest())
        self.switch_screen(ChatScreen(client, profile.nickname))

    @property
    def chat(self) -> ChatScreen:
        screen = self.screen
        assert isinstance(screen, ChatScreen)
        return screen

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.close()


def run_ui(options: ChatOptions, *, store_dir: Path | None = None) -> int:
    return ChatUI(options, store_dir=store_dir).run() or 0
