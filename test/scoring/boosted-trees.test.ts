import { describe, expect, it } from "vitest";
import {
  type BoostedTrees,
  predictLogit,
  predictTree,
  trainTrees,
} from "../../src/scoring/boosted-trees.js";

// Issue 15: the supervised layer on inputs small enough to follow by hand. Logistic loss: with
// p the current probability, g = (p - y) w and h = p (1 - p) w; a leaf is -rate * G / (H + lambda)
// and a split gains GL²/(HL+λ) + GR²/(HR+λ) - G²/(H+λ).

const opts = { trees: 1, depth: 1, learningRate: 1, minLeaf: 1, lambda: 0 };
// One column 0, 1, 2, 3 with labels 0, 0, 1, 1: base log(2/2) = 0, p = 0.5, g = ±0.5, h = 0.25.
const X = [[0], [1], [2], [3]];
const y = [0, 0, 1, 1];
const w = [1, 1, 1, 1];

describe("predictTree / predictLogit", () => {
  const tree = { f: 1, thr: 2, l: { v: -1 }, r: { f: 0, thr: 0, l: { v: 0.5 }, r: { v: 3 } } };

  it.each([
    [[9, 1], -1],
    [[9, 2], -1], // x <= thr goes left
    [[0, 2.5], 0.5],
    [[0.1, 5], 3],
  ])("%j -> %d", (x, v) => {
    expect(predictTree(tree, x)).toBe(v);
  });

  it("adds every tree to the base", () => {
    const model: BoostedTrees = { columns: ["a", "b"], base: -0.25, trees: [tree, { v: 1 }] };
    expect(predictLogit(model, [0.1, 5])).toBe(3.75);
    expect(predictLogit({ ...model, trees: [] }, [0.1, 5])).toBe(-0.25);
  });
});

describe("trainTrees", () => {
  it("one stump: the best split is between 1 and 2 (gain 4 against 4/3 elsewhere)", () => {
    // Left rows 0, 1: G = 1, H = 0.5 -> leaf -2; right: G = -1 -> leaf 2.
    expect(trainTrees(["a"], X, y, w, opts)).toEqual({
      columns: ["a"],
      base: 0,
      trees: [{ f: 0, thr: 1, l: { v: -2 }, r: { v: 2 } }],
    });
  });

  it("lambda and the learning rate shrink the leaves", () => {
    // -rate * G / (H + lambda) = -0.5 * 1 / (0.5 + 1.5)
    const m = trainTrees(["a"], X, y, w, { ...opts, lambda: 1.5, learningRate: 0.5 });
    expect(m.trees).toEqual([{ f: 0, thr: 1, l: { v: -0.25 }, r: { v: 0.25 } }]);
  });

  it("splits on the column that separates the labels", () => {
    const X2 = [
      [5, 0],
      [3, 1],
      [4, 2],
      [6, 3],
    ];
    expect(trainTrees(["noise", "signal"], X2, y, w, opts).trees).toEqual([
      { f: 1, thr: 1, l: { v: -2 }, r: { v: 2 } },
    ]);
  });

  it("weights move the base log-odds and the leaves", () => {
    // Positive weight 1 + 3 against 2: base ln 2, p = 2/3 everywhere.
    const m = trainTrees(["a"], X, y, [1, 1, 1, 3], opts);
    expect(m.base).toBeCloseTo(Math.LN2, 12);
    // Left: g = 2/3 each, h = 2/9 each -> -(4/3) / (4/9) = -3. Right: g = -1/3 (w 1) and -1 (w 3),
    // h = 2/9 and 6/9 -> (4/3) / (8/9) = 1.5.
    expect(m.trees).toHaveLength(1);
    expect(m.trees[0]!.l!.v).toBeCloseTo(-3, 12);
    expect(m.trees[0]!.r!.v).toBeCloseTo(1.5, 12);
  });

  it("stops at depth 0, below 2 x minLeaf rows, and on no gain", () => {
    expect(trainTrees(["a"], X, y, w, { ...opts, depth: 0 }).trees).toEqual([{ v: -0 }]);
    expect(trainTrees(["a"], X, y, w, { ...opts, minLeaf: 3 }).trees).toEqual([{ v: -0 }]);
    // A constant column has one bin: there is nothing to split on.
    const flat = trainTrees(["a"], [[1], [1], [1], [1]], y, w, opts);
    expect(flat.trees).toEqual([{ v: -0 }]);
  });

  it("minLeaf 2 allows only the middle split; deeper trees keep splitting", () => {
    expect(trainTrees(["a"], X, y, w, { ...opts, minLeaf: 2 }).trees[0]).toMatchObject({ thr: 1 });
    const deep = trainTrees(["a"], [[0], [1], [2], [3]], [0, 1, 0, 1], w, { ...opts, depth: 2 });
    expect(deep.trees[0]!.f).toBe(0);
  });

  it("each tree fits what the previous ones left", () => {
    const m = trainTrees(["a"], X, y, w, { ...opts, trees: 2 });
    // After the first stump F = -2, -2, 2, 2: p = 1 / (1 + e²) on the left, so the second stump's
    // leaves are -G / H = -(2 p) / (2 p (1 - p)) = -1 / (1 - p), and +1 / (1 - p) on the right.
    const p = 1 / (1 + Math.exp(2));
    expect(m.trees[1]!.l!.v).toBeCloseTo(-1 / (1 - p), 12);
    expect(m.trees[1]!.r!.v).toBeCloseTo(1 / (1 - p), 12);
    expect(predictLogit(m, [0])).toBeCloseTo(-2 - 1 / (1 - p), 12);
  });
});

