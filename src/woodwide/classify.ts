/**
 * Turns HTTP outcomes into ServiceError, once, at the edge (style.md rule 4). The table is in
 * woodwide-api.md "Errors"; the batch code branches on `retryable` and `kind`, never on text.
 */
import { ServiceError } from "../errors.js";

const MAX_DETAIL = 300;

/** Replaces every occurrence of the secret; used on anything a server could echo back. */
export function redact(text: string, secret: string): string {
  return secret ? text.split(secret).join("[redacted]") : text;
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The useful part of an error body: FastAPI `detail` (string or list), `message`, or the text. */
export function extractDetail(body: string): string {
  const text = body.trim();
  if (!text) return "";
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    const detail = json.detail ?? json.message ?? json.error;
    if (typeof detail === "string") return clip(detail);
    if (Array.isArray(detail)) return clip(detail.map(describeIssue).join("; "));
    if (detail !== undefined) return clip(JSON.stringify(detail));
  } catch {
    // not JSON: fall through to the raw text
  }
  return clip(text);
}

function describeIssue(issue: unknown): string {
  if (typeof issue !== "object" || issue === null) return String(issue);
  const { loc, msg } = issue as { loc?: unknown; msg?: unknown };
  const where = Array.isArray(loc) ? `${loc.join(".")}: ` : "";
  return `${where}${typeof msg === "string" ? msg : JSON.stringify(issue)}`;
}

function clip(text: string): string {
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}

export interface StatusContext {
  /** "POST /datasets": method and path, never a query string (signed URLs carry secrets). */
  label: string;
  retryAfter?: string | undefined;
  now: number;
  secret: string;
}

export function classifyStatus(status: number, body: string, ctx: StatusContext): ServiceError {
  const detail = redact(extractDetail(body), ctx.secret);
  const base = `Woodwide ${ctx.label} answered HTTP ${status}${detail ? `: ${detail}` : ""}`;
  const cause = { status, detail };
  const make = (kind: string, retryable: boolean, hint = "", retryAfterMs?: number) =>
    new ServiceError(`${base}${hint}`, { kind, retryable, status, cause, retryAfterMs });
  // "Body mentioning credits" only counts on 4xx: a 5xx about a credits service is still transient.
  if (status === 402 || (status >= 400 && status < 500 && /credit/i.test(detail))) {
    return make("credits", false, " (Woodwide credits exhausted: top up, sessions stay queued)");
  }
  if (status === 401 || status === 403) {
    return make("auth", false, " (check WOODWIDE_API_KEY / woodwide.apiKey)");
  }
  if (status === 404) return make("not-found", false);
  if (status === 408) return make("timeout", true);
  if (status === 413) return make("too-large", false, " (split the batch)");
  // 503 may carry Retry-After too; honour it when present.
  const retryAfterMs = parseRetryAfter(ctx.retryAfter, ctx.now);
  if (status === 429) return make("rate-limited", true, "", retryAfterMs);
  if (status >= 500) return make("server", true, "", retryAfterMs);
  return make("bad-request", false);
}

/** A 2xx whose body is empty or not what the endpoint promises: transient by the doc's table. */
export function malformed(label: string, what: string): ServiceError {
  return new ServiceError(`Woodwide ${label} answered ${what}`, {
    kind: "malformed",
    retryable: true,
  });
}
