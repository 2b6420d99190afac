import {
  FEATURE_COLUMNS,
  type PlayProofFeatureName,
  roundFeature,
  type SessionInput,
} from "./features.js";
import { medianAndPercentileInPlace } from "./features-stats.js";

/**
 * Feature set `playproof-1` (issue 13, part 1): the 28 columns exactly as PlayProof's own server
 * defines them (apps/web/server/lib/features.ts and config.ts in the PlayProof repository), so a
 * Woodwide model a deployment trained on PlayProof's extractor sees the inputs it was trained on.
 * Facts carried over, with every place it differs from `playproof-batch-1` (features.ts):
 * - points are taken in recorded order, never sorted; a step with dt < 0.001 ms has no speed;
 * - fewer than 10 movements: zeros, except durationMs, totalMoves, totalClicks, pathEfficiency 1
 *   and controlSmoothnessScore 0.5 (clickAccuracy is 0 too);
 * - acceleration i pairs speeds i-1 and i over the time of movement step i+1, jerk i pairs the
 *   absolute accelerations i-1 and i over step i+2 (index arithmetic on the movements, so it
 *   drifts after a skipped step); both are absolute values; no midpoint times;
 * - turns are measured at every interior point, 0 when a step has zero length, in degrees:
 *   direction change above 30, overshoot above 120;
 * - smallJitterRatio: interior points with both steps under 3.0 px, over n - 2;
 * - controlSmoothnessScore = 1 - j / (10000 + j), j = mean |jerk|; 0.5 with no jerk or no duration;
 * - clickAccuracy = hits / (hits + misses), else 0; avgClickDistance and curvatureVariance are 0;
 * - mean and population std as plain sums; median of an even count is the mean of the middle two.
 * Rounding is the one addition: values keep 6 significant digits (roundFeature), the precision
 * every stored feature has, a relative change of at most 5e-7.
 */
export const PLAYPROOF1 = {
  minMovementEvents: 10,
  pauseThresholdMs: 200,
  jitterDistancePx: 3.0,
  directionChangeDeg: 30,
  overshootDeg: 120,
  /** Steps shorter than this (ms) carry no speed. */
  minDtMs: 0.001,
  smoothnessJerkScale: 10_000,
} as const;

type Move = { x: number; y: number; timestamp: number };
type Row = Record<PlayProofFeatureName, number>;

const dist = (a: Move, b: Move) => Math.sqrt((b.x - a.x) ** 2 + (b.y - a.y) ** 2);

/**
 * Issue 10: scratch series reused from session to session (extraction is synchronous, never
 * re-entered), instead of arrays grown by push per session. The arithmetic, and its order, is
 * PlayProof's, so every value keeps its bits (test/scoring/golden.test.ts pins them).
 */
let scratch = new Float64Array(0);
const SERIES = 5; // dts, speeds, accels, jerks, sorted speeds
let views: Float64Array[] = [];
function series(n: number): Float64Array[] {
  // The views are made again only when the buffer grows (issue 10: six subarrays per session).
  if (scratch.length < SERIES * n) {
    scratch = new Float64Array(SERIES * Math.max(n, 512));
    const size = scratch.length / SERIES;
    views = Array.from({ length: SERIES }, (_, k) => scratch.subarray(k * size, (k + 1) * size));
  }
  return views;
}

/** Population std of the first n values, given their mean m (issue 10: not computed twice). */
function std(v: Float64Array, n: number, m: number): number {
  if (n < 2) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (v[i]! - m) ** 2;
  return Math.sqrt(sum / n);
}

/**
 * Median (mean of the middle two for an even count) and linearly interpolated percentile, p at
 * or above the median's rank. Order statistics are values, not positions, so they are found by
 * selection (features-stats.ts) instead of a sort (issue 10); a NaN or -0 among the values, whose
 * place a sort decides, takes the sort.
 */
function orderStats(
  v: Float64Array,
  n: number,
  sorted: Float64Array,
  p: number,
): { median: number; percentile: number } {
  if (n === 0) return { median: 0, percentile: 0 };
  const s = sorted.subarray(0, n);
  s.set(v.subarray(0, n));
  const rank = (p / 100) * (n - 1);
  const stats = medianAndPercentileInPlace(s, n, rank);
  if (stats !== undefined) return { median: stats[0], percentile: stats[1] };
  s.sort();
  const mid = n >> 1;
  const median = n % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  // Stryker disable next-line ConditionalExpression: at lo === hi the interpolation adds (s[hi] - s[lo]) x 0
  const percentile = lo === hi ? s[lo]! : s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
  return { median, percentile };
}

