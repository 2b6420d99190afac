import {
  FEATURE_COLUMNS,
  type PlayProofFeatureName,
  roundFeature,
  type SessionInput,
} from "./features.js";

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

function mean(v: readonly number[]): number {
  // Stryker disable next-line ConditionalExpression: 0 / 0 is NaN, which roundFeature makes 0 (every column is rounded)
  if (v.length === 0) return 0;
  let sum = 0;
  for (const x of v) sum += x;
  return sum / v.length;
}

function std(v: readonly number[]): number {
  if (v.length < 2) return 0;
  const m = mean(v);
  let sum = 0;
  for (const x of v) sum += (x - m) ** 2;
  return Math.sqrt(sum / v.length);
}

function max(v: readonly number[]): number {
  // Stryker disable next-line ConditionalExpression: speeds and accelerations are never negative, so starting at 0 is the same
  let out = v.length > 0 ? v[0]! : 0;
  // Stryker disable next-line EqualityOperator: taking an equal value changes nothing
  for (const x of v) if (x > out) out = x;
  return out;
}

/** Median (mean of the middle two for an even count) and linearly interpolated percentile. */
function orderStats(v: readonly number[], p: number): { median: number; percentile: number } {
  if (v.length === 0) return { median: 0, percentile: 0 };
  const s = Float64Array.from(v).sort();
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  // Stryker disable next-line ConditionalExpression: at lo === hi the interpolation adds (s[hi] - s[lo]) x 0
  const percentile = lo === hi ? s[lo]! : s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
  return { median, percentile };
}

function kinematics(m: readonly Move[]) {
  const speeds: number[] = [];
  const accels: number[] = [];
  const jerks: number[] = [];
  const dtAt = (i: number) => m[i]!.timestamp - m[i - 1]!.timestamp;
  for (let i = 1; i < m.length; i++) {
    const dt = dtAt(i);
    if (dt >= PLAYPROOF1.minDtMs) speeds.push((dist(m[i - 1]!, m[i]!) / dt) * 1000);
  }
  for (let i = 1; i < speeds.length; i++) {
    const dt = dtAt(i + 1);
    if (dt >= PLAYPROOF1.minDtMs)
      accels.push(Math.abs(((speeds[i]! - speeds[i - 1]!) / dt) * 1000));
  }
  for (let i = 1; i < accels.length; i++) {
    const dt = dtAt(i + 2);
    if (dt >= PLAYPROOF1.minDtMs) jerks.push(Math.abs(((accels[i]! - accels[i - 1]!) / dt) * 1000));
  }
  return { speeds, accels, jerks };
}

/** Degrees between the steps into and out of each interior point; 0 for a zero-length step. */
function turnDegrees(m: readonly Move[]): number[] {
  // Stryker disable next-line ArrayDeclaration: turns only feed "> 30" and "> 120" counts, false for a string
  const out: number[] = [];
  for (let i = 1; i < m.length - 1; i++) {
    const ax = m[i]!.x - m[i - 1]!.x;
    const ay = m[i]!.y - m[i - 1]!.y;
    const bx = m[i + 1]!.x - m[i]!.x;
    const by = m[i + 1]!.y - m[i]!.y;
    const la = Math.sqrt(ax ** 2 + ay ** 2);
    const lb = Math.sqrt(bx ** 2 + by ** 2);
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,BlockStatement: a zero-length step gives a NaN turn, which "> 30" and "> 120" count as 0 does
    if (la < 1e-9 || lb < 1e-9) {
      out.push(0);
      continue;
    }
    const cos = Math.max(-1, Math.min(1, (ax * bx + ay * by) / (la * lb)));
    out.push(Math.acos(cos) * (180 / Math.PI));
  }
  return out;
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

function exactPlayProof1(s: SessionInput): Row {
  const m = s.movements;
  const durationMs = s.durationMs ?? span(m);
  if (m.length < PLAYPROOF1.minMovementEvents) return minimal(s, durationMs);
  const { speeds, accels, jerks } = kinematics(m);
  const speed = orderStats(speeds, 95);
  const turns = turnDegrees(m);
  const dts: number[] = [];
  const pauses: number[] = [];
  let totalDistance = 0;
  let jitter = 0;
  for (let i = 1; i < m.length; i++) {
    const dt = m[i]!.timestamp - m[i - 1]!.timestamp;
    dts.push(dt);
    if (dt > PLAYPROOF1.pauseThresholdMs) pauses.push(dt);
    totalDistance += dist(m[i - 1]!, m[i]!);
    if (i < m.length - 1) {
      const small = PLAYPROOF1.jitterDistancePx;
      if (dist(m[i - 1]!, m[i]!) < small && dist(m[i]!, m[i + 1]!) < small) jitter++;
    }
  }
  const directionChanges = turns.filter((a) => a > PLAYPROOF1.directionChangeDeg).length;
  const elapsed = m.at(-1)!.timestamp - m[0]!.timestamp;
  let pauseSum = 0;
  for (const p of pauses) pauseSum += p;
  const pausesTimed = pauses.length > 0 && elapsed >= 1e-9;
  const hits = s.hits ?? 0;
  const misses = s.misses ?? 0;
  const j = mean(jerks);
  return {
    durationMs,
    totalMoves: m.length,
    totalClicks: s.clicks.length,
    avgSpeed: mean(speeds),
    maxSpeed: max(speeds),
    medianSpeed: speed.median,
    speedStd: std(speeds),
    speedP95: speed.percentile,
    avgAccel: mean(accels),
    maxAccel: max(accels),
    accelStd: std(accels),
    jerkStd: std(jerks),
    avgJerk: j,
    numDirectionChanges: directionChanges,
    directionChangeRate: durationMs > 0 ? directionChanges / (durationMs / 1000) : 0,
    smallJitterRatio: jitter / (m.length - 2),
    pathEfficiency: totalDistance < 1e-9 ? 1 : Math.min(1, dist(m[0]!, m.at(-1)!) / totalDistance),
    totalDistance,
    numPausesOver200ms: pauses.length,
    pauseTimeRatio: pausesTimed ? pauseSum / elapsed : 0,
    avgPauseDuration: pausesTimed ? mean(pauses) : 0,
    overshootEvents: turns.filter((a) => a > PLAYPROOF1.overshootDeg).length,
    // Stryker disable next-line ConditionalExpression,EqualityOperator: 0 / 0 is NaN, which roundFeature makes 0
    clickAccuracy: hits + misses > 0 ? hits / (hits + misses) : 0,
    avgClickDistance: 0,
    controlSmoothnessScore:
      jerks.length === 0 || durationMs < 1e-9 ? 0.5 : 1 - j / (PLAYPROOF1.smoothnessJerkScale + j),
    curvatureVariance: 0,
    avgInterMoveTime: mean(dts),
    interMoveTimeStd: std(dts),
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
