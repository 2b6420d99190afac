import { atan2 } from "./atan2.js";
import { GRID_MS } from "./features-grid.js";
import type { Point } from "./features-path.js";
import { blankRecord } from "./features-row.js";
import { moments6, momentsSlots, safeRatio } from "./features-stats.js";
import { type StrokeTiming, strokeTiming } from "./features-timing.js";
import { type SampledGrid, sampledGrid, sampleGridPair } from "./grid-sampling.js";
import { hypot } from "./hypot.js";
import { percentileOf } from "./percentile-of.js";
import { type PointColumns, pointColumns } from "./point-columns.js";
import { push, reserve, type Series, series } from "./series.js";

/**
 * Shape features for the bots of issue 13, part 2: tweened Bézier moves, WindMouse physics,
 * ghost-cursor bursts, logged through real devices' sampling. Such paths pass the 100 ms grid
 * features, but they are too smooth where a hand wobbles (turns that change gradually, points
 * that sit on the chord of their neighbours) and their speed profiles are one eased bump per
 * move, where a hand makes several corrective sub-movements. Measured on a 50 ms grid (fine
 * enough to see a 200 ms tween's bump) and on the 100 ms grid (what a 100-120 ms browser still
 * supports); the supervised layer of the local engine learns how far each can be trusted.
 */
export const SHAPE_FEATURE_COLUMNS = [
  "shapeTurnJerk",
  "shapeTurnJerkAbs",
  "shapeResid",
  "shapeResidMed",
  "shapePeaks",
  "shapePeakPos",
  "shapePeakPosStd",
  "shapeSym",
  "shapeSpeedRatio",
  "coarseResid",
  "coarseResidMed",
  "coarsePeaks",
  "coarsePeakPosStd",
  "dtCv",
  "dtOutShare",
  "microShare",
] as const;

export type ShapeFeatureName = (typeof SHAPE_FEATURE_COLUMNS)[number];

/** Grid steps shorter than this are "not moving" (as in features-grid.ts). */
const MOVING_PX = 3;
/** Steps this short are a hand's micro-movements; a tween rounding to whole pixels makes 1 px. */
const MICRO_PX = 1.5;

/**
 * What one grid spacing yields, in reused buffers (issue 10: per-point objects, sliced strokes
 * and number[]s were most of this file's cost). Reset by gridShape, read before shapeFeatures
 * returns.
 */
interface GridShape {
  turns: Series;
  turnJerks: Series;
  resid: Series;
  peaks: Series;
  peakPos: Series;
  sym: Series;
  speedRatio: Series;
}

const newShape = (): GridShape => ({
  turns: series(),
  turnJerks: series(),
  resid: series(),
  peaks: series(),
  peakPos: series(),
  sym: series(),
  speedRatio: series(),
});
const fineShape = newShape();
const coarseShape = newShape();

/**
 * Turns (only where `withTurns`) and residuals of one stroke, grid points a..e-1. Issue 10: room
 * for the stroke's values is made once and they are written by index (a push per value checked
 * for room and stored the length each time), and a turn's jerk is written every time and
 * counted only after a turn (a branch on it mispredicted).
 */
function addTurns(g: SampledGrid, a: number, e: number, acc: GridShape, withTurns: boolean): void {
  const x = g.x.data;
  const y = g.y.data;
  const speeds = g.steps.data;
  // Stryker disable next-line ArithmeticOperator: more room than the stroke's values changes only the capacity
  const room = Math.max(0, e - a - 2);
  const resid = reserve(acc.resid, acc.resid.n + room);
  let nr = acc.resid.n;
  const turns = withTurns ? reserve(acc.turns, acc.turns.n + room) : acc.turns.data;
  const jerks = withTurns ? reserve(acc.turnJerks, acc.turnJerks.n + room) : acc.turnJerks.data;
  let nt = acc.turns.n;
  let nj = acc.turnJerks.n;
  let prevTurn = 0;
  let hasPrevTurn = 0;
  for (let i = a + 2; i < e; i++) {
    if (speeds[i - 2]! < MOVING_PX || speeds[i - 1]! < MOVING_PX) {
      hasPrevTurn = 0;
      continue;
    }
    // Stryker disable next-line ConditionalExpression: the coarse grid's turns would be computed and never read
    if (withTurns) {
      const px = x[i - 1]! - x[i - 2]!;
      const py = y[i - 1]! - y[i - 2]!;
      const dx = x[i]! - x[i - 1]!;
      const dy = y[i]! - y[i - 1]!;
      const turn = atan2(px * dy - py * dx, px * dx + py * dy);
      turns[nt++] = Math.abs(turn);
      // Written at the next free slot either way; kept (counted) only after a turn.
      jerks[nj] = Math.abs(turn - prevTurn);
      nj += hasPrevTurn;
      prevTurn = turn;
      hasPrevTurn = 1;
    }
    // Distance of the middle point from its neighbours' midpoint, per px of step: 0 on a chord.
    const mx = (x[i - 2]! + x[i]!) / 2;
    const my = (y[i - 2]! + y[i]!) / 2;
    const half = (speeds[i - 2]! + speeds[i - 1]!) / 2;
    resid[nr++] = hypot(x[i - 1]! - mx, y[i - 1]! - my) / Math.max(1, half);
  }
  acc.resid.n = nr;
  acc.turns.n = nt;
  acc.turnJerks.n = nj;
}

