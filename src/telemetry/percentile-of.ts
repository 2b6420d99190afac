import {
  minOf,
  onePercentileInPlace,
  selectOrdered,
  twoPercentilesInPlace,
} from "./features-stats.js";
import { type Series, series, sized } from "./series.js";

/**
 * Percentiles of a few hundred values by counting (issue 10, eighth round). The extractor's
 * selections (the speeds' median and 95th percentile, both grids' residual medians, the 100 ms
 * grid turns' 90th percentile, the in-stroke intervals' median when they are not whole
 * milliseconds) partitioned a copy of all the values, two passes over the range at every level:
 * 3.9 µs for 299 speeds. Here the values are read three times (their range, then counted into
 * buckets of equal width, then the few in the buckets of the wanted ranks copied out) and only
 * those few are selected among: 2.25 µs.
 *
 * A bucket is trunc((v - min) x scale): monotone in v (a difference, a product with a positive
 * scale and a truncation each keep the order), so a smaller bucket holds only smaller values, and
 * the k-th smallest value is the j-th smallest of its bucket, j being k less the values in the
 * buckets below. Order statistics do not depend on how they are found, and the interpolation is
 * rankValue's expression: the same bits as selecting on a copy (features-stats.ts), with two
 * exceptions that take that way instead: a NaN (no order at all), and an order statistic equal to
 * 0, whose sign a -0 among the values could make depend on the swaps. An infinity or a range too
 * narrow or wide to scale (every value equal, or a scale that overflows) also selects on a copy,
 * as do lists too short for counting to pay or longer than its scratch.
 */

/** Fewer values than this are selected on a copy (at 32 both took 0.4 µs; at 100, 1.5 against 0.9). */
export const COUNTED_MIN = 32;
/** At most this many buckets (the scan for a rank walks them). */
const BUCKETS = 1024;

/** More values than this are selected on a copy (the scratch below has room for this many). */
export const COUNTED_MAX = 8192;

/**
 * Module constants of a fixed size: V8 compiles an access to one without reloading and checking
 * its length and data pointer every time, as it does for an array read through a variable (that
 * was 30% of this code's time: 2.9 against 2.25 µs for 299 speeds).
 */
const counts = new Int32Array(BUCKETS);
/** Each value's bucket, from the counting pass, for the pass that copies the wanted ones out. */
const buckets = new Int32Array(COUNTED_MAX);
/** The values of the buckets around each wanted rank. */
const nearP = new Float64Array(COUNTED_MAX);
const nearQ = new Float64Array(COUNTED_MAX);
const copy: Series = series();
const pair = new Float64Array(2);

/**
 * percentileInPlace(copy, n, p) then (p <= q) percentileInPlace(copy, n, q) of the first n values
 * of `from`, which it does not reorder: the two results in a reused pair (read it before the next
 * call). With q = p, the second is the first again.
 */
export function percentilesOf(from: Float64Array, n: number, p: number, q: number): Float64Array {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: counting or selecting on a copy gives the same bits (the tests compare both ways); only the time differs
  if (n >= COUNTED_MIN && countedPercentiles(from, n, p, q) !== undefined) return pair;
  const scratch = sized(copy, n);
  scratch.set(from.subarray(0, n));
  if (q === p) {
    pair[0] = pair[1] = onePercentileInPlace(scratch, n, p);
  } else {
    [pair[0], pair[1]] = twoPercentilesInPlace(scratch, n, p, q);
  }
  return pair;
}

/** percentilesOf(from, n, p, p)[0]. */
export function percentileOf(from: Float64Array, n: number, p: number): number {
  return percentilesOf(from, n, p, p)[0]!;
}

/**
 * percentilesOf's two results by counting, in the same reused pair; undefined when they must be
 * selected on a copy (a NaN, an infinity, fewer than two distinct values, a range the scale
 * overflows, a 0 among the order statistics, more than COUNTED_MAX values).
 */
