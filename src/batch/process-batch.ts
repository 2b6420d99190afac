import { ServiceError } from "../errors.js";
import type { QueueBackend, Settlement } from "../queue/backend.js";
import type { BatchOutcome } from "../queue/events.js";
import type { SessionRecord } from "../queue/fold.js";
import type { BatchRecord } from "../queue/plans.js";
import { hashString, seededRandom } from "../scoring/random.js";
import type { ScoreResult, Thresholds } from "../scoring/result.js";
import type { BatchRow } from "./csv.js";
import type { ScoringEngine } from "./engine.js";
import { DEFAULT_RETRY_BACKOFF, type RetryBackoffOptions, retryDelay } from "./retry-backoff.js";

export interface BatchDeps {
  store: QueueBackend;
  engine: ScoringEngine;
  /** Scores dead-lettered sessions (source `fallback`): the local engine. */
  fallback: ScoringEngine;
  thresholds: Thresholds;
  attempts: number;
  leaseMs: number;
  owner: string;
  now: () => number;
  backoff?: RetryBackoffOptions;
  signal?: AbortSignal;
}

/** What happened to the sessions of one batch, or of a whole run. */
export interface SessionCounts {
  sessions: number;
  scored: number;
  retried: number;
  dead: number;
  /** Results dropped because another processor had taken the sessions over (lease expired). */
  lost: number;
}

export interface BatchReport extends SessionCounts {
  batch: string;
  outcome: BatchOutcome;
  durationMs: number;
  /** Earliest time a retried session is due again. */
  retryAt?: number;
  jobId?: string;
  /** Set when the engine failed; `retryable` tells whether the run may go on. */
  error?: Error;
  /** The service said the upload was too large: the caller halves the batch size. */
  split?: boolean;
}

let counter = 0;
const newBatchId = (now: number, owner: string) =>
  `b-${now.toString(36)}-${owner.replace(/[^\w.-]/g, "_")}-${(counter++).toString(36)}`;

/**
 * Claims up to `size` due sessions under a lease, scores them, and records the outcome
 * (design.md, "Processing a batch"). Returns undefined when nothing is due.
 */
export async function processOneBatch(
  deps: BatchDeps,
  size: number,
): Promise<BatchReport | undefined> {
  const { store, now } = deps;
  const started = now();
  const batch = newBatchId(started, deps.owner);
  const taken = await store.claim({
    now: started,
    max: size,
    leaseMs: deps.leaseMs,
    owner: deps.owner,
    batch,
  });
  if (taken.length === 0) return undefined;
  const claimed = taken.map((t) => t.rec);
  const ids = claimed.map((r) => r.id);
  const base = { batch, sessions: ids.length, scored: 0, retried: 0, dead: 0, lost: 0 };
  const renew = setInterval(
    () => {
      store.renew(batch, ids, now(), deps.leaseMs).catch(() => undefined);
    },
    // Three renewals per lease: a live batch keeps its claim even with a short --lease.
    Math.max(100, deps.leaseMs / 3),
  );
  renew.unref();
  // Read once, at claim time: a dead-lettered session's fallback scores these same rows.
  const rows: BatchRow[] = taken.map((t) => t.payload);
  const c: Claimed = { batch, claimed, rows, started, base, retriedCalls: {} };
  try {
    const answer = await deps.engine.score(rows, {
      thresholds: deps.thresholds,
      now,
      ...(deps.signal ? { signal: deps.signal } : {}),
      onRetriedCall: (status) => {
        c.retriedCalls[status] = (c.retriedCalls[status] ?? 0) + 1;
      },
    });
    if (answer.results.length !== rows.length) {
      throw new ServiceError(`engine answered ${answer.results.length} rows for ${rows.length}`, {
        retryable: true,
        kind: "id-mismatch",
      });
    }
    const items = ids.map((id, i) => ({ id, result: answer.results[i]! }));
    const done = await settle(
      deps,
      batch,
      { results: items },
      {
        outcome: "scored",
        ...timing(started, now, ids.length, deps.engine.name, c.retriedCalls),
      },
    );
    return {
      ...base,
      outcome: "scored",
      scored: done.recorded.length,
      lost: done.lost.length,
      durationMs: now() - started,
      ...(answer.jobId ? { jobId: answer.jobId } : {}),
    };
  } catch (err) {
    return await onFailure(deps, c, err as Error);
  } finally {
    clearInterval(renew);
  }
}

function timing(
  started: number,
  now: () => number,
  sessions: number,
  engine: string,
  retriedCalls: Record<string, number>,
) {
  // Issue 14: calls retried in place, by status, counted apart from failed attempts.
  const retried = Object.keys(retriedCalls).length > 0 ? { retriedCalls } : {};
  return { sessions, durationMs: now() - started, engine, ...retried };
}

type BatchSummary = Omit<BatchRecord, "batch">;