const DEG = 180 / Math.PI;
/** cos of a turn of exactly 30 and 120 degrees, with a margin far wider than acos's error. */
const NEAR = 1e-6;
const COS_30 = Math.cos(PLAYPROOF1.directionChangeDeg / DEG);
const COS_120 = Math.cos(PLAYPROOF1.overshootDeg / DEG);

/** Whether a turn whose cosine is `cos` exceeds `deg`: acos only near the threshold. */
function turnsOver(cos: number, deg: number, cosAt: number): boolean {
  if (cos < cosAt - NEAR) return true;
  if (cos > cosAt + NEAR) return false;
  return Math.acos(cos) * DEG > deg;
}

/** PlayProof's row for a session too short to measure: these values, 0 in every other column. */
function minimal(s: SessionInput, durationMs: number): Row {
  const known = {
    durationMs,
    totalMoves: s.movements.length,
    totalClicks: s.clicks.length,
    pathEfficiency: 1,
    controlSmoothnessScore: 0.5,
  };
  const row = {} as Row;
  for (const c of FEATURE_COLUMNS) if (!Object.hasOwn(known, c)) row[c] = 0;
  return { ...row, ...known };
}

/**
 * PlayProof's durationMs is the session's own field; a record without one gets the span of its
 * timestamps (schema.ts does the same), the only case PlayProof has no definition for.
 */
export function extractPlayProof1(s: SessionInput): Row {
  const row = exactPlayProof1(s);
  for (const c of Object.keys(row) as PlayProofFeatureName[]) row[c] = roundFeature(row[c]);
  return row;
}

/**
 * extractPlayProof1's values in FEATURE_COLUMNS order, written into `out` (28 long), with no
 * object per session (issue 10: enqueue compares them with ours and stores the ones that differ).
 */
export function playProof1Into(s: SessionInput, out: Float64Array): Float64Array {
  const row = exactPlayProof1(s);
  for (let k = 0; k < FEATURE_COLUMNS.length; k++) out[k] = roundFeature(row[FEATURE_COLUMNS[k]!]);
  return out;
}

