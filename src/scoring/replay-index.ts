import { createIdTable } from "../queue/id-table.js";
import {
  bucketKeyNumbers,
  decodeFingerprint,
  FP_POINTS,
  farAtHead,
  MATCH_DISTANCE,
  withinDistanceAt,
} from "./replay-fingerprint.js";

const FP_BYTES = 2 * FP_POINTS;

/**
 * The replay index (issue 13, part 3): the fingerprints of the sessions the queue keeps, by LSH
 * bucket. Built by whoever owns the sessions (enqueue, from the queued payloads, lazily) and kept
 * apart from the queue internals: add what is kept, ask about what arrives. Memory is constant
 * per session: one 64-byte fingerprint, its id in an IdTable and TABLES bucket entries, all in
 * typed arrays (issue 10: no string, Map entry or array per session on V8's heap); and nothing
 * for a session whose buckets are all full (no lookup could find it): `has` and `printOf` know
 * only the sessions a lookup can find.
 */
export interface ReplayIndex {
  add(id: string, fp: string): void;
  /** add() of a fingerprint already decoded (from the queue's checkpoint). */
  addPrint(id: string, fp: Int8Array): void;
  /** The earliest indexed session within MATCH_DISTANCE of `fp`, if any. */
  match(fp: string): string | undefined;
  /** True when a session of this id was added and kept (some bucket had room for it). */
  has(id: string): boolean;
  /** The fingerprint kept for `id` (never changed once added: ids are added once). */
  printOf(id: string): Int8Array | undefined;
  readonly size: number;
  /** Fingerprint distances computed by lookups so far (the work the bucket cap bounds). */
  readonly comparisons: number;
  /** match(fp), then add(id, fp), decoding and hashing `fp` once (enqueue's path). */
  matchThenAdd(id: string, fp: string): string | undefined;
}

/**
 * A bucket keeps its earliest MAX_BUCKET sessions: similar paths (one generator's bots, a
 * crowd of alike traces, or a flood sent on purpose) would otherwise make every lookup compare
 * against all of them and enqueue quadratic (10k alike sessions took 2.4 s of matching, 100k
 * minutes). A lookup thus compares at most TABLES x MAX_BUCKET fingerprints; an original that
 * came after its bucket filled is still found through the other tables' buckets.
 */
export const MAX_BUCKET = 64;
export function createReplayIndex(): ReplayIndex {
  const buckets = createBuckets();
  // Scratch for a lookup's keys (issue 13: numbers, computed into reused arrays).
  const cells = new Int32Array(64);
  // Stryker disable next-line ArrayDeclaration: bucketKeyNumbers writes all TABLES entries
  const keys: number[] = [];
  const keysOf = (fp: Int8Array) => bucketKeyNumbers(fp, cells, keys);
  const ids = createIdTable();
  // Every fingerprint in one buffer, 64 bytes each (issue 10: no object per session, and the
  // candidates of a lookup are compared out of one block of memory).
  let prints = new Int8Array(1024 * FP_BYTES);
  // The lookup that last compared each session: one comparison per candidate, not per table.
  let looked = new Uint32Array(1024);
  let lookup = 0;
  let comparisons = 0;
  function insert(id: string, fp: Int8Array, keys: readonly number[]): void {
    // A print whose buckets are all full can never be a candidate: nothing of it is kept (issue
    // 10: a flood of alike paths fills its buckets, and each later print cost 100 bytes here for
    // nothing). Whoever shares prints with the index (the store) keeps such a one itself. The
    // entries go in under the number the id will get, each key probed once.
    let kept = false;
    for (const key of keys) if (buckets.add(key, ids.count)) kept = true;
    if (!kept) return;
    const n = ids.add(id);
    // Stryker disable next-line EqualityOperator: growing one print early changes only the capacity
    if ((n + 1) * FP_BYTES > prints.length) {
      const grown = new Int8Array(prints.length * 2);
      grown.set(prints);
      prints = grown;
    }
    prints.set(fp, n * FP_BYTES);
    if (n >= looked.length) {
      const grown = new Uint32Array(looked.length * 2);
      grown.set(looked);
      looked = grown;
    }
  }
  function find(fp: Int8Array, keys: readonly number[]): string | undefined {
    let best: number | undefined;
    lookup++;
    for (const key of keys) {
      const cell = buckets.cellOf(key);
      const entries = buckets.entries;
      const from = buckets.from(cell);
      const to = from + buckets.count(cell);
      for (let e = from; e < to; e++) {
        const n = entries[e]!;
        // Stryker disable next-line EqualityOperator,ConditionalExpression: n === best was compared in this lookup (looked[n] === lookup); n >= undefined is false
        if (looked[n] === lookup || (best !== undefined && n >= best)) continue;
        looked[n] = lookup;
        comparisons++;
        const at = n * FP_BYTES;
        // Most candidates end at the first three points (issue 13: 20 µs a lookup from 24).
        // Stryker disable next-line ConditionalExpression: a shortcut; withinDistanceAt gives the same answer (replay-within.test.ts pins farAtHead itself)
        if (farAtHead(fp, prints, at)) continue;
        if (withinDistanceAt(fp, prints, at, MATCH_DISTANCE)) best = n;
      }
    }
    // Stryker disable next-line ConditionalExpression: ids[undefined] is undefined too
    return best === undefined ? undefined : ids.idAt(best);
  }
  return {
    add(id, text) {
      const fp = decodeFingerprint(text);
      if (fp) insert(id, fp, keysOf(fp));
    },
    addPrint(id, fp) {
      insert(id, fp, keysOf(fp));
    },
    match(text) {
      const fp = decodeFingerprint(text);
      return fp ? find(fp, keysOf(fp)) : undefined;
    },
    matchThenAdd(id, text) {
      const fp = decodeFingerprint(text);
      if (!fp) return undefined;
      const k = keysOf(fp);
      const earlier = find(fp, k);
      insert(id, fp, k);
      return earlier;
    },
    has: (id) => ids.find(id) >= 0,
    printOf(id) {
      const n = ids.find(id);
      return n < 0 ? undefined : prints.subarray(n * FP_BYTES, (n + 1) * FP_BYTES);
    },
    get size() {
      return ids.count;
    },
    get comparisons() {
      return comparisons;
    },
  };
}

