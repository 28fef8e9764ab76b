/** The page: the sign-in screen, or the header, the sidebar and the open chat. The open
 * conversation is in the address (#/chat/ID), so a reload comes back to it. */

import { PrimApiError } from "@prim/sdk";
import { fill, h } from "./dom.js";
import { api, forgetSession, loadSession, logOut, onSessionRefused, type Session } from "./session.js";
import { Store } from "./store.js";
import { authView } from "./views/auth.js";
import { ChatView } from "./views/chat.js";
import { Sidebar } from "./views/sidebar.js";

const root = document.getElementById("app")!;
let current: Store | undefined;

function signedOut(): void {
  current?.messenger.stop();
  current = undefined;
  history.replaceState(null, "", "/");
  fill(root, authView((session) => void signedIn(session)));
}

async function signedIn(session: Session): Promise<void> {
  const store = new Store(session);
  current = store;
  const chat = new ChatView(store);
  const openChat = (peerId: string) => {
    if (!peerId) return;
    history.replaceState(null, "", `#/chat/${peerId}`);
    chat.show(peerId);
  };
  const sidebar = new Sidebar(store, openChat);
  let myName = "";
  const me = h("span", { class: "me", "data-testid": "me" });
  const status = h("span", { class: "badge", "data-testid": "transport" });
  const header = h("header", { class: "bar" }, h("b", {}, "PRIM"), me, status,
    h("span", { class: "spacer" }), h("a", { href: "/docs", target: "_blank" }, "API docs"),
    h("button", { "data-testid": "logout", onclick: () => void logOut().finally(signedOut) }, "Log out"));
  const renderHeader = () => {
    if (store.signedOut && current === store) {
      forgetSession();
      signedOut();
      return;
    }
    fill(me, `${myName} · id ${session.userId}`);
    status.className = `badge ${store.connected ? "ok" : "warn"}`;
    status.textContent = store.connected ? `online (${store.transport})`
      : store.statusDetail ? `offline: ${store.statusDetail}` : "connecting…";
  };
  store.subscribe(renderHeader);
  fill(root, header, h("div", { class: "main" }, sidebar.el, chat.el));
  try {
    myName = (await api.user.getMyProfile({})).nickname ?? "";
    renderHeader();
    await store.start();
  } catch (err) {
    if (err instanceof PrimApiError && err.status === 401) {
      forgetSession();
      signedOut();
      return;
    }
    store.notice(String(err));
  }
  const route = /^#\/chat\/(\d+)$/.exec(location.hash);
  if (route?.[1]) openChat(route[1]);
}

onSessionRefused(() => {
  if (current) current.signedOut = true;
  current?.changed();
});

const session = loadSession();
if (session) void signedIn(session);
else signedOut();
