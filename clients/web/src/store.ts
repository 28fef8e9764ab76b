/**
 * The page's state: conversations (from GetInbox, ListHistory and live messages), friends,
 * requests and groups, and the names of the people and groups shown. Views subscribe and
 * re-render on change; every change goes through here.
 */

import {
  GROUP_ID_BASE,
  toBase64,
  type ChatMessage,
  type Friend,
  type FriendEvent,
  type FriendRequest,
  type Group,
  type JoinRequest,
  type Member,
  type MsgType,
} from "@prim/sdk";
import { createMessenger, type Messenger, type WireEvent } from "./messaging.js";
import { SHOWN_TYPES, changeOf } from "./payloads.js";
import { api, type Session } from "./session.js";

export function isGroup(id: string | undefined): boolean {
  return id !== undefined && id !== "" && BigInt(id) >= GROUP_ID_BASE;
}

export interface Conversation {
  peerId: string;
  /** Stored messages by seqnum. */
  messages: Map<string, ChatMessage>;
  /** Sent, waiting for their Ack (no seqnum yet). */
  pending: ChatMessage[];
  /** The page token scrolling back continues with ("0": nothing older); undefined before the
   * first page. */
  olderFrom: string | undefined;
  unread: number;
  last: ChatMessage | undefined;
  /** 1:1: the newest of my messages the peer has read. */
  peerRead: string;
  /** The newest seqnum this page has marked read. */
  markedRead: string;
  typing: { userId: string; until: number } | undefined;
}

export interface GroupDetail {
  group: Group;
  members: Member[];
  /** Only an admin sees them (empty otherwise). */
  joinRequests: JoinRequest[];
}

const HISTORY_PAGE = 30;
const TYPING_SHOWN_MS = 4000;
const OFFLINE_POLL_MS = 5000;

export class Store {
  readonly conversations = new Map<string, Conversation>();
  friends: Friend[] = [];
  incoming: FriendRequest[] = [];
  outgoing: FriendRequest[] = [];
  groups: Group[] = [];
  groupDetail: GroupDetail | undefined;
  openPeer: string | undefined;
  connected = false;
  transport = "";
  statusDetail = "";
  notices: string[] = [];
  /** The server refused this session's token (expired, revoked). */
  signedOut = false;
  private readonly names = new Map<string, string>();
  private readonly asked = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private scheduled = false;
  /** Group list refreshes run one after another: asked for at once (a tab switch, then an
   * action), their answers could come back in the other order and the older list, without
   * what the action just made, would be the one shown. */
  private groupsRefresh: Promise<void> = Promise.resolve();
  readonly messenger: Messenger;

  constructor(readonly me: Session) {
    this.messenger = createMessenger(me, (event) => this.receive(event));
  }

