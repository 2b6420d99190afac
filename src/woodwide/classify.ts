/**
 * Turns HTTP outcomes into ServiceError, once, at the edge (style.md rule 4). The table is in
 * woodwide-api.md "Errors"; the batch code branches on `retryable` and `kind`, never on text.
 */
import { ServiceError } from "../errors.js";

const MAX_DETAIL = 300;

/**
 * Replaces every occurrence of the secret, and of the forms a server may echo it in (issue 8,
 * defect 8: a key echoed URL-encoded reached stderr and the journal): percent-encoded as
 * encodeURIComponent or encodeURI would (hex digits in either case), form-encoded (space as +),
 * double-encoded, base64 and base64url, and JSON-escaped. Used on every body as it arrives and
 * on every low-level error message, so nothing downstream can repeat it.
 */
export function redact(text: string, secret: string): string {
  if (!secret) return text;
  return text.replace(secretPattern(secret), "[redacted]");
}

let cached: { secret: string; pattern: RegExp } | undefined;

function secretPattern(secret: string): RegExp {
  if (cached?.secret === secret) return cached.pattern;
  const pattern = new RegExp(
    secretForms(secret)
      .map((form) =>
        form
          .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
          .replace(
            /%(25)?([0-9A-F])([0-9A-F])/g,
            (_m, twice = "", a: string, b: string) => `%${twice}${hexClass(a)}${hexClass(b)}`,
          ),
      )
      .join("|"),
    "g",
  );
  cached = { secret, pattern };
  return pattern;
}

function hexClass(digit: string): string {
  return /[A-F]/.test(digit) ? `[${digit}${digit.toLowerCase()}]` : digit;
}

/** The secret and its encoded forms, longest first (so a longer form is replaced whole). */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const component = encodeURIComponent(secret);
  const json = JSON.stringify(secret).slice(1, -1);
  const forms = new Set([
    secret,
    component,
    encodeURI(secret),
    new URLSearchParams({ k: secret }).toString().slice(2),
    component.replace(/%20/g, "+"),
    encodeURIComponent(component),
    bytes.toString("base64"),
    bytes.toString("base64").replace(/=+$/, ""),
    bytes.toString("base64url"),
    json,
    json.replace(/\//g, "\\/"),
  ]);
  return [...forms].filter(Boolean).sort((a, b) => b.length - a.length);
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
