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
  const flat = new Float64Array(n * dims);
  for (let i = 0; i < n; i++) flat.set(reference[i]!, i * dims);
  const kk = Math.max(1, Math.min(k, n - 1));
  const nearest = new Float64Array(kk);

  function distance(z: Float64Array, skip = -1): number {
    nearest.fill(Number.POSITIVE_INFINITY);
    for (let i = 0; i < n; i++) {
      if (i === skip) continue;
      let d2 = 0;
      for (let j = 0, o = i * dims; j < dims; j++, o++) {
        const t = z[j]! - flat[o]!;
        d2 += t * t;
      }
      // Stryker disable next-line EqualityOperator: inserting a tie replaces the k-th distance with an equal one
      if (d2 < nearest[kk - 1]!) insertSorted(nearest, d2);
    }
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
