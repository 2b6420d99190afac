import { createHash } from "node:crypto";
import { closeSync, openSync } from "node:fs";
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
import { type IdBaseLayout, type PairIndex, pairIndexBuilder } from "./id-base.js";
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

/** Pairs a chunk of sortedByHashChunks holds at most (1 MiB), unless one bucket holds more. */
export const HASH_CHUNK_PAIRS = 1 << 17;

/**
 * Live slots sorted by id hash (ties by slot), as interleaved (hash, slot) pairs, at most
 * `most` pairs a chunk, in one reused buffer (a chunk is valid until the next is asked for).
 * The ids of the table's base (the checkpoint it was loaded from or last wrote) are in that
 * checkpoint's index, sorted already: those pairs are read back a chunk at a time, the removed
 * sessions' left out, and merged with the ids added since (sortedTailChunks), whose slots all
 * come after the base's (so on equal hashes the base's come first). Issue 10: the hashes of a
 * checkpoint's ids are not held in memory (4 bytes a session of `process`).
 */
export function* sortedByHashChunks(
  state: QueueState,
  most = HASH_CHUNK_PAIRS,
): Generator<Uint32Array> {
  const t = state.sessions;
  const first = t.ids.baseCount;
  const tail = sortedTailChunks(state, first, most);
  if (first === 0) {
    yield* tail;
    return;
  }
  const { status } = t.cols;
  const out = new Uint32Array(2 * Math.max(1, Math.min(most, t.size)));
  let k = 0;
  /** Adds a pair; true when that filled the chunk. */
  const add = (hash: number, slot: number) => {
    out[k++] = hash;
    out[k++] = slot;
    return k === out.length;
  };
  // The tail's current chunk and its next pair; the hash is Infinity once the tail is done.
  let chunk = tail.next();
  let at = 0;
  const tailHash = () => (chunk.done ? Number.POSITIVE_INFINITY : chunk.value[at]!);
  const takeTail = () => {
    const full = add(chunk.value![at]!, chunk.value![at + 1]!);
    at += 2;
    if (at === chunk.value!.length) {
      chunk = tail.next();
      at = 0;
    }
    return full;
  };
  for (const pairs of t.ids.basePairs()) {
    for (let i = 0; i < pairs.length; i += 2) {
      const slot = pairs[i + 1]!;
      if (!status[slot]) continue;
      const hash = pairs[i]!;
      while (tailHash() < hash) {
        if (takeTail()) {
          yield out;
          k = 0;
        }
      }
      if (add(hash, slot)) {
        yield out;
        k = 0;
      }
    }
  }
  while (tailHash() !== Number.POSITIVE_INFINITY) {
    if (takeTail()) {
      yield out;
      k = 0;
    }
  }
  if (k > 0) yield out.subarray(0, k);
}

/**
 * The live slots from `from` on (the ids added since the base) sorted by id hash, ties by slot, in
 * chunks of at most `most` pairs (unless one bucket holds more), one reused buffer: a run of whole
 * buckets of the hash's top bits at a time. One counting pass by the top bits (about four slots a
 * bucket); then per chunk a scatter of its buckets' slots in slot order and each bucket sorted by
 * hash, stably, so equal hashes stay in slot order. Issue 10: two full radix passes held three sets
 * of columns at the final checkpoint, and then the whole index (8 bytes a session) was most of what
 * the final checkpoint of a 1M drain added to its peak. Each chunk scans every slot: a million
 * sessions cost eight scans. The fold must not change meanwhile (the store writes under its own
 * exclusion); if it does, the chunk's buckets do not come out as counted and this throws.
 */
function* sortedTailChunks(state: QueueState, from: number, most: number): Generator<Uint32Array> {
  const t = state.sessions;
  const { status } = t.cols;
  let live = 0;
  // Stryker disable next-line EqualityOperator: see below
  for (let slot = from; slot < t.slots; slot++) if (status[slot]) live++;
  // The bucket count and the rooms below change the speed only. Reading a slot past the last
  // (status undefined), a bucket past the last (starts undefined: NaN pairs) or a pair of a
  // bucket outside the chunk (no `next` entry: index NaN, which a typed array ignores) changes
  // nothing either: those mutants are equivalent.
  // Stryker disable next-line ArithmeticOperator: see above
  const bits = Math.min(24, Math.max(4, Math.ceil(Math.log2(live + 1)) - 2));
  const shift = 32 - bits;
  const buckets = 1 << bits;
  // starts[b]: where bucket b begins in the whole order.
  const starts = new Uint32Array(buckets + 1);
  // Stryker disable next-line EqualityOperator: see above
  for (let slot = from; slot < t.slots; slot++) {
    if (status[slot]) starts[(t.ids.hashAt(slot) >>> shift) + 1]!++;
  }
  for (let b = 1; b <= buckets; b++) starts[b]! += starts[b - 1]!;
  // Stryker disable next-line MethodExpression: see above
  let pairs = new Uint32Array(2 * Math.min(most, live));
  // Stryker disable next-line EqualityOperator: see above
  for (let first = 0; first < buckets; ) {
    // Buckets first..end-1: as many whole ones as fit in `most` pairs, and at least one.
    let end = first + 1;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
    while (end < buckets && starts[end + 1]! - starts[first]! <= most) end++;
    const base = starts[first]!;
    const count = starts[end]! - base;
    if (count > 0) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
      if (pairs.length < 2 * count) pairs = new Uint32Array(2 * count);
      // Where each bucket's next pair goes, relative to the chunk.
      const next = starts.slice(first, end).map((s) => s - base);
      // Stryker disable next-line EqualityOperator: see above
      for (let slot = from; slot < t.slots; slot++) {
        if (!status[slot]) continue;
        const hash = t.ids.hashAt(slot);
        const b = (hash >>> shift) - first;
        // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,ArithmeticOperator: see above
        if (b < 0 || b >= end - first) continue;
        const at = next[b]!++;
        pairs[2 * at] = hash;
        pairs[2 * at + 1] = slot;
      }
      for (let b = first; b < end; b++) {
        if (next[b - first] !== starts[b + 1]! - base)
          throw new Error("the queue's fold changed while its checkpoint was written");
        sortBucket(pairs, starts[b]! - base, starts[b + 1]! - base);
      }
      yield pairs.subarray(0, 2 * count);
    }
    first = end;
  }
}

