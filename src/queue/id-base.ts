import { closeSync, readSync } from "node:fs";
import { lowerBound } from "./lower-bound.js";

/**
 * The ids of a checkpoint, read from its file instead of held (issue 10: at a million sessions
 * the ids' bytes and their hash table were 20 of the writer's and `process`'s 28 MB of ids,
 * 44 of 52 with UUIDs). What stays in memory is a directory of the hash index (the first hash of
 * every DIR_STEP pairs) and a one-byte-a-session filter of the hashes present, so an id the
 * checkpoint does not hold (every new one at enqueue) is mostly answered without a read. The
 * end offsets and the hashes stay with the table (idAt and a checkpoint's index need them).
 *
 * The file descriptor is our own (opened on the file the checkpoint was checked or written
 * as): a newer checkpoint renamed over it leaves this one readable until it is closed. `close`
 * is called when the table moves to a newer base; a table that is dropped closes its base when
 * it is collected, and any read after `close` throws instead of reading whatever file took the
 * descriptor's number.
 */
export interface IdBase {
  /** Ids (slots) the base holds: 0..count-1. */
  readonly count: number;
  /** Bytes [from, to) of the ids' UTF-8 blob; valid until the next call. */
  bytes(from: number, to: number): Uint8Array;
  /** The slots whose id hashes to `hash`, in slot order, until `take` returns true: that slot, or -1. */
  findHash(hash: number, take: (slot: number) => boolean): number;
  /** The whole blob in chunks of one reused buffer (a chunk is valid until the next). */
  chunks(): Generator<Uint8Array>;
  /**
   * The (hash, slot) pairs of the checkpoint's id index, sorted by hash and then slot, in
   * chunks of one reused buffer (valid until the next): the next checkpoint merges them with
   * the ids added since, so the hashes of these ids need not be held (issue 10).
   */
  pairs(): Generator<Uint32Array>;
  /** Bytes held in memory (the directory and the filter). */
  readonly byteSize: number;
  /** Reads of the file since the base was opened (the tests count work with it). */
  readonly reads: number;
  close(): void;
}

/** Where a checkpoint's id sections sit in its file. */
export interface IdBaseLayout {
  /** Ids (rows of idEnds). */
  count: number;
  /** Bytes of the blob. */
  blobBytes: number;
  /** File offset of the blob (idBytes). */
  blobAt: number;
  /** File offset and rows of the (hash, slot) pairs sorted by hash (byHash). */
  pairsAt: number;
  pairs: number;
}

/** Pairs a directory entry stands for: a lookup reads at most a few such blocks. */
export const DIR_STEP = 64;
/** Bytes of the blob read at once: neighbouring ids (a drain's claims, ties) come from one read. */
const WINDOW = 4096;
const CHUNK = 1 << 16;

// A base collected unclosed closes its descriptor; a test cannot see a collection.
// Stryker disable all
const closer = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // already closed with the process's other descriptors
  }
});
// Stryker restore all

/** The directory and filter of a base, built from its pairs in hash order. */
export interface PairIndex {
  dir: Uint32Array;
  filter: Uint8Array;
}

/** Builds a PairIndex from `pairs` hashes given in order (as a checkpoint writes them). */
export function pairIndexBuilder(pairs: number) {
  const dir = new Uint32Array(Math.ceil(pairs / DIR_STEP));
  const filter = new Uint8Array(filterBytes(pairs));
  let k = 0;
  return {
    add(hash: number): void {
      // Stryker disable next-line ConditionalExpression: a fractional index is a write a typed array ignores
      if (k % DIR_STEP === 0) dir[k / DIR_STEP] = hash;
      k++;
      const bit = bitOf(hash, filter.length);
      filter[bit >>> 3]! |= 1 << (bit & 7);
    },
    done(): PairIndex {
      if (k !== pairs) throw new Error(`an id index of ${pairs} pairs was given ${k}`);
      return { dir, filter };
    },
  };
}

/** A power of two of at least one byte a pair: about 12% of absent ids pass it. */
function filterBytes(pairs: number): number {
  let bytes = 1;
  while (bytes < pairs) bytes *= 2;
  return bytes;
}

/**
 * The filter's bit for `hash` (the hash mixed again, its top bits). Builder and lookup share it,
 * so a change to the mixing moves which ids pass, never whether a present one does: its mutants
 * are speed, not answers.
 */
function bitOf(hash: number, bytes: number): number {
  // Stryker disable next-line ArithmeticOperator: see above
  return Math.imul(hash, 0x9e3779b1) >>> (32 - Math.log2(8 * bytes));
}

