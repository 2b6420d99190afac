import { type BaselineRows, readBaselineRows } from "../batch/baseline-rows.js";
import { buildBatchCsv, MODEL_INPUT_COLUMNS } from "../batch/csv.js";
import { UsageError } from "../errors.js";
import { type Calibration, fitCalibration } from "../scoring/calibration.js";
import { hashString } from "../scoring/random.js";
import { DEFAULT_FEATURE_SET, type FeatureSetName } from "../telemetry/feature-set-names.js";
import { inferWithWoodwide } from "../woodwide/infer.js";
import { type PollOptions, type PollProgress, waitForJob, waitForModel } from "../woodwide/poll.js";
import { retryLogEvent } from "../woodwide/retrying.js";
import type { CallOptions, WoodwideClient } from "../woodwide/types.js";

export interface ModelTrainOptions {
  client: WoodwideClient;
  baselineFile: string;
  modelName: string;
  mode: "dataset" | "direct";
  /** Share of baseline rows held back from training to calibrate the model's scores. */
  calibrationShare?: number;
  /** false: `--no-calibrate`, the model is saved uncalibrated on purpose. Default true. */
  calibrate?: boolean;
  /** Issue 13: the feature definitions to train on (default PlayProof's own, playproof-1). */
  featureSet?: FeatureSetName;
  poll?: Omit<PollOptions, "onProgress">;
  onProgress?: (stage: string, p?: PollProgress) => void;
  log?: (event: Record<string, unknown>) => void;
}

export interface ModelTrainResult {
  modelId: string;
  versionId: string | undefined;
  datasetId: string;
  trainRows: number;
  calibrationRows: number;
  rejected: string[];
  calibration?: Calibration;
  /** Why calibration failed; the caller must not report success (issue 8, defect 6). */
  calibrationError?: string;
  /** Issue 13: recorded with the model, so `process` sends the same definitions. */
  featureSet: FeatureSetName;
}

const DEFAULT_CALIBRATION_SHARE = 0.2;

/**
 * Trains a Woodwide anomaly model on human baseline rows (woodwide-api.md, "Models"): upload,
 * wait for ingest, train with input_columns = the feature columns (never identifiers or
 * categories), wait until ready, then score the held-back humans to calibrate (design.md).
 * Every call retries in place on transient answers (woodwide/call-retry.ts, issue 14).
 */
export async function modelTrain(o: ModelTrainOptions): Promise<ModelTrainResult> {
  const featureSet = o.featureSet ?? DEFAULT_FEATURE_SET;
  const baseline = await readBaselineRows(o.baselineFile, featureSet);
  const { train, held } = splitBaseline(baseline, o.calibrationShare ?? DEFAULT_CALIBRATION_SHARE);
  if (train.length < 10) {
    throw new UsageError(
      `${o.baselineFile}: ${train.length} usable rows; a baseline needs at least 10 (${baseline.rejected.length} rejected)`,
    );
  }
  const call = logRetries(o.log);
  o.onProgress?.("uploading");
  const upload = await o.client.uploadDataset(
    {
      csv: buildBatchCsv(train, featureSet),
      fileName: "baseline.csv",
      datasetName: `${o.modelName}-baseline`,
      description: "playproof-batch human baseline",
    },
    call,
  );
  o.onProgress?.("ingesting");
  await waitForJob(o.client, upload.jobId, {
    ...o.poll,
    call,
    onProgress: (p) => o.onProgress?.("ingesting", p),
  });
  o.onProgress?.("training");
  const model = await o.client.trainModel(
    {
      modelName: o.modelName,
      datasetVersionId: upload.versionId,
      inputColumns: [...MODEL_INPUT_COLUMNS],
    },
    call,
  );
  const ready = await waitForModel(o.client, model.modelId, {
    ...o.poll,
    call,
    trainJobId: model.jobId,
    onProgress: (p) => o.onProgress?.("training", p),
  });
  const result: ModelTrainResult = {
    modelId: model.modelId,
    versionId: ready.versionId ?? model.versionId,
    datasetId: upload.datasetId,
    trainRows: train.length,
    calibrationRows: held.length,
    rejected: baseline.rejected,
    featureSet,
  };
  if (o.calibrate === false) return result;
  try {
    const calibration = await calibrateOn(o, held, result.modelId, result.versionId, o.modelName);
    return { ...result, calibration };
  } catch (err) {
    return { ...result, calibrationError: (err as Error).message };
  }
}

