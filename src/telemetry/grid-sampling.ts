import { STROKE_GAP_MS } from "./features-timing.js";
import { hypot } from "./hypot.js";
import type { PointColumns } from "./point-columns.js";
import { push, reserve, type Series, series } from "./series.js";

/**
 * A path re-sampled on a fixed time grid, stroke by stroke (a gap over STROKE_GAP_MS ends a
 * stroke; a one-point stroke has no grid step and is left out): the positions every `ms` along
 * each stroke, linearly interpolated, and the length of every grid step inside a stroke. The grid
 * features (features-grid.ts, 100 ms) and the shape features (features-shape.ts, 50 and 100 ms)
 * read it; issue 10: both sampled the 100 ms grid on their own, the same points twice. Reused
 * buffers, valid until the next sampleGrid into the same SampledGrid.
 */
export interface SampledGrid {
  x: Series;
  y: Series;
  /** steps.data[i] = hypot of the step from point i to point i + 1 (within a stroke). */
  steps: Series;
  /** Stroke k's points are first.data[k] .. first.data[k + 1] - 1; first.n = strokes + 1. */
  first: Series;
}

export function sampledGrid(): SampledGrid {
  return { x: series(), y: series(), steps: series(), first: series() };
}

const strokeEnds = series();

/** Start and end index of every stroke of more than one point (pairs in strokeEnds). */
function strokes(c: PointColumns): void {
  strokeEnds.n = 0;
  let start = 0;
  for (let i = 1; i <= c.n; i++) {
    if (i === c.n || c.t[i]! - c.t[i - 1]! > STROKE_GAP_MS) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: a one-point stroke has no grid step
      if (i - 1 > start) {
        push(strokeEnds, start);
        push(strokeEnds, i - 1);
      }
      start = i;
    }
  }
}

/** Samples every stroke of `c` every `ms` into `out`. */
export function sampleGrid(c: PointColumns, ms: number, out: SampledGrid): void {
  strokes(c);
  sampleStrokes(c, ms, out);
}

/**
 * sampleGrid(c, ms, fine) and sampleGrid(c, 2 * ms, coarse), for a whole `ms`, with less work
 * (issue 10: the extractor samples 50 and 100 ms grids of the same strokes). When every timestamp
 * is a whole number (of magnitude below 2^52), every grid time start + ms + ms + ... is exact, so
 * the coarse grid's times are every other fine grid time and its points are those fine points,
 * bit for bit (a point depends only on its time). Otherwise the coarse grid is sampled on its own.
 */
export function sampleGridPair(
  c: PointColumns,
  ms: number,
  fine: SampledGrid,
  coarse: SampledGrid,
): void {
  strokes(c);
  sampleStrokes(c, ms, fine);
  // Stryker disable next-line ConditionalExpression: sampling the coarse grid on its own gives the same points (grid-sampling.test.ts compares both ways)
  if (c.wholeTimes && Number.isInteger(ms)) everyOther(fine, coarse);
  else sampleStrokes(c, 2 * ms, coarse);
}

/** Every other point of each of fine's strokes, from its first, into coarse, with its steps. */
function everyOther(fine: SampledGrid, coarse: SampledGrid): void {
  resetGrid(coarse);
  const fx = fine.x.data;
  const fy = fine.y.data;
  for (let k = 0; k + 1 < fine.first.n; k++) {
    const a = fine.first.data[k]!;
    const e = fine.first.data[k + 1]!;
    const first = coarse.x.n;
    let n = first;
    // Stryker disable next-line ArithmeticOperator: room only (half the stroke's fine points, rounded up); more changes only the capacity
    const ox = reserve(coarse.x, n + ((e - a + 1) >> 1));
    const oy = reserve(coarse.y, ox.length);
    for (let i = a; i < e; i += 2) {
      ox[n] = fx[i]!;
      oy[n++] = fy[i]!;
    }
    coarse.x.n = n;
    coarse.y.n = n;
    stepsOf(coarse, first);
    push(coarse.first, n);
  }
}

function resetGrid(out: SampledGrid): void {
  out.x.n = 0;
  out.y.n = 0;
  out.first.n = 0;
  push(out.first, 0);
  out.steps.n = 0;
}

/** Samples every stroke in strokeEnds every `ms` into `out`. */
function sampleStrokes(c: PointColumns, ms: number, out: SampledGrid): void {
  resetGrid(out);
  for (let p = 0; p < strokeEnds.n; p += 2) {
    const first = out.x.n;
    onGrid(c, strokeEnds.data[p]!, strokeEnds.data[p + 1]!, ms, out);
    stepsOf(out, first);
    push(out.first, out.x.n);
  }
}

/** The lengths of the steps between the points first..x.n-1 (one stroke), into out.steps. */
function stepsOf(out: SampledGrid, first: number): void {
  const n = out.x.n;
  const steps = reserve(out.steps, n);
  const x = out.x.data;
  const y = out.y.data;
  // The slot of a stroke's last point holds no step and is never read (readers stop a step
  // short of the next stroke): what a loop started a point early or run a point long writes
  // there changes nothing.
  // Stryker disable next-line ArithmeticOperator,EqualityOperator: see above
  for (let i = first + 1; i < n; i++) steps[i - 1] = hypot(x[i]! - x[i - 1]!, y[i]! - y[i - 1]!);
  // That slot is 0 (no step), not whatever an earlier session left there (issue 10: a reader
  // run a point long would otherwise read a stale length).
  steps[n - 1] = 0;
  out.steps.n = n;
}

/** Positions every `ms` along points[from..to], linearly interpolated, appended to out.x, out.y. */
function onGrid(c: PointColumns, from: number, to: number, ms: number, out: SampledGrid): void {
  const { x, y, t: pt } = c;
  const end = pt[to]!;
  const start = pt[from]!;
  let n = out.x.n;
  // Issue 10: room for every grid point up front (the loop below makes at most this many; if
  // rounding ever made it one more, the loop grows the buffers: the room is a speed-up only).
  // Stryker disable next-line ArithmeticOperator: see above
  let ox = reserve(out.x, n + Math.floor((end - start) / ms) + 2);
  let oy = reserve(out.y, ox.length);
  let j = from;
  for (let t = start; t <= end; t += ms) {
    // Not reached unless rounding in t += ms adds a step: grow keeping what is written (growing
    // every time, or never with the room above, gives the same points).
    // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
    if (n === ox.length) {
      out.x.n = out.y.n = n;
      ox = reserve(out.x, 2 * n);
      oy = reserve(out.y, 2 * n);
    }
    // At a point's own time, f = 1 from the previous point lands on it (`<` for `<=`). And j can
    // pass `to` only at the stroke's last grid point (t = its end), where f = 1 puts the point on
    // points[to] from wherever j stopped, to the last bit in every case the tests hold (a + (b - a)
    // can miss b by an ulp, which the 6-digit rounding hides): `j < to` keeps it exact.
    // Stryker disable next-line EqualityOperator,ConditionalExpression: see above
    while (j < to && pt[j + 1]! <= t) j++;
    const b = Math.min(j + 1, to);
    const span = pt[b]! - pt[j]!;
    const f = span > 0 ? (t - pt[j]!) / span : 0;
    ox[n] = x[j]! + (x[b]! - x[j]!) * f;
    oy[n++] = y[j]! + (y[b]! - y[j]!) * f;
    // Timestamps have no upper bound: from 2^59 ms on, t + ms rounds back to t and the loop would
    // never end (one such record hung enqueue). No time that makes sense gets there.
    if (t + ms === t) break;
  }
  out.x.n = n;
  out.y.n = n;
}
