/** Small numeric helpers for feature extraction: one pass or expected-linear, never spread. */

export interface Moments {
  n: number;
  mean: number;
  /** Population standard deviation (0 for fewer than 2 values). */
  std: number;
  max: number;
}

/**
 * Welford's running mean/variance: stable on long inputs and never needs the array twice. Reads
 * the first `count` values (issue 10: the extractor's reused buffers are longer than their data).
 */
export function moments(values: ArrayLike<number>, count = values.length): Moments {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  let max = 0;
  for (let i = 0; i < count; i++) {
    const v = values[i]!;
    n++;
    const d = v - mean;
    mean += d / n;
    m2 += d * (v - mean);
    // Stryker disable next-line EqualityOperator: v >= max only re-assigns an equal value
    if (n === 1 || v > max) max = v;
  }
  // Stryker disable next-line EqualityOperator: after one value m2 is 0, so n >= 1 gives the same 0
  return finish(n, mean, m2, max);
}

/**
 * moments() of up to six series at once (issue 10): each series sees exactly the operations
 * moments() performs, in the same order, so the results are the same bits; interleaving them lets
 * the CPU overlap the chains of divisions, which a single Welford loop waits on one by one (six
 * chains were a quarter faster than two calls of three).
 */
export function moments6(
  a: ArrayLike<number>,
  na: number,
  b: ArrayLike<number>,
  nb: number,
  c: ArrayLike<number>,
  nc: number,
  d: ArrayLike<number>,
  nd: number,
  e: ArrayLike<number>,
  ne: number,
  f: ArrayLike<number>,
  nf: number,
  out: Moments6 = momentsSlots(),
): Moments6 {
  let n1 = 0;
  let mean1 = 0;
  let sq1 = 0;
  let max1 = 0;
  let n2 = 0;
  let mean2 = 0;
  let sq2 = 0;
  let max2 = 0;
  let n3 = 0;
  let mean3 = 0;
  let sq3 = 0;
  let max3 = 0;
  let n4 = 0;
  let mean4 = 0;
  let sq4 = 0;
  let max4 = 0;
  let n5 = 0;
  let mean5 = 0;
  let sq5 = 0;
  let max5 = 0;
  let n6 = 0;
  let mean6 = 0;
  let sq6 = 0;
  let max6 = 0;
  const n = Math.max(na, nb, nc, nd, ne, nf);
  for (let i = 0; i < n; i++) {
    if (i < na) {
      const v = a[i]!;
      n1++;
      const dv = v - mean1;
      mean1 += dv / n1;
      sq1 += dv * (v - mean1);
      if (n1 === 1 || v > max1) max1 = v;
    }
    if (i < nb) {
      const v = b[i]!;
      n2++;
      const dv = v - mean2;
      mean2 += dv / n2;
      sq2 += dv * (v - mean2);
      if (n2 === 1 || v > max2) max2 = v;
    }
    if (i < nc) {
      const v = c[i]!;
      n3++;
      const dv = v - mean3;
      mean3 += dv / n3;
      sq3 += dv * (v - mean3);
      if (n3 === 1 || v > max3) max3 = v;
    }
    if (i < nd) {
      const v = d[i]!;
      n4++;
      const dv = v - mean4;
      mean4 += dv / n4;
      sq4 += dv * (v - mean4);
      if (n4 === 1 || v > max4) max4 = v;
    }
    if (i < ne) {
      const v = e[i]!;
      n5++;
      const dv = v - mean5;
      mean5 += dv / n5;
      sq5 += dv * (v - mean5);
      if (n5 === 1 || v > max5) max5 = v;
    }
    if (i < nf) {
      const v = f[i]!;
      n6++;
      const dv = v - mean6;
      mean6 += dv / n6;
      sq6 += dv * (v - mean6);
      if (n6 === 1 || v > max6) max6 = v;
    }
  }
  finishInto(out[0], n1, mean1, sq1, max1);
  finishInto(out[1], n2, mean2, sq2, max2);
  finishInto(out[2], n3, mean3, sq3, max3);
  finishInto(out[3], n4, mean4, sq4, max4);
  finishInto(out[4], n5, mean5, sq5, max5);
  finishInto(out[5], n6, mean6, sq6, max6);
  return out;
}

/**
 * Six Moments for moments6 to fill (issue 10: returning six new objects a call, three calls a
 * session, was a third of what extractFeatures allocated). A caller that keeps one set reuses it
 * on every call: read it before the next call with the same set.
 */
export type Moments6 = [Moments, Moments, Moments, Moments, Moments, Moments];

export function momentsSlots(): Moments6 {
  const blank = (): Moments => ({ n: 0, mean: Number.NaN, std: Number.NaN, max: Number.NaN });
  return [blank(), blank(), blank(), blank(), blank(), blank()];
}

const NONE = new Float64Array(0);