export interface ModelCalibrateOptions {
  client: WoodwideClient;
  baselineFile: string;
  modelId: string;
  mode: "dataset" | "direct";
  calibrationShare?: number;
  poll?: Omit<PollOptions, "onProgress">;
  onProgress?: (stage: string, p?: PollProgress) => void;
  log?: (event: Record<string, unknown>) => void;
  /** Issue 13: the set the model was trained on (model-record.ts). */
  featureSet?: FeatureSetName;
}

export interface ModelCalibrateResult {
  modelId: string;
  versionId: string | undefined;
  calibrationRows: number;
  rejected: string[];
  calibration: Calibration;
}

/**
 * `model calibrate` (issue 8, defect 6): redoes calibration for an existing model, on the same
 * held-back rows `model train` would use (the split is seeded by row content), so a calibration
 * that failed after training can be finished without training again.
 */
export async function modelCalibrate(o: ModelCalibrateOptions): Promise<ModelCalibrateResult> {
  const baseline = await readBaselineRows(o.baselineFile, o.featureSet ?? DEFAULT_FEATURE_SET);
  const { held } = splitBaseline(baseline, o.calibrationShare ?? DEFAULT_CALIBRATION_SHARE);
  o.onProgress?.("checking model");
  const model = await waitForModel(o.client, o.modelId, { ...o.poll, call: logRetries(o.log) });
  const calibration = await calibrateOn(o, held, o.modelId, model.versionId, "playproof");
  return {
    modelId: o.modelId,
    versionId: model.versionId,
    calibrationRows: held.length,
    rejected: baseline.rejected,
    calibration,
  };
}

/** Scores the held-back humans through the model; their raw scores are the calibration. */
async function calibrateOn(
  o: Pick<
    ModelTrainOptions,
    "client" | "mode" | "poll" | "log" | "onProgress" | "baselineFile" | "featureSet"
  >,
  held: BaselineRows["rows"],
  modelId: string,
  versionId: string | undefined,
  name: string,
): Promise<Calibration> {
  if (held.length === 0) {
    throw new UsageError(`${o.baselineFile}: no rows held back to calibrate on`);
  }
  o.onProgress?.("calibrating");
  let calibrationDataset: string | undefined;
  const answer = await inferWithWoodwide({
    client: o.client,
    modelId,
    modelVersionId: versionId,
    mode: o.mode,
    csv: buildBatchCsv(held, o.featureSet ?? DEFAULT_FEATURE_SET),
    rowCount: held.length,
    dataset: {
      name: `${name}-calibration`,
      getId: () => calibrationDataset,
      saveId: (id) => {
        calibrationDataset = id;
      },
    },
    ...(o.poll ? { poll: o.poll } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
  return fitCalibration(answer.rows.map((r) => r.score));
}

function logRetries(log: ModelTrainOptions["log"]): Omit<CallOptions, "signal"> {
  return { onRetry: (r) => log?.(retryLogEvent(r)) };
}

/** A seeded split by row content: the same baseline always holds back the same rows. */
export function splitBaseline(b: BaselineRows, share: number) {
  const train: BaselineRows["rows"] = [];
  const held: BaselineRows["rows"] = [];
  for (const row of b.rows) {
    const h = hashString(JSON.stringify(row.features)) / 0x1_0000_0000;
    (h < share ? held : train).push(row);
  }
  return { train, held };
}