/** Sub-movements: runs of moving grid steps in speeds[from..to); their peaks, peak position, symmetry. */
function addSubmovements(speeds: Float64Array, from: number, to: number, acc: GridShape): void {
  let i = from;
  while (i < to) {
    while (i < to && speeds[i]! < MOVING_PX) i++;
    const a = i;
    while (i < to && speeds[i]! >= MOVING_PX) i++;
    if (i - a < 3) continue;
    addSubmovement(speeds, a, i - a, acc);
  }
}

/** One run of `len` moving steps starting at speeds[a]. */
function addSubmovement(speeds: Float64Array, a: number, len: number, acc: GridShape): void {
  let peaks = 0;
  let top = 0;
  let sum = 0;
  for (let k = 0; k < len; k++) {
    const v = speeds[a + k]!;
    if (k > 0 && k < len - 1) peaks += +(v > speeds[a + k - 1]!) & +(v >= speeds[a + k + 1]!);
    if (v > speeds[a + top]!) top = k;
    sum += v;
  }
  let diff = 0;
  let mass = 0;
  for (let k = 0; k < Math.floor(len / 2); k++) {
    diff += Math.abs(speeds[a + k]! - speeds[a + len - 1 - k]!);
    mass += speeds[a + k]! + speeds[a + len - 1 - k]!;
  }
  push(acc.peaks, peaks);
  push(acc.peakPos, top / (len - 1));
  push(acc.sym, safeRatio(diff, mass));
  push(acc.speedRatio, speeds[a + top]! / (sum / len));
}

/** The coarse grid needs no turns (only residuals and sub-movements are read from it). */
function gridShape(g: SampledGrid, acc: GridShape, withTurns: boolean) {
  // Issue 10: reset one by one (Object.values made an array per call).
  acc.turns.n = acc.turnJerks.n = acc.resid.n = acc.peaks.n = 0;
  acc.peakPos.n = acc.sym.n = acc.speedRatio.n = 0;
  for (let k = 0; k + 1 < g.first.n; k++) {
    const a = g.first.data[k]!;
    const e = g.first.data[k + 1]!;
    addTurns(g, a, e, acc, withTurns);
    addSubmovements(g.steps.data, a, e - 1, acc);
  }
}

/** In-stroke timing: spread, and the share of intervals far (> 50%) from the median one. */
function timing({ dts, n, median, moments: m }: StrokeTiming): {
  dtCv: number;
  dtOutShare: number;
} {
  let out = 0;
  for (let i = 0; i < n; i++) out += +(Math.abs(dts[i]! - median) > 0.5 * median);
  return { dtCv: safeRatio(m.std, m.mean), dtOutShare: safeRatio(out, n) };
}

/** Steps of length in (0, MICRO_PX); `lengths` are the steps' Math.hypot, when known. */
function microShare(c: PointColumns, lengths?: Float64Array): number {
  let small = 0;
  for (let i = 1; i < c.n; i++) {
    const len =
      lengths !== undefined ? lengths[i - 1]! : hypot(c.x[i]! - c.x[i - 1]!, c.y[i]! - c.y[i - 1]!);
    small += +(len > 0) & +(len < MICRO_PX);
  }
  return safeRatio(small, c.n - 1);
}

