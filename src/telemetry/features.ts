import { EXTRA_FEATURE_COLUMNS, type ExtraFeatureName, extraFeaturesOf } from "./features-grid.js";
import {
  distance,
  inTimeOrder,
  measureColumns,
  type PathScratch,
  type Point,
} from "./features-path.js";
import { blankRecord, roundedRow } from "./features-row.js";
import {
  FINE_MS,
  SHAPE_FEATURE_COLUMNS,
  type ShapeFeatureName,
  type ShapeGrids,
  shapeFeaturesOf,
} from "./features-shape.js";
import { type Moments, moments, moments6, momentsSlots, safeRatio } from "./features-stats.js";
import { strokeTimingOf } from "./features-timing.js";
import { sampledGrid, sampleGridPair } from "./grid-sampling.js";
import { percentilesOf } from "./percentile-of.js";
import { pointColumns } from "./point-columns.js";
import { roundFeature } from "./round-feature.js";
import { push, series } from "./series.js";

export { EXTRA_FEATURE_COLUMNS, roundFeature, SHAPE_FEATURE_COLUMNS };

/** The PlayProof columns, in the order a Woodwide model trained on PlayProof data expects. */
export const FEATURE_COLUMNS = [
  "durationMs",
  "totalMoves",
  "totalClicks",
  "avgSpeed",
  "maxSpeed",
  "medianSpeed",
  "speedStd",
  "speedP95",
  "avgAccel",
  "maxAccel",
  "accelStd",
  "jerkStd",
  "avgJerk",
  "numDirectionChanges",
  "directionChangeRate",
  "smallJitterRatio",
  "pathEfficiency",
  "totalDistance",
  "numPausesOver200ms",
  "pauseTimeRatio",
  "avgPauseDuration",
  "overshootEvents",
  "clickAccuracy",
  "avgClickDistance",
  "controlSmoothnessScore",
  "curvatureVariance",
  "avgInterMoveTime",
  "interMoveTimeStd",
] as const;

export type PlayProofFeatureName = (typeof FEATURE_COLUMNS)[number];
export type FeatureName = PlayProofFeatureName | ExtraFeatureName | ShapeFeatureName;
export type Features = Record<FeatureName, number>;

/** Structural input: the schema's Session type is assignable to it. */
export interface SessionInput {
  sessionId: string;
  gameType?: string;
  deviceType?: string;
  durationMs?: number;
  movements: { x: number; y: number; timestamp: number; isTrusted?: boolean }[];
  clicks: { x: number; y: number; timestamp: number; targetHit?: boolean }[];
  hits?: number;
  misses?: number;
}

const DIRECTION_CHANGE_RAD = Math.PI / 6; // 30°
const OVERSHOOT_RAD = (2 * Math.PI) / 3; // 120°, a reversal
const JITTER_PX = 2;
const PAUSE_MS = 200;
/** Scales avgJerk into 0..1; chosen so the dev humans' median lands near 0.5. */
const SMOOTHNESS_JERK_SCALE = 2e6;

export function featureCategories(s: SessionInput): { gameType: string; deviceType: string } {
  return { gameType: s.gameType ?? "unknown", deviceType: s.deviceType ?? "unknown" };
}

export function extractFeatures(s: SessionInput): Features {
  // Issue 10: the order is checked while copying; sorted (inTimeOrder) and copied again only if needed.
  let moves: readonly Point[] = s.movements;
  let columns = pointColumns(moves);
  if (!columns.ordered) {
    moves = inTimeOrder(moves);
    columns = pointColumns(moves);
  }
  const clicks = inTimeOrder(s.clicks);
  const path = measureColumns(columns);
  const stats = pathStats(path);
  const playProof = playProofFeatures(s, moves, clicks, path, stats, records.playProof);
  const timing = strokeTimingOf(path.strokeDts, path.nStrokeDts, stats.inStroke);
  // Issue 10: the 100 ms grid is sampled once for the grid and the shape features, with the
  // shape features' 50 ms one.
  sampleGridPair(columns, FINE_MS, grids.fine, grids.coarse);
  const extra = extraFeaturesOf(columns, timing, grids.coarse, records.extra);
  const shape = shapeFeaturesOf(columns, timing, path.lengths, grids, records.shape);
  return roundedRow(playProof, extra, shape);
}

/** The three parts of the row before rounding, filled in place session after session. */
const records = {
  playProof: blankRecord(FEATURE_COLUMNS),
  extra: blankRecord(EXTRA_FEATURE_COLUMNS),
  shape: blankRecord(SHAPE_FEATURE_COLUMNS),
};
const grids: ShapeGrids = { fine: sampledGrid(), coarse: sampledGrid() };
const pauseScratch = series();

interface PathStats {
  speed: Moments;
  accel: Moments;
  jerk: Moments;
  timing: Moments;
  turns: Moments;
  inStroke: Moments;
}

const pathSlots = momentsSlots();

/** The path's moments, six series at a time (issue 10: see moments6), in reused slots. */
function pathStats(p: PathScratch): PathStats {
  const [speed, accel, jerk, timing, turns, inStroke] = moments6(
    p.speeds,
    p.nSpeeds,
    p.accels,
    p.nAccels,
    p.jerks,
    p.nJerks,
    p.dts,
    p.steps,
    p.turns,
    p.nTurns,
    p.strokeDts,
    p.nStrokeDts,
    pathSlots,
  );
  return { speed, accel, jerk, timing, turns, inStroke };
}

