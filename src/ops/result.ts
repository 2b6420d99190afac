import { CliError, ExitCode } from "../errors.js";
import type { ArchiveRecord } from "../queue/archive.js";
import type { FoundResult, QueueBackend } from "../queue/backend.js";
import type { SessionMeta, SessionStatus } from "../queue/events.js";
import { isDue, type SessionRecord } from "../queue/fold.js";
import type { ScoreResult } from "../scoring/result.js";

export interface SessionResult {
  sessionId: string;
  status: SessionStatus;
  /** True while the result is the provisional heuristic one. */
  provisional: boolean;
  result: ScoreResult;
  attempts: number;
  lastError?: string;
  enqueuedAt: string;
  /** When the final result was recorded (scored or dead-lettered). */
  doneAt?: string;
  meta: SessionMeta;
  /** Where it was found: the queue, or the archive of sessions that left it (issue 9). */
  from: "queue" | "archive";
}

/** Where a session stands: in the queue by its fold, or `removed` (archived unfinished). */
export const RESULT_STATES = ["scored", "dead", "due", "in-flight", "waiting", "removed"] as const;
export type ResultState = (typeof RESULT_STATES)[number];

export interface ListedResult extends SessionResult {
  state: ResultState;
}

export function queueState(rec: SessionRecord, now: number): ResultState {
  if (rec.status === "scored" || rec.status === "dead") return rec.status;
  if (isDue(rec, now)) return "due";
  return rec.status === "claimed" ? "in-flight" : "waiting";
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A found session as `result --json` shows it. */
export function listedResult(
  { rec, payload, result: final }: FoundResult,
  now: number,
): ListedResult {
  return {
    sessionId: rec.id,
    status: rec.status,
    provisional: final === undefined,
    result: final ?? payload.provisional,
    attempts: rec.attempts,
    ...(rec.lastError === undefined ? {} : { lastError: rec.lastError }),
    enqueuedAt: iso(rec.enqueuedAt),
    ...(rec.doneAt === undefined ? {} : { doneAt: iso(rec.doneAt) }),
    meta: payload.meta,
    from: "queue",
    state: queueState(rec, now),
  };
}

export function archivedResult(a: ArchiveRecord): ListedResult {
  return {
    sessionId: a.sessionId,
    status: a.status,
    provisional: a.result === undefined,
    result: a.result ?? a.provisional,
    attempts: a.attempts,
    ...(a.lastError === undefined ? {} : { lastError: a.lastError }),
    enqueuedAt: iso(a.enqueuedAt),
    ...(a.doneAt === undefined ? {} : { doneAt: iso(a.doneAt) }),
    meta: a.meta,
    from: "archive",
    state: a.status === "scored" || a.status === "dead" ? a.status : "removed",
  };
}

/** Up to this many ids are found one by one; more, and the backend finds them together. */
const FEW = 16;

/**
 * Results of many sessions in one pass: from the queue, else the latest archived record (a
 * session can be enqueued again after it left). Unknown ids map to undefined.
 */
export async function lookupResults(
  store: QueueBackend,
  ids: string[],
  now: number,
): Promise<Map<string, ListedResult | undefined>> {
  const found = new Map<string, ListedResult | undefined>();
  const missing = new Set<string>();
  if (ids.length <= FEW) {
    // Issue 10: a few ids are looked up one by one (off the checkpoint, when the store has one).
    for (const id of ids) {
      if (found.has(id)) continue;
      const hit = await store.find(id);
      if (hit) found.set(id, listedResult(hit, now));
      else missing.add(id);
    }
  } else {
    const hits = await store.findMany(ids);
    for (const id of ids) {
      const hit = hits.get(id);
      if (hit) found.set(id, listedResult(hit, now));
      else missing.add(id);
    }
  }
  if (missing.size > 0) {
    for await (const a of store.readArchive())
      if (missing.has(a.sessionId)) found.set(a.sessionId, archivedResult(a));
  }
  for (const id of missing) if (!found.has(id)) found.set(id, undefined);
  return found;
}

/** The current result of one session: final once scored (or dead-lettered), else provisional. */
export async function result(
  store: QueueBackend,
  sessionId: string,
  now: number,
): Promise<ListedResult> {
  const r = (await lookupResults(store, [sessionId], now)).get(sessionId);
  if (!r) {
    throw new CliError(
      `unknown session: ${sessionId} (not in ${store.path} nor its archive)`,
      ExitCode.unknownSession,
    );
  }
  return r;
}