  subscribe(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Views re-render once per turn, however many changes it made. */
  changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const listener of this.listeners) listener();
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.refreshInbox(), this.refreshFriends(), this.refreshGroups()]);
    this.pollWhileOffline();
    void this.messenger.start().catch((err: unknown) => {
      this.statusDetail = String(err);
      this.changed();
    });
  }

  // ---- names ----

  /** A user's or group's display name: what is known now; asks the server once. */
  name(id: string | undefined): string {
    if (!id) return "";
    if (id === this.me.userId) return "you";
    const known = this.names.get(id);
    if (known !== undefined) return known;
    if (!this.asked.has(id)) {
      this.asked.add(id);
      const lookup = isGroup(id)
        ? api.group.getGroup({ groupId: id }).then((g) => g.name ?? id)
        : api.user.getUser({ userId: id }).then((u) => u.remark || u.nickname || id);
      void lookup.then((name) => {
        this.names.set(id, name);
        this.changed();
      }, () => undefined);
    }
    return id;
  }

  /** "alice (10000)", "you", or the bare id while the name is unknown. */
  who(id: string | undefined): string {
    const name = this.name(id);
    return name === id || name === "you" ? name : `${name} (${id})`;
  }

  remember(id: string | undefined, name: string | undefined): void {
    if (id && name) this.names.set(id, name);
  }

  // ---- conversations ----

  conversation(peerId: string): Conversation {
    let conv = this.conversations.get(peerId);
    if (!conv) {
      conv = { peerId, messages: new Map(), pending: [], olderFrom: undefined, unread: 0,
               last: undefined, peerRead: "0", markedRead: "0", typing: undefined };
      this.conversations.set(peerId, conv);
    }
    return conv;
  }

  /** Conversations, the newest activity first. */
  sortedConversations(): Conversation[] {
    return [...this.conversations.values()].sort(
      (a, b) => Number(b.last?.timestampMs ?? 0) - Number(a.last?.timestampMs ?? 0));
  }

  async refreshInbox(): Promise<void> {
    const inbox = await api.message.getInbox({ sinceMs: "1", pageSize: 200 });
    for (const entry of inbox.entries ?? []) {
      if (!entry.peerId) continue;
      const conv = this.conversation(entry.peerId);
      if (entry.lastMessage) this.noteLast(conv, entry.lastMessage);
      if (this.openPeer === entry.peerId) {
        if (BigInt(entry.lastSeqnum ?? 0) > this.newest(conv)) await this.loadNewer(conv);
        this.readAll(conv);
      } else {
        conv.unread = Number(entry.unreadCount ?? 0);
      }
    }
    this.changed();
  }

  /** Without the wire the page still receives: it asks for the inbox now and then. */
  private pollWhileOffline(): void {
    setInterval(() => {
      if (!this.connected) void this.refreshInbox().catch(() => undefined);
    }, OFFLINE_POLL_MS);
  }

  async open(peerId: string): Promise<void> {
    this.openPeer = peerId;
    const conv = this.conversation(peerId);
    this.changed();
    if (conv.olderFrom === undefined) await this.loadOlder(peerId);
    this.readAll(conv);
  }

  close(): void {
    this.openPeer = undefined;
    this.changed();
  }

  /** One page further back (the first call: the newest page). */
  async loadOlder(peerId: string): Promise<void> {
    const conv = this.conversation(peerId);
    if (conv.olderFrom === "0") return;
    const page = await api.message.listHistory({
      peerId, direction: "DIRECTION_BACKWARD", pageSize: HISTORY_PAGE,
      pageToken: conv.olderFrom ?? "",
    });
    for (const message of page.messages ?? []) this.store(conv, message);
    conv.olderFrom = page.nextPageToken || "0";
    this.changed();
  }

  /** What came after the newest message held (the open chat catching up). */
  private async loadNewer(conv: Conversation): Promise<void> {
    if (conv.olderFrom === undefined) return;  // never opened: its first page will do
    const from = this.newest(conv) + 1n;
    let token = "";
    for (;;) {
      const page = await api.message.listHistory({
        peerId: conv.peerId, fromSeqnum: String(from), direction: "DIRECTION_FORWARD",
        pageSize: HISTORY_PAGE, pageToken: token,
      });
      for (const message of page.messages ?? []) this.store(conv, message);
      token = page.nextPageToken ?? "";
      if (!token) break;
    }
    this.changed();
  }

  private newest(conv: Conversation): bigint {
    let newest = 0n;
    for (const seqnum of conv.messages.keys()) if (BigInt(seqnum) > newest) newest = BigInt(seqnum);
    return newest;
  }

  /** Stored messages in order, then the ones still waiting for their Ack. */
  shown(conv: Conversation): ChatMessage[] {
    const stored = [...conv.messages.values()]
      .filter((m) => m.type && SHOWN_TYPES.has(m.type))
      .sort((a, b) => Number(BigInt(a.seqnum ?? 0) - BigInt(b.seqnum ?? 0)));
    return [...stored, ...conv.pending];
  }

  private store(conv: Conversation, message: ChatMessage): void {
    const change = changeOf(message);
    const target = change && conv.messages.get(change.target);
    if (change && target) {
      // An Edit or Withdraw arriving live: the shown message changes in place.
      if (change.newPayload !== undefined) {
        target.payload = change.newPayload;
        target.editedAtMs = message.timestampMs;
      } else {
        target.withdrawn = true;
        target.payload = "";
      }
    }
    if (message.seqnum) conv.messages.set(message.seqnum, message);
    this.noteLast(conv, message);
  }

  private noteLast(conv: Conversation, message: ChatMessage): void {
    if (!message.type || !SHOWN_TYPES.has(message.type)) return;
    if (!conv.last || BigInt(message.seqnum ?? 0) >= BigInt(conv.last.seqnum ?? 0)) {
      conv.last = message;
    }
  }

  private conversationOf(message: ChatMessage): string {
    if (isGroup(message.receiver)) return message.receiver ?? "";
    return (message.sender === this.me.userId ? message.receiver : message.sender) ?? "";
  }

  /** Marks everything shown as read, when the page is in front. */
  readAll(conv: Conversation): void {
    if (document.visibilityState !== "visible" || this.openPeer !== conv.peerId) return;
    const newest = conv.last?.seqnum;
    conv.unread = 0;
    this.changed();
    if (!newest || BigInt(newest) <= BigInt(conv.markedRead)) return;
    conv.markedRead = newest;
    if (this.messenger.transport) {
      this.messenger.markRead(conv.peerId, newest);
    } else {
      void api.message.setReadMarker({ peerId: conv.peerId, seqnum: newest }).catch(() => undefined);
    }
  }

  // ---- sending ----

  async sendText(peerId: string, text: string): Promise<void> {
    await this.sending(peerId, "MSG_TYPE_TEXT", new TextEncoder().encode(text),
                       () => this.messenger.sendText(peerId, text));
  }

  async sendFile(peerId: string, file: File): Promise<void> {
    const type: MsgType = file.type.startsWith("image/") ? "MSG_TYPE_IMAGE" : "MSG_TYPE_FILE";
    const info = await api.file.uploadFile({ kind: type, name: file.name }, { data: file });
    const size = type === "MSG_TYPE_IMAGE" ? await imageSize(file) : undefined;
    const media = {
      fileId: info.fileId, contentType: info.contentType, size: info.size, name: file.name,
      sha256: info.sha256, width: size?.width, height: size?.height,
    };
    await this.sending(peerId, type, new Uint8Array(),
                       () => this.messenger.sendMedia(peerId, type, media), file);
  }

  /** Shows the message at once (dimmed), and in its place once the Ack came. */
  private async sending(peerId: string, type: MsgType, payload: Uint8Array,
                        send: () => Promise<ChatMessage>, local?: File): Promise<void> {
    const conv = this.conversation(peerId);
    const shown: ChatMessage & { localFile?: File } = {
      sender: this.me.userId, receiver: peerId, type, seqnum: "",
      timestampMs: String(Date.now()), payload: toBase64(payload),
    };
    if (local) shown.localFile = local;
    conv.pending.push(shown);
    this.changed();
    try {
      const stored = await send();
      this.store(conv, stored);
    } finally {
      conv.pending = conv.pending.filter((m) => m !== shown);
      this.changed();
    }
  }

  // ---- friends and groups ----

  async refreshFriends(): Promise<void> {
    const [friends, incoming, outgoing] = await Promise.all([
      api.friend.listFriends({ pageSize: 200 }),
      api.friend.listFriendRequests({ direction: "REQUEST_DIRECTION_INCOMING", pageSize: 100 }),
      api.friend.listFriendRequests({ direction: "REQUEST_DIRECTION_OUTGOING", pageSize: 100 }),
    ]);
    this.friends = friends.friends ?? [];
    for (const friend of this.friends) this.remember(friend.userId, friend.remark);
    this.incoming = incoming.requests ?? [];
    this.outgoing = outgoing.requests ?? [];
    this.changed();
  }

  refreshGroups(): Promise<void> {
    const next = this.groupsRefresh.then(() => this.loadGroups());
    this.groupsRefresh = next.catch(() => undefined);
    return next;
  }

  private async loadGroups(): Promise<void> {
    this.groups = (await api.group.listMyGroups({ pageSize: 200 })).groups ?? [];
    for (const group of this.groups) this.remember(group.groupId, group.name);
    if (this.groupDetail?.group.groupId) await this.showGroup(this.groupDetail.group.groupId);
    this.changed();
  }

  async showGroup(groupId: string): Promise<void> {
    const [group, members] = await Promise.all([
      api.group.getGroup({ groupId }),
      api.group.listMembers({ groupId, pageSize: 200 }),
    ]);
    const list = members.members ?? [];
    const mine = list.find((m) => m.userId === this.me.userId);
    const admin = mine?.role === "GROUP_ROLE_OWNER" || mine?.role === "GROUP_ROLE_ADMIN";
    const joinRequests = admin
      ? (await api.group.listJoinRequests({ groupId, pageSize: 100 })).requests ?? []
      : [];
    this.groupDetail = { group, members: list, joinRequests };
    this.changed();
  }

  // ---- what the wire brings ----

  private receive(event: WireEvent): void {
    switch (event.kind) {
      case "signed-out":
        this.signedOut = true;
        break;
      case "status":
        this.connected = event.connected;
        this.transport = event.transport;
        this.statusDetail = event.detail ?? "";
        // Back online: what came meanwhile is in the inbox.
        if (event.connected) void this.refreshInbox().catch(() => undefined);
        break;
      case "message": {
        const conv = this.conversation(this.conversationOf(event.message));
        const fresh = !conv.messages.has(event.message.seqnum ?? "");
        this.store(conv, event.message);
        conv.typing = undefined;
        if (fresh && event.message.sender !== this.me.userId && event.message.type
            && SHOWN_TYPES.has(event.message.type)) {
          conv.unread += 1;
          this.readAll(conv);
        }
        break;
      }
      case "typing": {
        const conv = this.conversation(event.conversation);
        conv.typing = { userId: event.userId, until: Date.now() + TYPING_SHOWN_MS };
        setTimeout(() => this.changed(), TYPING_SHOWN_MS + 50);
        break;
      }
      case "read": {
        const conv = this.conversation(event.conversation);
        if (event.readerId === this.me.userId) {
          conv.unread = 0;  // read on another device
        } else if (BigInt(event.seqnum) > BigInt(conv.peerRead)) {
          conv.peerRead = event.seqnum;
        }
        break;
      }
      case "friend":
        this.notice(friendNotice(event.event, (id) => this.who(id)));
        void this.refreshFriends().catch(() => undefined);
        break;
      case "group":
        this.notice(`${this.name(event.event.groupId)}: `
                    + `${event.event.kind?.replace("GROUP_EVENT_KIND_", "").toLowerCase().replace(/_/g, " ")} `
                    + `(${this.who(event.event.userId)})`);
        void this.refreshGroups().catch(() => undefined);
        break;
    }
    this.changed();
  }

  notice(text: string): void {
    this.notices = [text, ...this.notices].slice(0, 5);
    this.changed();
  }
}

async function imageSize(file: File): Promise<{ width: number; height: number } | undefined> {
  try {
    const bitmap = await createImageBitmap(file);
    const size = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
    return size;
  } catch {
    return undefined;
  }
}

function friendNotice(event: FriendEvent, who: (id: string | undefined) => string): string {
  const requester = who(event.requesterId);
  const target = who(event.targetId);
  switch (event.kind) {
    case "FRIEND_EVENT_KIND_REQUESTED": return `${requester} asks ${target} to be friends`;
    case "FRIEND_EVENT_KIND_ACCEPTED": return `${target} and ${requester} are friends now`;
    case "FRIEND_EVENT_KIND_REJECTED": return `${target} declined ${requester}'s request`;
    case "FRIEND_EVENT_KIND_REMOVED": return `${requester} and ${target} are no longer friends`;
    default: return `friend event ${event.kind ?? ""}`;
  }
}
