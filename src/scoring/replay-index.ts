import {
  bucketKeys,
  decodeFingerprint,
  fingerprintDistance,
  MATCH_DISTANCE,
} from "./replay-fingerprint.js";

/**
 * The replay index (issue 13, part 3): the fingerprints of the sessions the queue keeps, by LSH
 * bucket. Built by whoever owns the sessions (enqueue, from the queued payloads, lazily) and kept
 * apart from the queue internals: add what is kept, ask about what arrives. Memory is constant
 * per session: one 64-byte fingerprint and TABLES bucket entries.
 */
export interface ReplayIndex {
  add(id: string, fp: string): void;
  /** The earliest indexed session within MATCH_DISTANCE of `fp`, if any. */
  match(fp: string): string | undefined;
  readonly size: number;
  /** Fingerprint distances computed by lookups so far (the work the bucket cap bounds). */
  readonly comparisons: number;
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
  const buckets = new Map<string, number[]>();
  const ids: string[] = [];
  const prints: Int8Array[] = [];
  // The lookup that last compared each session: one comparison per candidate, not per table.
  let looked = new Uint32Array(1024);
  let lookup = 0;
  let comparisons = 0;
  return {
    add(id, text) {
      const fp = decodeFingerprint(text);
      if (!fp) return;
      const n = ids.length;
      ids.push(id);
      prints.push(fp);
      if (n >= looked.length) {
        const grown = new Uint32Array(looked.length * 2);
        grown.set(looked);
        looked = grown;
      }
      for (const key of bucketKeys(fp)) {
        const list = buckets.get(key);
        if (!list) buckets.set(key, [n]);
        else if (list.length < MAX_BUCKET) list.push(n);
      }
    },
    match(text) {
      const fp = decodeFingerprint(text);
      if (!fp) return undefined;
      let best: number | undefined;
      lookup++;
      for (const key of bucketKeys(fp)) {
        for (const n of buckets.get(key) ?? []) {
          // Stryker disable next-line EqualityOperator: n === best was compared in this lookup (looked[n] === lookup)
          if (looked[n] === lookup || (best !== undefined && n >= best)) continue;
          looked[n] = lookup;
          comparisons++;
          // Stryker disable next-line EqualityOperator: int8 prints give sqrt(k / 30) / 40, never exactly 0.09
          if (fingerprintDistance(fp, prints[n]!) <= MATCH_DISTANCE) best = n;
        }
      }
      // Stryker disable next-line ConditionalExpression: ids[undefined] is undefined too
      return best === undefined ? undefined : ids[best];
    },
    get size() {
      return ids.length;
    },
    get comparisons() {
      return comparisons;
    },
  };
}
