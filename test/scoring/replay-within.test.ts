/**
 * withinDistance answers fingerprintDistance(a, b) <= limit early (issue 13: replay checks
 * within 10% of enqueue's throughput); it must agree with the full distance on every pair.
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/scoring/random.js";
import {
  FP_POINTS,
  farAtHead,
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
    // The same sessions kept both ways: those with room in some bucket (these prints crowd).
    expect(once.size).toBe(twice.size);
    expect(once.size).toBe(363);
    expect(once.comparisons).toBe(twice.comparisons);
  });
});

describe("farAtHead", () => {
  it("is true only where withinDistance at MATCH_DISTANCE is false, on 20,000 seeded pairs", () => {
    const rand = seededRandom(31);
    let far = 0;
    let nearHeadsOut = 0;
    for (let i = 0; i < 20_000; i++) {
      const [a, b] = pair(rand, [2, 6, 12, 40, 200][i % 5]!);
      // Now and then the first points moved: one, two (both may be trimmed) or all three.
      for (let p = 0; p < i % 4; p++) b[2 * p] = Math.max(-127, Math.min(127, b[2 * p]! + 40));
      const within = withinDistance(a, b, MATCH_DISTANCE);
      if (farAtHead(a, b, 0)) {
        far++;
        expect(within).toBe(false);
      } else if (!within) nearHeadsOut++;
    }
    // Both kinds of candidate occur: the ones it ends, and the ones left to withinDistance.
    expect(far).toBeGreaterThan(5_000);
    expect(nearHeadsOut).toBeGreaterThan(1_000);
  });

  it("reads the print at `at`, and asks each of the first three points in turn", () => {
    const a = new Int8Array(2 * FP_POINTS);
    const b = new Int8Array(3 * 2 * FP_POINTS);
    const at = 2 * FP_POINTS;
    // 20^2 = 400 > 388.8 (0.09 x 40)^2 x 30, the bound; 19^2 = 361 is within it.
    for (const k of [0, 1, 2]) b[at + 2 * k] = 20;
    expect(farAtHead(a, b, at)).toBe(true);
    expect(farAtHead(a, b, 0)).toBe(false);
    for (const k of [0, 1, 2]) {
      const near = Int8Array.from(b);
      near[at + 2 * k] = 19;
      expect(farAtHead(a, near, at)).toBe(false);
      const nearY = Int8Array.from(b);
      nearY[at + 2 * k] = 0;
      nearY[at + 2 * k + 1] = 19;
      expect(farAtHead(a, nearY, at)).toBe(false);
      nearY[at + 2 * k + 1] = -20;
      expect(farAtHead(a, nearY, at)).toBe(true);
    }
    // The fourth point is not asked.
    const fourth = Int8Array.from(b);
    fourth[at + 6] = 0;
    expect(farAtHead(a, fourth, at)).toBe(true);
  });
});

describe("addPrint", () => {
  it("indexes a decoded print as add() indexes its text (the checkpoint's prints come this way)", async () => {
    const { createReplayIndex } = await import("../../src/scoring/replay-index.js");
    const { encodeFingerprint } = await import("../../src/scoring/replay-fingerprint.js");
    const rand = seededRandom(3);
    const byText = createReplayIndex();
    const byPrint = createReplayIndex();
    const prints = Array.from({ length: 50 }, () => pair(rand, 0)[0]);
    for (const [i, p] of prints.entries()) {
      byText.add(`s_${i}`, encodeFingerprint(p));
      byPrint.addPrint(`s_${i}`, Int8Array.from(p));
    }
    expect(byPrint.size).toBe(50);
    for (const [i, p] of prints.entries()) {
      const near = Int8Array.from(p, (x) => Math.max(-127, Math.min(127, x + 1)));
      const found = byPrint.match(encodeFingerprint(near));
      expect(found).toBe(`s_${i}`);
      expect(byText.match(encodeFingerprint(near))).toBe(found);
    }
    expect(byPrint.comparisons).toBe(byText.comparisons);
  });
});