/**
 * The buckets: each key's first MAX_BUCKET session numbers in the order they came. An
 * open-addressing table of keys gives each key a block of one arena of entries, its session
 * numbers side by side (issue 10: a lookup walks up to TABLES x MAX_BUCKET entries, and as
 * linked chains each was a dependent load from anywhere in memory). A block holds a power of two
 * entries; a full one moves to a block twice its size, and the one it leaves is reused by the
 * next key that grows to that size.
 */
export function createBuckets() {
  // Keys are whole numbers, int32 in practice; doubles hold any the packing could give.
  let keys = new Float64Array(1024);
  /** Where each key's block starts in the arena; -1: the cell is free. */
  let starts = new Int32Array(1024).fill(-1);
  let counts = new Uint8Array(1024);
  let mask = keys.length - 1;
  // Fibonacci hashing: the product's top bits, as many as the table needs. Where a key starts
  // probing changes only how far it probes (a shift past the mask's bits starts it anywhere, and
  // probing wraps): the hash's mutants below are speed, not answers.
  // Stryker disable next-line ArithmeticOperator: see above
  let shift = 32 - Math.log2(keys.length);
  let used = 0;
  let arena = new Int32Array(4096);
  let top = 0;
  /** Blocks left behind, by log2 of their size (1 .. MAX_BUCKET / 2 entries). */
  const spare: number[][] = Array.from({ length: Math.log2(MAX_BUCKET) }, () => []);
  const cellOf = (key: number) => {
    // Stryker disable next-line ArithmeticOperator: see above
    let i = Math.imul(key ^ (key / 4294967296), 0x9e3779b1) >>> shift;
    // Stryker disable next-line ArithmeticOperator: probing down instead of up finds the same cells
    while (starts[i] !== -1 && keys[i] !== key) i = (i + 1) & mask;
    return i;
  };
  function grow(): void {
    const old = { keys, starts, counts };
    const size = 2 * keys.length;
    keys = new Float64Array(size);
    starts = new Int32Array(size).fill(-1);
    counts = new Uint8Array(size);
    mask = size - 1;
    // Stryker disable next-line UpdateOperator: see above
    shift--;
    // Stryker disable next-line EqualityOperator: the cell past the end reads as a key NaN with an empty block: placed, it matches no key
    for (let j = 0; j < old.keys.length; j++) {
      if (old.starts[j] === -1) continue;
      const i = cellOf(old.keys[j]!);
      keys[i] = old.keys[j]!;
      starts[i] = old.starts[j]!;
      counts[i] = old.counts[j]!;
    }
  }
  /** A block of 2^sizeLog2 entries. */
  function block(sizeLog2: number): number {
    const reused = spare[sizeLog2]?.pop();
    // Stryker disable next-line ConditionalExpression: reuse saves memory only
    if (reused !== undefined) return reused;
    const size = 1 << sizeLog2;
    // Stryker disable next-line EqualityOperator: growing at a full arena or one entry early changes only its room
    if (top + size > arena.length) {
      const a = new Int32Array(2 * arena.length);
      a.set(arena);
      arena = a;
    }
    top += size;
    return top - size;
  }
  return {
    /** Adds session `n` to `key`'s bucket; false when the bucket is full (nothing added). */
    add(key: number, n: number): boolean {
      let i = cellOf(key);
      if (starts[i] === -1) {
        // Stryker disable next-line EqualityOperator,ArithmeticOperator: growing a key early or two late changes only the room (the table stays at most half full plus one)
        if (2 * (used + 1) > keys.length) {
          grow();
          i = cellOf(key);
        }
        used++;
        keys[i] = key;
        starts[i] = block(0);
        arena[starts[i]!] = n;
        counts[i] = 1;
        return true;
      }
      const count = counts[i]!;
      if (count >= MAX_BUCKET) return false;
      // A count that is a power of two fills its block: move to one twice the size.
      if ((count & (count - 1)) === 0) {
        const sizeLog2 = Math.log2(count);
        const moved = block(sizeLog2 + 1);
        arena.copyWithin(moved, starts[i]!, starts[i]! + count);
        spare[sizeLog2]!.push(starts[i]!);
        starts[i] = moved;
      }
      arena[starts[i]! + count] = n;
      counts[i] = count + 1;
      return true;
    },
    /** The key's cell, for from() and count() (a key never added has count 0). */
    cellOf,
    from: (cell: number) => starts[cell]!,
    count: (cell: number) => counts[cell]!,
    /** The entries (read them after the cellOf calls of a lookup: an add may move them). */
    get entries() {
      return arena;
    },
  };
}
