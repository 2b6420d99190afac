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
  return Math.hypot(b.x - a.x, b.y - a.y);
}

/**
 * Differentiates once: values at times -> rates (per second) at the midpoints. Fills `rates` and
 * `outTimes` (preallocated, at least n-1 long) and returns how many it wrote.
 */
function derive(
  values: Float64Array,
  times: Float64Array,
  rates: Float64Array,
  outTimes: Float64Array,
): number {
  let m = 0;
  for (let i = 1; i < values.length; i++) {
    const dt = times[i]! - times[i - 1]!;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: points come in time order, so speed midpoints strictly increase and dt > 0
    if (dt <= 0) continue;
    rates[m] = ((values[i]! - values[i - 1]!) / dt) * 1000;
    outTimes[m] = (times[i]! + times[i - 1]!) / 2;
    m++;
  }
  return m;
}

const abs = (values: Float64Array) => values.map(Math.abs);

export function pathSteps(points: readonly Point[]): PathSteps {
  const n = Math.max(0, points.length - 1);
  const dts = new Float64Array(n);
  const lengths = new Float64Array(n);
  const speeds = new Float64Array(n);
  const speedTimes = new Float64Array(n);
  let ns = 0;
  for (let i = 0; i < n; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    dts[i] = b.timestamp - a.timestamp;
    lengths[i] = distance(a, b);
    if (dts[i]! > 0) {
      speeds[ns] = (lengths[i]! / dts[i]!) * 1000;
      speedTimes[ns++] = (a.timestamp + b.timestamp) / 2;
    }
  }
  const scratchRates = new Float64Array(n);
  const scratchTimes = new Float64Array(n);
  const na = derive(speeds.subarray(0, ns), speedTimes.subarray(0, ns), scratchRates, scratchTimes);
  const accels = scratchRates.slice(0, na);
  const nj = derive(accels, scratchTimes.slice(0, na), scratchRates, scratchTimes);
  return {
    speeds: speeds.subarray(0, ns),
    accels: abs(accels),
    jerks: abs(scratchRates.subarray(0, nj)),
    dts,
    lengths,
  };
}

/** Turning angles (radians, signed, -π..π) between consecutive non-zero steps. */
export function turnAngles(points: readonly Point[]): Float64Array {
  const out: number[] = [];
  let prevX = 0;
  let prevY = 0;
  let hasPrev = false;
  for (let i = 1; i < points.length; i++) {
    const dx = points[i]!.x - points[i - 1]!.x;
    const dy = points[i]!.y - points[i - 1]!.y;
    if (dx === 0 && dy === 0) continue;
    if (hasPrev) out.push(Math.atan2(prevX * dy - prevY * dx, prevX * dx + prevY * dy));
    prevX = dx;
    prevY = dy;
    hasPrev = true;
  }
  return Float64Array.from(out);
}