/** moments6 of three series (the first three of `out`). */
export function moments3(
  a: ArrayLike<number>,
  na: number,
  b: ArrayLike<number>,
  nb: number,
  c: ArrayLike<number>,
  nc: number,
  out: Moments6 = momentsSlots(),
): Moments6 {
  return moments6(a, na, b, nb, c, nc, NONE, 0, NONE, 0, NONE, 0, out);
}

function finish(n: number, mean: number, m2: number, max: number): Moments {
  // Stryker disable next-line ObjectLiteral: finishInto sets every field
  const m = { n: 0, mean: 0, std: 0, max: 0 };
  finishInto(m, n, mean, m2, max);
  return m;
}

function finishInto(m: Moments, n: number, mean: number, m2: number, max: number): void {
  m.n = n;
  m.mean = mean;
  // Stryker disable next-line EqualityOperator: after one value m2 is 0, so n >= 1 gives the same 0
  m.std = n > 1 ? Math.sqrt(Math.max(0, m2 / n)) : 0;
  m.max = max;
}

/**
 * k-th smallest value (0-based) among a[lo..hi] by quickselect: expected linear time, where a
 * full sort would be n log n. Median-of-three pivots keep sorted and reversed inputs linear.
 * Leaves a[lo..k-1] <= a[k] <= a[k+1..hi] (both loops exit with the range partitioned around k).
 */
function select(a: Float64Array, from: number, to: number, k: number): number {
  let lo = from;
  let hi = to;
  // Stryker disable next-line EqualityOperator: a one-element range partitions onto itself and returns a[k] all the same
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    // Stryker disable next-line MethodExpression: any of the three is a correct pivot; the median only keeps sorted input linear
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    // Stryker disable next-line ConditionalExpression: with j < k < i, a[k] equals the pivot and no later swap in [i, hi] moves it
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/**
 * select() for values that are not unordered() (no NaN, no -0): the same k-th smallest value, found
 * with branch-free partitions (issue 10: select's comparisons mispredict on about every other
 * value; this was twice as fast on 299 speeds). Each round moves the values below the pivot to the
 * front, and, when k is not among them, the values equal to it next: k in that run returns the
 * pivot, else the search goes on above it. Leaves the range partitioned around k as select does.
 * Order statistics of ordered values do not depend on how they are found, so the bits are
 * select's; with a NaN or a -0 they would, and percentileInPlace keeps select for those.
 */
export function selectOrdered(a: Float64Array, from: number, to: number, k: number): number {
  let lo = from;
  let hi = to;
  // Stryker disable next-line EqualityOperator: a one-element range partitions onto itself and returns a[k] all the same
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    // Always swap, advance on a match: no branch depends on the value.
    let below = lo;
    for (let i = lo; i <= hi; i++) {
      const v = a[i]!;
      a[i] = a[below]!;
      a[below] = v;
      below += +(v < pivot);
    }
    if (k < below) {
      hi = below - 1;
      continue;
    }
    let equal = below;
    for (let i = below; i <= hi; i++) {
      const v = a[i]!;
      a[i] = a[equal]!;
      a[equal] = v;
      equal += +(v <= pivot);
    }
    // Stryker disable next-line ConditionalExpression: searching on above the run instead shrinks the range to nothing and returns a[k], which the run holds: the pivot
    if (k < equal) return pivot;
    lo = equal;
  }
  return a[k]!;
}

/** Smallest of a[from..to) (the values are numbers, none NaN: see unordered). */
export function minOf(a: Float64Array, from: number, to: number): number {
  let m = a[from]!;
  for (let i = from + 1; i < to; i++) if (a[i]! < m) m = a[i]!;
  return m;
}

/** NaN has no order, and -0 and +0 compare equal: which one a selection returns depends on it. */
function unordered(a: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const v = a[i]!;
    if (Number.isNaN(v) || Object.is(v, -0)) return true;
  }
  return false;
}

/** Percentiles (0..100) with linear interpolation between ranks, as numpy's default. */
export function percentiles(values: ArrayLike<number>, ps: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) return ps.map(() => 0);
  const scratch = Float64Array.from(values);
  return ps.map((p) => percentileInPlace(scratch, n, p));
}

/**
 * One percentile of the first `n` values of `scratch`, which it reorders (issue 10: the extractor
 * copies into a reused buffer instead of allocating). Several calls on one buffer give what
 * `percentiles` gives for the same list: it makes exactly these calls in this order. 0 when n = 0.
 */
export function percentileInPlace(scratch: Float64Array, n: number, p: number): number {
  if (n === 0) return 0;
  const rank = (p / 100) * (n - 1);
  const lower = Math.floor(rank);
  const lowValue = select(scratch, 0, n - 1, lower);
  if (rank === lower) return lowValue;
  const highValue = select(scratch, 0, n - 1, lower + 1);
  return lowValue + (highValue - lowValue) * (rank - lower);
}

