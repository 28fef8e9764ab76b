// Copied from codegen/emitters/ts_runtime/http.ts by `make gen`; do not edit (edit that file).
/**
 * The hand-written half of the generated HTTP client (client.ts imports it): the fetch
 * transport, PrimApiError, and the URL helpers the generated methods call.
 *
 * `make gen` copies this file into generated/ts/http.ts; edit it here. It names the spec's
 * `Error` message and `ErrorCode` enum, which codegen/emitters/_ts_client.py checks.
 */

import type { Error as ErrorBody, ErrorCode } from "./types.js";

/** Per-call options. */
export interface CallOptions {
  /** Aborts the request. */
  signal?: AbortSignal;
  /** Extra request headers; they override the client's. */
  headers?: Record<string, string>;
}

export interface PrimClientOptions {
  /** Where the API is served, e.g. "https://prim.example.com" (paths start with /v1). */
  baseUrl: string;
  /** The bearer token; it can also be set later through PrimClient.accessToken. */
  accessToken?: string;
  /** The signed-in user's id; it can also be set later through PrimClient.userId. */
  userId?: string;
  /** A fetch implementation; the global fetch by default. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

/** Bytes sent as a raw request body (file uploads). */
export interface RawBody {
  data: Blob | ArrayBuffer | Uint8Array;
  /** The Content-Type; a Blob's own type when omitted, else application/octet-stream. */
  contentType?: string;
}

/** A failed call: the HTTP status and the `Error` body the server answered with. */
export class PrimApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  /** The request field at fault (proto name), "" when none. */
  readonly field: string;
  /** The parsed body; undefined when the response was not a JSON Error. */
  readonly body: ErrorBody | undefined;

  constructor(status: number, body: ErrorBody | undefined, fallback: string) {
    super(body?.message || fallback);
    this.name = "PrimApiError";
    this.status = status;
    this.code = body?.code ?? "ERROR_CODE_UNSPECIFIED";
    this.field = body?.field ?? "";
    this.body = body;
  }

  /** Reads a failed response's body; a body that is not JSON keeps its text as message. */
  static async fromResponse(response: Response): Promise<PrimApiError> {
    const text = await response.text();
    const fallback = text.trim() || `HTTP ${response.status} ${response.statusText}`.trim();
    let body: ErrorBody | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
        body = parsed as ErrorBody;
      }
    } catch {
      body = undefined;
    }
    return new PrimApiError(response.status, body, fallback);
  }
}

/** One HTTP exchange as a service class describes it. */
export interface HttpCall {
  method: string;
  /** The path with its variables already substituted and encoded. */
  path: string;
  /** Query parameters; undefined values are left out, arrays repeat the key. */
  query?: ReadonlyArray<readonly [string, unknown]>;
  /** A JSON request body. */
  json?: unknown;
  /** A raw request body. */
  raw?: RawBody;
  /** Whether to send the access token. */
  auth: boolean;
  /** How to read a successful response. */
  response: "json" | "blob";
}

/** What the service classes call; replaceable for tests. */
export interface Transport {
  call<R>(call: HttpCall, options?: CallOptions): Promise<R>;
}

/** The Transport PrimClient uses: fetch against `baseUrl`. */
export class FetchTransport implements Transport {
  private readonly baseUrl: string;
  private readonly fetch: (input: string, init: RequestInit) => Promise<Response>;
  private readonly headers: Record<string, string>;

  constructor(
    options: PrimClientOptions,
    private readonly token: () => string | undefined,
  ) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    // Called through a closure: some fetch implementations must not be called as a method.
    const impl = options.fetch;
    this.fetch = impl ?? ((input, init) => fetch(input, init));
    this.headers = { ...options.headers };
  }

  async call<R>(call: HttpCall, options?: CallOptions): Promise<R> {
    const headers: Record<string, string> = { accept: "application/json", ...this.headers };
    const token = this.token();
    if (call.auth && token) {
      headers["authorization"] = `Bearer ${token}`;
    }
    const init: RequestInit = { method: call.method };
    if (call.json !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(call.json);
    } else if (call.raw !== undefined) {
      const data = call.raw.data;
      headers["content-type"] =
        call.raw.contentType ??
        (data instanceof Blob && data.type ? data.type : "application/octet-stream");
      // A copy: fetch's body types want an ArrayBuffer-backed view, not any ArrayBufferLike.
      init.body = data instanceof Uint8Array ? new Uint8Array(data) : data;
    }
    if (call.response === "blob") {
      headers["accept"] = "*/*";
    }
    init.headers = { ...headers, ...options?.headers };
    if (options?.signal) {
      init.signal = options.signal;
    }
    const response = await this.fetch(this.baseUrl + call.path + queryString(call.query), init);
    if (!response.ok) {
      throw await PrimApiError.fromResponse(response);
    }
    if (call.response === "blob") {
      return (await response.blob()) as R;
    }
    const text = await response.text();
    return (text ? JSON.parse(text) : {}) as R;
  }
}

function queryString(query: HttpCall["query"]): string {
  const search = new URLSearchParams();
  for (const [name, value] of query ?? []) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) {
        search.append(name, String(item));
      }
    }
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export function requirePathValue(name: string, value: unknown): string {
  if (value === undefined || value === null || value === "") {
    throw new TypeError(`path parameter ${name} is required`);
  }
  return String(value);
}

/** A single-segment path variable: everything, slashes included, is escaped. */
export function pathSegment(name: string, value: unknown): string {
  return encodeURIComponent(requirePathValue(name, value));
}

/** A multi-segment path variable (`{name=a/**}`): each segment escaped, slashes kept. */
export function pathSegments(name: string, value: unknown): string {
  return requirePathValue(name, value).split("/").map(encodeURIComponent).join("/");
}

/** A copy of `request` without the fields bound to the path (`body: "*"`). */
export function omitPaths(request: object, paths: ReadonlyArray<ReadonlyArray<string>>): unknown {
  let result: Record<string, unknown> = { ...request };
  for (const path of paths) {
    result = omitPath(result, path);
  }
  return result;
}

function omitPath(
  obj: Record<string, unknown>,
  path: ReadonlyArray<string>,
): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) {
    return obj;
  }
  const copy = { ...obj };
  if (rest.length === 0) {
    delete copy[head];
  } else {
    const child = copy[head];
    if (child !== null && typeof child === "object") {
      copy[head] = omitPath(child as Record<string, unknown>, rest);
    }
  }
  return copy;
}
