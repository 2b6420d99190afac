import type { Point } from "./features-path.js";
import { moments3, onePercentileInPlace, safeRatio } from "./features-stats.js";
import { STROKE_GAP_MS, type StrokeTiming, strokeTiming } from "./features-timing.js";
import { hypot } from "./hypot.js";
import { type PointColumns, pointColumns } from "./point-columns.js";
import { push, series, sized } from "./series.js";

/**
 * Features for the local model that survive the browser's sampling rate (issue 3, "Generalisation
 * is the hard part"): the path is re-sampled on a fixed time grid coarser than any event rate we
 * expect (4-120 ms), so 8 ms and 100 ms recordings of one gesture give nearly the same numbers.
 */
export const EXTRA_FEATURE_COLUMNS = [
  "gridSpeedCv",
  "gridTurnMean",
  "gridStraightShare",
  "gridSpeedJerk",
  "gridTurnFlipShare",
  "gridTurnP90",
  "gridAccelShare",
  "gridMovingSteps",
  "dtJitter",
] as const;

export type ExtraFeatureName = (typeof EXTRA_FEATURE_COLUMNS)[number];

export const GRID_MS = 100;
/** Grid steps shorter than this are "not moving": integer rounding dominates their direction. */
const MOVING_PX = 3;
const STRAIGHT_RAD = 0.02;

/**
 * The grid's accumulators, reused across sessions (issue 10: per-point objects and number[]s were
 * most of this file's cost). Reset by toGrid; read by extraFeatures before it returns.
 */
const grid = { speeds: series(), turns: series(), speedJerks: series() };
const strokeSpeeds = series();
const absTurns = series();
const p90Scratch = series();

/** One stroke sampled at GRID_MS by linear interpolation; pointer only advances, so linear. */
function sampleStroke(c: PointColumns, from: number, to: number): void {
  const { x: px, y: py, t: pt } = c;
  const t0 = pt[from]!;
  const end = pt[to]!;
  let j = from;
  let hasPrev = false;
  let prevX = 0;
  let prevY = 0;
  let prevDx = 0;
  let prevDy = 0;
  let prevLen = 0; // hypot(prevDx, prevDy), kept instead of computed twice
  const speeds = strokeSpeeds;
  speeds.n = 0;
  for (let t = t0; t <= end; t += GRID_MS) {
    // Stryker disable next-line EqualityOperator: at a point's own time, f = 1 from the previous point lands on it
    while (j < to && pt[j + 1]! <= t) j++;
    const b = Math.min(j + 1, to);
    const span = pt[b]! - pt[j]!;
    const f = span > 0 ? (t - pt[j]!) / span : 0;
    const x = px[j]! + (px[b]! - px[j]!) * f;
    const y = py[j]! + (py[b]! - py[j]!) * f;
    if (hasPrev) {
      const dx = x - prevX;
      const dy = y - prevY;
      const len = hypot(dx, dy);
      push(speeds, len);
      if (len >= MOVING_PX && prevLen >= MOVING_PX) {
        push(grid.turns, Math.atan2(prevDx * dy - prevDy * dx, prevDx * dx + prevDy * dy));
      }
      prevDx = dx;
      prevDy = dy;
      prevLen = len;
    }
    prevX = x;
    prevY = y;
    hasPrev = true;
  }
  normaliseStroke(speeds.data, speeds.n);
}

/**
 * Speeds relative to the stroke's own mean: a script that picks a new constant speed for every
 * stroke is still constant within each one.
 */
function normaliseStroke(speeds: Float64Array, n: number): void {
  let sum = 0;
  let moving = 0;
  for (let i = 0; i < n; i++) {
    if (speeds[i]! >= MOVING_PX) {
      sum += speeds[i]!;
      moving++;
    }
  }
  const mean = sum / Math.max(1, moving);
  for (let i = 2; i < n; i++) {
    if (speeds[i - 1]! >= MOVING_PX) {
      push(grid.speedJerks, Math.abs(speeds[i]! - 2 * speeds[i - 1]! + speeds[i - 2]!) / mean);
    }
  }
  for (let i = 0; i < n; i++) if (speeds[i]! >= MOVING_PX) push(grid.speeds, speeds[i]! / mean);
}

function toGrid(c: PointColumns): void {
  grid.speeds.n = 0;
  grid.turns.n = 0;
  grid.speedJerks.n = 0;
  let start = 0;
  for (let i = 1; i <= c.n; i++) {
    const last = i === c.n;
    if (last || c.t[i]! - c.t[i - 1]! > STROKE_GAP_MS) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: a one-point stroke samples one grid point and adds nothing
      if (i - 1 > start) sampleStroke(c, start, i - 1);
      start = i;
    }
  }
}

export function extraFeatures(points: readonly Point[]): Record<ExtraFeatureName, number> {
  return extraFeaturesWith(points, strokeTiming(points));
}

/** extraFeatures, given strokeTiming(points) (issue 10: shared with the shape features). */
export function extraFeaturesWith(
  points: readonly Point[],
  timing: StrokeTiming,
): Record<ExtraFeatureName, number> {
  return extraFeaturesOf(pointColumns(points), timing);
}

/** extraFeaturesWith on the path's columns (issue 10: see point-columns.ts). */
export function extraFeaturesOf(
  c: PointColumns,
  timing: StrokeTiming,
): Record<ExtraFeatureName, number> {
  toGrid(c);
  const speeds = grid.speeds.data;
  const nSpeeds = grid.speeds.n;
  const turns = grid.turns.data;
  const nTurns = grid.turns.n;
  const abs = sized(absTurns, nTurns);
  for (let i = 0; i < nTurns; i++) abs[i] = Math.abs(turns[i]!);
  const jerks = grid.speedJerks;
  const [speed, turn, speedJerk] = moments3(speeds, nSpeeds, abs, nTurns, jerks.data, jerks.n);
  const sorted = sized(p90Scratch, nTurns);
  sorted.set(abs.subarray(0, nTurns));
  const turnP90 = onePercentileInPlace(sorted, nTurns, 90);
  let straight = 0;
  let flips = 0;
  for (let i = 0; i < nTurns; i++) {
    if (abs[i]! < STRAIGHT_RAD) straight++;
    if (i > 0 && turns[i]! * turns[i - 1]! < 0) flips++;
  }
  let accelerating = 0;
  for (let i = 1; i < nSpeeds; i++) {
    if (Math.abs(speeds[i]! - speeds[i - 1]!) > 0.1 * speed.mean) accelerating++;
  }
  return {
    gridSpeedCv: safeRatio(speed.std, speed.mean),
    gridTurnMean: turn.mean,
    gridStraightShare: safeRatio(straight, nTurns),
    gridSpeedJerk: speedJerk.mean,
    gridTurnFlipShare: safeRatio(flips, nTurns - 1),
    gridTurnP90: turnP90,
    gridAccelShare: safeRatio(accelerating, nSpeeds - 1),
    gridMovingSteps: nSpeeds,
    dtJitter: timingJitter(timing),
  };
}

/**
 * Mean |dt - median dt| / median dt over in-stroke intervals: 0 for a script on a fixed timer,
 * about 0.03 for a 60 Hz browser logging whole milliseconds (16, 17, 16, ...).
 */
function timingJitter({ dts, n, median }: StrokeTiming): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs(dts[i]! - median);
  return safeRatio(sum / Math.max(1, n), median);
}
