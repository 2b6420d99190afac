import type { Queue } from "../api/queue.js";
import { UsageError } from "../errors.js";
import { LIMITS } from "../telemetry/schema.js";
import { JSON_SCHEMA_VERSION } from "../ui/io.js";
import { renderMetrics } from "../ui/metrics.js";
import { packageVersion } from "../version.js";
import { jsonObject } from "./body.js";
import type { Scheduler } from "./scheduler.js";
import { HttpError } from "./status.js";

export interface RouteContext {
  queue: Queue;
  scheduler: Scheduler;
  /** Signals for a `process` run: no new batch after SIGTERM; release at the deadline. */
  processSignals(): { stop: AbortSignal; signal: AbortSignal };
}

export interface Answer {
  status: number;
  body: unknown;
  /** A non-JSON answer (metrics). */
  text?: { contentType: string; body: string };
}

export interface RouteRequest {
  params: Record<string, string>;
  body: Buffer;
  mediaType: string | undefined;
}

export interface Route {
  method: "GET" | "POST";
  path: string;
  /** Changes the queue or the scheduler: a token is always required (issue 12). */
  mutating: boolean;
  /** Body limit in bytes; media types accepted when there is a body. */
  bodyLimit: number;
  accepts: readonly string[];
  handle(ctx: RouteContext, req: RouteRequest): Promise<Answer>;
}

const JSON_TYPES = ["application/json"] as const;
/** design.md's enqueue limit: a body holds at most one record at the record cap. */
export const ENQUEUE_BODY_LIMIT = LIMITS.maxRecordBytes;
export const SMALL_BODY_LIMIT = 64 * 1024;
const NDJSON_TYPES = [
  "application/json",
  "application/x-ndjson",
  "application/ndjson",
  "application/jsonl",
  "application/x-jsonlines",
] as const;

const ok = (body: unknown, status = 200): Answer => ({ status, body });
const versioned = (body: object) => ({ schemaVersion: JSON_SCHEMA_VERSION, ...body });

function optionalInt(o: Record<string, unknown>, key: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
    throw new UsageError(`${key}: expected a whole number >= 1, got ${JSON.stringify(v)}`);
  return v;
}

async function enqueue(ctx: RouteContext, req: RouteRequest): Promise<Answer> {
  if (req.body.length === 0) throw new HttpError(400, "EMPTY_BODY", "no session in the body");
  const report = await ctx.queue.enqueue(req.body);
  if (report.read === 0) throw new HttpError(400, "EMPTY_BODY", "no session in the body");
  // As the CLI's exit 65: some records rejected (207), or every one (422).
  const status = report.rejected === 0 ? 200 : report.accepted + report.duplicates > 0 ? 207 : 422;
  return ok(versioned(report), status);
}

async function processRoute(ctx: RouteContext, req: RouteRequest): Promise<Answer> {
  const maxBatches = optionalInt(jsonObject(req.body), "maxBatches");
  // A run stopped by a failure throws with its summary on the error: the answer carries both.
  const summary = await ctx.queue.process({
    ...(maxBatches === undefined ? {} : { maxBatches }),
    ...ctx.processSignals(),
  });
  return ok(versioned({ ...summary, takenOver: summary.lost }));
}

async function clearRoute(ctx: RouteContext, req: RouteRequest): Promise<Answer> {
  const o = jsonObject(req.body);
  const processed = o.processed;
  if (processed !== undefined && typeof processed !== "boolean")
    throw new UsageError(`processed: expected true or false, got ${JSON.stringify(processed)}`);
  const olderThan = o.olderThan;
  if (olderThan !== undefined && typeof olderThan !== "string")
    throw new UsageError(
      `olderThan: expected a duration such as "24h", got ${JSON.stringify(olderThan)}`,
    );
  const r = await ctx.queue.clear({
    ...(processed === undefined ? {} : { processed }),
    ...(olderThan === undefined ? {} : { olderThan }),
  });
  return ok(versioned(r));
}

async function stats(ctx: RouteContext): Promise<Answer> {
  const s = await ctx.queue.stats();
  return ok(
    versioned({
      ...s,
      oldestDueAgeMs: s.oldestDueAgeMs ?? null,
      lastBatch: s.lastBatch ?? null,
      lastSuccess: s.lastSuccess ?? null,
    }),
  );
}

async function metrics(ctx: RouteContext): Promise<Answer> {
  const s = await ctx.queue.stats();
  const body = await renderMetrics(s, { queue: ctx.queue.path });
  return {
    status: 200,
    body: undefined,
    text: { contentType: "text/plain; version=0.0.4; charset=utf-8", body },
  };
}

const get = (path: string, handle: Route["handle"]): Route => ({
  method: "GET",
  path,
  mutating: false,
  bodyLimit: 0,
  accepts: [],
  handle,
});
const post = (path: string, handle: Route["handle"], limit = SMALL_BODY_LIMIT): Route => ({
  method: "POST",
  path,
  mutating: true,
  bodyLimit: limit,
  accepts: limit === ENQUEUE_BODY_LIMIT ? NDJSON_TYPES : JSON_TYPES,
  handle,
});

const BATCH = "/api/v1/batch";

/** The original PlayProof batch routes (issue 12), plus enqueue, health and metrics. */
export const ROUTES: readonly Route[] = [
  get("/healthz", async (ctx) =>
    ok({ status: "ok", version: packageVersion(), scheduler: ctx.scheduler.running() }),
  ),
  get("/metrics", metrics),
  get(`${BATCH}/stats`, stats),
  get(`${BATCH}/result/:sessionId`, async (ctx, req) =>
    ok(versioned(await ctx.queue.result(req.params.sessionId!))),
  ),
  get(`${BATCH}/scheduler/status`, async (ctx) => ok(ctx.scheduler.status())),
  post(`${BATCH}/enqueue`, enqueue, ENQUEUE_BODY_LIMIT),
  post(`${BATCH}/process`, processRoute),
  post(`${BATCH}/clear`, clearRoute),
  post(`${BATCH}/scheduler/start`, async (ctx, req) => {
    const o = jsonObject(req.body);
    return ok(await ctx.scheduler.start(o));
  }),
  post(`${BATCH}/scheduler/stop`, async (ctx) => ok(await ctx.scheduler.stop())),
];

/** The route for a path, with its parameters; `methods` lists the path's methods (for 405). */
export function matchRoute(
  method: string,
  path: string,
): { route?: Route; params: Record<string, string>; methods: string[] } {
  const parts = path.split("/");
  const methods: string[] = [];
  for (const route of ROUTES) {
    const pattern = route.path.split("/");
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const fits = pattern.every((seg, i) => {
      const part = parts[i]!;
      if (!seg.startsWith(":")) return seg === part;
      if (part === "") return false;
      try {
        params[seg.slice(1)] = decodeURIComponent(part);
      } catch {
        throw new HttpError(400, "BAD_PATH", `malformed percent-encoding in ${path}`);
      }
      return true;
    });
    if (!fits) continue;
    if (route.method === method || (method === "HEAD" && route.method === "GET"))
      return { route, params, methods };
    methods.push(route.method);
  }
  return { params: {}, methods };
}