/**
 * percentileInPlace(scratch, n, p) then percentileInPlace(scratch, n, q), p <= q: the same two
 * values (order statistics do not depend on how they are found; the interpolation is the same
 * expression), found with less work (issue 10). After selecting rank k, a[k+1..] holds the values
 * above it, so rank k + 1 is their minimum, and q's ranks lie in that part. A NaN or a -0 among
 * the values takes the original calls, whose result then depends on the exact swaps.
 */
export function twoPercentilesInPlace(
  scratch: Float64Array,
  n: number,
  p: number,
  q: number,
): [number, number] {
  if (n === 0) return [0, 0];
  if (unordered(scratch, n)) {
    return [percentileInPlace(scratch, n, p), percentileInPlace(scratch, n, q)];
  }
  const first = rankValue(scratch, n, 0, (p / 100) * (n - 1));
  return [first, rankValue(scratch, n, Math.floor((p / 100) * (n - 1)), (q / 100) * (n - 1))];
}

/** percentileInPlace at `rank` for ordered values (not unordered()) partitioned at `from` (0: not at all). */
function rankValue(a: Float64Array, n: number, from: number, rank: number): number {
  const lower = Math.floor(rank);
  const lowValue = selectOrdered(a, from, n - 1, lower);
  if (rank === lower) return lowValue;
  const highValue = minOf(a, lower + 1, n);
  return lowValue + (highValue - lowValue) * (rank - lower);
}

/** percentileInPlace with one selection (issue 10): see twoPercentilesInPlace. */
export function onePercentileInPlace(scratch: Float64Array, n: number, p: number): number {
  if (n === 0) return 0;
  if (unordered(scratch, n)) return percentileInPlace(scratch, n, p);
  return rankValue(scratch, n, 0, (p / 100) * (n - 1));
}

const counts = new Uint32Array(0x400);
/** counts[dirty..] are all 0 (issue 10: clearing all 1,024 per call was most of a 30-point call). */
let dirty = 0;

/**
 * onePercentileInPlace(copy of values, n, p) when every value is a whole number in 0..1023, by
 * counting (issue 10: in-stroke intervals of devices that log whole milliseconds are such, and a
 * quickselect over them was 5% of extractFeatures at 300 points): the same two order statistics
 * and the same interpolation, so the same bits. Undefined for any other values: the caller selects.
 */
export function wholePercentile(values: Float64Array, n: number, p: number): number | undefined {
  if (n === 0) return 0;
  counts.fill(0, 0, dirty);
  dirty = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    // Stryker disable next-line EqualityOperator: 1023.5 and above are not whole anyway
    if (!(v >= 0 && v < counts.length && Math.floor(v) === v) || Object.is(v, -0)) return undefined;
    counts[v]!++;
    if (v >= dirty) dirty = v + 1;
  }
  const rank = (p / 100) * (n - 1);
  const lower = Math.floor(rank);
  let seen = 0;
  let v = 0;
  while (seen + counts[v]! <= lower) seen += counts[v++]!;
  const lowValue = v;
  // Stryker disable next-line ConditionalExpression: at a whole rank the interpolation adds (next - lowValue) x 0
  if (rank === lower) return lowValue;
  // Rank lower + 1: the same value if more of it remain, else the next value present.
  if (seen + counts[v]! <= lower + 1) {
    v++;
    while (counts[v] === 0) v++;
  }
  return lowValue + (v - lowValue) * (rank - lower);
}

/** Ratio that is 0 instead of NaN/Infinity when the denominator vanishes. */
export function safeRatio(num: number, den: number): number {
  // Stryker disable next-line EqualityOperator: den = 0 makes num / den non-finite, which the second test maps to 0
  return den > 0 && Number.isFinite(num / den) ? num / den : 0;
}

/**
 * The median (the mean of the middle two for an even count, as PlayProof computes it) and the
 * value at `rank` (0..n-1, linearly interpolated between the ranks around it) of the first n > 0
 * values of `scratch`, which it reorders: what sorting them and reading those places gives, found
 * by selection (issue 10: features-playproof1.ts sorted every session's speeds). Undefined when a
 * NaN or -0 is among the values: where a sort puts those is not a matter of value alone.
 */
export function medianAndPercentileInPlace(
  scratch: Float64Array,
  n: number,
  rank: number,
): [number, number] | undefined {
  if (unordered(scratch, n)) return undefined;
  const mid = n >> 1;
  let median: number;
  let from: number;
  if (n % 2 === 1) {
    median = selectOrdered(scratch, 0, n - 1, mid);
    from = mid;
  } else {
    // Rank mid - 1 selected, rank mid is the smallest value above it.
    median = (selectOrdered(scratch, 0, n - 1, mid - 1) + minOf(scratch, mid, n)) / 2;
    from = mid - 1;
  }
  // Below the median's rank the values are not partitioned at `from`: select among them all.
  return [median, rankValue(scratch, n, Math.floor(rank) < from ? 0 : from, rank)];
}
