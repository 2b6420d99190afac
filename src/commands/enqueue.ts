import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { CliError, ExitCode } from "../errors.js";
import type { SessionPayload } from "../queue/events.js";
import { type EnqueueItem, planEnqueue } from "../queue/plans.js";
import type { QueueStore } from "../queue/store.js";
import { heuristicResult } from "../scoring/heuristics.js";
import type { ScoreResult, Thresholds } from "../scoring/result.js";
import { extractFeatures } from "../telemetry/features.js";
import { formatRejection, readRecords } from "../telemetry/read-records.js";
import { parseSession, type Session, sessionIdHint } from "../telemetry/schema.js";

export interface EnqueueOptions {
  /** Files to read; none, or `-`, means stdin. */
  files: string[];
  stdin: Readable;
  store: QueueStore;
  thresholds: Thresholds;
  now: () => number;
  /** One message per rejected record, naming its line and field. */
  onRejected: (message: string) => void;
  onDuplicate?: (message: string) => void;
  /** Called once a session is durably queued (after fsync). */
  onAccepted?: (sessionId: string, provisional: ScoreResult) => void;
  /** Sessions per locked append; bigger amortises fsync, smaller reports sooner. */
  chunkSize?: number;
}

export interface EnqueueResult {
  read: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

interface Pending extends EnqueueItem {
  where: string;
}

/**
 * Streams records from each input, validates them, extracts features and a provisional heuristic
 * score, and appends them to the queue in chunks. A bad record is reported and skipped; it never
 * stops the records after it (design.md, "Input").
 */
export async function enqueue(opts: EnqueueOptions): Promise<EnqueueResult> {
  const result: EnqueueResult = { read: 0, accepted: 0, duplicates: 0, rejected: 0 };
  const chunkSize = opts.chunkSize ?? 2_000;
  let chunk: Pending[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const items = chunk;
    chunk = [];
    const { accepted, duplicates } = await opts.store
      .transact((state) => planEnqueue(state, items, opts.now()))
      .catch((err: unknown) => {
        throw new CliError(
          `could not append to ${opts.store.path}: ${(err as Error).message}; ` +
            `${result.accepted} sessions were queued before this, the ${items.length} read from ` +
            `${items[0]!.where} on were not (run the same input again: duplicates are ignored)`,
          ExitCode.runtime,
          { cause: err },
        );
      });
    result.accepted += accepted.length;
    result.duplicates += duplicates.length;
    if (opts.onDuplicate && duplicates.length > 0) {
      const dup = new Set(duplicates);
      for (const item of items) {
        if (dup.has(item.id))
          opts.onDuplicate(`${item.where} (${item.id}): already queued, ignored`);
      }
    }
    if (opts.onAccepted) {
      const byId = new Map(items.map((i) => [i.id, i.payload.provisional]));
      for (const id of accepted) opts.onAccepted(id, byId.get(id)!);
    }
  };
  const inputs = opts.files.length === 0 ? ["-"] : opts.files;
  for (const file of inputs) {
    const stream = file === "-" ? opts.stdin : createReadStream(file);
    const label = inputs.length > 1 || file !== "-" ? `${file === "-" ? "stdin" : file} ` : "";
    const records = readRecords(stream);
    for await (const rec of guardRead(records, file, flush)) {
      result.read++;
      const where = `${label}line ${rec.line}`;
      if ("error" in rec) {
        result.rejected++;
        opts.onRejected(`${label}${formatRejection(rec.line, rec.error)}`);
        continue;
      }
      const parsed = parseSession(rec.value);
      if (!parsed.ok) {
        result.rejected++;
        opts.onRejected(
          `${label}${formatRejection(rec.line, parsed.error, sessionIdHint(rec.value))}`,
        );
        continue;
      }
      chunk.push({ where, ...toItem(parsed.session, opts) });
      if (chunk.length >= chunkSize) await flush();
    }
  }
  await flush();
  return result;
}

function toItem(session: Session, opts: EnqueueOptions): EnqueueItem {
  const features = extractFeatures(session);
  const payload: SessionPayload = {
    features,
    meta: {
      ...(session.userId === undefined ? {} : { userId: session.userId }),
      ...(session.deploymentId === undefined ? {} : { deploymentId: session.deploymentId }),
      gameType: session.gameType,
      deviceType: session.deviceType,
    },
    provisional: heuristicResult(features, {
      thresholds: opts.thresholds,
      now: new Date(opts.now()),
    }),
  };
  return { id: session.sessionId, payload };
}

/** A file that cannot be read ends the run, after what was read from it is queued. */
async function* guardRead<T>(records: AsyncIterable<T>, file: string, flush: () => Promise<void>) {
  try {
    yield* records;
  } catch (err) {
    await flush();
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, ExitCode.runtime, {
      cause: err,
    });
  }
}
