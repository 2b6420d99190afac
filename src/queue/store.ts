import { type FileHandle, mkdir, open, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { decodeFingerprint } from "../scoring/replay-fingerprint.js";
import type { ScoreResult } from "../scoring/result.js";
import { type ArchiveRecord, type ArchiveSetting, archiveFiles, readArchive } from "./archive.js";
import { checkpointPath, journalMark, type PrintsSection, writeCheckpoint } from "./checkpoint.js";
import { findInCheckpoint, summarizeFromCheckpoint } from "./checkpoint-query.js";
import { type CheckpointReader, loadCheckpoint, openCheckpoint } from "./checkpoint-read.js";
import { type CompactOptions, type CompactReport, compactJournal } from "./compact.js";
import {
  LINE_END,
  type OutgoingEvent,
  parseHeader,
  parsePayload,
  type SessionPayload,
  serializeParts,
} from "./events.js";
import { applyEvent, emptyState, type QueueState, type SessionRecord } from "./fold.js";
import { type IdBase, openIdBase } from "./id-base.js";
import {
  appendDurably,
  NEWLINE,
  readLineAt,
  scanLines,
  syncDir,
  truncateDurably,
} from "./journal-file.js";
import { withQueueLock } from "./lock.js";
import { createPrintSet, createSlotList, PRINT_BYTES } from "./print-set.js";
import { appendQuarantine, quarantinePath } from "./quarantine.js";
import { resolveQueuePath } from "./real-path.js";
import { type QueueSummary, summarize } from "./summary.js";

export interface QueueStoreOptions {
  path: string;
  now?: () => number;
  /** Where sessions leaving the journal are archived first (default: beside the queue). */
  archive?: ArchiveSetting;
  /** Told about repairs and corrupt lines; never silent (design.md, "The queue file"). */
  warn?: (message: string) => void;
  /**
   * Issue 10: write the checkpoint (a cache of the fold, `<queue>.checkpoint`) once this many
   * journal bytes lie past it. Infinity: never. Default 16 MiB.
   */
  checkpointBytes?: number;
}

export const DEFAULT_CHECKPOINT_BYTES = 16 * 1024 * 1024;

/** Fingerprints written (or handed out) a chunk at a time: 64 KiB, and their slots. */
const SOURCE_CHUNK = 1_024;

/** A run that read this many payloads for fingerprints writes a checkpoint when it closes. */
const PRINT_READS_WORTH_A_CHECKPOINT = 1_000;

export interface QueueStore {
  readonly path: string;
  /** The real file behind `path` (symbolic links followed, even to a file not yet created). */
  resolvePath(): Promise<string>;
  /** Folds lines appended since the last call (or everything after a compaction). No lock. */
  refresh(): Promise<QueueState>;
  /** Under the queue lock: refresh, repair, let `plan` choose events, append and fsync them. */
  transact<T>(plan: (state: QueueState) => { events: OutgoingEvent[]; value: T }): Promise<T>;
  /** Rewrites the journal without superseded events and expired results (under the lock). */
  compact(opts: CompactOptions): Promise<CompactReport>;
  /**
   * Reads a session's payload (or final result) by its id: `rec` may come from an older fold,
   * so its offsets are not trusted (issue 8: a compaction moves every line).
   */
  readSession(rec: Pick<SessionRecord, "id">): Promise<SessionPayload>;
  readResult(rec: Pick<SessionRecord, "id">): Promise<ScoreResult | undefined>;
  /**
   * `stats`' numbers. A store that has not folded the journal yet reads them off the checkpoint
   * (issue 10), streaming, when it has one; otherwise from the fold.
   */
  summary(now: number): Promise<QueueSummary>;
  /**
   * One session with its payload and final result (issue 10: `result ID` reads the checkpoint
   * and the lines of the tail that name it, not the whole journal). Undefined: not in the queue.
   */
  find(id: string): Promise<FoundSession | undefined>;
  /** Streams the archive of sessions that left this queue, oldest month first. */
  readArchive(): AsyncGenerator<ArchiveRecord>;
  /** Every queued session's replay fingerprint (issue 13), by id, in queue order. */
  fingerprints(): Promise<[string, Int8Array][]>;
  /**
   * From now on, a session this store appends or folds whose fingerprint `holder` already keeps
   * (the same 64 bytes, by id) is not copied into the store: its checkpoint reads it from the
   * holder (issue 10: enqueue's replay index and the store each kept every new print).
   */
  sharePrints(holder: PrintHolder): void;
  close(): Promise<void>;
}

/** Keeps replay fingerprints by id, and never changes one it has given out. */
export interface PrintHolder {
  printOf(id: string): Int8Array | undefined;
}

export interface FoundSession {
  rec: SessionRecord;
  payload: SessionPayload;
  result?: ScoreResult;
}

export function openQueueStore(opts: QueueStoreOptions): QueueStore {
  const { path } = opts;
  const archive = opts.archive ?? {};
  /** The real file behind `path`, resolved under each lock; `path` stays for messages. */
  let file = path;
  const warn = opts.warn ?? (() => undefined);
  const now = opts.now ?? Date.now;
  let fh: FileHandle | undefined;
  let ino = -1;
  let state = emptyState();
  let end = 0;
  let size = 0;
  const checkpointBytes = opts.checkpointBytes ?? DEFAULT_CHECKPOINT_BYTES;
  /** Where the checkpoint of the open file ends (0: none known). */
  let checkpointEnd = 0;

  async function reopenIfReplaced(): Promise<void> {
    const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return undefined;
      throw err;
    });
    if (st && st.ino === ino && fh) return;
    await fh?.close();
    fh = st ? await open(path, "r") : undefined;
    ino = st ? (await fh!.stat()).ino : -1;
    state = emptyState();
    end = 0;
    size = 0;
    checkpointEnd = 0;
    forgetPrints(0);
    if (fh && checkpointBytes !== Number.POSITIVE_INFINITY) await restoreCheckpoint(fh);
  }

  /** Starts from the checkpoint when it folds this very file: only the tail is left to read. */
  async function restoreCheckpoint(handle: FileHandle): Promise<void> {
    file = await resolveQueuePath(path);
    const loaded = await loadCheckpoint(checkpointPath(file), handle, ino).catch(() => undefined);
    if (!loaded) return;
    state = loaded.state;
    end = checkpointEnd = loaded.end;
    forgetPrints(state.sessions.slots);
  }

  /**
   * Writes the checkpoint when `minTail` bytes were folded past the last one. A cache: a failure
   * (a read-only directory, a full disk) costs the next reader time, never a session, so it is
   * not an error. Runs inside `exclusive`, so the state is the fold of exactly `end` bytes.
   */
  async function maybeCheckpoint(minTail: number): Promise<void> {
    if (!fh || end - checkpointEnd < minTail || end === 0 || state.corrupt.length > 0) return;
    try {
      const at = end;
      const mark = await journalMark(fh, ino, at);
      const written = await withLivePrints((prints) =>
        writeCheckpoint(checkpointPath(file), state, mark, prints),
      );
      checkpointEnd = at;
      // Those prints are in the checkpoint now: the next one reads them from there.
      forgetPrints(state.sessions.slots);
      // And so are the ids (issue 10): read from there from now on, not held.
      let base: IdBase | undefined;
      try {
        base = openIdBase(written.fd, written.ids, written.index);
        state.sessions.ids.rebase(base);
      } catch {
        base?.close(); // the ids stay in memory: a cache missed, nothing lost
      }
    } catch {
      checkpointEnd = end; // do not retry on every transaction
    }
  }

  /**
   * Replay fingerprints of every session this store folded or appended itself (slots from
   * `knownFrom` on; those before came from a checkpoint): a checkpoint takes them from here, so
   * no payload is read back for them (issues 10 and 13 at scale).
   */
  let knownPrints = createPrintSet();
  let knownFrom = 0;
  /** Slots from `knownFrom` on whose print `holder` keeps (theirs, checked byte for byte). */
  let heldPrints = createSlotList();
  let holder: PrintHolder | undefined;
  /** The largest slot in knownPrints or heldPrints. */
  let lastKnown = -1;
  function forgetPrints(from: number) {
    knownPrints = createPrintSet();
    heldPrints = createSlotList();
    knownFrom = from;
    lastKnown = -1;
  }
  function knowPrint(id: string, fp: Int8Array | undefined) {
    const slot = state.sessions.slotOf(id);
    if (!fp || slot <= lastKnown) return;
    lastKnown = slot;
    const held = holder?.printOf(id);
    if (held && samePrint(held, fp)) heldPrints.add(slot);
    else knownPrints.add(slot, fp);
  }

  /**
   * The fingerprint of every live session, by slot, for `use`: from the checkpoint of this file
   * when it has one and from the lines this store folded or appended, so enqueue no longer reads
   * every queued payload to build its replay index. The checkpoint's are read again as they are
   * used, not held (issue 10: a writer held every fingerprint two or three times over while it
   * wrote a checkpoint): the old checkpoint stays open until `use` is done.
   */
  async function withLivePrints<T>(use: (prints: PrintsSection) => Promise<T>): Promise<T> {
    const reader = fh && (await openCheckpoint(checkpointPath(file), fh, ino));
    try {
      // Payloads read for their print (rare): read once, though each pass asks for them.
      const read = new Map<number, Int8Array>();
      let count = 0;
      for await (const chunk of printSources(reader, read)) count += chunk.slots.length;
      async function* slots(): AsyncIterable<Uint8Array> {
        for await (const chunk of printSources(reader, read))
          yield new Uint8Array(chunk.slots.buffer, chunk.slots.byteOffset, chunk.slots.byteLength);
      }
      async function* bytes(): AsyncIterable<Uint8Array> {
        const buffer = new Uint8Array(SOURCE_CHUNK * PRINT_BYTES);
        for await (const { slots, where } of printSources(reader, read)) {
          const chunk = buffer.subarray(0, slots.length * PRINT_BYTES);
          for (let k = 0; k < slots.length; ) {
            const from = where[k]!;
            let run = 1;
            if (from >= 0 && reader) {
              // A run of consecutive rows of the old checkpoint, read at once.
              while (k + run < slots.length && where[k + run] === from + run) run++;
              const into = chunk.subarray(k * PRINT_BYTES, (k + run) * PRINT_BYTES);
              const got = await reader.rows("fpBytes", from, run, PRINT_BYTES, into);
              if (got.length !== into.length) throw new Error("checkpoint fingerprints are short");
            } else {
              const slot = slots[k]!;
              const fp =
                from === -1
                  ? knownPrints.get(slot)!
                  : from === -3
                    ? heldPrint(slot)
                    : read.get(slot)!;
              chunk.set(new Uint8Array(fp.buffer, fp.byteOffset, PRINT_BYTES), k * PRINT_BYTES);
            }
            k += run;
          }
          yield chunk;
        }
      }
      return await use({ count, slots, bytes });
    } finally {
      await reader?.close();
    }
  }

  /**
   * The live slots that have a fingerprint, in slot order, and where each one is: a row of the
   * old checkpoint's fpBytes (>= 0), this store's own (-1), read from its payload now (-2, kept
   * in `read`), or the holder's (-3). A chunk of SOURCE_CHUNK at a time in reused arrays (valid
   * until the next), the old checkpoint's slots read a chunk at a time too (issue 10: held
   * whole, with the slots and sources of the whole queue, they put 12 MB on top of the final
   * checkpoint of a 1M drain). Each pass gives the same chunks while the fold does not change.
   */
  async function* printSources(
    reader: CheckpointReader | undefined,
    read: Map<number, Int8Array>,
  ): AsyncGenerator<{ slots: Uint32Array; where: Int32Array }> {
    const { sessions } = state;
    const prints = reader?.header.sections.fpSlots;
    const priorCount = prints ? prints[1] / 4 : 0;
    const priorSlots = prints ? reader!.header.slots : 0;
    // The old checkpoint's slots [priorFrom, priorFrom + prior.length): the chunk read last.
    const priorBuffer = new Uint32Array(SOURCE_CHUNK);
    let prior = priorBuffer.subarray(0, 0);
    let priorFrom = 0;
    async function loadPrior(row: number) {
      priorFrom = row;
      prior = priorBuffer.subarray(0, Math.min(SOURCE_CHUNK, priorCount - row));
      const into = new Uint8Array(prior.buffer, 0, prior.byteLength);
      const got = await reader!.rows("fpSlots", row, prior.length, 4, into);
      if (got.length !== into.length) throw new Error("checkpoint fingerprint slots are short");
    }
    const slots = new Uint32Array(SOURCE_CHUNK);
    const where = new Int32Array(SOURCE_CHUNK);
    let count = 0;
    let row = 0;
    for (let slot = 0; slot < sessions.slots; slot++) {
      if (!sessions.cols.status[slot]) continue;
      let from: number | undefined;
      if (slot < priorSlots) {
        for (; row < priorCount; row++) {
          if (row - priorFrom >= prior.length) await loadPrior(row);
          const at = prior[row - priorFrom]!;
          if (at === slot) from = row;
          if (at >= slot) break;
        }
      } else if (slot >= knownFrom) {
        if (knownPrints.get(slot)) from = -1;
        else if (heldPrints.has(slot)) from = -3;
      } else if (fh) {
        // Between a checkpoint older than the one this store started from and that one: rare.
        const fp = read.get(slot) ?? (await printOfPayload(fh, slot));
        if (fp) {
          read.set(slot, fp);
          from = -2;
        }
      }
      if (from === undefined) continue;
      slots[count] = slot;
      where[count++] = from;
      if (count === SOURCE_CHUNK) {
        yield { slots, where };
        count = 0;
      }
    }
    if (count > 0) yield { slots: slots.subarray(0, count), where: where.subarray(0, count) };
  }

  function heldPrint(slot: number): Int8Array {
    const fp = holder?.printOf(state.sessions.idAt(slot));
    if (!fp) throw new Error("a shared fingerprint is gone"); // the checkpoint is not written
    return fp;
  }

  /** Payloads read for fingerprints: many, and the next checkpoint should save the next run that. */
  let printReads = 0;

  async function printOfPayload(handle: FileHandle, slot: number) {
    printReads++;
    const id = state.sessions.idAt(slot);
    const payload = await verifiedPayload(
      handle,
      state.sessions.cols.ref.get(slot),
      id,
      path,
    ).catch(() => undefined);
    return printOfText(payload);
  }

  // One fold at a time in this process: a payload read that refreshes must not interleave with
  // a transaction's append-then-apply (a lease renewal runs beside the batch it renews).
  let turn: Promise<unknown> = Promise.resolve();
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = turn.then(fn, fn);
    turn = run.catch(() => undefined);
    return run;
  }

  async function refresh(): Promise<QueueState> {
    await reopenIfReplaced();
    if (!fh) return state;
    const scanned = await scanLines(fh, end, ({ text, offset }) => {
      state.lines++;
      const event = parseHeader(text);
      if (!event) state.corrupt.push({ line: state.lines, offset, text });
      else if (!applyEvent(state, event, offset)) state.superseded++;
      else if (event.t === "enqueue" || event.t === "snapshot") knowPrint(event.id, printIn(text));
    });
    end = scanned.end;
    size = scanned.size;
    return state;
  }

  /** A tail without a newline, seen under the lock, was left by a writer that died mid-line. */
  async function repairTornTail(): Promise<void> {
    if (!fh || size <= end) return;
    // Only the file just folded, as it was folded: a truncate at a stale offset would cut a line.
    const current = await stat(file).catch(() => undefined);
    if (current?.ino !== ino || current.size !== size) return;
    const tail = await readLineAt(fh, end);
    await appendQuarantine(file, [{ offset: end, reason: "torn last line", text: tail }]);
    await truncateDurably(file, end);
    warn(
      `repaired ${path}: dropped a torn last line of ${size - end} bytes (kept in ${quarantinePath(file)})`,
    );
    size = end;
  }

  async function compactLocked(opts: CompactOptions): Promise<CompactReport> {
    if (!fh) {
      const none = { bytesBefore: 0, bytesAfter: 0, kept: 0, expired: 0, quarantined: 0 };
      return { ...none, removed: 0, archived: 0 };
    }
    let report: CompactReport;
    try {
      report = await compactJournal(
        file,
        state,
        { ...opts, archive: opts.archive ?? archive },
        stillHeld,
        {
          foldedEnd: end,
          onCarried: (lines) =>
            warn(
              `${path}: carried ${lines} line(s) into the compacted journal that another process appended after this one took the lock (it had lost the lock while starved)`,
            ),
        },
      );
    } catch (err) {
      ino = -1; // fold the file anew next time: the state may not match it
      throw err;
    }
    if (report.quarantined > 0) {
      warn(`${path}: moved ${report.quarantined} corrupt line(s) to ${quarantinePath(file)}`);
    }
    await refresh();
    return report;
  }

  /** Throws when the lock this store holds was lost (set while a locked section runs). */
  let stillHeld: () => void = () => undefined;

  async function locked<T>(fn: (s: QueueState) => Promise<T>): Promise<T> {
    // Lock and rewrite the file itself, not a link to it (issue 8: two paths to one file
    // must exclude each other, and a compaction must not turn a symlink into a copy).
    file = await resolveQueuePath(path);
    await mkdir(dirname(file), { recursive: true });
    return withQueueLock(file, async (assertHeld) => {
      stillHeld = assertHeld;
      await refresh();
      await repairTornTail();
      // A corrupt line is quarantined by the first writer that sees it (design.md).
      if (state.corrupt.length > 0) await compactLocked({ now: now(), retentionMs: Infinity });
      const value = await fn(state);
      assertHeld();
      return value;
    });
  }

  async function transact<T>(plan: (s: QueueState) => { events: OutgoingEvent[]; value: T }) {
    return locked(async (s) => {
      const { events, value } = plan(s);
      if (events.length === 0) return value;
      const created = !fh;
      const { buffer: lines, bytes } = encodeEvents(events);
      // A lock lost to a stale takeover (a holder starved past the stale time) must not write.
      stillHeld();
      const folded = ino;
      const sizeAfter = await appendDurably(file, lines, end);
      if (created) await syncDir(file);
      await reopenIfReplaced();
      // The file was created or replaced meanwhile (reopenIfReplaced started afresh), or someone
      // else appended between our fold and our append (a writer that had lost the lock while
      // starved, issue 10): our offsets are not its offsets. Fold it anew (our lines are in it)
      // instead of applying the events at a guessed offset.
      const replaced = ino !== folded;
      if (replaced || sizeAfter !== bytes.reduce((at, n) => at + n, end)) {
        if (!replaced) ino = -1;
        await refresh();
        return value;
      }
      let offset = end;
      for (const [i, { event, payload }] of events.entries()) {
        state.lines++;
        if (!applyEvent(state, event, offset)) state.superseded++;
        else if (event.t === "enqueue") knowPrint(event.id, printOfText(payload));
        offset += bytes[i]!;
      }
      end = size = offset;
      return value;
    });
  }

  /**
   * The payload of `id`'s session line (or result line), resolved in the current fold. A line
   * is used only if it starts at a line boundary and its header names `id`; otherwise the file
   * changed under us (replaced by a compaction), so fold again and retry.
   */
  async function payloadOf(id: string, which: "session" | "result") {
    let failure: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      // Fold first when this store has not seen the session (a fresh store, a newer session).
      if (attempt > 0 || !state.sessions.has(id)) await exclusive(refresh);
      const handle = fh;
      const rec = state.sessions.get(id);
      if (!handle || !rec) continue;
      const offset = which === "session" ? rec.ref : rec.resultRef;
      if (offset === undefined) return undefined;
      try {
        const payload = await verifiedPayload(handle, offset, id, path);
        if (payload) return payload;
      } catch (err) {
        failure = err; // e.g. the handle was closed by a concurrent reopen
      }
    }
    throw new Error(`${path}: cannot read the record of session ${id}`, { cause: failure });
  }

  /** Runs `fn` on this journal's checkpoint if it has a valid one; else undefined. */
  async function viaCheckpoint<T>(
    fn: (reader: CheckpointReader, journal: FileHandle) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    if (ino !== -1 || checkpointBytes === Number.POSITIVE_INFINITY) return undefined; // folded
    const journal = await open(path, "r").catch(() => undefined);
    if (!journal) return undefined;
    try {
      const real = await resolveQueuePath(path);
      const reader = await openCheckpoint(
        checkpointPath(real),
        journal,
        (await journal.stat()).ino,
      );
      if (!reader) return undefined;
      try {
        return await fn(reader, journal);
      } finally {
        await reader.close();
      }
    } finally {
      await journal.close();
    }
  }

  async function findFolded(id: string): Promise<FoundSession | undefined> {
    const rec = (await exclusive(refresh)).sessions.get(id);
    if (!rec) return undefined;
    const payload = (await payloadOf(id, "session")) as unknown as SessionPayload | undefined;
    if (!payload) throw new Error(`${path}: session ${id} has no payload`);
    const done = rec.status === "scored" || rec.status === "dead";
    const result = done ? (await payloadOf(id, "result"))?.result : undefined;
    return { rec, payload, ...(result ? { result: result as ScoreResult } : {}) };
  }

  return {
    path,
    resolvePath: async () => (file = await resolveQueuePath(path)),
    refresh: () => exclusive(refresh),
    transact: (plan) =>
      exclusive(async () => {
        const value = await transact(plan);
        // Past a quarter of the journal, too: a long-running writer keeps readers' tails short.
        await maybeCheckpoint(Math.max(checkpointBytes, end / 4));
        return value;
      }),
    compact: (o) => exclusive(() => locked(() => compactLocked(o))),
    readSession: async (rec) => {
      const payload = await payloadOf(rec.id, "session");
      if (!payload) throw new Error(`${path}: session ${rec.id} has no payload`);
      return payload as unknown as SessionPayload;
    },
    readResult: async (rec) => {
      return (await payloadOf(rec.id, "result"))?.result as ScoreResult | undefined;
    },
    summary: async (now) =>
      (await viaCheckpoint((r, j) => summarizeFromCheckpoint(r, j, now))) ??
      summarize(await exclusive(refresh), now),
    find: async (id) => {
      const viaCk = await viaCheckpoint(async (reader, journal) => {
        const rec = await findInCheckpoint(reader, journal, id);
        if (!rec) return { found: undefined };
        const payload = await verifiedPayload(journal, rec.ref, id, path);
        const done = rec.status === "scored" || rec.status === "dead";
        const final =
          done && rec.resultRef !== undefined
            ? await verifiedPayload(journal, rec.resultRef, id, path)
            : undefined;
        if (!payload || (done && !final)) return undefined; // the file moved on: fold instead
        const found: FoundSession = { rec, payload: payload as unknown as SessionPayload };
        if (final?.result) found.result = final.result as ScoreResult;
        return { found };
      });
      return viaCk ? viaCk.found : findFolded(id);
    },
    fingerprints: () =>
      exclusive(async () => {
        await refresh();
        return withLivePrints(async (prints) => {
          const ids: string[] = [];
          for await (const chunk of prints.slots()) {
            const slots = new Uint32Array(chunk.buffer, chunk.byteOffset, chunk.length / 4);
            for (const slot of slots) ids.push(state.sessions.idAt(slot));
          }
          const out: [string, Int8Array][] = [];
          for await (const reused of prints.bytes()) {
            const chunk = reused.slice(); // kept: the next chunk reuses the buffer
            for (let at = 0; at < chunk.length; at += PRINT_BYTES) {
              const fp = new Int8Array(chunk.buffer, chunk.byteOffset + at, PRINT_BYTES);
              out.push([ids[out.length]!, fp]);
            }
          }
          return out;
        });
      }),
    sharePrints(h) {
      holder = h;
    },
    readArchive: async function* () {
      yield* readArchive(await archiveFiles(await resolveQueuePath(path), archive));
    },
    close: () =>
      exclusive(async () => {
        await maybeCheckpoint(printReads > PRINT_READS_WORTH_A_CHECKPOINT ? 0 : checkpointBytes);
        state.sessions.ids.close();
        await fh?.close();
        fh = undefined;
      }),
  };
}

