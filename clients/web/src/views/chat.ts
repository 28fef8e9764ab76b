/** The open conversation: history with scroll-back, live messages, images and files with
 * previews, read receipts and typing; the composer sends text or a chosen file. */

import type { ChatMessage } from "@prim/sdk";
import { h, errorText, fill, formatTime, keepingFocus } from "../dom.js";
import { mediaOf, textOf } from "../payloads.js";
import { api } from "../session.js";
import { isGroup, type Store } from "../store.js";

const TYPING_EVERY_MS = 2000;

export class ChatView {
  readonly el = h("section", { class: "chat", "data-testid": "chat" });
  private readonly head = h("div", { class: "chat-head" });
  private readonly list = h("div", { class: "messages", "data-testid": "messages" });
  private readonly error = h("p", { class: "error", "data-testid": "chat-error" });
  private readonly attachment = h("div", {});
  private readonly input = h("input", { type: "text", placeholder: "Write a message",
                                        autocomplete: "off", "data-testid": "composer-input" });
  private readonly fileInput = h("input", { type: "file", hidden: true, "data-testid": "composer-file" });
  private chosen: File | undefined;
  private readonly drawn = new WeakMap<ChatMessage, { key: string; el: HTMLElement }>();
  private peer: string | undefined;
  private lastTyping = 0;
  /** Object URLs of downloaded previews, by file id (kept for the page's life). */
  private static readonly previews = new Map<string, Promise<string>>();

  constructor(private readonly store: Store) {
    this.list.addEventListener("scroll", () => {
      if (this.list.scrollTop === 0 && this.peer) void this.older();
    });
    this.input.addEventListener("input", () => {
      if (!this.peer || Date.now() - this.lastTyping < TYPING_EVERY_MS) return;
      this.lastTyping = Date.now();
      store.messenger.typing(this.peer);
    });
    this.fileInput.addEventListener("change", () => this.choose(this.fileInput.files?.[0]));
    store.subscribe(() => keepingFocus(() => this.render()));
    document.addEventListener("visibilitychange", () => {
      if (this.peer) store.readAll(store.conversation(this.peer));
    });
    this.render();
  }

  show(peerId: string): void {
    this.peer = peerId;
    this.chosen = undefined;
    this.fill(true);
    void this.store.open(peerId).then(() => this.fill(true), (err: unknown) => {
      this.error.textContent = errorText(err);
    });
  }

  private render(): void {
    this.fill(false);
  }

  private fill(toBottom: boolean): void {
    const s = this.store;
    if (!this.peer) {
      fill(this.el, h("div", { class: "empty" }, h("p", {}, "Pick a conversation, or add a friend."),
        h("p", { class: "muted" }, "Your user id is ", h("b", {}, s.me.userId),
          ": others add you with it.")));
      return;
    }
    const conv = s.conversation(this.peer);
    const typing = conv.typing && conv.typing.until > Date.now()
      ? `${s.name(conv.typing.userId)} is typing…` : "";
    fill(this.head, h("span", { class: "name", "data-testid": "chat-title" }, s.name(this.peer)),
      h("span", { class: "muted" }, isGroup(this.peer) ? `group ${this.peer}` : `user ${this.peer}`),
      h("span", { class: "typing", "data-testid": "typing" }, typing));

    const atBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
    const fromBottom = this.list.scrollHeight - this.list.scrollTop;
    const messages = s.shown(conv);
    fill(this.list,
      conv.olderFrom !== "0" && conv.olderFrom !== undefined
        ? h("button", { class: "older", "data-testid": "load-older", onclick: () => void this.older() },
          "Load older messages")
        : null,
      messages.length === 0 ? h("p", { class: "empty" }, "No messages yet. Say hello!") : null,
      messages.map((m) => this.shownMessage(m, conv.peerRead)));
    if (toBottom || atBottom) {
      this.list.scrollTop = this.list.scrollHeight;
    } else {
      this.list.scrollTop = this.list.scrollHeight - fromBottom;
    }

    if (!this.el.contains(this.list)) {
      const form = h("form", { onsubmit: (ev: Event) => { ev.preventDefault(); void this.send(); } },
        h("button", { type: "button", title: "Attach an image or file", "data-testid": "composer-attach",
                      onclick: () => this.fileInput.click() }, "Attach"),
        this.input, this.fileInput,
        h("button", { class: "primary", type: "submit", "data-testid": "composer-send" }, "Send"));
      fill(this.el, this.head, this.list,
        h("div", { class: "composer" }, this.error, this.attachment, form));
    }
    this.renderAttachment();
  }

  /** A message's element, drawn again only when what it shows changed (so image previews
   * do not flicker on every live event). */
  private shownMessage(m: ChatMessage & { localFile?: File }, peerRead: string): HTMLElement {
    const read = !isGroup(this.peer) && !!m.seqnum && BigInt(m.seqnum) <= BigInt(peerRead);
    const key = [m.seqnum, m.editedAtMs, m.withdrawn, m.payload, read, this.store.name(m.sender)]
      .join("|");
    const drawn = this.drawn.get(m);
    if (drawn?.key === key) return drawn.el;
    const el = this.message(m, peerRead);
    this.drawn.set(m, { key, el });
    return el;
  }

