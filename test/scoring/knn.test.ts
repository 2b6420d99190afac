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
