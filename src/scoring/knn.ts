import { boxDistance, buildKdTree } from "./kd-tree.js";

/**
 * k-nearest-neighbour distance to a human reference set (issue 3's "k-nearest-neighbour
 * distance"), chosen by measurement over a robust Mahalanobis and one-sided rules: it follows the
 * several human clusters of the baseline (different tasks, devices) instead of one ellipse.
 * Deterministic: no sampling, ties cannot change a sum of the k smallest distances.
 */
export interface KnnModel {
  k: number;
  /** Mean distance from `z` to its k nearest reference rows (skipping row `skip`, if given). */
  distance(z: Float64Array, skip?: number): number;
  /** Leave-one-out distance of every reference row: out-of-sample scores for calibration. */
  leaveOneOut(): number[];
}

export function trainKnn(reference: readonly Float64Array[], k: number): KnnModel {
  const n = reference.length;
  const dims = reference[0]?.length ?? 0;
  // A reference value that is not finite has no place in a box: then every row is scanned.
  const finite = dims > 0 && reference.every((row) => row.every((x) => Number.isFinite(x)));
  const tree = buildKdTree(finite ? reference : [], dims);
  const rows = finite ? tree.flat : flatRows(reference, dims);
  const original = finite ? tree.original : Int32Array.from(reference, (_, i) => i);
  const kk = Math.max(1, Math.min(k, n - 1));
  const nearest = new Float64Array(kk);

  /** Squared distance from z to row r (in `rows`), or early out once it reaches `bound`. */
  function squared(z: Float64Array, r: number, bound: number): number {
    let d2 = 0;
    for (let j = 0, o = r * dims; j < dims; j++, o++) {
      const t = z[j]! - rows[o]!;
      d2 += t * t;
      // Issue 10: sums of squares only grow, so a partial sum at the bound is never inserted.
      if (d2 >= bound) return d2;
    }
    return d2;
  }

  function consider(z: Float64Array, r: number, skip: number): void {
    if (original[r] === skip) return;
    const d2 = squared(z, r, nearest[kk - 1]!);
    // Stryker disable next-line EqualityOperator: inserting a tie replaces the k-th distance with an equal one
    if (d2 < nearest[kk - 1]!) insertSorted(nearest, d2);
  }

  /** Issue 10: the rows of every node whose box may hold a row nearer than the k-th so far. */
  function search(z: Float64Array, node: number, skip: number): void {
    if (boxDistance(tree, node, dims, z, nearest[kk - 1]!) >= nearest[kk - 1]!) return;
    const left = tree.left[node]!;
    if (left < 0) {
      for (let r = tree.start[node]!; r < tree.end[node]!; r++) consider(z, r, skip);
      return;
    }
    const right = tree.right[node]!;
    // The side of the split the query is on first: its rows shrink the k-th distance soonest.
    const nearFirst = z[tree.axis[node]!]! <= tree.split[node]!;
    search(z, nearFirst ? left : right, skip);
    search(z, nearFirst ? right : left, skip);
  }

  function distance(z: Float64Array, skip = -1): number {
    nearest.fill(Number.POSITIVE_INFINITY);
    if (finite && n > 0) search(z, 0, skip);
    else for (let r = 0; r < n; r++) consider(z, r, skip);
    let sum = 0;
    for (const d2 of nearest) sum += Math.sqrt(d2);
    return sum / kk;
  }

  return {
    k: kk,
    distance,
    leaveOneOut: () => reference.map((row, i) => distance(row, i)),
  };
}

function flatRows(reference: readonly Float64Array[], dims: number): Float64Array {
  const flat = new Float64Array(reference.length * dims);
  reference.forEach((row, i) => {
    flat.set(row, i * dims);
  });
  return flat;
}

/** Keeps the k smallest values seen so far in ascending order; k is small, so linear insert. */
function insertSorted(top: Float64Array, value: number): void {
  let i = top.length - 1;
  // Stryker disable next-line EqualityOperator,ConditionalExpression: top[-1] is undefined, so the loop stops at 0 anyway; shifting ties moves equal values
  while (i > 0 && top[i - 1]! > value) {
    top[i] = top[i - 1]!;
    i--;
  }
  top[i] = value;
}
