/**
 * Raw model score -> anomalyScore on design.md's scale: 0 for a typical human, then
 * -log10 of the share of held-back baseline humans scoring at least as high, relative to P_REF:
 *
 *   anomalyScore = max(0, log10(P_REF / p(raw)))
 *
 * With P_REF = 0.3 the default thresholds mean review at the strangest ~3% of humans and fail at
 * the strangest ~0.1% (1.0 and 2.5 as in PlayProof). Without the reference share, review at 1.0
 * would flag 10% of humans by construction, missing issue 3's 90% pass target. Beyond the 90th
 * percentile p(raw) follows an exponential tail fitted to the excesses (peaks over threshold),
 * so scores stay graded past the most extreme baseline human instead of saturating at log10(n).
 */
export interface Calibration {
  /** Held-back human raw scores, ascending. */
  sorted: number[];
  tailStart: number;
  tailMean: number;
  pRef: number;
}

const TAIL_QUANTILE = 0.9;
export const P_REF = 0.3;

export function fitCalibration(humanScores: readonly number[], pRef = P_REF): Calibration {
  const sorted = [...humanScores].sort((a, b) => a - b);
  if (sorted.length === 0) throw new Error("calibration needs at least one human score");
  const tailStart = sorted[Math.floor(TAIL_QUANTILE * (sorted.length - 1))]!;
  const excess = sorted.filter((s) => s > tailStart).map((s) => s - tailStart);
  const tailMean = excess.length > 0 ? excess.reduce((a, b) => a + b, 0) / excess.length : 1;
  return { sorted, tailStart, tailMean: Math.max(tailMean, 1e-9), pRef };
}

/** log10 of the share of calibration humans scoring >= raw, with the fitted tail above it. */
export function log10TailShare(cal: Calibration, raw: number): number {
  if (raw > cal.tailStart) {
    // In log space: far-out scores stay finite instead of underflowing to a share of 0.
    return Math.log10(1 - TAIL_QUANTILE) - (raw - cal.tailStart) / (cal.tailMean * Math.LN10);
  }
  let lo = 0;
  let hi = cal.sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cal.sorted[mid]! < raw) lo = mid + 1;
    else hi = mid;
  }
  return Math.log10((cal.sorted.length - lo) / cal.sorted.length);
}

export function calibrate(cal: Calibration, raw: number): number {
  const score = Math.log10(cal.pRef) - log10TailShare(cal, raw);
  // Stryker disable next-line EqualityOperator: a score of exactly 0 rounds to 0 either way
  return score > 0 ? Math.round(score * 1000) / 1000 : 0;
}
