import { type FileHandle, open, rename, rm, stat } from "node:fs/promises";
import {
  type ArchivePointer,
  type ArchiveRecord,
  type ArchiveSetting,
  appendArchive,
  archiveFileFor,
  fileSize,
  repairArchive,
} from "./archive.js";
import { type OutgoingEvent, parsePayload, type SessionPayload, serializeEvent } from "./events.js";
import type { QueueState, SessionRecord } from "./fold.js";
import { appendDurably, scanLines, syncDir } from "./journal-file.js";
import { appendQuarantine, type QuarantineEntry } from "./quarantine.js";

export interface CompactOptions {
  now: number;
  /** Scored and dead sessions older than this (since scoring) are dropped. */
  retentionMs: number;
  /** Sessions to drop whatever their age (`clear`). */
  drop?: (rec: SessionRecord) => boolean;
  /** Where leaving sessions are archived first; default beside the queue. */
  archive?: ArchiveSetting;
}

export interface CompactReport {
  bytesBefore: number;
  bytesAfter: number;
  kept: number;
  expired: number;
  quarantined: number;
  /** Sessions that left the journal: expired by retention or dropped by `clear`. */
  removed: number;
  /** Of those, how many were appended to the archive (0 when archiving is off). */
  archived: number;
  archiveFile?: string;
}

/** A session is kept unless it was finished longer than the retention period ago. */
export function isExpired(rec: SessionRecord, now: number, retentionMs: number): boolean {
  return rec.doneAt !== undefined && rec.doneAt + retentionMs <= now;
}

type Payload = Record<string, unknown>;

/**
 * Rewrites the journal as one snapshot line per kept session (write temp, fsync, rename, fsync
 * dir). Must run under the queue lock on a freshly folded `state`. Corrupt lines go to the
 * quarantine file first, and leaving sessions to the archive, so nothing leaves the journal
 * without a copy.
 */
export async function compactJournal(
  path: string,
  state: QueueState,
  opts: CompactOptions,
  /** Throws if the queue lock was lost: checked before each write. */
  stillHeld: () => void = () => undefined,
  fence: CarryOver = {},
): Promise<CompactReport> {
  // The journal being replaced, held open past the rename: lines a writer that had lost the lock
  // appended to it after our fold are carried into the new journal (carryOver).
  const old = await open(path, "r");
  try {
    return await compactOpen(path, state, opts, stillHeld, fence, old);
  } finally {
    await old.close();
  }
}

/**
 * Issue 10, fencing: the lock is a lease, and a writer starved past its stale time appends
 * without knowing it lost it. Such lines, appended to the journal a compaction is replacing after
 * the compaction's fold, would vanish with it; they are copied into the new journal instead.
 */
export interface CarryOver {
  /** Where the fold of `state` ended in the journal (default: where the compaction's read ended). */
  foldedEnd?: number;
  /** Told how many lines were carried over, when there were any. */
  onCarried?: (lines: number) => void;
}

async function compactOpen(
  path: string,
  state: QueueState,
  opts: CompactOptions,
  stillHeld: () => void,
  fence: CarryOver,
  old: FileHandle,
): Promise<CompactReport> {
  const leaving = (r: SessionRecord) =>
    isExpired(r, opts.now, opts.retentionMs) || (opts.drop?.(r) ?? false);
  const kept: SessionRecord[] = [];
  const gone: SessionRecord[] = [];
  for (const r of state.sessions.values()) (leaving(r) ? gone : kept).push(r);
  const archiveFile =
    gone.length > 0 ? archiveFileFor(path, opts.archive ?? {}, opts.now) : undefined;
  const wanted = new Set<number>();
  for (const rec of archiveFile ? [...kept, ...gone] : kept) {
    wanted.add(rec.ref);
    if (rec.resultRef !== undefined) wanted.add(rec.resultRef);
  }
  const { payloads, quarantine, bytesBefore } = await readPayloads(old, state, wanted);
  // Never drop a session because the fold and the file disagree (a payload not found where the
  // fold says it is): abort, change nothing, and let the store fold the file anew. Only a
  // corrupt payload (kept in quarantine) may leave a session out.
  const corrupt = new Set(quarantine.map((q) => q.offset));
  for (const rec of kept) {
    if (!payloads.has(rec.ref) && !corrupt.has(rec.ref))
      throw new Error(
        `${path}: compaction aborted, nothing changed: session ${rec.id}'s line is not at byte ${rec.ref} (the file changed under the fold)`,
      );
  }
  stillHeld();
  let archived = 0;
  let pointer = state.archive;
  /** Lines this compaction appended to the old journal itself: never carried over. */
  const own = new Set<string>();
  if (archiveFile) {
    const records = gone.flatMap((rec) => archiveRecord(rec, payloads, opts.now) ?? []);
    const mark = await archiveLeaving(
      path,
      bytesBefore,
      state.archive,
      archiveFile,
      opts.now,
      records,
    );
    pointer = mark.pointer;
    own.add(mark.line);
    archived = records.length;
  }
  const out: string[] = [
    serializeEvent({
      event: {
        t: "meta",
        at: opts.now,
        ...(pointer ? { archive: pointer } : {}),
        ...watchersKept(state, opts.now),
        lastBatch: state.lastBatch,
        lastSuccess: state.lastSuccess,
        totals: state.totals,
      },
    }),
  ];
  let written = 0;
  for (const rec of kept) {
    const line = snapshotLine(rec, payloads, opts.now);
    if (line) {
      out.push(line);
      written++;
    }
  }
  await appendQuarantine(path, quarantine);
  const text = out.join("");
  stillHeld();
  await replaceDurably(path, text);
  const carried = await carryOver(old, fence.foldedEnd ?? bytesBefore, path, own);
  if (carried > 0) fence.onCarried?.(carried);
  return {
    bytesBefore,
    bytesAfter: Buffer.byteLength(text),
    kept: written,
    expired: gone.filter((r) => isExpired(r, opts.now, opts.retentionMs)).length,
    quarantined: quarantine.length,
    removed: gone.length,
    archived,
    ...(archiveFile ? { archiveFile } : {}),
  };
}