/**
 * A base over `fd` (taken: the base closes it). Without `index`, reads the pairs once, a chunk
 * at a time, to build it.
 */
export function openIdBase(fd: number, layout: IdBaseLayout, index?: PairIndex): IdBase {
  const { count, blobBytes, blobAt, pairsAt, pairs } = layout;
  let closed = false;
  let reads = 0;
  const token = {};
  const read = (into: Uint8Array, at: number) => {
    if (closed) throw new Error("the queue's id base was closed");
    reads++;
    let got = 0;
    while (got < into.length) {
      const n = readSync(fd, into, got, into.length - got, at + got);
      if (n === 0) throw new Error("the queue's checkpoint is shorter than its ids");
      got += n;
    }
  };
  function* pairChunks(): Generator<Uint32Array> {
    const chunk = new Uint32Array(2 * Math.min(CHUNK / 8, Math.max(1, pairs)));
    const bytes = new Uint8Array(chunk.buffer);
    for (let from = 0; from < pairs; ) {
      const rows = Math.min(chunk.length / 2, pairs - from);
      read(bytes.subarray(0, 8 * rows), pairsAt + 8 * from);
      yield chunk.subarray(0, 2 * rows);
      from += rows;
    }
  }
  let built = index;
  try {
    if (!built) {
      const builder = pairIndexBuilder(pairs);
      for (const chunk of pairChunks())
        for (let i = 0; i < chunk.length; i += 2) builder.add(chunk[i]!);
      built = builder.done();
    }
    if (built.dir.length !== Math.ceil(pairs / DIR_STEP)) throw new Error("a foreign id index");
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  const { dir, filter } = built;
  // Collected unclosed: the descriptor is closed then (a test cannot see a collection).
  // Stryker disable next-line all: see above
  closer.register(token, fd, token);

  let window = new Uint8Array(WINDOW);
  let windowFrom = 0;
  let windowTo = 0;
  const block = new Uint32Array(2 * DIR_STEP);
  const blockBytes = new Uint8Array(block.buffer);

  return {
    count,
    bytes(from, to) {
      if (from < windowFrom || to > windowTo) {
        // A longer read (into the sections after the blob) or a fresh buffer: the same bytes.
        // Stryker disable next-line ArithmeticOperator: see above
        const length = Math.min(Math.max(WINDOW, to - from), blobBytes - from);
        // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
        if (window.length < length) window = new Uint8Array(length);
        read(window.subarray(0, length), blobAt + from);
        windowFrom = from;
        windowTo = from + length;
      }
      return window.subarray(from - windowFrom, to - windowFrom);
    },
    findHash(hash, take) {
      const bit = bitOf(hash, filter.length);
      if ((filter[bit >>> 3]! & (1 << (bit & 7))) === 0) return -1;
      // The first block whose first hash is not below `hash`; the run may start in the one before.
      const lo = lowerBound(dir, hash);
      for (let b = Math.max(0, lo - 1); b < dir.length; b++) {
        const first = b * DIR_STEP;
        const rows = Math.min(DIR_STEP, pairs - first);
        read(blockBytes.subarray(0, 8 * rows), pairsAt + 8 * first);
        // One pair past a short block is a stale one: `take` checks the id itself.
        // Stryker disable next-line EqualityOperator: see above
        for (let i = 0; i < rows; i++) {
          const h = block[2 * i]!;
          if (h > hash) return -1;
          if (h === hash && take(block[2 * i + 1]!)) return block[2 * i + 1]!;
        }
      }
      return -1;
    },
    *chunks() {
      // Stryker disable next-line MethodExpression: a larger buffer gives the same parts
      const buffer = new Uint8Array(Math.min(CHUNK, blobBytes));
      // Stryker disable next-line EqualityOperator: a last chunk of no bytes writes nothing
      for (let at = 0; at < blobBytes; at += CHUNK) {
        const part = buffer.subarray(0, Math.min(CHUNK, blobBytes - at));
        read(part, blobAt + at);
        yield part;
      }
    },
    pairs: pairChunks,
    byteSize: dir.byteLength + filter.byteLength,
    get reads() {
      return reads;
    },
    close() {
      if (closed) return;
      closed = true;
      // Not to close the number twice when collected (another file may hold it by then).
      // Stryker disable next-line all: a collection is not seen by a test
      closer.unregister(token);
      closeSync(fd);
    },
  };
}
