/**
 * The replay index bounds the work of one lookup (issue 13's "constant cost per session"):
 * alike paths used to pile into the same buckets and make enqueue quadratic (10k bench
 * sessions spent 2.4 s matching; 100k, minutes).
 */
import { describe, expect, it } from "vitest";
import { encodeFingerprint } from "../../src/scoring/replay-fingerprint.js";
import { createReplayIndex, MAX_BUCKET } from "../../src/scoring/replay-index.js";

/** A fingerprint that is the same shape with a tiny twist: all land in the same buckets. */
function alike(k: number): string {
  const fp = new Int8Array(64);
  for (let i = 0; i < 64; i++) fp[i] = Math.round(60 * Math.sin(i / 5)) + (i === k % 64 ? 1 : 0);
  return encodeFingerprint(fp);
}

describe("replay index bounds", () => {
  it("keeps a bucket's earliest MAX_BUCKET sessions and still names the earliest match", () => {
    const index = createReplayIndex();
    for (let k = 0; k < 5 * MAX_BUCKET; k++) index.add(`s_${k}`, alike(k));
    // Issue 10: the sessions after the buckets filled are in none, so nothing of them is kept.
    expect(index.size).toBe(MAX_BUCKET);
    expect([index.has("s_63"), index.has("s_64"), index.printOf("s_64")]).toEqual([
      true,
      false,
      undefined,
    ]);
    expect(index.match(alike(7))).toBe("s_0");
    // One lookup compares each candidate once, and no more than a bucket holds.
    expect(index.comparisons).toBeLessThanOrEqual(MAX_BUCKET);
    expect(index.match(alike(9))).toBe("s_0");
    expect(index.comparisons).toBeLessThanOrEqual(2 * MAX_BUCKET);
  });
});
