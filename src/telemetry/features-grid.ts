import type { Point } from "./features-path.js";
import { moments, percentiles, safeRatio } from "./features-stats.js";

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
/** Gaps longer than this end a stroke: the pointer rested, so interpolating across is fiction. */
const STROKE_GAP_MS = 250;
/** Grid steps shorter than this are "not moving": integer rounding dominates their direction. */
const MOVING_PX = 3;
const STRAIGHT_RAD = 0.02;

interface Grid {
  speeds: number[];
  turns: number[];
  speedJerks: number[];
}

/** One stroke sampled at GRID_MS by linear interpolation; pointer only advances, so linear. */
function sampleStroke(points: readonly Point[], from: number, to: number, grid: Grid): void {
  const t0 = points[from]!.timestamp;
  const end = points[to]!.timestamp;
  let j = from;
  let prev: { x: number; y: number } | undefined;
  let prevDx = 0;
  let prevDy = 0;
  const speeds: number[] = [];
  for (let t = t0; t <= end; t += GRID_MS) {
    // Stryker disable next-line EqualityOperator: at a point's own time, f = 1 from the previous point lands on it
    while (j < to && points[j + 1]!.timestamp <= t) j++;
    const a = points[j]!;
    const b = points[Math.min(j + 1, to)]!;
    const span = b.timestamp - a.timestamp;
    const f = span > 0 ? (t - a.timestamp) / span : 0;
    const p = { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f };
    if (prev) {
      const dx = p.x - prev.x;
      const dy = p.y - prev.y;
      const len = Math.hypot(dx, dy);
      speeds.push(len);
      if (len >= MOVING_PX && Math.hypot(prevDx, prevDy) >= MOVING_PX) {
        grid.turns.push(Math.atan2(prevDx * dy - prevDy * dx, prevDx * dx + prevDy * dy));
      }
      prevDx = dx;
      prevDy = dy;
    }
    prev = p;
  }
  // Speeds relative to the stroke's own mean: a script that picks a new constant speed for every
  // stroke is still constant within each one.
  const moving = speeds.filter((s) => s >= MOVING_PX);
  const mean = moving.reduce((a, b) => a + b, 0) / Math.max(1, moving.length);
  for (let i = 2; i < speeds.length; i++) {
    if (speeds[i - 1]! >= MOVING_PX) {
      grid.speedJerks.push(Math.abs(speeds[i]! - 2 * speeds[i - 1]! + speeds[i - 2]!) / mean);
    }
  }
  for (const s of moving) grid.speeds.push(s / mean);
}

function toGrid(points: readonly Point[]): Grid {
  const grid: Grid = { speeds: [], turns: [], speedJerks: [] };
  let start = 0;
  for (let i = 1; i <= points.length; i++) {
    const last = i === points.length;
    if (last || points[i]!.timestamp - points[i - 1]!.timestamp > STROKE_GAP_MS) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: a one-point stroke samples one grid point and adds nothing
      if (i - 1 > start) sampleStroke(points, start, i - 1, grid);
      start = i;
    }
  }
  return grid;
}

export function extraFeatures(points: readonly Point[]): Record<ExtraFeatureName, number> {
  const grid = toGrid(points);
  const speed = moments(grid.speeds);
  const absTurns = grid.turns.map(Math.abs);
  const turn = moments(absTurns);
  const [turnP90] = percentiles(absTurns, [90]);
  let straight = 0;
  let flips = 0;
  // Stryker disable next-line EqualityOperator: one past the end reads undefined, and both comparisons below are false
  for (let i = 0; i < grid.turns.length; i++) {
    if (absTurns[i]! < STRAIGHT_RAD) straight++;
    if (i > 0 && grid.turns[i]! * grid.turns[i - 1]! < 0) flips++;
  }
  let accelerating = 0;
  // Stryker disable next-line EqualityOperator: one past the end reads undefined, and the NaN difference is never > x
  for (let i = 1; i < grid.speeds.length; i++) {
    if (Math.abs(grid.speeds[i]! - grid.speeds[i - 1]!) > 0.1 * speed.mean) accelerating++;
  }
  return {
    gridSpeedCv: safeRatio(speed.std, speed.mean),
    gridTurnMean: turn.mean,
    gridStraightShare: safeRatio(straight, grid.turns.length),
    gridSpeedJerk: moments(grid.speedJerks).mean,
    gridTurnFlipShare: safeRatio(flips, grid.turns.length - 1),
    gridTurnP90: turnP90!,
    gridAccelShare: safeRatio(accelerating, grid.speeds.length - 1),
    gridMovingSteps: grid.speeds.length,
    dtJitter: timingJitter(points),
  };
}

/**
 * Mean |dt - median dt| / median dt over in-stroke intervals: 0 for a script on a fixed timer,
 * about 0.03 for a 60 Hz browser logging whole milliseconds (16, 17, 16, ...).
 */
function timingJitter(points: readonly Point[]): number {
  const dts: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const dt = points[i]!.timestamp - points[i - 1]!.timestamp;
    if (dt > 0 && dt <= STROKE_GAP_MS) dts.push(dt);
  }
  const [median] = percentiles(dts, [50]);
  let sum = 0;
  for (const dt of dts) sum += Math.abs(dt - median!);
  return safeRatio(sum / Math.max(1, dts.length), median!);
}
