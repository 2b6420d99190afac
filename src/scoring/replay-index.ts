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
 * typed arrays (issue 10: no string, Map entry or array per session on V8's heap).
 */
export interface ReplayIndex {
  add(id: string, fp: string): void;
  /** add() of a fingerprint already decoded (from the queue's checkpoint). */
  addPrint(id: string, fp: Int8Array): void;
  /** The earliest indexed session within MATCH_DISTANCE of `fp`, if any. */
  match(fp: string): string | undefined;
  /** True when a session of this id was added. */
  has(id: string): boolean;
  /** The fingerprint added for `id` (never changed once added: ids are added once). */
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
    for (const key of keys) buckets.add(key, n);
  }
  function find(fp: Int8Array, keys: readonly number[]): string | undefined {
    let best: number | undefined;
    lookup++;
    for (const key of keys) {
      for (let e = buckets.first(key); e >= 0; e = buckets.next(e)) {
        const n = buckets.at(e);
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
 * The buckets: each key's first MAX_BUCKET session numbers in the order they came, as chains in
 * typed arrays (an open-addressing table of keys, each with its chain's first and last entry and
 * its length; an entry is a session number and the next entry).
 */
function createBuckets() {
  // Keys are whole numbers, int32 in practice; doubles hold any the packing could give.
  let keys = new Float64Array(1024);
  let heads = new Int32Array(1024).fill(-1);
  let tails = new Int32Array(1024);
  let lengths = new Uint8Array(1024);
  let mask = keys.length - 1;
  // Fibonacci hashing: the product's top bits, as many as the table needs.
  let shift = 32 - Math.log2(keys.length);
  let used = 0;
  let entryN = new Int32Array(4096);
  let entryNext = new Int32Array(4096);
  let entries = 0;
  const cellOf = (key: number) => {
    let i = Math.imul(key ^ (key / 4294967296), 0x9e3779b1) >>> shift;
    while (heads[i] !== -1 && keys[i] !== key) i = (i + 1) & mask;
    return i;
  };
  function grow(): void {
    const old = { keys, heads, tails, lengths };
    const size = 2 * keys.length;
    keys = new Float64Array(size);
    heads = new Int32Array(size).fill(-1);
    tails = new Int32Array(size);
    lengths = new Uint8Array(size);
    mask = size - 1;
    shift--;
    for (let j = 0; j < old.keys.length; j++) {
      if (old.heads[j] === -1) continue;
      const i = cellOf(old.keys[j]!);
      keys[i] = old.keys[j]!;
      heads[i] = old.heads[j]!;
      tails[i] = old.tails[j]!;
      lengths[i] = old.lengths[j]!;
    }
  }
  function newEntry(n: number): number {
    if (entries === entryN.length) {
      const a = new Int32Array(2 * entries);
      a.set(entryN);
      entryN = a;
      const b = new Int32Array(2 * entries);
      b.set(entryNext);
      entryNext = b;
    }
    entryN[entries] = n;
    entryNext[entries] = -1;
    return entries++;
  }
  return {
    add(key: number, n: number): void {
      let i = cellOf(key);
      if (heads[i] === -1) {
        if (2 * (used + 1) > keys.length) {
          grow();
          i = cellOf(key);
        }
        used++;
        keys[i] = key;
        heads[i] = tails[i] = newEntry(n);
        lengths[i] = 1;
      } else if (lengths[i]! < MAX_BUCKET) {
        const e = newEntry(n);
        entryNext[tails[i]!] = e;
        tails[i] = e;
        lengths[i]!++;
      }
    },
    /** The key's first entry, or -1. */
    first: (key: number) => heads[cellOf(key)]!,
    next: (e: number) => entryNext[e]!,
    at: (e: number) => entryN[e]!,
  };
}