/** The decoded `fp` of a payload object, if it has one. */
function samePrint(a: Int8Array, b: Int8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function printOfText(payload: unknown): Int8Array | undefined {
  const text = (payload as SessionPayload | undefined)?.fp;
  return text === undefined ? undefined : decodeFingerprint(text);
}

const FP_KEY = '"fp":"';

/**
 * The fingerprint in a session line, found without parsing the payload: the last `"fp":"` of
 * the line is the payload's key (a `"` inside a JSON string is escaped, and no other object in
 * a payload has that key); anything unexpected parses the payload instead.
 */
export function printIn(line: string): Int8Array | undefined {
  const at = line.lastIndexOf(FP_KEY);
  if (at < 0) return undefined;
  const from = at + FP_KEY.length;
  const to = line.indexOf('"', from);
  const fp = to > from ? decodeFingerprint(line.slice(from, to)) : undefined;
  if (fp) return fp;
  try {
    return printOfText(parsePayload(line));
  } catch {
    return undefined;
  }
}

/**
 * The payload of the line at `offset`, if that line starts at a line boundary and its header
 * names `id`; undefined otherwise (the file changed: the caller folds again).
 */
async function verifiedPayload(handle: FileHandle, offset: number, id: string, path: string) {
  if (offset > 0) {
    const before = Buffer.alloc(1);
    await handle.read(before, 0, 1, offset - 1);
    if (before[0] !== NEWLINE) return undefined;
  }
  const line = await readLineAt(handle, offset);
  const header = parseHeader(line);
  if (!header || !("id" in header) || header.id !== id) return undefined;
  try {
    return parsePayload(line) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${path}: corrupt record at byte ${offset}`, { cause: err });
  }
}

/**
 * The events' lines as one buffer of UTF-8, and each line's length in bytes (issue 10: joining a
 * chunk's lines into one string copied every payload once more on the main thread, and writing
 * that string encoded it into a buffer of its own anyway; each payload is now measured and
 * encoded where it lies, next to its header).
 */
function encodeEvents(events: readonly OutgoingEvent[]): { buffer: Buffer; bytes: number[] } {
  const parts = events.map(serializeParts);
  const end = Buffer.byteLength(LINE_END);
  const bytes = parts.map(([head, body]) =>
    body === undefined
      ? Buffer.byteLength(head)
      : Buffer.byteLength(head) + Buffer.byteLength(body) + end,
  );
  const buffer = Buffer.allocUnsafe(bytes.reduce((sum, n) => sum + n, 0));
  let at = 0;
  for (const [head, body] of parts) {
    at += buffer.write(head, at, "utf8");
    if (body === undefined) continue;
    at += buffer.write(body, at, "utf8");
    at += buffer.write(LINE_END, at, "latin1");
  }
  return { buffer, bytes };
}