async function readPayloads(src: FileHandle, state: QueueState, wanted: Set<number>) {
  const quarantine: QuarantineEntry[] = state.corrupt.map((c) => ({
    ...c,
    reason: "corrupt line",
  }));
  const payloads = new Map<number, Payload>();
  const scanned = await scanLines(src, 0, ({ text, offset }) => {
    if (!wanted.has(offset)) return;
    try {
      payloads.set(offset, parsePayload(text) as Payload);
    } catch {
      quarantine.push({ offset, reason: "corrupt payload", text });
    }
  });
  return { payloads, quarantine, bytesBefore: scanned.size };
}

/**
 * Records where the archive ends in the journal, then appends the leaving sessions to it. A
 * crash between the two leaves the journal whole and the pointer behind the new records, which
 * the next compaction cuts off before archiving the same sessions again.
 */
async function archiveLeaving(
  path: string,
  journalSize: number,
  last: ArchivePointer | undefined,
  file: string,
  now: number,
  records: ArchiveRecord[],
): Promise<{ pointer: ArchivePointer; line: string }> {
  await repairArchive(last);
  const size = await fileSize(file);
  const line = serializeEvent({ event: { t: "archiving", at: now, file, size } });
  await appendDurably(path, line, journalSize);
  return { pointer: { file, size: await appendArchive(file, records) }, line };
}

/**
 * Copies the whole lines `old` holds past `from`, but `own`, to the end of the journal now at
 * `path`; returns how many. A line still being written (no newline yet) is left: its writer
 * finds the journal replaced when its write is done (appendDurably) and reports it.
 */
async function carryOver(
  old: FileHandle,
  from: number,
  path: string,
  own: ReadonlySet<string>,
): Promise<number> {
  const lines: string[] = [];
  await scanLines(old, from, ({ text }) => {
    const line = `${text}\n`;
    if (!own.has(line)) lines.push(line);
  });
  if (lines.length === 0) return 0;
  await appendDurably(path, lines.join(""), (await stat(path)).size);
  return lines.length;
}

function archiveRecord(
  rec: SessionRecord,
  payloads: Map<number, Payload>,
  now: number,
): ArchiveRecord | undefined {
  const session = payloads.get(rec.ref) as unknown as SessionPayload | undefined;
  if (!session) return undefined;
  const result = rec.resultRef === undefined ? undefined : payloads.get(rec.resultRef)?.result;
  return {
    sessionId: rec.id,
    status: rec.status,
    enqueuedAt: rec.enqueuedAt,
    ...(rec.doneAt === undefined ? {} : { doneAt: rec.doneAt }),
    attempts: rec.attempts,
    ...(rec.lastError === undefined ? {} : { lastError: rec.lastError }),
    meta: session.meta,
    provisional: session.provisional,
    ...(result === undefined ? {} : { result: result as ArchiveRecord["result"] }),
    archivedAt: now,
  };
}

async function replaceDurably(path: string, text: string) {
  const tmp = `${path}.compact-${process.pid}`;
  const fh = await open(tmp, "w", 0o600);
  try {
    await fh.writeFile(text, "utf8");
    await fh.sync();
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await syncDir(path);
}

function snapshotLine(
  rec: SessionRecord,
  payloads: Map<number, Payload>,
  now: number,
): string | undefined {
  const session = payloads.get(rec.ref);
  if (!session) return undefined;
  const result = rec.resultRef === undefined ? undefined : payloads.get(rec.resultRef)?.result;
  const { ref: _r, resultRef: _rr, ...fields } = rec;
  // The whole session payload, not a list of its fields: a replay fingerprint (`fp`) and mark
  // (`replayOf`) dropped here let a replay pass after a compaction (issue 13's guarantee).
  const { result: _old, ...sessionFields } = session;
  const event: OutgoingEvent = {
    event: { t: "snapshot", at: now, ...fields },
    payload: { ...sessionFields, ...(result === undefined ? {} : { result }) },
  };
  return serializeEvent(event);
}

/** A watcher silent for a week was killed long ago: compaction forgets it. */
const FORGET_WATCHER_MS = 7 * 24 * 3_600_000;

function watchersKept(state: QueueState, now: number) {
  const kept = [...state.watchers.values()].filter((w) => w.lastCheck > now - FORGET_WATCHER_MS);
  return kept.length > 0 ? { watchers: kept } : {};
}
