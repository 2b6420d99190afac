import { describe, expect, it } from "vitest";
import { trainKnn } from "../../src/scoring/knn.js";

const v = (...xs: number[]) => Float64Array.from(xs);
const reference = [v(0, 0), v(1, 0), v(0, 1), v(10, 10)];

describe("trainKnn", () => {
  it("averages the distances to the k nearest reference rows", () => {
    const knn = trainKnn(reference, 2);
    expect(knn.distance(v(0, 0))).toBeCloseTo((0 + 1) / 2);
    expect(knn.distance(v(3, 4))).toBeCloseTo((Math.hypot(3, 3) + Math.hypot(2, 4)) / 2);
  });

  it("leaves each row out of its own score", () => {
    const loo = trainKnn(reference, 1).leaveOneOut();
    expect(loo.slice(0, 3)).toEqual([1, 1, 1]);
    expect(loo[3]).toBeCloseTo(Math.hypot(9, 10), 12);
  });

  it("never asks for more neighbours than there are", () => {
    expect(trainKnn(reference, 50).k).toBe(3);
  });
});

// Issue 15: exact values on inputs where the order of arrival and the k-th neighbour matter.
describe("trainKnn: the k smallest, whatever order the rows come in", () => {
  // Distances from the origin: 5, 3, 1, 0, 10, 2 (rows arrive far, nearer, nearest, far, mid).
  const line = [v(5, 0), v(3, 0), v(0, 1), v(0, 0), v(10, 0), v(0, -2)];

  it.each([
    [1, 0], // 0
    [2, 0.5], // (0 + 1) / 2
    [3, 1], // (0 + 1 + 2) / 3
    [4, 1.5], // (0 + 1 + 2 + 3) / 4
    [5, 11 / 5], // 0 + 1 + 2 + 3 + 5
  ])("k = %i: mean distance %d", (k, expected) => {
    expect(trainKnn(line, k).distance(v(0, 0))).toBeCloseTo(expected, 12);
  });

  it("skips only the row it is told to", () => {
    const knn = trainKnn(line, 2);
    expect(knn.distance(v(0, 0), 3)).toBeCloseTo((1 + 2) / 2, 12); // row 3 is the origin itself
    expect(knn.distance(v(0, 0), 0)).toBeCloseTo((0 + 1) / 2, 12); // row 0 is not among the 2
  });

  it("scores leave-one-out rows against the others only", () => {
    expect(trainKnn([v(0), v(1), v(3), v(7)], 2).leaveOneOut()).toEqual([2, 1.5, 2.5, 5]);
  });

  it("keeps k between 1 and n - 1", () => {
    expect(trainKnn(line, 0).k).toBe(1);
    expect(trainKnn(line, -4).k).toBe(1);
    expect(trainKnn(line, 5).k).toBe(5);
    expect(trainKnn(line, 6).k).toBe(5);
    expect(trainKnn([v(2, 2)], 3).k).toBe(1);
    expect(trainKnn([v(2, 2)], 3).distance(v(5, 6))).toBe(5);
  });

  it("is reusable: one call's neighbours never leak into the next", () => {
    const knn = trainKnn(line, 2);
    expect(knn.distance(v(0, 0))).toBeCloseTo(0.5, 12);
    expect(knn.distance(v(100, 0))).toBeCloseTo((90 + 95) / 2, 12);
    expect(knn.distance(v(0, 0))).toBeCloseTo(0.5, 12);
  });

  it("has no neighbours at all without reference rows", () => {
    expect(trainKnn([], 3).distance(v())).toBe(Number.POSITIVE_INFINITY);
  });
});

// Issue 10: the outward search from the first coordinate must return exactly what a scan of
// every row returns: the same k distances, so the same bits.
describe("trainKnn: the outward search equals a full scan", () => {
  function scan(ref: readonly Float64Array[], z: Float64Array, k: number, skip = -1): number {
    const d = ref
      .map((r, i) =>
        i === skip ? Number.POSITIVE_INFINITY : r.reduce((s, x, j) => s + (z[j]! - x) ** 2, 0),
      )
      .sort((a, b) => a - b)
      .slice(0, k);
    let sum = 0;
    for (const d2 of d) sum += Math.sqrt(d2);
    return sum / k;
  }

  it("on random clustered rows with ties, queries inside and outside, and leave-one-out", () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const ref = Array.from({ length: 400 }, (_, i) =>
      Float64Array.from(
        { length: 5 },
        () => Math.round((rand() - 0.5) * (i % 3 === 0 ? 4 : 40)) / 2,
      ),
    );
    const knn = trainKnn(ref, 10);
    for (let q = 0; q < 300; q++) {
      const z = Float64Array.from({ length: 5 }, () => (rand() - 0.5) * 60);
      expect(knn.distance(z)).toBe(scan(ref, z, 10));
    }
    expect(knn.leaveOneOut()).toEqual(ref.map((r, i) => scan(ref, r, 10, i)));
  });

  it("scans every row when a query or a reference row has a non-finite first coordinate", () => {
    const ref = [v(Number.NaN, 0), v(1, 0), v(2, 2), v(0, 0)];
    expect(trainKnn(ref, 2).distance(v(0, 0))).toBe((0 + 1) / 2);
    expect(trainKnn(reference, 2).distance(v(Number.NaN, 0))).toBe(Number.POSITIVE_INFINITY);
  });
});
