/**
 * withinDistance answers fingerprintDistance(a, b) <= limit early (issue 13: replay checks
 * within 10% of enqueue's throughput); it must agree with the full distance on every pair.
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/scoring/random.js";
import {
  FP_POINTS,
  fingerprintDistance,
  MATCH_DISTANCE,
  withinDistance,
} from "../../src/scoring/replay-fingerprint.js";

function pair(rand: () => number, spread: number): [Int8Array, Int8Array] {
  const a = Int8Array.from({ length: 2 * FP_POINTS }, () => Math.round((rand() - 0.5) * 200));
  const b = a.map((x) => Math.max(-127, Math.min(127, x + Math.round((rand() - 0.5) * spread))));
  // Now and then a point or two far off: the trimmed points must be the worst two.
  if (rand() < 0.3) b[Math.floor(rand() * b.length)] = Math.round((rand() - 0.5) * 250);
  return [a, Int8Array.from(b)];
}

describe("withinDistance", () => {
  it("agrees with fingerprintDistance <= limit on 20,000 seeded pairs, near and far", () => {
    const rand = seededRandom(13);
    let within = 0;
    for (let i = 0; i < 20_000; i++) {
      const [a, b] = pair(rand, [2, 6, 12, 40, 200][i % 5]!);
      for (const limit of [MATCH_DISTANCE, 0.05, 0.2]) {
        const full = fingerprintDistance(a, b) <= limit;
        expect(withinDistance(a, b, limit)).toBe(full);
        if (full) within++;
      }
    }
    // Both answers occur often: the test is not one-sided.
    expect(within).toBeGreaterThan(5_000);
    expect(within).toBeLessThan(55_000);
  });

  it("ignores exactly the two worst points", () => {
    const a = new Int8Array(2 * FP_POINTS);
    const b = new Int8Array(2 * FP_POINTS);
    b[0] = 127;
    b[5] = -127;
    expect(withinDistance(a, b, 0)).toBe(true);
    b[9] = 1;
    expect(withinDistance(a, b, 0)).toBe(false);
    expect(fingerprintDistance(a, b) > 0).toBe(true);
  });
});

describe("matchThenAdd", () => {
  it("answers as match then add would, on a seeded stream with replays in it", async () => {
    const { createReplayIndex } = await import("../../src/scoring/replay-index.js");
    const { encodeFingerprint } = await import("../../src/scoring/replay-fingerprint.js");
    const rand = seededRandom(7);
    const once = createReplayIndex();
    const twice = createReplayIndex();
    const seen: Int8Array[] = [];
    let replays = 0;
    for (let i = 0; i < 400; i++) {
      const fp =
        i % 4 === 3 && seen.length > 0
          ? pair(() => rand(), 2)[0].map((_x, k) => seen[i % seen.length]![k]!)
          : pair(rand, 0)[0];
      seen.push(Int8Array.from(fp));
      const text = encodeFingerprint(Int8Array.from(fp));
      const a = once.matchThenAdd(`s_${i}`, text);
      const b = twice.match(text);
      twice.add(`s_${i}`, text);
      expect(a).toBe(b);
      if (a !== undefined) replays++;
    }
    expect(replays).toBeGreaterThanOrEqual(99);
    expect(once.size).toBe(400);
    expect(once.comparisons).toBe(twice.comparisons);
  });
});
