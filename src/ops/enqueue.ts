import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { CliError, ExitCode, exitCodeFor } from "../errors.js";
import type { QueueBackend } from "../queue/backend.js";
import type { EnqueueItem } from "../queue/plans.js";
import type { ScoreResult, Thresholds } from "../scoring/result.js";
import { type RawText, readRecordTextBatches } from "../telemetry/read-records.js";
import { type Prepared, payloadFromText, prepareRecord } from "./enqueue-prepare.js";
import { createReplayCheck, type ReplayCheck } from "./enqueue-replay.js";
import { createPreparePool, type PreparePool, workersAvailable } from "./prepare-pool.js";

export interface EnqueueOptions {
  /** Files to read; none, or `-`, means stdin. */
  files: string[];
  stdin: Readable;
  store: QueueBackend;
  thresholds: Thresholds;
  now: () => number;
  /** One message per rejected record, naming its line and field (and the line, issue 12). */
  onRejected: (message: string, line: number) => void;
  onDuplicate?: (message: string, sessionId: string) => void;
  /** Called once a session is durably queued (after fsync). */
  onAccepted?: (sessionId: string, provisional: ScoreResult) => void;
  /** Sessions per locked append; bigger amortises fsync, smaller reports sooner. */
  chunkSize?: number;
  /** Worker threads for parsing and features once the input is more than one group; 0: inline. */
  workers?: number;
  /**
   * Once aborted (stdout's reader went away, issue 9), no more input is read and nothing more is
   * appended: the chunks appended so far stay whole, and the result says how many.
   */
  stop?: AbortSignal;
  /**
   * The replay check to use (issue 12: a long-lived queue handle keeps one across calls instead
   * of reading every queued payload again per call); default: a fresh one for this run.
   */
  replays?: ReplayCheck;
  /**
   * Appends accepted sessions durably (default: one locked, fsynced transaction per chunk). A
   * long-lived queue handle groups concurrent calls' chunks into one append (issue 12).
   */
  append?: (items: EnqueueItem[]) => Promise<{ accepted: string[]; duplicates: string[] }>;
  /** Given, at the start, a probe of how far the run is (issue 9: a progress line on a TTY). */
  progress?: (probe: () => EnqueueProgressCounts) => void;
}

export interface EnqueueProgressCounts {
  /** Records read off the input (some may still be on their way to the queue). */
  read: number;
  accepted: number;
  rejected: number;
  /** Input bytes read (as stored: compressed for gzip input). */
  bytes: number;
}

export interface EnqueueResult {
  read: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** The run stopped early on `stop`: the rest of the input was not read. */
  stopped?: boolean;
}

interface Pending extends EnqueueItem {
  where: string;
}

const GROUP = 128;
/** Workers start when the input reaches this record: fewer are prepared inline at once. */
const WORKERS_FROM = 64;

/**
 * Streams records from each input, validates them, extracts features and a provisional heuristic
 * score, and appends them to the queue in chunks. A bad record is reported and skipped; it never
 * stops the records after it (design.md, "Input"). Records keep their input order.
 */
export async function enqueue(opts: EnqueueOptions): Promise<EnqueueResult> {
  const result: EnqueueResult = { read: 0, accepted: 0, duplicates: 0, rejected: 0 };
  const appender = createAppender(opts, result);
  let pool: PreparePool | undefined;
  const useWorkers = opts.workers !== undefined && opts.workers > 0 && workersAvailable();
  const prepare = (records: RawText[]): Promise<Prepared[]> => {
    const options = { thresholds: opts.thresholds, now: opts.now() };
    // Inline until the workers have started (issue 13: they start at record WORKERS_FROM and
    // take 50-100 ms to load): a small input never pays for them, and the main thread prepares
    // while they load.
    if (!pool?.ready) return Promise.resolve(records.map((r) => prepareRecord(r, options)));
    return pool.submit(records, options);
  };
  const inFlight: { label: string; prepared: Promise<Prepared[]> }[] = [];
  let bytesBefore = 0;
  let reading: { bytesRead?: number } | undefined;
  let recordsRead = 0;
  opts.progress?.(() => ({
    read: recordsRead,
    accepted: result.accepted,
    rejected: result.rejected,
    bytes: bytesBefore + (reading?.bytesRead ?? 0),
  }));
  const drainOne = async () => {
    const next = inFlight.shift();
    if (next) await appender.take(next.label, await next.prepared);
  };
  const stopped = () => opts.stop?.aborted === true;
  try {
    const inputs = opts.files.length === 0 ? ["-"] : opts.files;
    for (const file of inputs) {
      const label = inputs.length > 1 || file !== "-" ? `${file === "-" ? "stdin" : file} ` : "";
      let group: RawText[] = [];
      const stream = openInput(opts, file);
      reading = stream;
      // Issue 10: the records a chunk of input completes come as one array.
      for await (const batch of guardRead(stream, file, drainAll)) {
        for (const rec of batch) {
          if (stopped()) break;
          recordsRead++;
          if (recordsRead === WORKERS_FROM && useWorkers)
            pool ??= createPreparePool(opts.workers ?? 0);
          group.push(rec);
          if ("error" in rec) {
            // Said now, not when a group fills up: the reader reports a line over the size cap
            // as soon as it reaches the cap, and that line may never end (issue 8).
            // Only the messages: the accepted records still wait for a full chunk to be appended.
            inFlight.push({ label, prepared: prepare(group) });
            group = [];
            while (inFlight.length > 0) await drainOne();
            continue;
          }
          if (group.length < GROUP) continue;
          inFlight.push({ label, prepared: prepare(group) });
          group = [];
          while (inFlight.length > 2 * (opts.workers ?? 1)) await drainOne();
        }
        if (stopped()) break;
      }
      bytesBefore += stream.bytesRead ?? 0;
      reading = undefined;
      if (stopped()) break;
      if (group.length > 0) inFlight.push({ label, prepared: prepare(group) });
    }
    if (stopped()) {
      // What was prepared but not appended is dropped with the rest of the input.
      await Promise.allSettled(inFlight.map((i) => i.prepared));
      await appender.appended(); // a chunk being appended is appended whole
      return { ...result, stopped: true };
    }
    await drainAll();
    await appender.flush();
    return result;
  } finally {
    await pool?.close();
  }

  async function drainAll() {
    while (inFlight.length > 0) await drainOne();
    await appender.flush();
  }
}

