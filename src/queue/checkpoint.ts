import { createHash } from "node:crypto";
import { type FileHandle, open, rename, rm } from "node:fs/promises";
import {
  assertLittleEndian,
  type CheckpointHeader,
  type ClaimsSection,
  COLUMN_NAMES,
  type JournalMark,
  MAGIC,
  MARK_BYTES,
  packTexts,
  type SectionName,
} from "./checkpoint-format.js";
import type { QueueState } from "./fold.js";
import { PRINT_BYTES } from "./print-set.js";

/** The checkpoint beside a queue file (issue 10): a cache, never the only copy of anything. */
export const checkpointPath = (queueFile: string) => `${queueFile}.checkpoint`;

/** The mark of the journal's first `end` bytes: its inode and a digest of both ends. */
export async function journalMark(fh: FileHandle, ino: number, end: number): Promise<JournalMark> {
  const digest = async (from: number) => {
    const buf = Buffer.alloc(Math.min(MARK_BYTES, end - from));
    await fh.read(buf, 0, buf.length, from);
    return createHash("sha256").update(buf).digest("hex");
  };
  return { ino, end, head: await digest(0), tail: await digest(Math.max(0, end - MARK_BYTES)) };
}

/** True when `mark` describes the first `mark.end` bytes of the journal open as `fh`. */
export async function markHolds(fh: FileHandle, ino: number, mark: JournalMark): Promise<boolean> {
  if (mark.ino !== ino || (await fh.stat()).size < mark.end) return false;
  const now = await journalMark(fh, ino, mark.end);
  return now.head === mark.head && now.tail === mark.tail;
}

/** Live slots sorted by id hash (ties by slot), as interleaved (hash, slot) pairs: radix sort. */
function sortedByHash(state: QueueState): Uint32Array {
  const t = state.sessions;
  const hashes = new Uint32Array(t.size);
  const slots = new Uint32Array(t.size);
  let n = 0;
  for (let slot = 0; slot < t.slots; slot++) {
    if (!t.cols.status[slot]) continue;
    hashes[n] = t.ids.hashAt(slot);
    slots[n++] = slot;
  }
  // Two stable passes of 16 bits: the low half into `pairs` (used as two columns), then the
  // high half back into interleaved pairs, without a second set of columns.
  const pairs = new Uint32Array(2 * n);
  const count = new Uint32Array(65537);
  const byLow = (i: number) => hashes[i]! & 0xffff;
  for (let i = 0; i < n; i++) count[byLow(i) + 1]!++;
  for (let d = 1; d <= 65536; d++) count[d]! += count[d - 1]!;
  for (let i = 0; i < n; i++) {
    const at = count[byLow(i)]!++;
    pairs[at] = hashes[i]!;
    pairs[n + at] = slots[i]!;
  }
  count.fill(0);
  for (let i = 0; i < n; i++) count[(pairs[i]! >>> 16) + 1]!++;
  for (let d = 1; d <= 65536; d++) count[d]! += count[d - 1]!;
  for (let i = 0; i < n; i++) {
    const at = count[pairs[i]! >>> 16]!++;
    hashes[at] = pairs[i]!;
    slots[at] = pairs[n + i]!;
  }
  for (let i = 0; i < n; i++) {
    pairs[2 * i] = hashes[i]!;
    pairs[2 * i + 1] = slots[i]!;
  }
  return pairs;
}

const bytesOf = (a: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** One section to write: its length up front (the header comes first), its bytes on demand. */
type Section = [SectionName, number, () => Iterable<Uint8Array> | AsyncIterable<Uint8Array>];

/**
 * The fingerprints a checkpoint keeps: the live slots that have one, in increasing order, and
 * their 64 bytes each in that order, produced a piece at a time (issue 10: a writer held every
 * fingerprint of the queue twice or three times over while it wrote them).
 */
export interface PrintsSection {
  slots: Uint32Array;
  bytes(): AsyncIterable<Uint8Array>;
}

/**
 * Writes the checkpoint of `state`, the fold of the journal's first `mark.end` bytes: a temp
 * file, fsynced, renamed over the old one, so a reader sees a whole checkpoint or the old one.
 * Sections are produced one after another (issue 10: at a million sessions, building them all
 * first doubled a writer's peak memory).
 */
export async function writeCheckpoint(
  file: string,
  state: QueueState,
  mark: JournalMark,
  /** Replay fingerprints of live sessions (issue 13: enqueue's index reads them from here). */
  prints: PrintsSection,
): Promise<void> {
  assertLittleEndian();
  const t = state.sessions;
  const n = t.slots;
  const ids = t.ids.raw();
  const errorSlots = Uint32Array.from([...t.errors.keys()].sort((a, b) => a - b));
  const errors = packTexts(Array.from(errorSlots, (slot) => t.errors.get(slot)!));
  const claims = Buffer.from(JSON.stringify([...t.claims] satisfies ClaimsSection));
  const one = (a: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }) => () => [
    bytesOf(a),
  ];
  const sections: Section[] = [
    ...COLUMN_NAMES.map((c): Section => {
      const col = t.cols[c].subarray(0, n);
      return [c, col.byteLength, one(col)];
    }),
    ["idBytes", ids.bytes.byteLength, one(ids.bytes)],
    ["idEnds", ids.ends.byteLength, one(ids.ends)],
    ["byHash", 8 * t.size, () => [bytesOf(sortedByHash(state))]],
    ["claims", claims.length, () => [claims]],
    ["errSlots", errorSlots.byteLength, one(errorSlots)],
    ["errEnds", errors.ends.byteLength, one(errors.ends)],
    ["errBytes", errors.bytes.length, () => [errors.bytes]],
    ["fpSlots", prints.slots.byteLength, one(prints.slots)],
    ["fpBytes", PRINT_BYTES * prints.slots.length, prints.bytes],
  ];
  const ranges = {} as CheckpointHeader["sections"];
  let offset = 0;
  for (const [name, length] of sections) {
    ranges[name] = [offset, length];
    offset += length;
  }
  const header: CheckpointHeader = {
    journal: mark,
    slots: n,
    live: t.size,
    lines: state.lines,
    superseded: state.superseded,
    totals: state.totals,
    ...(state.lastBatch ? { lastBatch: state.lastBatch } : {}),
    ...(state.lastSuccess ? { lastSuccess: state.lastSuccess } : {}),
    watchers: [...state.watchers.values()],
    ...(state.archive ? { archive: state.archive } : {}),
    sections: ranges,
  };
  const head = Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`);
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await open(tmp, "w", 0o600);
  try {
    await fh.write(head);
    for (const [name, length, produce] of sections) {
      let written = 0;
      for await (const part of produce()) {
        await fh.write(part);
        written += part.byteLength;
      }
      if (written !== length)
        throw new Error(`checkpoint section ${name}: ${written} of ${length} bytes`);
    }
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  await rename(tmp, file);
}

/** The header and where the sections start, or undefined for a missing or foreign file. */
export function parseCheckpointHead(
  buf: Buffer,
): { header: CheckpointHeader; base: number } | undefined {
  if (buf.subarray(0, MAGIC.length).toString("latin1") !== MAGIC) return undefined;
  const nl = buf.indexOf(0x0a, MAGIC.length);
  if (nl < 0) return undefined;
  try {
    return { header: JSON.parse(buf.toString("utf8", MAGIC.length, nl)), base: nl + 1 };
  } catch {
    return undefined;
  }
}
