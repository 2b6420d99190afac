import { CliError, ExitCode } from "../errors.js";
import type { SessionMeta, SessionStatus } from "../queue/events.js";
import type { QueueStore } from "../queue/store.js";
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
  meta: SessionMeta;
}

/** The current result of one session: final once scored (or dead-lettered), else provisional. */
export async function result(store: QueueStore, sessionId: string): Promise<SessionResult> {
  const state = await store.refresh();
  const rec = state.sessions.get(sessionId);
  if (!rec) {
    throw new CliError(
      `unknown session: ${sessionId} (not in ${store.path})`,
      ExitCode.unknownSession,
    );
  }
  const payload = await store.readSession(rec);
  const final = await store.readResult(rec);
  return {
    sessionId,
    status: rec.status,
    provisional: final === undefined,
    result: final ?? payload.provisional,
    attempts: rec.attempts,
    ...(rec.lastError === undefined ? {} : { lastError: rec.lastError }),
    enqueuedAt: new Date(rec.enqueuedAt).toISOString(),
    meta: payload.meta,
  };
}