/**
 * Sorts pairs [from, to) by hash, stably: an insertion sort for the few a bucket holds, a merge
 * sort (Array's sort) for a crowded one, so ids chosen to share their hash's top bits cost
 * n log n at a checkpoint, not n².
 */
function sortBucket(pairs: Uint32Array, from: number, to: number): void {
  // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator,BlockStatement: both sorts give the same stable order; the bound picks the quicker
  if (to - from > SMALL_BUCKET) {
    const rows = Array.from({ length: to - from }, (_, i) => from + i);
    rows.sort((a, b) => pairs[2 * a]! - pairs[2 * b]!);
    const sorted = Uint32Array.from(rows.flatMap((r) => [pairs[2 * r]!, pairs[2 * r + 1]!]));
    pairs.set(sorted, 2 * from);
    return;
  }
  // Stryker disable next-line ArithmeticOperator: a step early, the pair before the range is put back where it was
  for (let i = from + 1; i < to; i++) {
    const hash = pairs[2 * i]!;
    const slot = pairs[2 * i + 1]!;
    let j = i - 1;
    // Stryker disable next-line ConditionalExpression: below `from` lie earlier buckets' smaller hashes, or nothing: the shift stops there anyway
    for (; j >= from && pairs[2 * j]! > hash; j--) {
      pairs[2 * j + 2] = pairs[2 * j]!;
      pairs[2 * j + 3] = pairs[2 * j + 1]!;
    }
    pairs[2 * j + 2] = hash;
    pairs[2 * j + 3] = slot;
  }
}

const SMALL_BUCKET = 32;

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
  /** Live sessions with a fingerprint. */
  count: number;
  /** Their slots, ascending, as little-endian u32 bytes in chunks (each valid until the next). */
  slots(): AsyncIterable<Uint8Array>;
  /**
   * The bytes, in chunks of one reused buffer: a chunk is valid until the next is asked for
   * (issue 10: a fresh 64 KiB chunk each time left every fingerprint of the queue in chunks for
   * the garbage collector, 22 MiB more at the final checkpoint of a 1M drain).
   */
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
): Promise<WrittenCheckpoint> {
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
  // The directory and filter of the id index, as it is written (the store reads ids from here).
  const pairIndex = pairIndexBuilder(t.size);
  const sections: Section[] = [
    ...COLUMN_NAMES.map((c): Section => {
      const col = t.cols[c];
      if (!ArrayBuffer.isView(col)) return [c, n * col.bytesPerRow, () => col.bytes(n)];
      const rows = col.subarray(0, n);
      return [c, rows.byteLength, one(rows)];
    }),
    ["idBytes", ids.byteLength, () => ids.parts()],
    ["idEnds", ids.ends.byteLength, one(ids.ends)],
    [
      "byHash",
      8 * t.size,
      function* () {
        for (const chunk of sortedByHashChunks(state)) {
          for (let i = 0; i < chunk.length; i += 2) pairIndex.add(chunk[i]!);
          yield bytesOf(chunk);
        }
      },
    ],
    ["claims", claims.length, () => [claims]],
    ["errSlots", errorSlots.byteLength, one(errorSlots)],
    ["errEnds", errors.ends.byteLength, one(errors.ends)],
    ["errBytes", errors.bytes.length, () => [errors.bytes]],
    ["fpSlots", 4 * prints.count, prints.slots],
    ["fpBytes", PRINT_BYTES * prints.count, prints.bytes],
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
  // Our own descriptor of what we wrote, before anyone can rename another file over it.
  const fd = openSync(tmp, "r");
  try {
    await rename(tmp, file);
  } catch (err) {
    closeSync(fd);
    await rm(tmp, { force: true });
    throw err;
  }
  return { fd, ids: idLayout(header, head.length), index: pairIndex.done() };
}

/** Where a checkpoint's ids sit in its file: from its header and where its sections start. */
export function idLayout(header: CheckpointHeader, dataAt: number): IdBaseLayout {
  const [blobAt, blobBytes] = header.sections.idBytes;
  return {
    count: header.slots,
    blobBytes,
    blobAt: dataAt + blobAt,
    pairsAt: dataAt + header.sections.byHash[0],
    pairs: header.live,
  };
}

/** A checkpoint just written: a descriptor of its file (the caller closes it) and where its ids are. */
export interface WrittenCheckpoint {
  fd: number;
  ids: IdBaseLayout;
  index: PairIndex;
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
