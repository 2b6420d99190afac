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
 * per session: one 64-byte fingerprint and TABLES bucket entries.
 */
export interface ReplayIndex {
  add(id: string, fp: string): void;
  /** add() of a fingerprint already decoded (from the queue's checkpoint). */
  addPrint(id: string, fp: Int8Array): void;
  /** The earliest indexed session within MATCH_DISTANCE of `fp`, if any. */
  match(fp: string): string | undefined;
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
  const buckets = new Map<number, number[]>();
  // Scratch for a lookup's keys (issue 13: numbers, computed into reused arrays).
  const cells = new Int32Array(64);
  // Stryker disable next-line ArrayDeclaration: bucketKeyNumbers writes all TABLES entries
  const keys: number[] = [];
  const keysOf = (fp: Int8Array) => bucketKeyNumbers(fp, cells, keys);
  const ids: string[] = [];
  // Every fingerprint in one buffer, 64 bytes each (issue 10: no object per session, and the
  // candidates of a lookup are compared out of one block of memory).
  let prints = new Int8Array(1024 * FP_BYTES);
  // The lookup that last compared each session: one comparison per candidate, not per table.
  let looked = new Uint32Array(1024);
  let lookup = 0;
  let comparisons = 0;
  function insert(id: string, fp: Int8Array, keys: readonly number[]): void {
    const n = ids.length;
    ids.push(id);
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
    for (const key of keys) {
      const list = buckets.get(key);
      if (!list) buckets.set(key, [n]);
      else if (list.length < MAX_BUCKET) list.push(n);
    }
  }
  function find(fp: Int8Array, keys: readonly number[]): string | undefined {
    let best: number | undefined;
    lookup++;
    for (const key of keys) {
      const list = buckets.get(key);
      if (list === undefined) continue;
      for (const n of list) {
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
    return best === undefined ? undefined : ids[best];
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
    get size() {
      return ids.length;
    },
    get comparisons() {
      return comparisons;
    },
  };
}
