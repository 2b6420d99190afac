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
}

export function createReplayIndex(): ReplayIndex {
  const buckets = new Map<string, number[]>();
  const ids: string[] = [];
  const prints: Int8Array[] = [];
  return {
    add(id, text) {
      const fp = decodeFingerprint(text);
      if (!fp) return;
      const n = ids.length;
      ids.push(id);
      prints.push(fp);
      for (const key of bucketKeys(fp)) {
        const list = buckets.get(key);
        if (list) list.push(n);
        else buckets.set(key, [n]);
      }
    },
    match(text) {
      const fp = decodeFingerprint(text);
      if (!fp) return undefined;
      let best: number | undefined;
      for (const key of bucketKeys(fp)) {
        for (const n of buckets.get(key) ?? []) {
          if (best !== undefined && n >= best) continue;
          if (fingerprintDistance(fp, prints[n]!) <= MATCH_DISTANCE) best = n;
        }
      }
      return best === undefined ? undefined : ids[best];
    },
    get size() {
      return ids.length;
    },
  };
}
