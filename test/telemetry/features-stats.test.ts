import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/scoring/random.js";
import {
  moments,
  onePercentileInPlace,
  percentiles,
  safeRatio,
  twoPercentilesInPlace,
  wholePercentile,
} from "../../src/telemetry/features-stats.js";

// Issue 15: percentiles were only tested on 2-sample inputs and max only on sequences ending on
// their maximum, so a broken interpolation or quickselect went unnoticed.

/** numpy's default ("linear") percentile, by a full sort: the reference for quickselect. */
function sortedPercentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
}

/** Hand-computed decimals compare exactly after rounding away float noise. */
const round = (v: number) => Number(v.toFixed(9));

describe("percentiles: hand-computed rows", () => {
  // Sorted: 1 3 5 7 9; rank = p/100 * 4.
  const five = [7, 1, 9, 3, 5];
  it.each([
    [0, 1],
    [10, 1.8], // rank 0.4: 1 + 0.4 * 2
    [25, 3], // rank 1
    [50, 5], // rank 2
    [60, 5.8], // rank 2.4
    [90, 8.2], // rank 3.6
    [95, 8.6], // rank 3.8
    [100, 9],
  ])("p%d of 7 1 9 3 5 is %d", (p, expected) => {
    expect(percentiles(five, [p])[0]).toBeCloseTo(expected, 12);
  });

  it("answers several percentiles from one scratch copy, in the order asked", () => {
    // Sorted: 2 4 4 4 5 5 7 9 10 12; rank = p/100 * 9.
    const ten = [9, 4, 12, 2, 5, 4, 10, 7, 4, 5];
    expect(percentiles(ten, [95, 50, 10, 0, 100, 75]).map(round)).toEqual([
      11.1, // rank 8.55: 10 + 0.55 * 2
      5, // rank 4.5 between 5 and 5
      3.8, // rank 0.9: 2 + 0.9 * 2
      2,
      12,
      8.5, // rank 6.75: 7 + 0.75 * 2
    ]);
    expect(ten).toEqual([9, 4, 12, 2, 5, 4, 10, 7, 4, 5]); // the input is not reordered
  });

  it("interpolates between negative values and on a reversed input", () => {
    expect(percentiles([-1, -3, -5, -7, -9, -11], [50, 30]).map(round)).toEqual([-6, -8]);
  });

  it("gives 0 for every percentile of an empty input, and the value itself for one value", () => {
    expect(percentiles([], [50, 95])).toEqual([0, 0]);
    expect(percentiles([42], [0, 50, 95])).toEqual([42, 42, 42]);
  });

  it("matches a full sort on seeded random inputs (duplicates, sorted, reversed)", () => {
    const rand = seededRandom(15);
    const ps = [0, 1, 5, 10, 25, 33, 50, 66, 75, 90, 95, 99, 100];
    for (let run = 0; run < 300; run++) {
      const n = 1 + Math.floor(rand() * 40);
      // Few distinct values in half the runs, so equal keys meet the pivot.
      const spread = run % 2 === 0 ? 5 : 1000;
      let values = Array.from({ length: n }, () => Math.floor(rand() * spread) - spread / 2);
      if (run % 7 === 3) values = values.sort((a, b) => a - b);
      if (run % 7 === 5) values = values.sort((a, b) => b - a);
      const got = percentiles(values, ps);
      ps.forEach((p, i) => {
        expect([run, p, got[i]]).toEqual([run, p, sortedPercentile(values, p)]);
      });
    }
  });
});

describe("moments", () => {
  it.each([
    // values, n, mean, std (population), max
    [[], 0, 0, 0, 0],
    [[4], 1, 4, 0, 4],
    [[-5], 1, -5, 0, -5],
    [[2, 4, 4, 4, 5, 5, 7, 9], 8, 5, 2, 9],
    [[9, 2, 4, 4, 4, 5, 5, 7], 8, 5, 2, 9], // max first
    [[2, 4, 9, 4, 5, 5, 7, 4], 8, 5, 2, 9], // max in the middle
    [[-5, -3, -8, -4], 4, -5, Math.sqrt(3.5), -3], // all negative: max is not 0
    [[3, 3, 3], 3, 3, 0, 3],
  ])("moments(%j)", (values, n, mean, std, max) => {
    const m = moments(values);
    expect(m.n).toBe(n);
    expect(m.mean).toBeCloseTo(mean, 12);
    expect(m.std).toBeCloseTo(std, 12);
    expect(m.max).toBe(max);
  });

  it("reads typed arrays too", () => {
    expect(moments(Float64Array.from([1, 3]))).toEqual({ n: 2, mean: 2, std: 1, max: 3 });
  });
});

