import type { FeatureName, Features } from "../telemetry/features.js";
import { roundFeature } from "../telemetry/features.js";
import { type Calibration, calibrate, fitCalibration } from "./calibration.js";
import { confidenceOf, decide } from "./decision.js";
import { evaluateHeuristics } from "./heuristics.js";
import { type KnnModel, trainKnn } from "./knn.js";
import type { ScoreResult, Thresholds } from "./result.js";

export interface LocalEngine {
  id: string;
  version: string;
  scoreRows(rows: readonly Features[], opts: { thresholds: Thresholds; now: Date }): ScoreResult[];
}

/**
 * Model inputs: shape of the speed profile and of the turns on a 100 ms grid. Chosen because they
 * separate the dev bots and stay put when the dev humans are re-sampled at 4-120 ms, rounded or
 * scaled (issue 3); speeds in px/s, timing and click counts depend on device, canvas and game.
 */
export const MODEL_COLUMNS = [
  "gridSpeedCv",
  "gridSpeedJerk",
  "gridAccelShare",
  "gridTurnMean",
  "gridTurnP90",
  "gridStraightShare",
  "gridTurnFlipShare",
] as const satisfies readonly FeatureName[];

const K = 10;
/** Below this many moving 100 ms steps the shape features are noise: the model alone can't fail. */
export const MIN_EVIDENCE_STEPS = 8;

/** log spreads the small ratios bots live at; the offset keeps exact zeros finite. */
const transform = (column: string, v: number) =>
  Math.log(Math.max(0, v) + (column.endsWith("Share") ? 0.02 : 0.01));

interface Scaler {
  center: number[];
  scale: number[];
}

function median(values: number[], q = 0.5): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))] ?? 0;
}

/** Median / IQR standardisation: a few odd baseline rows cannot stretch the axes. */
function fitScaler(rows: readonly number[][]): Scaler {
  const cols = MODEL_COLUMNS.map((_, j) => rows.map((r) => r[j]!));
  return {
    center: cols.map((c) => median(c)),
    scale: cols.map((c) => (median(c, 0.75) - median(c, 0.25)) / 1.349 || 1),
  };
}

function toVector(f: Features, s: Scaler): Float64Array {
  return Float64Array.from(
    MODEL_COLUMNS,
    // Stryker disable next-line ArithmeticOperator: centring shifts every row and query alike, so no kNN distance changes
    (c, j) => (transform(c, f[c]) - s.center[j]!) / s.scale[j]!,
  );
}

export function createLocalEngine(baseline: readonly Features[], version: string): LocalEngine {
  if (baseline.length <= K) throw new Error(`the human baseline needs more than ${K} rows`);
  const scaler = fitScaler(baseline.map((f) => MODEL_COLUMNS.map((c) => transform(c, f[c]))));
  const knn: KnnModel = trainKnn(
    baseline.map((f) => toVector(f, scaler)),
    K,
  );
  // Leave-one-out: every baseline human is scored with itself held back from the reference set.
  const calibration: Calibration = fitCalibration(knn.leaveOneOut());
  return {
    id: "local-knn",
    version,
    scoreRows: (rows, opts) =>
      rows.map((f) => scoreRow(f, opts, knn, scaler, calibration, version)),
  };
}

function scoreRow(
  f: Features,
  opts: { thresholds: Thresholds; now: Date },
  knn: KnnModel,
  scaler: Scaler,
  calibration: Calibration,
  version: string,
): ScoreResult {
  const raw = knn.distance(toVector(f, scaler));
  const modelScore = calibrate(calibration, raw);
  const band = (opts.thresholds.review + opts.thresholds.fail) / 2;
  const evidenced =
    f.gridMovingSteps >= MIN_EVIDENCE_STEPS ? modelScore : Math.min(modelScore, band);
  const heuristics = evaluateHeuristics(f);
  const anomalyScore = Math.max(evidenced, heuristics.score);
  const decision = decide(anomalyScore, opts.thresholds);
  return {
    anomalyScore,
    isAnomaly: decision !== "pass",
    decision,
    confidence: confidenceOf(anomalyScore, opts.thresholds),
    reasons: heuristics.reasons,
    source: "local",
    model: { id: "local-knn", version },
    scoredAt: opts.now.toISOString(),
    rawScore: roundFeature(raw),
  };
}
