/**
 * The one place undici is called. Every request gets the Bearer header (unless it goes to a
 * signed URL), one overall deadline covering headers and body, and a classified failure.
 */
import { Agent, type Dispatcher, type FormData, request } from "undici";
import { ServiceError } from "../errors.js";
import { classifyStatus, redact } from "./classify.js";

export interface HttpOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  dispatcher?: Dispatcher;
}

export interface SendOptions {
  json?: unknown;
  form?: FormData;
  /** false for signed URLs: they carry their own credentials and must not see the key. */
  auth?: boolean;
  signal?: AbortSignal | undefined;
}

export interface HttpResponse {
  status: number;
  contentType: string | undefined;
  text: string;
}

export interface Http {
  send(method: "GET" | "POST", target: string, opts?: SendOptions): Promise<HttpResponse>;
  close(): Promise<void>;
}

// Socket-level failures worth retrying; anything else thrown by undici is a bug in our call.
const NETWORK_CODES = /^(E[A-Z]+|UND_ERR_(SOCKET|CLOSED|DESTROYED))$/;
const TIMEOUT_CODES = /^UND_ERR_(HEADERS|BODY|CONNECT)_TIMEOUT$/;

export function createHttp(opts: HttpOptions): Http {
  const base = opts.baseUrl.replace(/\/+$/, "");
  // Keep-alive: a batch is 3-6 calls to one host; reusing the socket saves a TLS handshake each.
  const ownAgent = opts.dispatcher
    ? undefined
    : new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });
  const dispatcher = opts.dispatcher ?? (ownAgent as Agent);

  async function send(method: "GET" | "POST", target: string, o: SendOptions = {}) {
    const url = new URL(/^https?:\/\//.test(target) ? target : base + target);
    const label =
      o.auth === false ? `${method} ${url.host} (signed URL)` : `${method} ${url.pathname}`;
    const deadline = AbortSignal.timeout(opts.timeoutMs);
    const signal = o.signal ? AbortSignal.any([o.signal, deadline]) : deadline;
    const headers: Record<string, string> = {
      accept: "application/json, text/csv;q=0.9, */*;q=0.5",
    };
    if (o.auth !== false) headers.authorization = `Bearer ${opts.apiKey}`;
    let body: string | FormData | undefined;
    if (o.json !== undefined) {
      body = JSON.stringify(o.json);
      headers["content-type"] = "application/json";
    } else if (o.form) {
      body = o.form;
    }
    try {
      const res = await request(url, { method, headers, body, signal, dispatcher });
      const text = await res.body.text();
      const header = (name: string) => {
        const v = res.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      if (res.statusCode < 200 || res.statusCode >= 300) {
        throw classifyStatus(res.statusCode, text, {
          label,
          retryAfter: header("retry-after"),
          now: Date.now(),
          secret: opts.apiKey,
        });
      }
      return { status: res.statusCode, contentType: header("content-type"), text };
    } catch (err) {
      if (err instanceof ServiceError) throw err;
      if (o.signal?.aborted) throw o.signal.reason;
      const code = (err as { code?: unknown }).code;
      if (deadline.aborted || (typeof code === "string" && TIMEOUT_CODES.test(code))) {
        throw new ServiceError(`Woodwide ${label} timed out after ${opts.timeoutMs} ms`, {
          kind: "timeout",
          retryable: true,
          cause: safeCause(err, opts.apiKey),
        });
      }
      if (typeof code === "string" && NETWORK_CODES.test(code)) {
        throw new ServiceError(`Woodwide ${label} failed: network error (${code})`, {
          kind: "network",
          retryable: true,
          cause: safeCause(err, opts.apiKey),
        });
      }
      throw err;
    }
  }

  return {
    send,
    close: async () => {
      await ownAgent?.close();
    },
  };
}

/** A copy of the low-level error that cannot carry the key (nor sockets, nor request options). */
function safeCause(err: unknown, secret: string): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  const copy = new Error(redact(e.message, secret));
  copy.name = e.name;
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string") Object.assign(copy, { code });
  return copy;
}
