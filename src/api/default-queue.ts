import type { ScoreResult } from "../scoring/result.js";
import { mapped } from "./errors.js";
import { openQueue, type Queue } from "./queue.js";
import type { ScoreSessionOptions, ScoreSessionResult } from "./score-session.js";

/** A queue handle, a path, or undefined for the configured queue (PLAYPROOF_QUEUE, config). */
export type QueueRef = Queue | string | undefined;

const opened = new Map<string, Promise<Queue>>();

/** One handle per path for the module-level functions, opened on first use. */
function queueFor(ref: QueueRef): Promise<Queue> {
  if (ref !== undefined && typeof ref !== "string") return Promise.resolve(ref);
  const key = ref ?? "";
  let q = opened.get(key);
  if (!q) {
    q = openQueue(ref);
    q.catch(() => opened.delete(key));
    opened.set(key, q);
  }
  return q;
}

/**
 * PlayProof's `scoreSession(telemetry, { useBatch })` (issue 12): on the queue named by
 * `options.queue`, else the configured one.
 */
export async function scoreSession(
  telemetry: unknown,
  options: ScoreSessionOptions & { queue?: QueueRef } = {},
): Promise<ScoreSessionResult> {
  const { queue, ...rest } = options;
  return (await queueFor(queue)).scoreSession(telemetry, rest);
}

/** PlayProof's `getSessionResult(id)`: the batch verdict, or null while there is none. */
export async function getSessionResult(
  sessionId: string,
  options: { queue?: QueueRef } = {},
): Promise<ScoreResult | null> {
  return (await queueFor(options.queue)).getSessionResult(sessionId);
}

/** Closes the handles the module-level functions opened. */
export async function closeQueues(): Promise<void> {
  const all = [...opened.values()];
  opened.clear();
  await mapped(async () => {
    for (const q of all) await (await q.catch(() => undefined))?.close();
  });
}