describe("safeRatio", () => {
  it.each([
    [1, 2, 0.5],
    [-1, 4, -0.25],
    [0, 5, 0],
    [1, 0, 0], // a vanishing denominator
    [0, 0, 0],
    [3, -2, 0], // a negative denominator is not a ratio we report
    [1e308, 1e-10, 0], // overflows to Infinity
  ])("safeRatio(%d, %d) = %d", (num, den, expected) => {
    expect(safeRatio(num, den)).toBe(expected);
  });
});

describe("selection of ordered values (branch-free partitions, issue 10)", () => {
  it("gives a full sort's percentiles, bit for bit, on 3,000 seeded arrays with and without repeats", () => {
    const rand = seededRandom(29);
    for (let i = 0; i < 3_000; i++) {
      const n = 1 + Math.floor(rand() * 400);
      // Few distinct values (long runs equal to the pivot), many, sorted, reversed (from -1: a -0
      // is unordered and takes the other path).
      const kind = i % 4;
      const values = Array.from({ length: n }, (_, k) =>
        kind === 0
          ? Math.floor(rand() * 4)
          : kind === 1
            ? rand() * 1e3 - 500
            : kind === 2
              ? k
              : -1 - k,
      );
      const p = [0, 10, 50, 90, 95, 100, 37.5][i % 7]!;
      const q = Math.max(p, [95, 50, 100][i % 3]!);
      const two = twoPercentilesInPlace(Float64Array.from(values), n, p, q);
      expect(Object.is(two[0], sortedPercentile(values, p))).toBe(true);
      expect(Object.is(two[1], sortedPercentile(values, q))).toBe(true);
      const one = onePercentileInPlace(Float64Array.from(values), n, q);
      expect(Object.is(one, sortedPercentile(values, q))).toBe(true);
    }
  });
});

describe("wholePercentile (counting, for whole-millisecond intervals)", () => {
  it("gives onePercentileInPlace's bits on 3,000 seeded arrays of whole numbers 0..1023", () => {
    const rand = seededRandom(17);
    for (let i = 0; i < 3_000; i++) {
      const n = 1 + Math.floor(rand() * 400);
      const top = [3, 30, 250, 1023][i % 4]!;
      const values = Float64Array.from({ length: n }, () => Math.floor(rand() * (top + 1)));
      const p = [0, 10, 50, 90, 95, 100, 37.5][i % 7]!;
      const expected = onePercentileInPlace(Float64Array.from(values), n, p);
      const got = wholePercentile(values, n, p);
      expect(Object.is(got, expected)).toBe(true);
    }
  });

  it("works out both ranks around a fractional one, from repeated and from distinct values", () => {
    // Sorted 1 2 2 9: rank 1.5 lies between 2 and 2; rank 2.25 between 2 and 9.
    const v = Float64Array.from([9, 2, 1, 2]);
    expect(wholePercentile(v, 4, 50)).toBe(2);
    expect(wholePercentile(v, 4, 75)).toBe(2 + 7 * 0.25);
    expect(wholePercentile(v, 4, 0)).toBe(1);
    expect(wholePercentile(v, 4, 100)).toBe(9);
    expect(wholePercentile(v, 0, 50)).toBe(0);
    // Only the first n values count.
    expect(wholePercentile(Float64Array.from([5, 7, 1000]), 2, 100)).toBe(7);
  });

  it("declines anything but whole numbers 0..1023, which the caller then selects", () => {
    for (const bad of [16.5, -1, -0, 1024, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(wholePercentile(Float64Array.from([3, bad, 4]), 3, 50)).toBeUndefined();
    }
    expect(wholePercentile(Float64Array.from([0, 1023, 5]), 3, 50)).toBe(5);
  });

  it("forgets the counts of an earlier call, one it declined half-way included", () => {
    // Issue 10: only the counts an earlier call can have touched are cleared, not all 1,024.
    expect(wholePercentile(Float64Array.from([0, 0, 0.5]), 3, 50)).toBeUndefined();
    expect(wholePercentile(Float64Array.from([5, 6, 7]), 3, 50)).toBe(6);
    expect(wholePercentile(Float64Array.from([1023, 2, 1023]), 3, 0)).toBe(2);
    expect(wholePercentile(Float64Array.from([9, 8]), 2, 100)).toBe(9);
    expect(wholePercentile(Float64Array.from([9, 8]), 2, 50)).toBe(8.5);
  });

  it("leaves the values as they were (no reordering)", () => {
    const v = Float64Array.from([9, 2, 1, 2]);
    wholePercentile(v, 4, 50);
    expect([...v]).toEqual([9, 2, 1, 2]);
  });
});
