import type { FeatureName, Features } from "../telemetry/features.js";
import { roundFeature } from "../telemetry/features.js";
import { type BoostedTrees, compileTrees } from "./boosted-trees.js";
import { type Calibration, calibrate, fitCalibration, P_REF } from "./calibration.js";
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

/** transform's offset for each model column, looked up once (issue 10). */
const OFFSETS = MODEL_COLUMNS.map((c) => (c.endsWith("Share") ? 0.02 : 0.01));

/**
 * toVector into a reused buffer (issue 10: scoring allocated it per row): the same operations,
 * transform written out with its per-column offset.
 */
function toVectorInto(f: Features, s: Scaler, out: Float64Array): Float64Array {
  for (let j = 0; j < MODEL_COLUMNS.length; j++) {
    const v = f[MODEL_COLUMNS[j]!];
    out[j] = (Math.log(Math.max(0, v) + OFFSETS[j]!) - s.center[j]!) / s.scale[j]!;
  }
  return out;
}

export interface LocalEngineOptions {
  /** The kNN calibration's reference share (calibration.ts); the shipped engine uses 0.1. */
  knnPRef?: number;
  /** The supervised layer (issue 13, part 2); without it the engine is the kNN alone. */
  botModel?: BoostedTrees;
}

/**
 * The supervised layer's log-odds -> anomalyScore: 0 at log-odds -2, review (1.0) at 0, fail
 * (2.5) at 3. Fixed, not calibrated at run time: held-out humans in every sampling variant stay
 * below 0 for at least 99% (measured by `npm run eval`), dev-seed bots sit far above 3.
 */
export function botModelScore(logit: number): number {
  const score = 1 + logit / 2;
  return score > 0 ? Math.round(score * 1000) / 1000 : 0;
}

/** The bot model's reason when it alone sends a session to review or fail. */
export const BOT_MODEL_REASON = "bot-like-motion";

/** The supervised layer compiled for scoring (issue 10): flat trees and a reused input row. */
interface BotModel {
  columns: readonly string[];
  predict: (x: ArrayLike<number>) => number;
  x: Float64Array;
}

function compileBotModel(model: BoostedTrees | undefined): BotModel | undefined {
  if (!model) return undefined;
  const x = new Float64Array(model.columns.length);
  return { columns: model.columns, predict: compileTrees(model), x };
}

function botLogit(model: BotModel | undefined, f: Features): number | undefined {
  if (!model) return undefined;
  const { columns, x } = model;
  for (let j = 0; j < columns.length; j++) {
    const v = (f as Record<string, number | undefined>)[columns[j]!];
    // A row queued before these columns existed: the kNN alone judges it.
    if (typeof v !== "number") return undefined;
    x[j] = v;
  }
  return model.predict(x);
}

export function createLocalEngine(
  baseline: readonly Features[],
  version: string,
  options: LocalEngineOptions = {},
): LocalEngine {
  if (baseline.length <= K) throw new Error(`the human baseline needs more than ${K} rows`);
  const scaler = fitScaler(baseline.map((f) => MODEL_COLUMNS.map((c) => transform(c, f[c]))));
  const knn: KnnModel = trainKnn(
    baseline.map((f) => toVector(f, scaler)),
    K,
  );
  // Leave-one-out: every baseline human is scored with itself held back from the reference set.
  const calibration: Calibration = fitCalibration(knn.leaveOneOut(), options.knnPRef ?? P_REF);
  const model: Scorer = {
    knn,
    scaler,
    calibration,
    botModel: compileBotModel(options.botModel),
    z: new Float64Array(MODEL_COLUMNS.length),
  };
  return {
    id: "local-knn",
    version,
    scoreRows: (rows, opts) => {
      const scoredAt = opts.now.toISOString(); // issue 10: once per batch, not per row
      return rows.map((f) => scoreRow(f, opts, scoredAt, model, version));
    },
  };
}

interface Scorer {
  knn: KnnModel;
  scaler: Scaler;
  calibration: Calibration;
  botModel: BotModel | undefined;
  /** The query vector, reused row after row (the kNN reads it before the next is written). */
  z: Float64Array;
}

function scoreRow(
  f: Features,
  opts: { thresholds: Thresholds; now: Date },
  scoredAt: string,
  m: Scorer,
  version: string,
): ScoreResult {
  const raw = m.knn.distance(toVectorInto(f, m.scaler, m.z));
  const band = (opts.thresholds.review + opts.thresholds.fail) / 2;
  const logit = botLogit(m.botModel, f);
  const modelScore = Math.max(
    calibrate(m.calibration, raw),
    logit === undefined ? 0 : botModelScore(logit),
  );
  const evidenced =
    f.gridMovingSteps >= MIN_EVIDENCE_STEPS ? modelScore : Math.min(modelScore, band);
  const heuristics = evaluateHeuristics(f);
  const anomalyScore = Math.max(evidenced, heuristics.score);
  const reasons =
    logit !== undefined && botModelScore(logit) >= opts.thresholds.review
      ? [...heuristics.reasons, BOT_MODEL_REASON]
      : heuristics.reasons;
  const decision = decide(anomalyScore, opts.thresholds);
  return {
    anomalyScore,
    isAnomaly: decision !== "pass",
    decision,
    confidence: confidenceOf(anomalyScore, opts.thresholds),
    reasons,
    source: "local",
    model: { id: "local-knn", version },
    scoredAt,
    rawScore: roundFeature(raw),
  };
}