const NO_VALUES = new Float64Array(0);
const fineSlots = momentsSlots();
const coarseSlots = momentsSlots();

/** Median of the first n values (not reordered). */
function medianOf(values: Float64Array, n: number): number {
  return percentileOf(values, n, 50);
}

export function shapeFeatures(points: readonly Point[]): Record<ShapeFeatureName, number> {
  return shapeFeaturesWith(points, strokeTiming(points));
}

/**
 * shapeFeatures, given strokeTiming(points) and, when the caller has them, the path's step
 * lengths (issue 10: extractFeatures measured both twice). lengths[i] must be hypot of step i.
 */
export function shapeFeaturesWith(
  points: readonly Point[],
  inStroke: StrokeTiming,
  lengths?: Float64Array,
): Record<ShapeFeatureName, number> {
  return shapeFeaturesOf(pointColumns(points), inStroke, lengths);
}

/** The path sampled every FINE_MS and every GRID_MS (sampleGridPair). */
export interface ShapeGrids {
  fine: SampledGrid;
  coarse: SampledGrid;
}

/** The fine grid's spacing: half the grid features' own (GRID_MS, 100 ms). */
export const FINE_MS = GRID_MS / 2;
const ownGrids: ShapeGrids = { fine: sampledGrid(), coarse: sampledGrid() };

/**
 * shapeFeaturesWith on the path's columns (issue 10: see point-columns.ts), and its grids when
 * the caller has sampled them (sampleGridPair(c, FINE_MS, fine, coarse); the coarse one is the
 * grid features' own), into `out` (a new record unless the caller passes one to reuse).
 */
export function shapeFeaturesOf(
  c: PointColumns,
  inStroke: StrokeTiming,
  lengths?: Float64Array,
  grids?: ShapeGrids,
  out: Record<ShapeFeatureName, number> = blankRecord(SHAPE_FEATURE_COLUMNS),
): Record<ShapeFeatureName, number> {
  if (grids === undefined) sampleGridPair(c, FINE_MS, ownGrids.fine, ownGrids.coarse);
  const { fine: fineGrid, coarse: coarseGrid } = grids ?? ownGrids;
  gridShape(fineGrid, fineShape, true);
  gridShape(coarseGrid, coarseShape, false);
  const fine = fineShape;
  const coarse = coarseShape;
  const t = timing(inStroke);
  // Issue 10: the means and spreads six series at a time (moments6), same bits as one by one;
  // the arguments written out (spread, they made arrays and a generic call), the results in
  // reused slots.
  const { turnJerks: fj, turns: ft, resid: fr, peaks: fp, peakPos: fq, sym: fs } = fine;
  const [turnJerks, turns, resid, peaks, peakPos, sym] = moments6(
    fj.data,
    fj.n,
    ft.data,
    ft.n,
    fr.data,
    fr.n,
    fp.data,
    fp.n,
    fq.data,
    fq.n,
    fs.data,
    fs.n,
    fineSlots,
  );
  const { speedRatio: fv } = fine;
  const { resid: cr, peaks: cp, peakPos: cq } = coarse;
  const [speedRatio, cResid, cPeaks, cPeakPos] = moments6(
    fv.data,
    fv.n,
    cr.data,
    cr.n,
    cp.data,
    cp.n,
    cq.data,
    cq.n,
    NO_VALUES,
    0,
    NO_VALUES,
    0,
    coarseSlots,
  );
  out.shapeTurnJerk = turnJerks.mean / (turns.mean + 0.01);
  out.shapeTurnJerkAbs = turnJerks.mean;
  out.shapeResid = resid.mean;
  out.shapeResidMed = medianOf(fine.resid.data, fine.resid.n);
  out.shapePeaks = peaks.mean;
  out.shapePeakPos = peakPos.mean;
  out.shapePeakPosStd = peakPos.std;
  out.shapeSym = sym.mean;
  out.shapeSpeedRatio = speedRatio.mean;
  out.coarseResid = cResid.mean;
  out.coarseResidMed = medianOf(coarse.resid.data, coarse.resid.n);
  out.coarsePeaks = cPeaks.mean;
  out.coarsePeakPosStd = cPeakPos.std;
  out.dtCv = t.dtCv;
  out.dtOutShare = t.dtOutShare;
  out.microShare = microShare(c, lengths);
  return out;
}
