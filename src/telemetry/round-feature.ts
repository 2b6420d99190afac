/**
 * roundFeature without toPrecision on the common path (issue 10: toPrecision was a quarter of
 * extractFeatures). Bit-identical to Number(x.toPrecision(6)): ECMAScript picks the integer n,
 * 10^5 <= n < 10^6, nearest to |x| / 10^(e-5) (ties up), and Number() rounds n x 10^(e-5)
 * correctly. Here n comes from one correctly rounded scaling whose error (< 1.2e-10 below 2^20)
 * cannot move it unless the scaled value sits within GUARD of a tie or of the range's ends,
 * where toPrecision decides; and n / 10^k (or n x 10^k) with both operands exact is the same
 * correctly rounded value Number() returns.
 */
const POW10 = Float64Array.from({ length: 23 }, (_, i) => Number(`1e${i}`)); // exact to 1e22
const GUARD = 1e-9;

/**
 * floor(log10(a)) by comparisons with exact powers of ten from 1e-21 to 1e22 (issue 10: Math.log10
 * is a call into the runtime). Any answer is safe: a wrong exponent puts the scaled value outside
 * sixDigits' range, and toPrecision decides.
 */
function decimalExponent(a: number): number {
  if (a >= 1 && a < POW10[22]!) {
    let e = 0;
    while (a >= POW10[e + 1]!) e++;
    return e;
  }
  if (a < 1 && a >= 1e-21) {
    let m = 1;
    while (a * POW10[m]! < 1) m++;
    return -m;
  }
  return Math.floor(Math.log10(a));
}

/** 6 significant digits of a finite, non-zero, non-integer |x|, or NaN when toPrecision must decide. */
function sixDigits(a: number): number {
  const k = 5 - decimalExponent(a);
  if (k > 22 || k < -22) return Number.NaN;
  const y = k >= 0 ? a * POW10[k]! : a / POW10[-k]!;
  if (!(y > 100_000 + GUARD && y < 999_999.5 - GUARD)) return Number.NaN;
  const n = Math.round(y);
  if (Math.abs(y - (n - 0.5)) < GUARD || Math.abs(y - (n + 0.5)) < GUARD) return Number.NaN;
  return k >= 0 ? n / POW10[k]! : n * POW10[-k]!;
}

/** 6 significant digits, so a row stored in the queue re-scores to exactly the same result. */
export function roundFeature(x: number): number {
  if (Number.isNaN(x)) return 0;
  // Stryker disable next-line EqualityOperator: x is +-Infinity here, never 0
  if (!Number.isFinite(x)) return x > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
  // Zero of either sign is 0 (toPrecision drops the sign of -0); whole numbers under 10^6 are kept.
  if (x === 0) return 0;
  if (Number.isInteger(x) && x < 1e6 && x > -1e6) return x;
  const a = Math.abs(x);
  const fast = sixDigits(a);
  const r = Number.isNaN(fast) ? Number(a.toPrecision(6)) : fast;
  return x < 0 ? -r : r;
}