  private message(m: ChatMessage & { localFile?: File }, peerRead: string): HTMLElement {
    const s = this.store;
    const mine = m.sender === s.me.userId;
    const pending = !m.seqnum;
    const read = mine && !pending && !isGroup(this.peer) && BigInt(m.seqnum ?? 0) <= BigInt(peerRead);
    const classes = ["msg", mine ? "mine" : "", pending ? "pending" : "", m.withdrawn ? "withdrawn" : ""];
    return h("div", { class: classes.join(" "), "data-testid": "message", "data-seqnum": m.seqnum ?? "" },
      !mine && isGroup(this.peer) ? h("div", { class: "who" }, s.name(m.sender)) : null,
      m.withdrawn ? "(withdrawn)" : this.body(m),
      h("div", { class: "meta" }, h("span", {}, formatTime(m.timestampMs)),
        m.editedAtMs ? h("span", {}, "edited") : null,
        pending ? h("span", {}, "sending…") : null,
        read ? h("span", { "data-testid": "read-receipt" }, "✓ read") : null));
  }

  private body(m: ChatMessage & { localFile?: File }): Node | string {
    const media = mediaOf(m);
    if (m.localFile) return this.preview(m.localFile.type, m.localFile.name, localUrl(m.localFile));
    if (!media) return m.type === "MSG_TYPE_TEXT" || m.type === "MSG_TYPE_MEME" ? textOf(m) : `[${m.type}]`;
    const fileId = media.fileId ?? "";
    const image = (media.contentType ?? "").startsWith("image/");
    const holder = h("div", { "data-testid": image ? "image" : "file" }, image ? "loading image…" : "");
    if (image) {
      void this.download(fileId).then((url) => fill(holder, this.preview(media.contentType ?? "", media.name ?? "", url)),
        () => fill(holder, `image ${media.name ?? ""} (not available)`));
    } else {
      fill(holder, h("a", { href: "#", onclick: (ev: Event) => {
        ev.preventDefault();
        void this.download(fileId).then((url) => {
          const link = h("a", { href: url, download: media.name || "file" });
          link.click();
        });
      } }, `File: ${media.name || "file"}`), h("span", { class: "muted" }, ` ${size(media.size)}`));
    }
    return holder;
  }

  private preview(contentType: string, name: string, url: string): HTMLElement {
    return contentType.startsWith("image/")
      ? h("img", { src: url, alt: name, title: name })
      : h("span", {}, `File: ${name}`);
  }

  /** Files need the access token, so they come through fetch and show as blob URLs. */
  private download(fileId: string): Promise<string> {
    let url = ChatView.previews.get(fileId);
    if (!url) {
      url = api.file.downloadFile({ fileId }).then((blob) => URL.createObjectURL(blob));
      ChatView.previews.set(fileId, url);
    }
    return url;
  }

  private choose(file: File | undefined): void {
    this.chosen = file;
    this.fileInput.value = "";
    this.renderAttachment();
  }

  private renderAttachment(): void {
    const file = this.chosen;
    if (!file) {
      fill(this.attachment);
      return;
    }
    if (this.attachment.dataset["name"] === file.name && this.attachment.childElementCount) return;
    this.attachment.dataset["name"] = file.name;
    fill(this.attachment, h("div", { class: "attachment", "data-testid": "attachment" },
      file.type.startsWith("image/") ? h("img", { src: localUrl(file), alt: file.name }) : null,
      h("span", {}, `${file.name} (${size(String(file.size))})`),
      h("button", { type: "button", onclick: () => this.choose(undefined) }, "Remove")));
  }

  private async send(): Promise<void> {
    const peer = this.peer;
    if (!peer) return;
    this.error.textContent = "";
    const text = this.input.value.trim();
    const file = this.chosen;
    this.input.value = "";
    this.lastTyping = 0;  // the next message's first key says "typing" again
    this.choose(undefined);
    try {
      if (file) await this.store.sendFile(peer, file);
      if (text) await this.store.sendText(peer, text);
    } catch (err) {
      this.error.textContent = errorText(err);
      if (text && !this.input.value) this.input.value = text;
    }
  }

  private async older(): Promise<void> {
    if (!this.peer) return;
    try {
      await this.store.loadOlder(this.peer);
    } catch (err) {
      this.error.textContent = errorText(err);
    }
  }
}

function size(bytes: string | undefined): string {
  const n = Number(bytes ?? 0);
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} kB` : `${n} B`;
}

const localUrls = new WeakMap<File, string>();

/** One blob URL per chosen file, however often it is drawn. */
function localUrl(file: File): string {
  let url = localUrls.get(file);
  if (!url) {
    url = URL.createObjectURL(file);
    localUrls.set(file, url);
  }
  return url;
}
