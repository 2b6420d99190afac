import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/scoring/random.js";
import { percentileInPlace } from "../../src/telemetry/features-stats.js";
import {
  COUNTED_MAX,
  COUNTED_MIN,
  countedPercentiles,
  percentileOf,
  percentilesOf,
} from "../../src/telemetry/percentile-of.js";

// Issue 10, eighth round: the extractor's percentiles by counting into buckets of equal width.
// What the callers had before, selection on a copy, is the reference, bit for bit (Object.is:
// the sign of a zero counts).

/** What the extractor computed before: percentileInPlace on one copy, p then q (q = p: once). */
function onCopy(values: Float64Array, n: number, p: number, q: number): [number, number] {
  const copy = Float64Array.from(values.subarray(0, n));
  const first = percentileInPlace(copy, n, p);
  return [first, q === p ? first : percentileInPlace(copy, n, q)];
}

function expectSame(values: Float64Array, n: number, p: number, q: number): void {
  const [p0, q0] = onCopy(values, n, p, q);
  const got = percentilesOf(values, n, p, q);
  expect([Object.is(got[0], p0), Object.is(got[1], q0)]).toEqual([true, true]);
  expect(Object.is(percentileOf(values, n, p), p0)).toBe(true);
}

/** n values of one of eight seeded kinds, with room after them holding stale values. */
function seededValues(rand: () => number, kind: number, n: number): Float64Array {
  const values = new Float64Array(n + 5).fill(1e9);
  for (let i = 0; i < n; i++) {
    const u = rand();
    values[i] = [
      () => u * 10, // speeds-like
      () => (u < 0.3 ? 0 : rand()), // many zeros (still steps)
      () => Math.floor(u * 6), // few distinct values: buckets with long runs
      () => (u - 0.5) * 100, // negative and positive
      () => Math.exp((u - 0.5) * 1400) * (rand() < 0.5 ? -1 : 1), // every magnitude
      () => (u < 0.01 ? rand() * 1e300 : rand()), // one huge value: all the rest in bucket 0
      () => 1 + u * 1e-12, // a range of a few thousand ulps
      () => i, // sorted
    ][kind]!();
  }
  return values;
}