export function countedPercentiles(
  from: Float64Array,
  n: number,
  p: number,
  q: number,
): Float64Array | undefined {
  if (n > COUNTED_MAX) return undefined;
  let lo = from[0]!;
  let hi = lo;
  // Math.min and Math.max give NaN once a NaN is among the values: the scale is NaN then.
  for (let i = 1; i < n; i++) {
    const v = from[i]!;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const k = Math.min(n, BUCKETS);
  const scale = (k - 1) / (hi - lo);
  // A NaN makes the scale NaN, an infinity 0 or NaN, every value equal (or one value) infinite.
  if (!(scale > 0 && scale < Number.POSITIVE_INFINITY)) return undefined;
  for (let i = 0; i < n; i++) {
    const c = ((from[i]! - lo) * scale) | 0;
    buckets[i] = c;
    counts[c]!++;
  }
  const rankP = (p / 100) * (n - 1);
  const rankQ = (q / 100) * (n - 1);
  bucketsOf(rankP, 0, 0);
  const fromP = scan[0]!;
  const belowP = scan[1]!;
  const widthP = scan[2]!;
  // From p's first bucket on: q's lower rank is never below p's, but may be below p's upper one.
  // One percentile (q = p): scan still holds p's window (scanning again finds it again).
  // Stryker disable next-line ConditionalExpression: see above
  if (q !== p) bucketsOf(rankQ, fromP, belowP);
  const fromQ = scan[0]!;
  const belowQ = scan[1]!;
  const widthQ = scan[2]!;
  counts.fill(0, 0, k);
  let kp = 0;
  let kq = 0;
  for (let i = 0; i < n; i++) {
    const v = from[i]!;
    const c = buckets[i]!;
    // Written at the next free place either way, kept only when its bucket is wanted.
    nearP[kp] = v;
    kp += +((c - fromP) >>> 0 <= widthP);
    nearQ[kq] = v;
    kq += +((c - fromQ) >>> 0 <= widthQ);
  }
  const atP = rankIn(nearP, kp, rankP, Math.floor(rankP) - belowP);
  // Stryker disable next-line ConditionalExpression: for q = p, rankIn on the same window gives atP again
  const atQ = q === p ? atP : rankIn(nearQ, kq, rankQ, Math.floor(rankQ) - belowQ);
  if (Number.isNaN(atP) || Number.isNaN(atQ)) return undefined;
  pair[0] = atP;
  pair[1] = atQ;
  return pair;
}

/** bucketsOf's answer: the first bucket, the values below it, how many buckets after it to take. */
const scan = new Int32Array(3);

/**
 * The bucket holding rank floor(rank) and, when rank is not whole, the bucket holding the rank
 * above it (the same or a later one), scanning the counts from bucket `start`, which has `seen`
 * values below it. A wider window than that would only collect more values, which the selection
 * among them passes over: the same answer (the mutants marked below).
 */
function bucketsOf(rank: number, start: number, seen: number): void {
  const low = Math.floor(rank);
  let b = start;
  let s = seen;
  while (s + counts[b]! <= low) s += counts[b++]!;
  scan[0] = b;
  scan[1] = s;
  // Stryker disable next-line ConditionalExpression,ArithmeticOperator: a wider window (see above)
  if (rank !== low) while (s + counts[b]! <= low + 1) s += counts[b++]!;
  // Stryker disable next-line ArithmeticOperator: a wider window (see above)
  scan[2] = b - scan[0];
}

/**
 * rankValue's result for `rank`, given the k values of its buckets, the lower rank being the
 * j-th smallest among them (and the one above it, when wanted, among them too); NaN when either
 * order statistic is 0 (see the file's comment).
 */
function rankIn(near: Float64Array, k: number, rank: number, j: number): number {
  const lower = Math.floor(rank);
  const lowValue = selectOrdered(near, 0, k - 1, j);
  // Stryker disable next-line ConditionalExpression: at a whole rank the interpolation adds (next - lowValue) x 0 (next is finite: only values are written there), and a next of 0 only declines, which percentilesOf then answers by selection with the same bits
  if (rank === lower) return lowValue === 0 ? Number.NaN : lowValue;
  const highValue = minOf(near, j + 1, k);
  if (lowValue === 0 || highValue === 0) return Number.NaN;
  return lowValue + (highValue - lowValue) * (rank - lower);
}
