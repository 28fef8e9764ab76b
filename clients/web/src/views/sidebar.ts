/** The left column: conversations with unread counts, friends and requests, groups. */

import { h, errorText, fill, keepingFocus } from "../dom.js";
import { previewOf } from "../payloads.js";
import { api } from "../session.js";
import type { Store } from "../store.js";

type Tab = "chats" | "friends" | "groups";

export class Sidebar {
  readonly el = h("aside", {});
  private tab: Tab = "chats";
  private readonly error = h("p", { class: "error", "data-testid": "sidebar-error" });
  /** What a person types into a form survives re-renders: the forms are made once. */
  private readonly addFriend = this.addFriendForm();
  private readonly createGroup = this.createGroupForm();
  private readonly joinGroup = this.joinGroupForm();

  constructor(private readonly store: Store, private readonly openChat: (peerId: string) => void) {
    store.subscribe(() => keepingFocus(() => this.render()));
    this.render();
  }

  private render(): void {
    const s = this.store;
    const unread = [...s.conversations.values()].reduce((n, c) => n + c.unread, 0);
    const tabButton = (tab: Tab, label: string, count: number) =>
      h("button", { class: this.tab === tab ? "active" : "", "data-testid": `tab-${tab}`,
                    onclick: () => this.switchTo(tab) },
        label, count > 0 ? h("span", { class: "unread count" }, count) : null);
    const panel = this.tab === "chats" ? this.chats() : this.tab === "friends" ? this.friendsPanel()
      : this.groupsPanel();
    fill(this.el,
      h("div", { class: "tabs" }, tabButton("chats", "Chats", unread),
        tabButton("friends", "Friends", s.incoming.length), tabButton("groups", "Groups", 0)),
      h("div", { class: "panel" }, this.error, panel,
        s.notices.length ? h("div", {}, h("h3", {}, "Recent"),
          h("ul", { class: "list", "data-testid": "notices" },
            s.notices.map((n) => h("li", { class: "muted" }, n)))) : null));
  }

  /** Shows a tab with fresh lists (news that came while offline shows here too). */
  private switchTo(tab: Tab): void {
    this.tab = tab;
    this.render();
    const s = this.store;
    this.act(() => tab === "chats" ? s.refreshInbox() : tab === "friends" ? s.refreshFriends()
      : s.refreshGroups());
  }

  /** Runs an action, showing its error in the panel. */
  private act(action: () => Promise<unknown>): void {
    this.error.textContent = "";
    action().catch((err: unknown) => { this.error.textContent = errorText(err); });
  }

  private chats(): HTMLElement {
    const s = this.store;
    const list = s.sortedConversations();
    if (list.length === 0) {
      return h("p", { class: "muted" }, "No conversations yet: add a friend or join a group.");
    }
    return h("ul", { class: "list", "data-testid": "conversations" }, list.map((conv) =>
      h("li", { class: `clickable${s.openPeer === conv.peerId ? " selected" : ""}`,
                "data-testid": "conversation", "data-peer": conv.peerId,
                onclick: () => this.openChat(conv.peerId) },
        h("div", { class: "grow" },
          h("div", { class: "name" }, s.name(conv.peerId)),
          h("div", { class: "preview" }, previewOf(conv.last))),
        conv.unread > 0 ? h("span", { class: "unread", "data-testid": "unread" }, conv.unread) : null)));
  }

  private addFriendForm(): HTMLFormElement {
    const userId = h("input", { placeholder: "user id", inputmode: "numeric", required: true,
                                "data-testid": "friend-id" });
    const greeting = h("input", { placeholder: "message (optional)", "data-testid": "friend-message" });
    return h("form", { class: "row", onsubmit: (ev: Event) => {
      ev.preventDefault();
      const id = userId.value.trim();
      this.act(async () => {
        await api.friend.sendFriendRequest({ userId: id, message: greeting.value });
        userId.value = greeting.value = "";
        this.store.notice(`friend request sent to ${id}`);
        await this.store.refreshFriends();
      });
    } }, userId, greeting, h("button", { type: "submit", "data-testid": "friend-send" }, "Add"));
  }

  private friendsPanel(): HTMLElement {
    const s = this.store;
    return h("div", {},
      h("h3", {}, "Add a friend"), this.addFriend,
      s.incoming.length ? h("h3", {}, "Requests for you") : null,
      h("ul", { class: "list", "data-testid": "incoming-requests" }, s.incoming.map((r) =>
        h("li", { "data-testid": "incoming-request", "data-user": r.requesterId ?? "" },
          h("div", { class: "grow" }, h("div", { class: "name" }, s.name(r.requesterId),
            ` (${r.requesterId})`), h("div", { class: "preview" }, r.message ?? "")),
          h("button", { class: "primary", "data-testid": "accept-friend", onclick: () => this.act(async () => {
            await api.friend.acceptFriendRequest({ requesterId: r.requesterId ?? "" });
            await s.refreshFriends();
          }) }, "Accept"),
          h("button", { class: "danger", "data-testid": "reject-friend", onclick: () => this.act(async () => {
            await api.friend.rejectFriendRequest({ requesterId: r.requesterId ?? "" });
            await s.refreshFriends();
          }) }, "Reject")))),
      s.outgoing.length ? h("h3", {}, "Waiting for an answer") : null,
      h("ul", { class: "list" }, s.outgoing.map((r) =>
        h("li", { class: "muted", "data-testid": "outgoing-request" }, s.who(r.targetId)))),
      h("h3", {}, "Friends"),
      s.friends.length === 0 ? h("p", { class: "muted" }, "None yet.") : null,
      h("ul", { class: "list", "data-testid": "friends" }, s.friends.map((f) =>
        h("li", { class: "clickable", "data-testid": "friend", "data-user": f.userId ?? "",
                  onclick: () => this.openChat(f.userId ?? "") },
          h("div", { class: "grow name" }, s.name(f.userId)),
          h("span", { class: "muted" }, f.userId)))));
  }

