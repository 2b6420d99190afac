import type { QueueBackend } from "../queue/backend.js";
import type { SessionRecord } from "../queue/fold.js";
import { archivedResult, type ListedResult, listedResult, queueState } from "./result.js";

export { type ListedResult, RESULT_STATES, type ResultState } from "./result.js";

export interface ResultsFilter {
  states?: ReadonlySet<string>;
  decisions?: ReadonlySet<string>;
  sources?: ReadonlySet<string>;
  /** On the result's time: when it was scored or dead-lettered, else when it was enqueued. */
  since?: number;
  until?: number;
  ids?: ReadonlySet<string>;
  /** Also list the archive of sessions that left the queue (default true). */
  archive?: boolean;
}

function matches(r: ListedResult, f: ResultsFilter): boolean {
  if (f.states && !f.states.has(r.state)) return false;
  if (f.decisions && !f.decisions.has(r.result.decision)) return false;
  if (f.sources && !f.sources.has(r.result.source)) return false;
  const at = Date.parse(r.doneAt ?? r.enqueuedAt);
  if (f.since !== undefined && at < f.since) return false;
  return f.until === undefined || at < f.until;
}

/**
 * `results`: every result in the queue, then in the archive, that passes the filter, one at a
 * time (the fold is in memory already; payloads and archive lines are read as they go).
 */
export async function* listResults(
  store: QueueBackend,
  f: ResultsFilter,
  now: number,
): AsyncGenerator<ListedResult> {
  const keep = (rec: SessionRecord) =>
    (!f.ids || f.ids.has(rec.id)) && (!f.states || f.states.has(queueState(rec, now)));
  for await (const hit of store.sessions(keep)) {
    const r = listedResult(hit, now);
    if (matches(r, f)) yield r;
  }
  if (f.archive === false) return;
  for await (const a of store.readArchive()) {
    if (f.ids && !f.ids.has(a.sessionId)) continue;
    const r = archivedResult(a);
    if (matches(r, f)) yield r;
  }
}

/** CSV and table columns, in a stable order (issue 9): flat values only. */
export const RESULT_COLUMNS = [
  "sessionId",
  "state",
  "from",
  "decision",
  "anomalyScore",
  "isAnomaly",
  "confidence",
  "source",
  "modelId",
  "modelVersion",
  "reasons",
  "scoredAt",
  "enqueuedAt",
  "doneAt",
  "attempts",
  "lastError",
  "fallbackReason",
  "userId",
  "deploymentId",
  "gameType",
  "deviceType",
] as const;

export type ResultRow = Record<(typeof RESULT_COLUMNS)[number], string | number | boolean>;

export function resultRow(r: ListedResult): ResultRow {
  const res = r.result;
  return {
    sessionId: r.sessionId,
    state: r.state,
    from: r.from,
    decision: res.decision,
    anomalyScore: res.anomalyScore,
    isAnomaly: res.isAnomaly,
    confidence: res.confidence,
    source: res.source,
    modelId: res.model.id,
    modelVersion: res.model.version,
    reasons: res.reasons.join(";"),
    scoredAt: res.scoredAt,
    enqueuedAt: r.enqueuedAt,
    doneAt: r.doneAt ?? "",
    attempts: r.attempts,
    lastError: r.lastError ?? "",
    fallbackReason: res.fallbackReason ?? "",
    userId: r.meta.userId ?? "",
    deploymentId: r.meta.deploymentId ?? "",
    gameType: r.meta.gameType,
    deviceType: r.meta.deviceType,
  };
}
