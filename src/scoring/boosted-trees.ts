/**
 * Gradient-boosted decision trees with logistic loss (issue 13, part 2): the supervised layer of
 * the local engine, trained on baseline humans against dev-seed generated bots. Histogram splits
 * on at most BINS quantile edges per column; no sampling, so the same rows give the same trees.
 * Training runs in scripts/build-baseline.mjs (seconds); scoring is a few hundred comparisons.
 */
export interface TreeNode {
  /** Column index of the split; absent on a leaf. */
  f?: number;
  thr?: number;
  l?: TreeNode;
  r?: TreeNode;
  /** Leaf value (log-odds). */
  v?: number;
}

export interface BoostedTrees {
  columns: string[];
  base: number;
  trees: TreeNode[];
}

export interface TrainTreesOptions {
  trees: number;
  depth: number;
  learningRate: number;
  minLeaf: number;
  lambda: number;
}

const BINS = 32;

function quantileEdges(X: readonly number[][], j: number): number[] {
  const col = X.map((r) => r[j]!).sort((a, b) => a - b);
  const edges: number[] = [];
  for (let b = 1; b < BINS; b++) {
    const v = col[Math.floor((b * (col.length - 1)) / BINS)]!;
    // Stryker disable next-line EqualityOperator: a repeated edge makes an empty bin, whose split ties the one before it (the first wins)
    if (edges.length === 0 || v > edges.at(-1)!) edges.push(v);
  }
  return edges;
}

function binOf(edges: readonly number[], v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v > edges[mid]!) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function predictTree(node: TreeNode, x: readonly number[]): number {
  let t = node;
  while (t.f !== undefined) t = x[t.f]! <= t.thr! ? t.l! : t.r!;
  return t.v!;
}

export function predictLogit(model: BoostedTrees, x: readonly number[]): number {
  let s = model.base;
  for (const t of model.trees) s += predictTree(t, x);
  return s;
}

/**
 * predictLogit over flat arrays (issue 10: walking 200 trees of objects was a third of scoreRows).
 * Node i splits on column feature[i] at threshold[i] (left when x <= threshold), or is a leaf
 * (feature -1) with `value`; roots[t] is tree t's root. Same comparisons, same leaves, added to
 * `base` in tree order: the same bits as predictLogit.
 */
export function compileTrees(model: BoostedTrees): (x: ArrayLike<number>) => number {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const add = (node: TreeNode): number => {
    const i = feature.length;
    feature.push(node.f ?? -1);
    threshold.push(node.thr ?? Number.NaN); // as predictTree: x <= undefined is false
    value.push(node.v ?? Number.NaN); // as predictLogit: adding undefined gives NaN
    left.push(-1);
    right.push(-1);
    if (node.f !== undefined) {
      left[i] = add(node.l!);
      right[i] = add(node.r!);
    }
    return i;
  };
  const roots = Int32Array.from(model.trees.map(add));
  const f = Int32Array.from(feature);
  const thr = Float64Array.from(threshold);
  const l = Int32Array.from(left);
  const r = Int32Array.from(right);
  const v = Float64Array.from(value);
  const base = model.base;
  return (x) => {
    let s = base;
    for (let t = 0; t < roots.length; t++) {
      let i = roots[t]!;
      while (f[i]! >= 0) i = x[f[i]!]! <= thr[i]! ? l[i]! : r[i]!;
      s += v[i]!;
    }
    return s;
  };
}

interface Split {
  gain: number;
  j: number;
  bin: number;
}

export function trainTrees(
  columns: readonly string[],
  X: readonly number[][],
  y: readonly number[],
  w: readonly number[],
  o: TrainTreesOptions,
): BoostedTrees {
  const n = X.length;
  const d = columns.length;
  const edges = columns.map((_, j) => quantileEdges(X, j));
  const B = X.map((r) => r.map((v, j) => binOf(edges[j]!, v)));
  let wSum = 0;
  let wPos = 0;
  for (let i = 0; i < n; i++) {
    wSum += w[i]!;
    wPos += w[i]! * y[i]!;
  }
  const base = Math.log(wPos / (wSum - wPos));
  const F = new Float64Array(n).fill(base);
  const g = new Float64Array(n);
  const h = new Float64Array(n);

  function bestSplit(idx: readonly number[], G: number, H: number): Split | undefined {
    let best: Split | undefined;
    const parent = (G * G) / (H + o.lambda);
    for (let j = 0; j < d; j++) {
      const nb = edges[j]!.length + 1;
      const gb = new Float64Array(nb);
      const hb = new Float64Array(nb);
      const cb = new Int32Array(nb);
      for (const i of idx) {
        const b = B[i]![j]!;
        gb[b]! += g[i]!;
        hb[b]! += h[i]!;
        cb[b]!++;
      }
      let gl = 0;
      let hl = 0;
      let cl = 0;
      for (let b = 0; b < nb - 1; b++) {
        gl += gb[b]!;
        hl += hb[b]!;
        cl += cb[b]!;
        if (cl < o.minLeaf || idx.length - cl < o.minLeaf) continue;
        const gain = (gl * gl) / (hl + o.lambda) + (G - gl) ** 2 / (H - hl + o.lambda) - parent;
        if (!best || gain > best.gain) best = { gain, j, bin: b };
      }
    }
    return best;
  }

  function grow(idx: number[], level: number): TreeNode {
    let G = 0;
    let H = 0;
    for (const i of idx) {
      G += g[i]!;
      H += h[i]!;
    }
    const leaf = { v: (-o.learningRate * G) / (H + o.lambda) };
    // Stryker disable next-line ArithmeticOperator: a shortcut; bestSplit finds no split with both sides >= minLeaf anyway
    if (level >= o.depth || idx.length < 2 * o.minLeaf) return leaf;
    const split = bestSplit(idx, G, H);
    // Stryker disable next-line EqualityOperator: a gain of exactly 1e-9 does not occur
    if (!split || split.gain <= 1e-9) return leaf;
    const left = idx.filter((i) => B[i]![split.j]! <= split.bin);
    const right = idx.filter((i) => B[i]![split.j]! > split.bin);
    return {
      f: split.j,
      thr: edges[split.j]![split.bin]!,
      l: grow(left, level + 1),
      r: grow(right, level + 1),
    };
  }

  const trees: TreeNode[] = [];
  const all = Array.from({ length: n }, (_, i) => i);
  for (let t = 0; t < o.trees; t++) {
    // Stryker disable next-line EqualityOperator: i = n writes past the typed arrays' end, which is ignored
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-F[i]!));
      g[i] = (p - y[i]!) * w[i]!;
      h[i] = Math.max(p * (1 - p), 1e-6) * w[i]!;
    }
    const tree = grow(all, 0);
    trees.push(tree);
    for (let i = 0; i < n; i++) F[i]! += predictTree(tree, X[i]!);
  }
  return { columns: [...columns], base, trees };
}
