import { type BaselineRows, readBaselineRows } from "../batch/baseline-rows.js";
import { buildBatchCsv, MODEL_INPUT_COLUMNS } from "../batch/csv.js";
import { UsageError } from "../errors.js";
import { type Calibration, fitCalibration } from "../scoring/calibration.js";
import { hashString } from "../scoring/random.js";
import { inferWithWoodwide } from "../woodwide/infer.js";
import { type PollOptions, type PollProgress, waitForJob, waitForModel } from "../woodwide/poll.js";
import type { WoodwideClient } from "../woodwide/types.js";

export interface ModelTrainOptions {
  client: WoodwideClient;
  baselineFile: string;
  modelName: string;
  mode: "dataset" | "direct";
  /** Share of baseline rows held back from training to calibrate the model's scores. */
  calibrationShare?: number;
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
  calibrationError?: string;
}

/**
 * Trains a Woodwide anomaly model on human baseline rows (woodwide-api.md, "Models"): upload,
 * wait for ingest, train with input_columns = the feature columns (never identifiers or
 * categories), wait until ready, then score the held-back humans to calibrate (design.md).
 */
export async function modelTrain(o: ModelTrainOptions): Promise<ModelTrainResult> {
  const baseline = await readBaselineRows(o.baselineFile);
  const { train, held } = splitBaseline(baseline, o.calibrationShare ?? 0.2);
  if (train.length < 10) {
    throw new UsageError(
      `${o.baselineFile}: ${train.length} usable rows; a baseline needs at least 10 (${baseline.rejected.length} rejected)`,
    );
  }
  o.onProgress?.("uploading");
  const upload = await o.client.uploadDataset({
    csv: buildBatchCsv(train),
    fileName: "baseline.csv",
    datasetName: `${o.modelName}-baseline`,
    description: "playproof-batch human baseline",
  });
  o.onProgress?.("ingesting");
  await waitForJob(o.client, upload.jobId, {
    ...o.poll,
    onProgress: (p) => o.onProgress?.("ingesting", p),
  });
  o.onProgress?.("training");
  const model = await o.client.trainModel({
    modelName: o.modelName,
    datasetVersionId: upload.versionId,
    inputColumns: [...MODEL_INPUT_COLUMNS],
  });
  const ready = await waitForModel(o.client, model.modelId, {
    ...o.poll,
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
  };
  if (held.length === 0) return { ...result, calibrationError: "no rows held back" };
  o.onProgress?.("calibrating");
  try {
    let calibrationDataset: string | undefined;
    const answer = await inferWithWoodwide({
      client: o.client,
      modelId: model.modelId,
      modelVersionId: result.versionId,
      mode: o.mode,
      csv: buildBatchCsv(held),
      rowCount: held.length,
      dataset: {
        name: `${o.modelName}-calibration`,
        getId: () => calibrationDataset,
        saveId: (id) => {
          calibrationDataset = id;
        },
      },
      ...(o.poll ? { poll: o.poll } : {}),
      ...(o.log ? { log: o.log } : {}),
    });
    return { ...result, calibration: fitCalibration(answer.rows.map((r) => r.score)) };
  } catch (err) {
    return { ...result, calibrationError: (err as Error).message };
  }
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
