import type { FileHandle } from "node:fs/promises";
import type { CheckpointReader } from "./checkpoint-read.js";
import { columnChunks } from "./checkpoint-read.js";
import { parseHeader, type QueueEvent } from "./events.js";
import { applyEvent, type Claim, emptyState, type QueueState, type SessionRecord } from "./fold.js";
import { type JournalLine, NEWLINE, scanLines } from "./journal-file.js";
import { arrayColumn } from "./lazy-column.js";
import { type ColumnArrays, STATUSES } from "./session-table.js";
import { countRows, emptyCounts, type QueueSummary, summarize } from "./summary.js";

/** Rows of columns read at a time by `stats`: memory stays flat whatever the queue's size. */
const CHUNK_ROWS = 64 * 1024;

/**
 * Beyond this many sessions touched by the journal's tail, `stats` loads the whole checkpoint
 * instead (their records would outweigh it). Writers keep tails short (store.ts).
 */
export const MAX_TAIL_SESSIONS = 100_000;

/** The state a reader starts the tail from: the checkpoint's queue-wide facts, no sessions. */
function tailState(reader: CheckpointReader): QueueState {
  const { header } = reader;
  const state = emptyState();
  state.totals = structuredClone(header.totals);
  state.lastBatch = header.lastBatch;
  state.lastSuccess = header.lastSuccess;
  state.watchers = new Map(header.watchers.map((w) => [w.id, w]));
  state.archive = header.archive;
  state.lines = header.lines;
  state.superseded = header.superseded;
  return state;
}

function sessionIds(e: QueueEvent): string[] {
  switch (e.t) {
    case "enqueue":
    case "result":
    case "dead":
    case "snapshot":
      return [e.id];
    case "claim":
    case "renew":
    case "retry":
    case "release":
    case "remove":
      return e.ids;
    default:
      return [];
  }
}

/**
 * `stats` from a checkpoint (issue 10): the sessions the journal's tail touches are read one by
 * one and folded with the tail; every other session is counted straight off the columns,
 * streamed in chunks. Undefined when the tail touches too many sessions for that to pay.
 */
export async function summarizeFromCheckpoint(
  reader: CheckpointReader,
  journal: FileHandle,
  now: number,
): Promise<QueueSummary | undefined> {
  const state = tailState(reader);
  const tail: { event: QueueEvent; offset: number }[] = [];
  const touched = new Set<string>();
  await scanLines(journal, reader.header.journal.end, ({ text, offset }) => {
    state.lines++;
    const event = parseHeader(text);
    if (!event) state.corrupt.push({ line: state.lines, offset, text });
    else {
      tail.push({ event, offset });
      for (const id of sessionIds(event)) touched.add(id);
    }
  });
  if (touched.size > MAX_TAIL_SESSIONS) return undefined;
  const claims = await reader.claims();
  const { slots } = reader.header;
  // The sessions the tail touches: found at once, read as the columns stream by, counted after
  // the tail is folded onto them; every other session is counted straight off the columns.
  const idOfSlot = new Map<number, string>();
  if (touched.size > 0)
    for (const [id, slot] of await reader.slotsOf(touched)) idOfSlot.set(slot, id);
  const skip = new Uint8Array(idOfSlot.size > 0 ? slots : 0);
  for (const slot of idOfSlot.keys()) skip[slot] = 1;
  const errors = idOfSlot.size > 0 ? await reader.errorsOf(idOfSlot.keys()) : new Map();
  const counts = emptyCounts();
  const chunkAt = columnChunks(reader, CHUNK_ROWS);
  for (let from = 0; from < slots; from += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, slots - from);
    const chunk = await chunkAt(from, rows);
    const counted = {
      ...chunk,
      enqueuedAt: arrayColumn(chunk.enqueuedAt),
      attempts: arrayColumn(chunk.attempts),
      notBefore: arrayColumn(chunk.notBefore),
    };
    countRows(counts, counted, claims, rows, now, from, idOfSlot.size > 0 ? skip : undefined);
    for (let i = 0; i < rows && idOfSlot.size > 0; i++) {
      const id = skip[from + i] ? idOfSlot.get(from + i) : undefined;
      if (id === undefined) continue;
      const rec = rowRecord(chunk, i, id, claims.get(from + i), errors.get(from + i));
      state.sessions.set(rec);
    }
  }
  for (const { event, offset } of tail) if (!applyEvent(state, event, offset)) state.superseded++;
  return summarize(state, now, counts);
}

/** Row `i` of a chunk of columns as a session record (with its claim and last error). */
function rowRecord(
  cols: ColumnArrays,
  i: number,
  id: string,
  claim: Claim | undefined,
  lastError: string | undefined,
): SessionRecord {
  const rec: SessionRecord = {
    id,
    status: STATUSES[cols.status[i]! - 1]!,
    enqueuedAt: cols.enqueuedAt[i]!,
    attempts: cols.attempts[i]!,
    notBefore: cols.notBefore[i]!,
    ref: cols.ref[i]!,
  };
  if (claim) rec.claim = claim;
  if (!Number.isNaN(cols.doneAt[i]!)) rec.doneAt = cols.doneAt[i]!;
  if (lastError !== undefined) rec.lastError = lastError;
  if (cols.resultRef[i]! >= 0) rec.resultRef = cols.resultRef[i]!;
  return rec;
}

/**
 * One session as the checkpoint and the journal's tail have it (issue 10: `result ID` at a
 * million sessions): a binary search for the id, then only the tail lines that name it, found
 * by a byte search, are parsed and folded.
 */
export async function findInCheckpoint(
  reader: CheckpointReader,
  journal: FileHandle,
  id: string,
): Promise<SessionRecord | undefined> {
  const state = emptyState();
  const slot = await reader.slotOf(id);
  if (slot >= 0) state.sessions.set(await reader.recordAt(slot, id, await reader.claims()));
  const needle = Buffer.from(JSON.stringify(id));
  await scanLinesWith(journal, reader.header.journal.end, needle, ({ text, offset }) => {
    const event = parseHeader(text);
    if (event) applyEvent(state, event, offset);
  });
  return state.sessions.get(id);
}

/** Like scanLines, but only the complete lines that contain `needle` are decoded. */
export async function scanLinesWith(
  fh: FileHandle,
  start: number,
  needle: Buffer,
  onLine: (line: JournalLine) => void,
): Promise<void> {
  const { size } = await fh.stat();
  const CHUNK = 1 << 20;
  let carry = Buffer.alloc(0);
  let carryStart = start;
  for (let pos = start; pos < size; ) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, size - pos));
    const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
    if (bytesRead === 0) break;
    pos += bytesRead;
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk;
    const bufStart = carryStart;
    const complete = buf.lastIndexOf(NEWLINE, carry.length + bytesRead - 1) + 1;
    for (let hit = buf.indexOf(needle); hit >= 0 && hit < complete; ) {
      const from = hit === 0 ? 0 : buf.lastIndexOf(NEWLINE, hit - 1) + 1;
      const to = buf.indexOf(NEWLINE, hit);
      onLine({ text: buf.toString("utf8", from, to), offset: bufStart + from });
      hit = buf.indexOf(needle, to + 1);
    }
    carry = Buffer.from(buf.subarray(complete, carry.length + bytesRead));
    carryStart = bufStart + complete;
  }
}