describe("percentilesOf (counting; issue 10)", () => {
  it("gives the selection's bits on 4,000 seeded lists of 1-700 values", () => {
    const rand = seededRandom(41);
    let counted = 0;
    for (let t = 0; t < 4_000; t++) {
      const n = 1 + Math.floor(rand() * 700);
      const values = seededValues(rand, t % 8, n);
      const p = [50, 90, 0, 100, 37.5, 95][t % 6]!;
      const q = [95, p, 100, 50 + p / 2][t % 4]!;
      expectSame(values, n, Math.min(p, q), Math.max(p, q));
      counted += +(countedPercentiles(values, n, Math.min(p, q), Math.max(p, q)) !== undefined);
    }
    // Most lists (all but the short ones, and the all-zero or odd ones) are counted.
    expect(counted).toBeGreaterThan(3_000);
  });

  it("answers by counting: the median and 95th percentile of 1..100 shuffled", () => {
    const rand = seededRandom(5);
    const values = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    for (let i = values.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [values[i], values[j]] = [values[j]!, values[i]!];
    }
    const before = [...values];
    const got = countedPercentiles(values, 100, 50, 95);
    // Rank 49.5 lies between 50 and 51; rank 94.05 between 95 and 96.
    expect(got && [...got]).toEqual([50.5, 95 + (96 - 95) * ((95 / 100) * 99 - 94)]);
    expect(
      countedPercentiles(values, 100, 0, 100) && [...countedPercentiles(values, 100, 0, 100)!],
    ).toEqual([1, 100]);
    // Only the first n values count; the values are not reordered.
    expect(
      countedPercentiles(values, 3, 0, 100) && [...countedPercentiles(values, 3, 0, 100)!],
    ).toEqual([Math.min(...before.slice(0, 3)), Math.max(...before.slice(0, 3))]);
    expect([...values]).toEqual(before);
  });

  it("finds ranks in the same bucket, in neighbouring ones, and the same rank twice", () => {
    // 64 values: 1 .. 63 and one far away, so all but the last share the low buckets.
    const values = Float64Array.from({ length: 64 }, (_, i) => (i === 63 ? 1e6 : i + 1));
    expect([...countedPercentiles(values, 64, 50, 50)!]).toEqual([32.5, 32.5]);
    expect([...countedPercentiles(values, 64, 100, 100)!]).toEqual([1e6, 1e6]);
    // Rank 63 x 0.99 = 62.37, between 63 (bucket 0) and 1e6 (the last bucket); 62.937 likewise.
    const [p0, q0] = onCopy(values, 64, 99, 99.9);
    const got = countedPercentiles(values, 64, 99, 99.9)!;
    expect([got[0], got[1]]).toEqual([p0, q0]);
    // The second percentile's lower rank equal to the first's, whose upper rank lies in a later
    // bucket: the scan goes back for it. Sorted 1 2 3 4 with 60 values of 100 after them.
    const two = Float64Array.from({ length: 64 }, (_, i) => (i < 4 ? i + 1 : 100));
    // n - 1 = 63; p = 4.8 gives rank 3.024 (between 4 and 100), q = 4.81 rank 3.0303.
    const [a, b] = onCopy(two, 64, 4.8, 4.81);
    const counted = countedPercentiles(two, 64, 4.8, 4.81)!;
    expect([counted[0], counted[1]]).toEqual([a, b]);
    expect(a).toBeCloseTo(4 + 96 * 0.024, 9);
  });

  it("declines what selection must answer, and percentilesOf then selects on a copy", () => {
    const base = Array.from({ length: 80 }, (_, i) => i + 1);
    const cases: [string, number[]][] = [
      ["a NaN first", [Number.NaN, ...base]],
      ["a NaN later", [...base, Number.NaN]],
      ["an infinity", [...base, Number.POSITIVE_INFINITY]],
      ["a minus infinity", [Number.NEGATIVE_INFINITY, ...base]],
      ["every value equal", base.map(() => 7)],
      ["a range that overflows", [-1e308, ...base, 1e308]],
      ["a zero median", [...base.map(() => 0), ...base]],
      ["a -0 median", [...base.map(() => -0), ...base.slice(0, 70)]],
    ];
    for (const [what, list] of cases) {
      const values = Float64Array.from(list);
      expect([what, countedPercentiles(values, list.length, 50, 95)]).toEqual([what, undefined]);
      expectSame(values, list.length, 50, 95);
      expectSame(values, list.length, 50, 50);
    }
    // One value, none, and more than the scratch holds.
    expect(countedPercentiles(Float64Array.from([3]), 1, 50, 50)).toBeUndefined();
    expect(countedPercentiles(new Float64Array(4), 0, 50, 50)).toBeUndefined();
    const many = seededValues(seededRandom(3), 0, COUNTED_MAX + 1);
    expect(countedPercentiles(many, COUNTED_MAX + 1, 50, 95)).toBeUndefined();
    expectSame(many, COUNTED_MAX + 1, 50, 95);
    const most = seededValues(seededRandom(4), 0, COUNTED_MAX);
    expect(countedPercentiles(most, COUNTED_MAX, 50, 95)).toBeDefined();
    expectSame(most, COUNTED_MAX, 50, 95);
  });

  it("answers with a -0 among the values when no order statistic it reads is a zero", () => {
    // 30 zeros of both signs below 50 positive values: the median and the 95th are positive.
    const list = [
      ...Array.from({ length: 30 }, (_, i) => (i % 2 ? 0 : -0)),
      ...Array.from({ length: 50 }, (_, i) => i + 1),
    ];
    const values = Float64Array.from(list);
    expect(countedPercentiles(values, 80, 50, 95)).toBeDefined();
    expectSame(values, 80, 50, 95);
    // The 10th percentile (rank 7.9) is a zero: declined, whatever its sign.
    expect(countedPercentiles(values, 80, 10, 95)).toBeUndefined();
    expectSame(values, 80, 10, 95);
    // A rank whose upper neighbour is a zero: sorted -3 -2 -1 0 ... (rank 2.5 of the 0th..).
    const neg = Float64Array.from([
      ...Array.from({ length: 3 }, (_, i) => -(i + 1)),
      0,
      ...Array.from({ length: 60 }, (_, i) => i + 1),
    ]);
    expect(countedPercentiles(neg, 64, (2.5 / 63) * 100, 100)).toBeUndefined();
    expectSame(neg, 64, (2.5 / 63) * 100, 100);
  });

  it("gives one percentile twice for q = p, where a second selection on the copy would differ", () => {
    // With a NaN among them, a selection's answer depends on the swaps the one before it made.
    const rand = seededRandom(11);
    let found = 0;
    for (let t = 0; t < 200 && found < 3; t++) {
      const values = Float64Array.from({ length: 40 }, () => (rand() < 0.1 ? Number.NaN : rand()));
      const copy = Float64Array.from(values);
      const first = percentileInPlace(copy, 40, 90);
      if (Object.is(first, percentileInPlace(copy, 40, 90))) continue;
      found++;
      const got = percentilesOf(values, 40, 90, 90);
      expect([Object.is(got[0], first), Object.is(got[1], first)]).toEqual([true, true]);
    }
    expect(found).toBe(3);
  });

  it("forgets the counts of earlier calls, declined ones included", () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    const withNaN = Float64Array.from([...values, Number.NaN]);
    const zeros = Float64Array.from([...values.map(() => 0), 5]);
    expect(countedPercentiles(withNaN, 101, 50, 95)).toBeUndefined();
    expect(countedPercentiles(zeros, 101, 50, 95)).toBeUndefined();
    for (let k = 0; k < 3; k++) {
      expect([...countedPercentiles(values, 100, 50, 95)!]).toEqual([
        50.5,
        onCopy(values, 100, 50, 95)[1],
      ]);
    }
  });

  it("counts from COUNTED_MIN values on (below, the bits are the copy's all the same)", () => {
    expect(COUNTED_MIN).toBe(32);
    expect(COUNTED_MAX).toBe(8192);
    const values = Float64Array.from({ length: 31 }, (_, i) => 31 - i);
    expectSame(values, 31, 50, 95);
  });
});