/** Records the batch's outcome and its `batch` record in one step (one locked, fsynced write). */
function settle(
  deps: BatchDeps,
  batch: string,
  outcome: Pick<Settlement, "results" | "retries" | "release">,
  record: BatchSummary,
  now = deps.now(),
) {
  return deps.store.settle({ batch, now, ...outcome, record });
}

interface Claimed {
  batch: string;
  claimed: SessionRecord[];
  started: number;
  base: Omit<BatchReport, "outcome" | "durationMs">;
  /** The claimed sessions' rows, in claim order. */
  rows: BatchRow[];
  /** Calls the engine retried in place during this batch, by status (issue 14). */
  retriedCalls: Record<string, number>;
}

async function onFailure(deps: BatchDeps, c: Claimed, err: Error): Promise<BatchReport> {
  const service = err instanceof ServiceError ? err : undefined;
  if (deps.signal?.aborted) return release(deps, c, err, "released", "interrupted");
  if (service?.kind === "too-large" && c.claimed.length > 1) {
    const split = await release(deps, c, err, "released", "too large: splitting", service.kind);
    return { ...split, split: true };
  }
  if (service?.kind === "unreachable") {
    // Not the batch's fault (issue 9): a wrong base URL or a network outage must not burn
    // attempts until sessions are dead-lettered. They wait; the run stops with exit 69.
    return release(deps, c, err, "failed", `${service.kind}: ${err.message}`, service.kind);
  }
  if (!service?.retryable) {
    // Nothing burned: the sessions are due again at once (design.md, non-retryable failures).
    return release(
      deps,
      c,
      err,
      "failed",
      service ? `${service.kind}: ${err.message}` : err.message,
      service?.kind ?? "error",
    );
  }
  return retryOrDeadLetter(deps, c, service);
}

async function release(
  deps: BatchDeps,
  c: Claimed,
  err: Error,
  outcome: BatchOutcome,
  reason: string,
  /** What failed, for the failures metric; none for an interruption (not a failure). */
  kind?: string,
): Promise<BatchReport> {
  const ids = c.claimed.map((r) => r.id);
  await settle(
    deps,
    c.batch,
    { release: { ids, reason } },
    {
      outcome,
      message: reason,
      ...(kind ? { kind } : {}),
      ...timing(c.started, deps.now, ids.length, deps.engine.name, c.retriedCalls),
    },
  );
  return { ...c.base, outcome, durationMs: deps.now() - c.started, error: err };
}

async function retryOrDeadLetter(
  deps: BatchDeps,
  c: Claimed,
  err: ServiceError,
): Promise<BatchReport> {
  const { now } = deps;
  const t = now();
  const exhausted = c.claimed.filter((r) => r.attempts + 1 >= deps.attempts);
  const again = c.claimed.filter((r) => r.attempts + 1 < deps.attempts);
  const reason = `${err.kind}: ${err.message}`;
  const fallback = exhausted.length > 0 ? await fallbackResults(deps, c, exhausted, reason) : [];
  const draw = seededRandom(hashString(c.batch));
  const byAttempt = new Map<number, string[]>();
  for (const r of again)
    byAttempt.set(r.attempts + 1, [...(byAttempt.get(r.attempts + 1) ?? []), r.id]);
  const retries = [...byAttempt].map(([attempt, ids]) => ({
    ids,
    notBefore:
      t + retryDelay(attempt, draw(), deps.backoff ?? DEFAULT_RETRY_BACKOFF, err.retryAfterMs),
  }));
  const value = await settle(
    deps,
    c.batch,
    { results: fallback, retries: retries.map((r) => ({ ...r, reason })) },
    {
      outcome: again.length > 0 ? "retry" : "dead",
      message: reason,
      kind: err.kind,
      ...timing(c.started, now, c.claimed.length, deps.engine.name, c.retriedCalls),
    },
    t,
  );
  const retryAt = retries.length > 0 ? Math.min(...retries.map((r) => r.notBefore)) : undefined;
  return {
    ...c.base,
    outcome: again.length > 0 ? "retry" : "dead",
    retried: value.retried.length,
    dead: value.recorded.length,
    durationMs: now() - c.started,
    error: err,
    ...(retryAt === undefined ? {} : { retryAt }),
  };
}

async function fallbackResults(deps: BatchDeps, c: Claimed, recs: SessionRecord[], reason: string) {
  const rows = recs.map((r) => c.rows[c.claimed.indexOf(r)]!);
  const answer = await deps.fallback.score(rows, { thresholds: deps.thresholds, now: deps.now });
  return recs.map((r, i) => {
    const result: ScoreResult = {
      ...answer.results[i]!,
      source: "fallback",
      fallbackReason: `gave up after ${deps.attempts} attempts: ${reason}`,
    };
    return { id: r.id, result, dead: reason };
  });
}