  private createGroupForm(): HTMLFormElement {
    const name = h("input", { placeholder: "group name", required: true, maxlength: 64,
                              "data-testid": "group-name" });
    const password = h("input", { placeholder: "join password (optional)",
                                  "data-testid": "group-password" });
    return h("form", { class: "row", onsubmit: (ev: Event) => {
      ev.preventDefault();
      this.act(async () => {
        const group = await api.group.createGroup({ name: name.value,
                                                    joinPassword: password.value || undefined });
        name.value = password.value = "";
        this.store.notice(`created ${group.name} (${group.groupId})`);
        await this.store.refreshGroups();
      });
    } }, name, password, h("button", { type: "submit", "data-testid": "group-create" }, "Create"));
  }

  private joinGroupForm(): HTMLFormElement {
    const s = this.store;
    const joinId = h("input", { placeholder: "group id", inputmode: "numeric", required: true,
                                "data-testid": "join-id" });
    const joinPassword = h("input", { placeholder: "password", "data-testid": "join-password" });
    const joinMessage = h("input", { placeholder: "message", "data-testid": "join-message" });
    return h("form", { class: "row", onsubmit: (ev: Event) => {
      ev.preventDefault();
      this.act(async () => {
        const reply = await api.group.requestToJoin({ groupId: joinId.value.trim(),
          password: joinPassword.value || undefined, message: joinMessage.value || undefined });
        joinId.value = joinPassword.value = joinMessage.value = "";
        s.notice(reply.state === "JOIN_REQUEST_STATE_APPROVED"
          ? `joined ${s.name(reply.groupId)}` : `asked to join ${s.name(reply.groupId)}`);
        await s.refreshGroups();
      });
    } }, joinId, joinPassword, joinMessage,
      h("button", { type: "submit", "data-testid": "join-send" }, "Join"));
  }

  private groupsPanel(): HTMLElement {
    const s = this.store;
    const detail = s.groupDetail;
    return h("div", {},
      h("h3", {}, "My groups"),
      s.groups.length === 0 ? h("p", { class: "muted" }, "None yet.") : null,
      h("ul", { class: "list", "data-testid": "groups" }, s.groups.map((g) =>
        h("li", { class: `clickable${detail?.group.groupId === g.groupId ? " selected" : ""}`,
                  "data-testid": "group", "data-group": g.groupId ?? "",
                  onclick: () => this.act(() => s.showGroup(g.groupId ?? "")) },
          h("div", { class: "grow" }, h("div", { class: "name" }, g.name),
            h("div", { class: "preview" }, `${g.memberCount ?? 0} member${g.memberCount === 1 ? "" : "s"} · id ${g.groupId}`)),
          h("button", { "data-testid": "group-chat", onclick: (ev: Event) => {
            ev.stopPropagation();
            this.openChat(g.groupId ?? "");
          } }, "Chat")))),
      detail ? this.groupDetail() : null,
      h("h3", {}, "Create a group"), this.createGroup,
      h("h3", {}, "Join a group"), this.joinGroup);
  }

  private groupDetail(): HTMLElement {
    const s = this.store;
    const detail = s.groupDetail!;
    const groupId = detail.group.groupId ?? "";
    return h("div", { class: "group-detail", "data-testid": "group-detail" },
      h("div", { class: "name" }, detail.group.name, detail.group.hasPassword ? " (join password)" : ""),
      detail.joinRequests.length ? h("h3", {}, "Join requests") : null,
      h("ul", { class: "list" }, detail.joinRequests.map((r) =>
        h("li", { "data-testid": "join-request", "data-user": r.userId ?? "" },
          h("div", { class: "grow" }, h("div", { class: "name" }, s.name(r.userId), ` (${r.userId})`),
            h("div", { class: "preview" }, r.message ?? "")),
          h("button", { class: "primary", "data-testid": "approve-join", onclick: () => this.act(async () => {
            await api.group.approveJoinRequest({ groupId, userId: r.userId ?? "" });
            await s.refreshGroups();
          }) }, "Approve"),
          h("button", { class: "danger", "data-testid": "reject-join", onclick: () => this.act(async () => {
            await api.group.rejectJoinRequest({ groupId, userId: r.userId ?? "" });
            await s.refreshGroups();
          }) }, "Reject")))),
      h("h3", {}, `Members (${detail.members.length})`),
      h("ul", { class: "list", "data-testid": "members" }, detail.members.map((m) =>
        h("li", { "data-testid": "member" }, h("div", { class: "grow" }, s.name(m.userId)),
          h("span", { class: "muted" }, m.role?.replace("GROUP_ROLE_", "").toLowerCase() ?? "")))));
  }
}
