/**
 * The one place undici is called. Every request gets the Bearer header (unless it goes to a
 * signed URL), one overall deadline covering headers and body, a capped body (body-cap.ts) with
 * the key redacted on arrival, a classified failure, and in-place retries (retrying.ts) when
 * the answer says the request was not processed.
 */
import type { Agent, Dispatcher, FormData } from "undici";
import { ServiceError } from "../errors.js";
import { lazyModule } from "../lazy-module.js";
import { responseBodyCap } from "./body-cap.js";
import type { CallOutcome } from "./call-retry.js";
import { classifyStatus, malformed, redact } from "./classify.js";
import { type RetriedCall, type RetryHooks, retryInPlace, type TryResult } from "./retrying.js";

/** Loaded when the first client is made: only a command that talks to Woodwide needs it. */
export const undici = lazyModule<typeof import("undici")>("undici");

export interface HttpOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  dispatcher?: Dispatcher;
  retry?: RetryHooks;
  /** Told of every in-place retry of every call (e.g. a verbose log line). */
  onRetry?: (r: RetriedCall) => void;
}

export interface SendOptions {
  json?: unknown;
  form?: FormData;
  /** false for signed URLs: they carry their own credentials and must not see the key. */
  auth?: boolean;
  signal?: AbortSignal | undefined;
  /**
   * Harmless to send twice when the outcome is unknown (call-retry.ts). Default: GET yes, POST no.
   */
  repeatable?: boolean;
  /** Rows the answer may carry: sizes the body cap. */
  rows?: number | undefined;
  deadline?: number | undefined;
  onRetry?: ((r: RetriedCall) => void) | undefined;
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
// Failures that happen before a byte of the request is written: the server never saw it.
const BEFORE_SEND_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);

export function createHttp(opts: HttpOptions): Http {
  const base = opts.baseUrl.replace(/\/+$/, "");
  // Keep-alive: a batch is 3-6 calls to one host; reusing the socket saves a TLS handshake each.
  const ownAgent = opts.dispatcher
    ? undefined
    : new (undici().Agent)({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });
  const dispatcher = opts.dispatcher ?? (ownAgent as Agent);

  async function sendOnce(
    method: "GET" | "POST",
    url: URL,
    label: string,
    o: SendOptions,
  ): Promise<TryResult<HttpResponse>> {
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
    const cap = responseBodyCap(o.rows);
    try {
      const res = await undici().request(url, { method, headers, body, signal, dispatcher });
      const header = (name: string) => {
        const v = res.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      const read = await readCapped(res.body, cap, header("content-length"));
      // Whatever the server echoes, the key never gets past this line (issue 8, defect 8).
      const text = redact(read.text, opts.apiKey);
      if (res.statusCode < 200 || res.statusCode >= 300) {
        // An oversized error body still has a status: classify on the part read.
        const error = classifyStatus(res.statusCode, text, {
          label,
          retryAfter: header("retry-after"),
          now: opts.retry?.now?.() ?? Date.now(),
          secret: opts.apiKey,
        });
        return {
          error,
          outcome: { status: res.statusCode, retryAfterMs: error.retryAfterMs },
        };
      }
      if (read.over) {
        const rows = o.rows ? ` (the cap for ${o.rows} rows)` : "";
        return { error: malformed(label, `a body over ${cap} bytes${rows}; stopped reading it`) };
      }
      return { value: { status: res.statusCode, contentType: header("content-type"), text } };
    } catch (err) {
      if (o.signal?.aborted) throw o.signal.reason;
      const code = (err as { code?: unknown }).code;
      if (deadline.aborted || (typeof code === "string" && TIMEOUT_CODES.test(code))) {
        const error = new ServiceError(
          `Woodwide ${label} at ${url.host} timed out after ${opts.timeoutMs} ms`,
          {
            kind: "timeout",
            retryable: true,
            cause: safeCause(err, opts.apiKey),
          },
        );
        const sent = code !== "UND_ERR_CONNECT_TIMEOUT";
        return { error, outcome: { failure: sent ? "unknown" : "not-sent", kind: "timeout" } };
      }
      if (typeof code === "string" && NETWORK_CODES.test(code)) {
        // Issue 9: a service that cannot be reached is not the batch's fault (kind
        // "unreachable": the batch is released without spending an attempt); say where.
        const unreachable = BEFORE_SEND_CODES.has(code);
        const what = unreachable ? `could not reach ${url.host}` : `network error at ${url.host}`;
        const error = new ServiceError(`Woodwide ${label} failed: ${what} (${code})`, {
          kind: unreachable ? "unreachable" : "network",
          retryable: true,
          cause: safeCause(err, opts.apiKey),
        });
        return { error, outcome: networkOutcome(err, code) };
      }
      throw err;
    }
  }

  async function send(method: "GET" | "POST", target: string, o: SendOptions = {}) {
    const url = new URL(/^https?:\/\//.test(target) ? target : base + target);
    const label =
      o.auth === false ? `${method} ${url.host} (signed URL)` : `${method} ${url.pathname}`;
    const onRetry =
      opts.onRetry || o.onRetry
        ? (r: RetriedCall) => {
            opts.onRetry?.(r);
            o.onRetry?.(r);
          }
        : undefined;
    return retryInPlace(
      () => sendOnce(method, url, label, o),
      {
        call: label,
        repeatable: o.repeatable ?? method === "GET",
        signal: o.signal,
        deadline: o.deadline,
        onRetry,
      },
      opts.retry,
    );
  }

  return {
    send,
    close: async () => {
      await ownAgent?.close();
    },
  };
}

/**
 * A refused or unroutable connection never carried the request. A reset is known to be before
 * the request only when undici reports the socket had written nothing; otherwise the server may
 * have read it, and the outcome is unknown.
 */
function networkOutcome(err: unknown, code: string): CallOutcome {
  if (BEFORE_SEND_CODES.has(code)) return { failure: "not-sent", kind: "network" };
  const socket = (err as { socket?: { bytesWritten?: unknown } }).socket;
  if (socket?.bytesWritten === 0) return { failure: "not-sent", kind: "network" };
  return { failure: "unknown", kind: "network" };
}

/** Reads at most `cap` bytes of a body; past it, stops reading and closes the stream. */
async function readCapped(
  body: Dispatcher.ResponseData["body"],
  cap: number,
  contentLength: string | undefined,
): Promise<{ text: string; over: boolean }> {
  if (contentLength !== undefined && Number(contentLength) > cap) {
    body.destroy();
    return { text: "", over: true };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > cap) {
      chunks.push(chunk.subarray(0, cap - size));
      body.destroy();
      return { text: Buffer.concat(chunks).toString("utf8"), over: true };
    }
    size += chunk.length;
    chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks, size).toString("utf8"), over: false };
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
