import type { QueueBackend, StoredSession } from "../queue/backend.js";
import type { SessionStatus } from "../queue/events.js";

export interface MigrateReport {
  /** Sessions read from the source queue. */
  read: number;
  /** Copied into the target (0 on a dry run). */
  copied: number;
  /** Already in the target, left alone (a second run copies only what is new). */
  present: number;
  /** The sessions read, by their status in the source (claimed ones arrive queued). */
  byStatus: Record<SessionStatus, number>;
}

/** Sessions per import step: each is one atomic, durable step on the target. */
const CHUNK = 500;

/**
 * `migrate` (issue 11): copies every session of one queue into another, state and all: queued
 * ones keep their attempts and backoff, scored and dead ones their final result, a claimed one
 * arrives queued. Idempotent: run it again after the switch to take what was enqueued to the
 * old queue meanwhile. The source is not changed.
 */
export async function migrate(
  from: QueueBackend,
  to: QueueBackend,
  o: { now: () => number; dryRun?: boolean; onChunk?: (r: MigrateReport) => void },
): Promise<MigrateReport> {
  const r: MigrateReport = {
    read: 0,
    copied: 0,
    present: 0,
    byStatus: { queued: 0, claimed: 0, scored: 0, dead: 0 },
  };
  let chunk: StoredSession[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const taken = chunk;
    chunk = [];
    if (o.dryRun) return;
    const { accepted, duplicates } = await to.import(taken, o.now());
    r.copied += accepted.length;
    r.present += duplicates.length;
    o.onChunk?.(r);
  };
  for await (const s of from.sessions()) {
    r.read++;
    r.byStatus[s.rec.status]++;
    chunk.push(s);
    if (chunk.length >= CHUNK) await flush();
  }
  await flush();
  return r;
}
