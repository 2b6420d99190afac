import { atan2Into } from "./atan2.js";
import { STROKE_GAP_MS } from "./features-timing.js";
import { hypot } from "./hypot.js";
import { type PointColumns, pointColumns } from "./point-columns.js";
import { series, sized } from "./series.js";

/** Per-step kinematics of a pointer path, the raw material of the PlayProof feature columns. */

export interface Point {
  x: number;
  y: number;
  timestamp: number;
}

export interface PathSteps {
  /** px/s for each step with dt > 0; steps with equal timestamps carry no speed. */
  speeds: Float64Array;
  /** |px/s²| between consecutive speeds, timed at the steps' midpoints. */
  accels: Float64Array;
  /** |px/s³| between consecutive signed accelerations. */
  jerks: Float64Array;
  /** Time between consecutive movements, zero gaps included. */
  dts: Float64Array;
  /** Length of every step, zero-length ones included. */
  lengths: Float64Array;
}

/**
 * Timestamps out of order are sorted, not rejected: browsers reorder coalesced events and a log
 * shipper may interleave, and the path is still meaningful. The check is O(n) and a (stable)
 * sorted copy is made only when needed.
 */
export function inTimeOrder<T extends { timestamp: number }>(points: readonly T[]): readonly T[] {
  for (let i = 1; i < points.length; i++) {
    if (points[i]!.timestamp < points[i - 1]!.timestamp) {
      return [...points].sort((a, b) => a.timestamp - b.timestamp);
    }
  }
  return points;
}

export function distance(a: { x: number; y: number }, b: { x: number; y: number }): number {
  return hypot(b.x - a.x, b.y - a.y);
}

/**
 * Differentiates the speeds twice (issue 10: one walk where there were two derivations, each
 * writing its rates' times, and two passes taking absolute values). A rate is per second, at the
 * midpoint of the two values it comes from, between consecutive values whose times strictly
 * increase; accelerations are the speeds' rates, jerks the signed accelerations' rates. Writes
 * |acceleration| and |jerk| into the scratch and their counts; the same operations in the same
 * order as differentiating each series on its own, so the same bits.
 */
function accelsAndJerks(
  speeds: Float64Array,
  speedTimes: Float64Array,
  ns: number,
  accels: Float64Array,
  jerks: Float64Array,
): void {
  let na = 0;
  let nj = 0;
  let prevAccel = 0;
  let prevTime = 0;
  for (let i = 1; i < ns; i++) {
    const dt = speedTimes[i]! - speedTimes[i - 1]!;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: points come in time order, so speed midpoints strictly increase and dt > 0
    if (dt <= 0) continue;
    const accel = ((speeds[i]! - speeds[i - 1]!) / dt) * 1000;
    const time = (speedTimes[i]! + speedTimes[i - 1]!) / 2;
    accels[na] = Math.abs(accel);
    if (na > 0) {
      const dtj = time - prevTime;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: as above, for the accelerations' midpoints
      if (dtj > 0) jerks[nj++] = Math.abs(((accel - prevAccel) / dtj) * 1000);
    }
    prevAccel = accel;
    prevTime = time;
    na++;
  }
  scratch.accels = accels;
  scratch.nAccels = na;
  scratch.jerks = jerks;
  scratch.nJerks = nj;
}

/**
 * pathSteps and turnAngles in reused buffers (issue 10: extractFeatures allocated seven typed
 * arrays and a number[] per session here). Valid until the next call; `n*` are the lengths.
 */
export interface PathScratch {
  /** dts and lengths hold `steps` values, speeds `speeds`, accels `accels`, jerks `jerks`. */
  steps: number;
  dts: Float64Array;
  lengths: Float64Array;
  speeds: Float64Array;
  nSpeeds: number;
  accels: Float64Array;
  nAccels: number;
  jerks: Float64Array;
  nJerks: number;
  turns: Float64Array;
  nTurns: number;
  /** The dts in (0, STROKE_GAP_MS], in order: features-timing.ts's in-stroke intervals. */
  strokeDts: Float64Array;
  nStrokeDts: number;
}