describe("trainTrees: split choice", () => {
  it("finds the split on 40 shuffled distinct values through the 32 quantile edges", () => {
    // Edges are col[floor(b * 39 / 32)], b = 1..31; b = 16 gives 19, the boundary of y = x >= 20.
    const xs = Array.from({ length: 40 }, (_, i) => (i * 17) % 40);
    const m = trainTrees(
      ["a"],
      xs.map((x) => [x]),
      xs.map((x) => (x >= 20 ? 1 : 0)),
      xs.map(() => 1),
      opts,
    );
    expect(m.trees).toEqual([{ f: 0, thr: 19, l: { v: -2 }, r: { v: 2 } }]);
  });

  it("minLeaf rules out the best split when one side would be too small", () => {
    // y = 0, 1, 1, 1: base ln 3, g = 0.75, -0.25, -0.25, -0.25, h = 0.1875. Gains 4, 4/3, 3.11:
    // alone, row 0 splits off; with minLeaf 2 the middle split is the only one allowed.
    const y3 = [0, 1, 1, 1];
    expect(trainTrees(["a"], X, y3, w, opts).trees[0]).toMatchObject({ thr: 0 });
    const m = trainTrees(["a"], X, y3, w, { ...opts, minLeaf: 2 });
    expect(m.trees[0]).toMatchObject({ thr: 1 });
    expect(m.trees[0]!.l!.v).toBeCloseTo(-4 / 3, 12); // -0.5 / 0.375
    expect(m.trees[0]!.r!.v).toBeCloseTo(4 / 3, 12);
  });

  it("takes the first of equal gains, and stops at the depth asked", () => {
    // y = 0, 1, 0, 1: splitting off row 0 or row 3 gains 4/3 each; the first wins. At depth 1
    // the right side (y 1, 0, 1) stays one leaf: -(-0.5) / 0.75.
    const m = trainTrees(["a"], X, [0, 1, 0, 1], w, opts);
    expect(m.trees).toHaveLength(1);
    expect(m.trees[0]).toMatchObject({ f: 0, thr: 0, l: { v: -2 } });
    expect(m.trees[0]!.r!.v).toBeCloseTo(2 / 3, 12);
  });
});
