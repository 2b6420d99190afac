import type { Point } from "./features-path.js";
import { type Moments, moments, wholePercentile } from "./features-stats.js";
import { percentileOf } from "./percentile-of.js";
import { series, sized } from "./series.js";

/** Gaps longer than this end a stroke (features-grid.ts and features-shape.ts agree on it). */
export const STROKE_GAP_MS = 250;

/**
 * The in-stroke intervals (0 < dt <= STROKE_GAP_MS), their median and moments: read by both
 * dtJitter (features-grid.ts) and dtCv/dtOutShare (features-shape.ts). Issue 10: computed once per
 * session instead of twice; the buffer is reused, valid until the next call.
 */
export interface StrokeTiming {
  dts: Float64Array;
  n: number;
  median: number;
  moments: Moments;
}

const dtBuffer = series();

export function strokeTiming(points: readonly Point[]): StrokeTiming {
  const dts = sized(dtBuffer, points.length);
  let n = 0;
  for (let i = 1; i < points.length; i++) {
    const dt = points[i]!.timestamp - points[i - 1]!.timestamp;
    if (dt > 0 && dt <= STROKE_GAP_MS) dts[n++] = dt;
  }
  return strokeTimingOf(dts, n, moments(dts, n));
}

/** StrokeTiming from in-stroke intervals already collected, and their moments. */
export function strokeTimingOf(dts: Float64Array, n: number, m: Moments): StrokeTiming {
  const whole = wholePercentile(dts, n, 50);
  // Stryker disable next-line ConditionalExpression: always selecting gives the same median (features-timing.test.ts compares both with a sort); counting is the quicker way
  if (whole !== undefined) return { dts, n, median: whole, moments: m };
  return { dts, n, median: percentileOf(dts, n, 50), moments: m };
}