const buffers = {
  dts: series(),
  lengths: series(),
  speeds: series(),
  speedTimes: series(),
  accels: series(),
  jerks: series(),
  turns: series(),
  turnYs: series(),
  turnXs: series(),
  strokeDts: series(),
};
const scratch: PathScratch = {
  steps: 0,
  dts: buffers.dts.data,
  lengths: buffers.lengths.data,
  speeds: buffers.speeds.data,
  nSpeeds: 0,
  accels: buffers.accels.data,
  nAccels: 0,
  jerks: buffers.jerks.data,
  nJerks: 0,
  turns: buffers.turns.data,
  nTurns: 0,
  strokeDts: buffers.strokeDts.data,
  nStrokeDts: 0,
};

/** Steps, kinematics and turns of a time-ordered path, in the shared scratch buffers. */
export function measurePath(points: readonly Point[]): PathScratch {
  return measureColumns(pointColumns(points));
}

/** measurePath on the path's columns (issue 10: see point-columns.ts). */
export function measureColumns(c: PointColumns): PathScratch {
  const n = Math.max(0, c.n - 1);
  const speeds = sized(buffers.speeds, n);
  const speedTimes = sized(buffers.speedTimes, n);
  const ns = stepsInto(c, speeds, speedTimes);
  accelsAndJerks(speeds, speedTimes, ns, sized(buffers.accels, n), sized(buffers.jerks, n));
  scratch.steps = n;
  scratch.speeds = speeds;
  scratch.nSpeeds = ns;
  return scratch;
}

/**
 * One walk over the steps (issue 10: the turns had a walk of their own): dts, lengths, in-stroke
 * dts and turns into the scratch, speeds and their times into the arrays given; returns how many
 * speeds. A turn is measured between consecutive non-zero steps, as turnsInto does.
 */
function stepsInto(c: PointColumns, speeds: Float64Array, speedTimes: Float64Array): number {
  const n = Math.max(0, c.n - 1);
  const dts = sized(buffers.dts, n);
  const lengths = sized(buffers.lengths, n);
  const strokeDts = sized(buffers.strokeDts, n);
  const turns = sized(buffers.turns, n);
  const turnYs = sized(buffers.turnYs, n);
  const turnXs = sized(buffers.turnXs, n);
  const { x, y, t } = c;
  let ns = 0;
  let nIn = 0;
  let nt = 0;
  let prevX = 0;
  let prevY = 0;
  let hasPrev = false;
  for (let i = 0; i < n; i++) {
    const dt = t[i + 1]! - t[i]!;
    const dx = x[i + 1]! - x[i]!;
    const dy = y[i + 1]! - y[i]!;
    const length = hypot(dx, dy);
    dts[i] = dt;
    lengths[i] = length;
    if (dt > 0 && dt <= STROKE_GAP_MS) strokeDts[nIn++] = dt;
    if (dt > 0) {
      speeds[ns] = (length / dt) * 1000;
      speedTimes[ns++] = (t[i]! + t[i + 1]!) / 2;
    }
    if (dx === 0 && dy === 0) continue;
    // The turn's arguments here, the angles all together below (atan2Into: issue 10).
    if (hasPrev) {
      turnYs[nt] = prevX * dy - prevY * dx;
      turnXs[nt++] = prevX * dx + prevY * dy;
    }
    prevX = dx;
    prevY = dy;
    hasPrev = true;
  }
  atan2Into(turnYs, turnXs, nt, turns);
  scratch.dts = dts;
  scratch.lengths = lengths;
  scratch.strokeDts = strokeDts;
  scratch.nStrokeDts = nIn;
  scratch.turns = turns;
  scratch.nTurns = nt;
  return ns;
}

export function pathSteps(points: readonly Point[]): PathSteps {
  const m = measurePath(points);
  return {
    speeds: m.speeds.slice(0, m.nSpeeds),
    accels: m.accels.slice(0, m.nAccels),
    jerks: m.jerks.slice(0, m.nJerks),
    dts: m.dts.slice(0, m.steps),
    lengths: m.lengths.slice(0, m.steps),
  };
}

/**
 * Turning angles (radians, signed, -π..π) between consecutive non-zero steps: the turns
 * measurePath finds (issue 10: this had a walk of its own, the same logic written twice).
 */
export function turnAngles(points: readonly Point[]): Float64Array {
  const m = measurePath(points);
  return m.turns.slice(0, m.nTurns);
}