/** Collects prepared records, reports rejections, and appends accepted ones in locked chunks. */
function createAppender(opts: EnqueueOptions, result: EnqueueResult) {
  const chunkSize = opts.chunkSize ?? 2_000;
  let chunk: Pending[] = [];
  const replays = opts.replays ?? createReplayCheck(opts.store, opts.thresholds);
  const append = opts.append ?? ((items: EnqueueItem[]) => opts.store.enqueue(items, opts.now()));
  /**
   * The chunk being appended, if any (issue 13): a full chunk is appended while the next one is
   * read and prepared, so the workers never wait for the main thread's replay check, append and
   * fsync. One at a time, in order; after a failed append no later chunk is appended.
   */
  let appending: Promise<void> | undefined;
  function startAppend(): void {
    const items = chunk;
    chunk = [];
    const next = (appending ?? Promise.resolve()).then(() => appendChunk(items));
    next.catch(() => undefined); // the failure is thrown to whoever waits next: take or flush
    appending = next;
  }
  /** Appends what is collected and waits until every chunk is appended. */
  async function flush() {
    if (chunk.length > 0) startAppend();
    await appending;
  }
  async function appendChunk(items: Pending[]) {
    await replays.mark(items);
    const { accepted, duplicates } = await append(items).catch((err: unknown) => {
      throw new CliError(
        `could not append to ${opts.store.path}: ${(err as Error).message}; ` +
          `${result.accepted} sessions were queued before this, the ${items.length} read from ` +
          `${items[0]!.where} on were not (run the same input again: duplicates are ignored)`,
        exitCodeFor(err),
        { cause: err },
      );
    });
    result.accepted += accepted.length;
    result.duplicates += duplicates.length;
    // planEnqueue accepts the first of a repeated id and reports the later ones (issue 12:
    // per-record answers name each duplicate record once, never the accepted one).
    const firstAccepted = new Set(accepted);
    for (const item of items) {
      if (firstAccepted.delete(item.id)) {
        opts.onAccepted?.(item.id, item.payload.provisional);
      } else {
        opts.onDuplicate?.(`${item.where} (${item.id}): already queued, ignored`, item.id);
      }
    }
  }
  return {
    flush,
    /** Waits for the chunk being appended, if any, without starting another. */
    appended: async () => {
      await appending;
    },
    async take(label: string, prepared: Prepared[]) {
      for (const p of prepared) {
        result.read++;
        if ("rejection" in p) {
          result.rejected++;
          opts.onRejected(`${label}${p.rejection}`, p.line);
          continue;
        }
        if (!("payload" in p)) {
          chunk.push({
            id: p.id,
            payload: payloadFromText(p),
            text: p.text,
            where: `${label}line ${p.line}`,
          });
        } else {
          chunk.push({
            id: p.id,
            payload: p.payload,
            ...(p.text === undefined ? {} : { text: p.text }),
            where: `${label}line ${p.line}`,
          });
        }
        if (chunk.length >= chunkSize) {
          // At most one chunk appending while the next fills: memory stays two chunks.
          await appending;
          startAppend();
        }
      }
    },
  };
}

function openInput(opts: EnqueueOptions, file: string): Readable & { bytesRead?: number } {
  return file === "-" ? opts.stdin : createReadStream(file);
}

/** A file that cannot be read ends the run, after what was read before it is queued. */
async function* guardRead(stream: Readable, file: string, drain: () => Promise<void>) {
  try {
    yield* readRecordTextBatches(stream);
  } catch (err) {
    await drain();
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, ExitCode.runtime, {
      cause: err,
    });
  }
}
