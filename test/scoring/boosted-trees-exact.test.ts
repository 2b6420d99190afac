import { describe, expect, it } from "vitest";
import { trainTrees } from "../../src/scoring/boosted-trees.js";

// Issue 15: exact trained models where the first tree's root (G = 0 there) hides the arithmetic:
// inner nodes, later trees, weights, lambda and a learning rate below 1.
const opts = { trees: 1, depth: 1, learningRate: 1, minLeaf: 1, lambda: 0 };

describe("trainTrees, exact", () => {
  it("quantile edges are col[floor(b * (n - 1) / 32)]: on 0..63 the first edge is 1", () => {
    // y = 1 for x <= 1: base ln(2/62), p = 1/32; the left leaf -G/H = 1/p = 32, the right one
    // -1/(1 - p) = -32/31. (An edge at 2 would put a y = 0 row on the left.)
    const xs = Array.from({ length: 64 }, (_, i) => (i * 37) % 64);
    const m = trainTrees(
      ["a"],
      xs.map((x) => [x]),
      xs.map((x) => (x <= 1 ? 1 : 0)),
      xs.map(() => 1),
      opts,
    );
    expect(m.trees[0]).toMatchObject({ f: 0, thr: 1 });
    expect(m.trees[0]!.l!.v).toBeCloseTo(32, 9);
    expect(m.trees[0]!.r!.v).toBeCloseTo(-32 / 31, 12);
  });

  it("no split when every split gains nothing", () => {
    // x = 0, 0, 1, 1 with y = 0, 1, 0, 1: both sides have G = 0, gain 0.
    const m = trainTrees(["a"], [[0], [0], [1], [1]], [0, 1, 0, 1], [1, 1, 1, 1], opts);
    expect(m.trees).toEqual([{ v: -0 }]);
  });

  it("two depth-2 trees with weights, lambda 1 and rate 0.5", () => {
    const X = [
      [0, 5],
      [1, 3],
      [2, 4],
      [3, 1],
      [4, 2],
      [5, 0],
      [6, 6],
      [7, 7],
    ];
    const y = [0, 0, 1, 0, 1, 1, 1, 0];
    const w = [1, 2, 1, 1, 0.5, 1, 1, 1];
    const m = trainTrees(["a", "b"], X, y, w, {
      trees: 2,
      depth: 2,
      learningRate: 0.5,
      minLeaf: 1,
      lambda: 1,
    });
    // base ln(3.5 / 5) (weights of y = 1: 1 + 0.5 + 1 + 1 of 8.5)
    expect(m.base).toBeCloseTo(Math.log(0.7), 15);
    expect(m.columns).toEqual(["a", "b"]);
    const near = (v: number) => expect.closeTo(v, 12);
    expect(m.trees).toEqual([
      {
        f: 0,
        thr: 1,
        l: { v: near(-0.35771543086172347) },
        r: {
          f: 0,
          thr: 6,
          l: { v: near(0.3940397350993377) },
          r: { v: near(-0.16573816155988857) },
        },
      },
      {
        f: 0,
        thr: 1,
        l: { v: near(-0.2966154685770335) },
        r: {
          f: 0,
          thr: 6,
          l: { v: near(0.28428063521505686) },
          r: { v: near(-0.15088403018903124) },
        },
      },
    ]);
  });

  it("the first tree's left leaf by hand: rows 0 and 1, -0.5 G / (H + 1)", () => {
    // p = 1.4 / 4.4 for all rows (the weight of y = 1 over all); rows 0, 1 (y 0, w 1 and 2):
    // G = 3p, H = 3p(1 - p).
    const p = 1.4 / 4.4;
    const m = trainTrees(["a"], [[0], [1], [2], [3]], [0, 0, 1, 1], [1, 2, 1, 0.4], {
      ...opts,
      learningRate: 0.5,
      lambda: 1,
    });
    expect(m.trees[0]).toMatchObject({ thr: 1 });
    expect(m.trees[0]!.l!.v).toBeCloseTo((-0.5 * 3 * p) / (3 * p * (1 - p) + 1), 14);
  });
});
