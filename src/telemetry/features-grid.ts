import { atan2Into } from "./atan2.js";
import type { Point } from "./features-path.js";
import { blankRecord } from "./features-row.js";
import { moments3, momentsSlots, safeRatio } from "./features-stats.js";
import { type StrokeTiming, strokeTiming } from "./features-timing.js";
import { type SampledGrid, sampledGrid, sampleGrid } from "./grid-sampling.js";
import { percentileOf } from "./percentile-of.js";
import { type PointColumns, pointColumns } from "./point-columns.js";
import { reserve, series, sized } from "./series.js";

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
const absTurns = series();
/** A stroke's turns' atan2 arguments (addStroke). */
const turnYs = series();
const turnXs = series();
const ownGrid = sampledGrid();
const gridSlots = momentsSlots();

/**
 * One stroke of the sampled grid, points a..e-1: its speeds (step lengths, px per GRID_MS) and the
 * turns between consecutive moving steps. Issue 10: room for the stroke's values is made once and
 * they are written by index (a push per value checked for room and stored the length each time).
 */
function addStroke(g: SampledGrid, a: number, e: number): void {
  const x = g.x.data;
  const y = g.y.data;
  const lengths = g.steps.data;
  // Stryker disable next-line ArithmeticOperator: more room than the stroke's turns changes only the capacity
  const room = Math.max(0, e - a - 2);
  const turns = reserve(grid.turns, grid.turns.n + room);
  const ys = sized(turnYs, room);
  const xs = sized(turnXs, room);
  let m = 0;
  // Stryker disable next-line ArithmeticOperator,EqualityOperator: the slots at a stroke's ends (its last point's, the stroke before's last) hold 0 (grid-sampling.ts), never a moving step
  for (let i = a + 1; i < e - 1; i++) {
    if (lengths[i]! >= MOVING_PX && lengths[i - 1]! >= MOVING_PX) {
      const prevDx = x[i]! - x[i - 1]!;
      const prevDy = y[i]! - y[i - 1]!;
      const dx = x[i + 1]! - x[i]!;
      const dy = y[i + 1]! - y[i]!;
      ys[m] = prevDx * dy - prevDy * dx;
      xs[m++] = prevDx * dx + prevDy * dy;
    }
  }
  // Issue 10: the angles all together (atan2Into), after the turns' arguments.
  atan2Into(ys, xs, m, turns, grid.turns.n);
  grid.turns.n += m;
  normaliseStroke(lengths, a, e - 1);
}

/**
 * Speeds relative to the stroke's own mean (speeds[from..to)): a script that picks a new constant
 * speed for every stroke is still constant within each one. Issue 10: the values are written at
 * the next free slot whether a step moves or not, and counted only for a moving one (a branch on
 * it mispredicted).
 */
function normaliseStroke(speeds: Float64Array, from: number, to: number): void {
  let sum = 0;
  let moving = 0;
  // Stryker disable next-line EqualityOperator: speeds[to], the stroke's last slot, is 0 (no step: grid-sampling.ts), never a moving step
  for (let i = from; i < to; i++) {
    if (speeds[i]! >= MOVING_PX) {
      sum += speeds[i]!;
      moving++;
    }
  }
  const mean = sum / Math.max(1, moving);
  // Stryker disable next-line ArithmeticOperator: more room than the stroke's values changes only the capacity
  const room = Math.max(0, to - from);
  const jerks = reserve(grid.speedJerks, grid.speedJerks.n + room);
  let nj = grid.speedJerks.n;
  for (let i = from + 2; i < to; i++) {
    jerks[nj] = Math.abs(speeds[i]! - 2 * speeds[i - 1]! + speeds[i - 2]!) / mean;
    nj += +(speeds[i - 1]! >= MOVING_PX);
  }
  grid.speedJerks.n = nj;
  const out = reserve(grid.speeds, grid.speeds.n + room);
  let ns = grid.speeds.n;
  // Stryker disable next-line EqualityOperator: speeds[to] is 0 (grid-sampling.ts): written, not counted
  for (let i = from; i < to; i++) {
    out[ns] = speeds[i]! / mean;
    ns += +(speeds[i]! >= MOVING_PX);
  }
  grid.speeds.n = ns;
}

function toGrid(g: SampledGrid): void {
  grid.speeds.n = 0;
  grid.turns.n = 0;
  grid.speedJerks.n = 0;
  for (let k = 0; k + 1 < g.first.n; k++) addStroke(g, g.first.data[k]!, g.first.data[k + 1]!);
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

/**
 * extraFeaturesWith on the path's columns (issue 10: see point-columns.ts), and the columns
 * sampled every GRID_MS when the caller has them (sampleGrid), into `out` (a new record unless
 * the caller passes one to reuse).
 */
export function extraFeaturesOf(
  c: PointColumns,
  timing: StrokeTiming,
  grid100?: SampledGrid,
  out: Record<ExtraFeatureName, number> = blankRecord(EXTRA_FEATURE_COLUMNS),
): Record<ExtraFeatureName, number> {
  if (grid100 === undefined) sampleGrid(c, GRID_MS, ownGrid);
  toGrid(grid100 ?? ownGrid);
  const speeds = grid.speeds.data;
  const nSpeeds = grid.speeds.n;
  const turns = grid.turns.data;
  const nTurns = grid.turns.n;
  const abs = sized(absTurns, nTurns);
  for (let i = 0; i < nTurns; i++) abs[i] = Math.abs(turns[i]!);
  const jerks = grid.speedJerks;
  const [speed, turn, speedJerk] = moments3(
    speeds,
    nSpeeds,
    abs,
    nTurns,
    jerks.data,
    jerks.n,
    gridSlots,
  );
  const turnP90 = percentileOf(abs, nTurns, 90);
  let straight = 0;
  let flips = 0;
  for (let i = 0; i < nTurns; i++) {
    // Issue 10: counted without branches (a turn's sign is a coin toss the CPU mispredicts).
    straight += +(abs[i]! < STRAIGHT_RAD);
    if (i > 0) flips += +(turns[i]! * turns[i - 1]! < 0);
  }
  let accelerating = 0;
  for (let i = 1; i < nSpeeds; i++) {
    accelerating += +(Math.abs(speeds[i]! - speeds[i - 1]!) > 0.1 * speed.mean);
  }
  out.gridSpeedCv = safeRatio(speed.std, speed.mean);
  out.gridTurnMean = turn.mean;
  out.gridStraightShare = safeRatio(straight, nTurns);
  out.gridSpeedJerk = speedJerk.mean;
  out.gridTurnFlipShare = safeRatio(flips, nTurns - 1);
  out.gridTurnP90 = turnP90;
  out.gridAccelShare = safeRatio(accelerating, nSpeeds - 1);
  out.gridMovingSteps = nSpeeds;
  out.dtJitter = timingJitter(timing);
  return out;
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