function playProofFeatures(
  s: SessionInput,
  moves: readonly Point[],
  clicks: readonly Point[],
  path: PathScratch,
  { speed, accel, jerk, timing, turns }: PathStats,
  out: Record<PlayProofFeatureName, number>,
): Record<PlayProofFeatureName, number> {
  // Issue 10: both by counting (percentilesOf), the speeds left in place.
  const percentiles = percentilesOf(path.speeds, path.nSpeeds, 50, 95);
  const medianSpeed = percentiles[0]!;
  const speedP95 = percentiles[1]!;
  let totalDistance = 0;
  for (let i = 0; i < path.steps; i++) totalDistance += path.lengths[i]!;
  const durationMs = s.durationMs ?? observedSpan(moves, clicks);
  const directionChanges = countAbove(path.turns, path.nTurns, DIRECTION_CHANGE_RAD);
  const pauses = moments(pausesOf(path), pauseScratch.n);
  // Stryker disable next-line EqualityOperator: one move spans 0 either way
  const span = moves.length > 1 ? moves.at(-1)!.timestamp - moves[0]!.timestamp : 0;
  out.durationMs = durationMs;
  out.totalMoves = moves.length;
  out.totalClicks = clicks.length;
  out.avgSpeed = speed.mean;
  out.maxSpeed = speed.max;
  out.medianSpeed = medianSpeed;
  out.speedStd = speed.std;
  out.speedP95 = speedP95;
  out.avgAccel = accel.mean;
  out.maxAccel = accel.max;
  out.accelStd = accel.std;
  out.jerkStd = jerk.std;
  out.avgJerk = jerk.mean;
  out.numDirectionChanges = directionChanges;
  out.directionChangeRate = safeRatio(directionChanges, durationMs / 1000);
  out.smallJitterRatio = jitterRatio(path.lengths, path.steps);
  // A path that never moves has nothing to be inefficient about: 1, as PlayProof does.
  out.pathEfficiency =
    totalDistance > 0 ? Math.min(1, distance(moves[0]!, moves.at(-1)!) / totalDistance) : 1;
  out.totalDistance = totalDistance;
  out.numPausesOver200ms = pauses.n;
  out.pauseTimeRatio = safeRatio(pauses.mean * pauses.n, span);
  out.avgPauseDuration = pauses.mean;
  out.overshootEvents = countAbove(path.turns, path.nTurns, OVERSHOOT_RAD);
  out.clickAccuracy = clickAccuracy(s, clicks);
  out.avgClickDistance = avgClickDistance(moves, clicks);
  out.controlSmoothnessScore = jerk.n > 0 ? 1 / (1 + jerk.mean / SMOOTHNESS_JERK_SCALE) : 0.5;
  out.curvatureVariance = turns.std ** 2;
  out.avgInterMoveTime = timing.mean;
  out.interMoveTimeStd = timing.std;
  return out;
}

/** The gaps longer than PAUSE_MS, in order, in pauseScratch. */
function pausesOf(path: PathScratch): Float64Array {
  pauseScratch.n = 0;
  for (let i = 0; i < path.steps; i++) {
    if (path.dts[i]! > PAUSE_MS) push(pauseScratch, path.dts[i]!);
  }
  return pauseScratch.data;
}

function countAbove(values: Float64Array, n: number, limit: number): number {
  let count = 0;
  // Issue 10: without a branch (turns at random angles mispredict one in two).
  for (let i = 0; i < n; i++) count += +(Math.abs(values[i]!) > limit);
  return count;
}

function observedSpan(moves: readonly Point[], clicks: readonly Point[]): number {
  const all = [moves[0], moves.at(-1), clicks[0], clicks.at(-1)].filter((p) => p !== undefined);
  if (all.length === 0) return 0;
  const times = all.map((p) => p.timestamp);
  return Math.max(...times) - Math.min(...times); // at most 4 values: spreading is fine here
}

/** Share of interior points whose steps on both sides are micro-movements (< 2 px). */
function jitterRatio(lengths: Float64Array, n: number): number {
  let count = 0;
  for (let i = 1; i < n; i++) {
    count += +(lengths[i - 1]! < JITTER_PX) & +(lengths[i]! < JITTER_PX);
  }
  return safeRatio(count, n - 1);
}

function clickAccuracy(s: SessionInput, clicks: readonly Point[]): number {
  const hits = s.hits ?? 0;
  const misses = s.misses ?? 0;
  if (hits + misses > 0) return hits / (hits + misses);
  let known = 0;
  let hit = 0;
  for (const c of s.clicks) {
    if (c.targetHit !== undefined) known++;
    if (c.targetHit) hit++;
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator: no clicks means no known flags, and safeRatio(0, 0) is 0
  return clicks.length > 0 ? safeRatio(hit, known) : 0;
}

/** Mean distance from each click to the pointer's last reported position before it. */
function avgClickDistance(moves: readonly Point[], clicks: readonly Point[]): number {
  // Stryker disable next-line ConditionalExpression: no clicks gives 0 / 0, which roundFeature turns into 0 as well
  if (moves.length === 0 || clicks.length === 0) return 0;
  let j = 0;
  let sum = 0;
  for (const c of clicks) {
    while (j + 1 < moves.length && moves[j + 1]!.timestamp <= c.timestamp) j++;
    sum += distance(moves[j]!, c);
  }
  return sum / clicks.length;
}