function exactPlayProof1(s: SessionInput): Row {
  const m = s.movements;
  const durationMs = s.durationMs ?? span(m);
  if (m.length < PLAYPROOF1.minMovementEvents) return minimal(s, durationMs);
  const [dts, speeds, accels, jerks, sorted] = series(m.length) as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  // One walk over the steps (issue 13: seven walks before): each value is computed by the same
  // expression from the same operands as PlayProof's separate loops, and every sum adds in the
  // same order, so every bit is as before (test/scoring/golden.test.ts).
  // - acceleration a pairs speeds a-1 and a over the dt of movement step a+1 (dts[a]), jerk j
  //   pairs accelerations j-1 and j over dts[j+1]: index arithmetic on the series, which may lag
  //   the step being walked (a step too short for a speed adds none) but never passes it;
  // - the turn at interior point i is between steps i-1 and i, known once step i is.
  const small = PLAYPROOF1.jitterDistancePx;
  const minDt = PLAYPROOF1.minDtMs;
  let totalDistance = 0;
  let pauses = 0;
  let pauseSum = 0;
  let dtSum = 0;
  let jitter = 0;
  let changes = 0;
  let overshoots = 0;
  let ns = 0;
  let na = 0;
  let nj = 0;
  let speedSum = 0;
  let speedMax = 0;
  let accelSum = 0;
  let accelMax = 0;
  let jerkSum = 0;
  let ax = 0;
  let ay = 0;
  let la = 0;
  for (let i = 1; i < m.length; i++) {
    const a = m[i - 1]!;
    const b = m[i]!;
    const dt = b.timestamp - a.timestamp;
    dts[i - 1] = dt;
    dtSum += dt;
    if (dt > PLAYPROOF1.pauseThresholdMs) {
      pauses++;
      pauseSum += dt;
    }
    const bx = b.x - a.x;
    const by = b.y - a.y;
    const lb = Math.sqrt(bx ** 2 + by ** 2);
    totalDistance += lb;
    if (i >= 2) {
      if (la < small && lb < small) jitter++;
      // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,BlockStatement: a zero-length step gives a NaN turn, which "> 30" and "> 120" count as 0 does
      if (!(la < 1e-9 || lb < 1e-9)) {
        const cos = Math.max(-1, Math.min(1, (ax * bx + ay * by) / (la * lb)));
        if (turnsOver(cos, PLAYPROOF1.directionChangeDeg, COS_30)) changes++;
        if (turnsOver(cos, PLAYPROOF1.overshootDeg, COS_120)) overshoots++;
      }
    }
    ax = bx;
    ay = by;
    la = lb;
    if (!(dt >= minDt)) continue;
    const speed = (lb / dt) * 1000;
    speeds[ns] = speed;
    speedSum += speed;
    // Stryker disable next-line EqualityOperator,ConditionalExpression: taking an equal value changes nothing, and speeds are never negative, so starting at 0 is the same
    if (ns === 0 || speed > speedMax) speedMax = speed;
    ns++;
    if (ns < 2) continue;
    const adt = dts[ns - 1]!;
    if (!(adt >= minDt)) continue;
    const accel = Math.abs(((speeds[ns - 1]! - speeds[ns - 2]!) / adt) * 1000);
    accels[na] = accel;
    accelSum += accel;
    // Stryker disable next-line EqualityOperator,ConditionalExpression: taking an equal value changes nothing, and accelerations are absolute values, so starting at 0 is the same
    if (na === 0 || accel > accelMax) accelMax = accel;
    na++;
    if (na < 2) continue;
    const jdt = dts[na]!;
    if (!(jdt >= minDt)) continue;
    const jerk = Math.abs(((accels[na - 1]! - accels[na - 2]!) / jdt) * 1000);
    jerks[nj++] = jerk;
    jerkSum += jerk;
  }
  const speed = orderStats(speeds, ns, sorted, 95);
  const directionChanges = changes;
  const elapsed = m.at(-1)!.timestamp - m[0]!.timestamp;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: with no pause both columns are 0 / x or 0 / 0, which roundFeature makes 0; a pause (dt > 200 ms) makes elapsed far above 1e-9
  const pausesTimed = pauses > 0 && elapsed >= 1e-9;
  const hits = s.hits ?? 0;
  const misses = s.misses ?? 0;
  // Stryker disable next-line ConditionalExpression: 0 / 0 is NaN, which roundFeature makes 0 (every column is rounded)
  const j = nj === 0 ? 0 : jerkSum / nj;
  const steps = m.length - 1;
  // Stryker disable next-line ConditionalExpression: 0 / 0 is NaN, which roundFeature makes 0 (every column is rounded)
  const speedMean = ns === 0 ? 0 : speedSum / ns;
  // Stryker disable next-line ConditionalExpression: as above
  const accelMean = na === 0 ? 0 : accelSum / na;
  const dtMean = dtSum / steps;
  return {
    durationMs,
    totalMoves: m.length,
    totalClicks: s.clicks.length,
    avgSpeed: speedMean,
    maxSpeed: speedMax,
    medianSpeed: speed.median,
    speedStd: std(speeds, ns, speedMean),
    speedP95: speed.percentile,
    avgAccel: accelMean,
    maxAccel: accelMax,
    accelStd: std(accels, na, accelMean),
    jerkStd: std(jerks, nj, j),
    avgJerk: j,
    numDirectionChanges: directionChanges,
    directionChangeRate: durationMs > 0 ? directionChanges / (durationMs / 1000) : 0,
    smallJitterRatio: jitter / (m.length - 2),
    pathEfficiency: totalDistance < 1e-9 ? 1 : Math.min(1, dist(m[0]!, m.at(-1)!) / totalDistance),
    totalDistance,
    numPausesOver200ms: pauses,
    pauseTimeRatio: pausesTimed ? pauseSum / elapsed : 0,
    avgPauseDuration: pausesTimed ? pauseSum / pauses : 0,
    overshootEvents: overshoots,
    // Stryker disable next-line ConditionalExpression,EqualityOperator: 0 / 0 is NaN, which roundFeature makes 0
    clickAccuracy: hits + misses > 0 ? hits / (hits + misses) : 0,
    avgClickDistance: 0,
    controlSmoothnessScore:
      nj === 0 || durationMs < 1e-9 ? 0.5 : 1 - j / (PLAYPROOF1.smoothnessJerkScale + j),
    curvatureVariance: 0,
    avgInterMoveTime: dtMean,
    interMoveTimeStd: std(dts, steps, dtMean),
  };
}

function span(m: readonly Move[]): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const p of m) {
    // Stryker disable next-line EqualityOperator: taking an equal value changes nothing
    if (p.timestamp < lo) lo = p.timestamp;
    // Stryker disable next-line EqualityOperator: taking an equal value changes nothing
    if (p.timestamp > hi) hi = p.timestamp;
  }
  // Stryker disable next-line EqualityOperator: hi === lo gives hi - lo = 0 as well
  return hi >= lo ? hi - lo : 0;
}
