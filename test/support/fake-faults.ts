import type { Answer } from "./fake-answers.js";

/**
 * Scripted failures for the fake Woodwide. A fault targets an endpoint kind (or "any") and the
 * next `times` matching requests, then the fake is healthy again: "fail twice, then succeed".
 */
export type FakeEndpoint =
  | "upload"
  | "dataset"
  | "train"
  | "model"
  | "infer"
  | "job"
  | "results"
  | "download";

export type FaultKind =
  | "server-error"
  | "rate-limit"
  | "empty-body"
  | "malformed-json"
  | "unauthorized"
  | "forbidden"
  | "payment-required"
  | "credits-in-body"
  | "bad-request"
  | "unprocessable"
  | "not-found"
  | "too-large"
  | "hang"
  | "reset"
  | "missing-id"
  | "duplicate-id"
  | "unknown-id"
  | "job-failed"
  /** Issue 14/8: echoes the presented key in every encoding a careless server might use. */
  | "echo-key"
  /** Issue 8 defect 7: a 200 whose body streams `bytes` (default 700 MB), never held whole. */
  | "oversized";

export interface FaultSpec {
  kind: FaultKind;
  on?: FakeEndpoint | "any";
  /** How many matching requests fail; default: every one until clearFaults(). */
  times?: number;
  /** server-error: status to answer (default 503). */
  status?: number;
  /** rate-limit / server-error: the Retry-After header value (seconds or HTTP date). */
  retryAfter?: string;
  /** job-failed: the job's error_message. */
  message?: string;
  /** oversized: how many bytes the body streams. */
  bytes?: number;
}

export interface ActiveFault extends FaultSpec {
  remaining: number;
  hits: number;
}

// Row faults only make sense where rows are produced; job-failed where a job's state is read.
const ROW_FAULTS = new Set<FaultKind>(["missing-id", "duplicate-id", "unknown-id"]);
const WHERE: Partial<Record<FaultKind, Set<FakeEndpoint>>> = {
  "job-failed": new Set(["job", "infer", "model"]),
};
for (const kind of ROW_FAULTS) WHERE[kind] = new Set(["infer", "results"]);

export function isRowFault(kind: FaultKind): kind is "missing-id" | "duplicate-id" | "unknown-id" {
  return ROW_FAULTS.has(kind);
}

export function createFaultBook() {
  const faults: ActiveFault[] = [];
  return {
    faults,
    add(spec: FaultSpec | FaultKind): ActiveFault {
      const s = typeof spec === "string" ? { kind: spec } : spec;
      const fault = { ...s, remaining: s.times ?? Number.POSITIVE_INFINITY, hits: 0 };
      faults.push(fault);
      return fault;
    },
    clear() {
      faults.length = 0;
    },
    /** The first fault that applies to this request; consumes one of its `times`. */
    take(endpoint: FakeEndpoint): ActiveFault | undefined {
      const fault = faults.find(
        (f) =>
          f.remaining > 0 &&
          (f.on === undefined || f.on === "any" || f.on === endpoint) &&
          (WHERE[f.kind]?.has(endpoint) ?? true),
      );
      if (fault) {
        fault.remaining--;
        fault.hits++;
      }
      return fault;
    },
  };
}

/** The presented key as a server might echo it: percent-encoded (both hex cases), form, base64. */
export function encodedKeyForms(key: string): string[] {
  const component = encodeURIComponent(key);
  return [
    component,
    component.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    encodeURI(key),
    new URLSearchParams({ k: key }).toString().slice(2),
    Buffer.from(key).toString("base64"),
  ];
}

/** What the fake answers for a request-level fault; "hang", "reset", "oversized" act on the socket. */
export function faultAnswer(
  f: ActiveFault,
  auth?: string,
): Answer | "hang" | "reset" | "oversized" {
  const json = (status: number, detail: unknown, headers?: Record<string, string>): Answer => ({
    status,
    body: { detail },
    ...(headers ? { headers } : {}),
  });
  switch (f.kind) {
    case "server-error":
      return json(
        f.status ?? 503,
        "Service temporarily unavailable",
        f.retryAfter ? { "retry-after": f.retryAfter } : undefined,
      );
    case "rate-limit":
      return json(429, "Too many requests", { "retry-after": f.retryAfter ?? "2" });
    case "empty-body":
      return { status: 200, text: "", contentType: "application/json" };
    case "malformed-json":
      return { status: 200, text: '{"job_id": "abc", "status": ', contentType: "application/json" };
    case "unauthorized":
      return json(401, `Invalid API key: ${auth ?? "none"}`);
    case "forbidden":
      return json(403, "Not authorized for this resource");
    case "payment-required":
      return json(402, "Insufficient credits");
    case "credits-in-body":
      return json(400, "Not enough credits to run this job");
    case "bad-request":
      return json(400, "Bad request");
    case "unprocessable":
      return json(422, [
        { loc: ["body", "dataset_version_id"], msg: "Field required", type: "missing" },
      ]);
    case "not-found":
      return json(404, "Not found");
    case "too-large":
      return json(413, "Request entity too large");
    case "echo-key": {
      const key = (auth ?? "").replace(/^Bearer /, "");
      return json(f.status ?? 503, `token rejected upstream: ${encodedKeyForms(key).join(" ")}`);
    }
    case "hang":
    case "reset":
    case "oversized":
      return f.kind;
    default:
      // Row faults and job-failed are applied by the handlers, never here.
      return json(500, `fault ${f.kind} misapplied`);
  }
}
