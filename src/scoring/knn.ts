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
  const rows = byFirstCoordinate(reference, dims);
  const kk = Math.max(1, Math.min(k, n - 1));
  const nearest = new Float64Array(kk);

  /** Squared distance from z to sorted row r, or early out once it reaches `bound`. */
  function squared(z: Float64Array, r: number, bound: number): number {
    let d2 = 0;
    for (let j = 0, o = r * dims; j < dims; j++, o++) {
      const t = z[j]! - rows.flat[o]!;
      d2 += t * t;
      // Issue 10: sums of squares only grow, so a partial sum at the bound is never inserted.
      if (d2 >= bound) return d2;
    }
    return d2;
  }

  function consider(z: Float64Array, r: number, skip: number): void {
    if (rows.original[r] === skip) return;
    const d2 = squared(z, r, nearest[kk - 1]!);
    // Stryker disable next-line EqualityOperator: inserting a tie replaces the k-th distance with an equal one
    if (d2 < nearest[kk - 1]!) insertSorted(nearest, d2);
  }

  function distance(z: Float64Array, skip = -1): number {
    nearest.fill(Number.POSITIVE_INFINITY);
    const z0 = z[0]!;
    if (!rows.ordered || Number.isNaN(z0)) {
      for (let r = 0; r < n; r++) consider(z, r, skip);
    } else {
      searchOutward(z, z0, skip);
    }
    let sum = 0;
    for (const d2 of nearest) sum += Math.sqrt(d2);
    return sum / kk;
  }

  /**
   * Issue 10: rows in order of their first coordinate, visited outward from z's; once the gap
   * in that coordinate alone reaches the k-th distance, no row left can enter (its distance is
   * at least the gap's square, and rounding never makes a sum of squares smaller than a term),
   * so the same k distances come out as from a scan of every row, in fewer steps.
   */
  function searchOutward(z: Float64Array, z0: number, skip: number): void {
    let hi = lowerBound(rows.first, z0);
    let lo = hi - 1;
    while (lo >= 0 || hi < n) {
      const gapLo = lo >= 0 ? z0 - rows.first[lo]! : Number.POSITIVE_INFINITY;
      const gapHi = hi < n ? rows.first[hi]! - z0 : Number.POSITIVE_INFINITY;
      const takeLo = gapLo <= gapHi;
      const gap = takeLo ? gapLo : gapHi;
      if (gap * gap >= nearest[kk - 1]!) return;
      consider(z, takeLo ? lo-- : hi++, skip);
    }
  }

  return {
    k: kk,
    distance,
    leaveOneOut: () => reference.map((row, i) => distance(row, i)),
  };
}

interface SortedRows {
  /** Row-major values, rows in order of their first coordinate (stable). */
  flat: Float64Array;
  first: Float64Array;
  /** Index in the reference of each sorted row (so `skip` still names the caller's row). */
  original: Int32Array;
  /** False when a first coordinate is not finite (or there is none): then every row is scanned. */
  ordered: boolean;
}

function byFirstCoordinate(reference: readonly Float64Array[], dims: number): SortedRows {
  const n = reference.length;
  const order = Array.from({ length: n }, (_, i) => i);
  const ordered = dims > 0 && reference.every((row) => Number.isFinite(row[0]));
  if (ordered) order.sort((a, b) => reference[a]![0]! - reference[b]![0]! || a - b);
  const flat = new Float64Array(n * dims);
  const first = new Float64Array(n);
  order.forEach((i, r) => {
    flat.set(reference[i]!, r * dims);
    first[r] = reference[i]![0] ?? 0;
  });
  return { flat, first, original: Int32Array.from(order), ordered };
}

/** First index whose value is >= x (values ascending). */
function lowerBound(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
