import { prepareRecord } from "../ops/enqueue-prepare.js";
import type { ScoreResult } from "../scoring/result.js";
import { type RawText, readRecordTexts } from "../telemetry/read-records.js";
import { inputStream } from "./enqueue-input.js";
import { InputRejectedError } from "./errors.js";
import type { Queue } from "./queue.js";

export interface ScoreSessionOptions {
  /** Queue the session for the batch verdict (as PlayProof's `scoreSession(t, { useBatch })`). */
  useBatch?: boolean;
}

export interface ScoreSessionResult {
  sessionId: string;
  /** The batch verdict when there is one already, else the heuristic one (`source: heuristic`). */
  result: ScoreResult;
  provisional: boolean;
  /** useBatch: the session is in the queue (now, or already: `duplicate`). */
  queued: boolean;
  duplicate: boolean;
}

/**
 * PlayProof's `scoreSession` (issue 12): the heuristic verdict at once; with `useBatch` the
 * session is also queued (idempotently) and, when a batch already scored it, its batch verdict
 * is returned instead, as the original did. Validation is enqueue's: a rejected session throws
 * InputRejectedError with the CLI's message.
 */
export async function scoreWith(
  queue: Queue,
  telemetry: unknown,
  o: ScoreSessionOptions = {},
): Promise<ScoreSessionResult> {
  if (!o.useBatch) {
    const { settings, now } = queue.internals;
    // The reader too, not JSON.parse alone: its size cap applies as it does to enqueue.
    let raw: RawText = { line: 1, error: "no session" };
    for await (const r of readRecordTexts(inputStream([telemetry]))) raw = r;
    const p = prepareRecord(raw, { thresholds: settings.thresholds, now: now() });
    if ("rejection" in p) throw new InputRejectedError(p.rejection);
    return {
      sessionId: p.id,
      result: p.payload.provisional,
      provisional: true,
      queued: false,
      duplicate: false,
    };
  }
  const report = await queue.enqueue([telemetry]);
  const rejected = report.records.rejected[0];
  if (rejected) throw new InputRejectedError(rejected.message);
  const accepted = report.records.accepted[0];
  if (accepted) {
    const { sessionId, provisional } = accepted;
    return { sessionId, result: provisional, provisional: true, queued: true, duplicate: false };
  }
  const sessionId = report.records.duplicates[0]!;
  const current = await queue.result(sessionId);
  return {
    sessionId,
    result: current.result,
    provisional: current.provisional,
    queued: true,
    duplicate: true,
  };
}
