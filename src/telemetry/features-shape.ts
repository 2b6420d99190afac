import type { Point } from "./features-path.js";
import { moments, percentiles, safeRatio } from "./features-stats.js";

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

const STROKE_GAP_MS = 250;
/** Grid steps shorter than this are "not moving" (as in features-grid.ts). */
const MOVING_PX = 3;
/** Steps this short are a hand's micro-movements; a tween rounding to whole pixels makes 1 px. */
const MICRO_PX = 1.5;

interface GridShape {
  turns: number[];
  turnJerks: number[];
  resid: number[];
  peaks: number[];
  peakPos: number[];
  sym: number[];
  speedRatio: number[];
}

function strokes(points: readonly Point[]): Point[][] {
  // Stryker disable next-line ArrayDeclaration: a stray non-array stroke has no timestamps, so no grid points
  const out: Point[][] = [];
  let start = 0;
  for (let i = 1; i <= points.length; i++) {
    if (i === points.length || points[i]!.timestamp - points[i - 1]!.timestamp > STROKE_GAP_MS) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: a one-point stroke has no grid step
      if (i - 1 > start) out.push(points.slice(start, i));
      start = i;
    }
  }
  return out;
}

/** Positions every `ms` along a stroke, linearly interpolated. */
function onGrid(st: readonly Point[], ms: number): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  const end = st.at(-1)!.timestamp;
  let j = 0;
  for (let t = st[0]!.timestamp; t <= end; t += ms) {
    while (j < st.length - 1 && st[j + 1]!.timestamp <= t) j++;
    const a = st[j]!;
    const b = st[Math.min(j + 1, st.length - 1)]!;
    const span = b.timestamp - a.timestamp;
    const f = span > 0 ? (t - a.timestamp) / span : 0;
    out.push({ x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f });
  }
  return out;
}

function addTurns(g: readonly { x: number; y: number }[], speeds: number[], acc: GridShape): void {
  let prevTurn: number | undefined;
  for (let i = 2; i < g.length; i++) {
    const px = g[i - 1]!.x - g[i - 2]!.x;
    const py = g[i - 1]!.y - g[i - 2]!.y;
    const dx = g[i]!.x - g[i - 1]!.x;
    const dy = g[i]!.y - g[i - 1]!.y;
    if (speeds[i - 2]! < MOVING_PX || speeds[i - 1]! < MOVING_PX) {
      prevTurn = undefined;
      continue;
    }
    const turn = Math.atan2(px * dy - py * dx, px * dx + py * dy);
    acc.turns.push(Math.abs(turn));
    if (prevTurn !== undefined) acc.turnJerks.push(Math.abs(turn - prevTurn));
    prevTurn = turn;
    // Distance of the middle point from its neighbours' midpoint, per px of step: 0 on a chord.
    const mx = (g[i - 2]!.x + g[i]!.x) / 2;
    const my = (g[i - 2]!.y + g[i]!.y) / 2;
    const half = (speeds[i - 2]! + speeds[i - 1]!) / 2;
    acc.resid.push(Math.hypot(g[i - 1]!.x - mx, g[i - 1]!.y - my) / Math.max(1, half));
  }
}

/** Sub-movements: runs of moving grid steps; their speed peaks, peak position and symmetry. */
function addSubmovements(speeds: readonly number[], acc: GridShape): void {
  let i = 0;
  while (i < speeds.length) {
    while (i < speeds.length && speeds[i]! < MOVING_PX) i++;
    const a = i;
    while (i < speeds.length && speeds[i]! >= MOVING_PX) i++;
    if (i - a < 3) continue;
    const seg = speeds.slice(a, i);
    let peaks = 0;
    let top = 0;
    let sum = 0;
    for (let k = 0; k < seg.length; k++) {
      if (k > 0 && k < seg.length - 1 && seg[k]! > seg[k - 1]! && seg[k]! >= seg[k + 1]!) peaks++;
      if (seg[k]! > seg[top]!) top = k;
      sum += seg[k]!;
    }
    let diff = 0;
    let mass = 0;
    for (let k = 0; k < Math.floor(seg.length / 2); k++) {
      diff += Math.abs(seg[k]! - seg[seg.length - 1 - k]!);
      mass += seg[k]! + seg[seg.length - 1 - k]!;
    }
    acc.peaks.push(peaks);
    acc.peakPos.push(top / (seg.length - 1));
    acc.sym.push(safeRatio(diff, mass));
    acc.speedRatio.push(seg[top]! / (sum / seg.length));
  }
}

function gridShape(parts: readonly Point[][], ms: number): GridShape {
  const acc: GridShape = {
    turns: [],
    turnJerks: [],
    resid: [],
    peaks: [],
    peakPos: [],
    sym: [],
    speedRatio: [],
  };
  for (const st of parts) {
    const g = onGrid(st, ms);
    const speeds: number[] = [];
    for (let i = 1; i < g.length; i++) {
      speeds.push(Math.hypot(g[i]!.x - g[i - 1]!.x, g[i]!.y - g[i - 1]!.y));
    }
    addTurns(g, speeds, acc);
    addSubmovements(speeds, acc);
  }
  return acc;
}

/** In-stroke timing: spread, and the share of intervals far (> 50%) from the median one. */
function timing(points: readonly Point[]): { dtCv: number; dtOutShare: number } {
  const dts: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const dt = points[i]!.timestamp - points[i - 1]!.timestamp;
    if (dt > 0 && dt <= STROKE_GAP_MS) dts.push(dt);
  }
  const m = moments(dts);
  const [median] = percentiles(dts, [50]);
  let out = 0;
  for (const dt of dts) if (Math.abs(dt - median!) > 0.5 * median!) out++;
  return { dtCv: safeRatio(m.std, m.mean), dtOutShare: safeRatio(out, dts.length) };
}

function microShare(points: readonly Point[]): number {
  let small = 0;
  for (let i = 1; i < points.length; i++) {
    const len = Math.hypot(points[i]!.x - points[i - 1]!.x, points[i]!.y - points[i - 1]!.y);
    if (len > 0 && len < MICRO_PX) small++;
  }
  return safeRatio(small, points.length - 1);
}

const mean = (values: readonly number[]) => moments(values).mean;
const median = (values: readonly number[]) => percentiles(values, [50])[0]!;

export function shapeFeatures(points: readonly Point[]): Record<ShapeFeatureName, number> {
  const parts = strokes(points);
  const fine = gridShape(parts, 50);
  const coarse = gridShape(parts, 100);
  return {
    shapeTurnJerk: mean(fine.turnJerks) / (mean(fine.turns) + 0.01),
    shapeTurnJerkAbs: mean(fine.turnJerks),
    shapeResid: mean(fine.resid),
    shapeResidMed: median(fine.resid),
    shapePeaks: mean(fine.peaks),
    shapePeakPos: mean(fine.peakPos),
    shapePeakPosStd: moments(fine.peakPos).std,
    shapeSym: mean(fine.sym),
    shapeSpeedRatio: mean(fine.speedRatio),
    coarseResid: mean(coarse.resid),
    coarseResidMed: median(coarse.resid),
    coarsePeaks: mean(coarse.peaks),
    coarsePeakPosStd: moments(coarse.peakPos).std,
    ...timing(points),
    microShare: microShare(points),
  };
}
