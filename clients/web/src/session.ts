/** The signed-in session: kept in localStorage so a reload (or a new tab) stays signed in,
 * and the one HTTP client of the page (same origin: the page is served by the API). */

import { PrimClient } from "@prim/sdk";

export interface Session {
  userId: string;
  accessToken: string;
  deviceId: string;
  expiresAtMs: string;
}

const KEY = "prim.session";

let refused: () => void = () => undefined;

/** Called when the server answers an authenticated call with 401: the token is expired or
 * revoked, and only signing in again helps. */
export function onSessionRefused(callback: () => void): void {
  refused = callback;
}

export const api = new PrimClient({
  baseUrl: location.origin,
  fetch: async (input, init) => {
    const response = await fetch(input, init);
    const headers = init.headers as Record<string, string> | undefined;
    if (response.status === 401 && headers?.["authorization"]) refused();
    return response;
  },
});

export function loadSession(): Session | undefined {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? "null") as Session | null;
    if (!stored?.accessToken || Number(stored.expiresAtMs) <= Date.now()) return undefined;
    api.accessToken = stored.accessToken;
    return stored;
  } catch {
    return undefined;
  }
}

export async function logIn(userId: string, password: string): Promise<Session> {
  const reply = await api.account.login({ userId, password, deviceName: deviceName() });
  const session: Session = {
    userId: reply.userId ?? userId,
    accessToken: reply.accessToken ?? "",
    deviceId: reply.deviceId ?? "",
    expiresAtMs: reply.expiresAtMs ?? "0",
  };
  localStorage.setItem(KEY, JSON.stringify(session));
  api.accessToken = session.accessToken;
  return session;
}

export async function logOut(): Promise<void> {
  try {
    await api.account.logout({});
  } finally {
    forgetSession();
  }
}

/** Drops the stored session (the server refused its token, or the user logged out). */
export function forgetSession(): void {
  localStorage.removeItem(KEY);
  api.accessToken = undefined;
}

function deviceName(): string {
  const agent = navigator.userAgent;
  const browser = /Firefox\//.test(agent) ? "Firefox" : /Chrom(e|ium)\//.test(agent) ? "Chromium"
    : /Safari\//.test(agent) ? "Safari" : "browser";
  return `web (${browser})`;
}
