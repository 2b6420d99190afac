import type { Command } from "commander";
import { saveCalibration } from "../batch/calibration-store.js";
import { checkFeatureSet, featureSetFor, recordModelFeatureSet } from "../batch/model-record.js";
import { woodwideClientFor } from "../batch/select-engine.js";
import { CliError, ExitCode } from "../errors.js";
import { modelCalibrate, modelTrain } from "../ops/model-train.js";
import { DEFAULT_FEATURE_SET } from "../telemetry/feature-set-names.js";
import { spinnerOrLog } from "../ui/progress.js";
import type { PollProgress } from "../woodwide/poll.js";
import type { Context } from "./context.js";
import { type CliDeps, makeContext } from "./context.js";
import type { SetExit } from "./options.js";

export interface ModelTrainFlags {
  baseline: string;
  name?: string;
  /** commander's `--no-calibrate`: true unless the flag is given. */
  calibrate?: boolean;
  /** Issue 13: `--feature-set`, else woodwide.featureSet, else playproof-1. */
  featureSet?: string;
}

export interface ModelCalibrateFlags {
  baseline: string;
  model?: string;
}

function progressLine(ctx: Context, verb: string) {
  const progress = spinnerOrLog(ctx.io);
  return {
    progress,
    onProgress: (stage: string, p?: PollProgress) =>
      progress.update(
        `model ${verb}: ${stage}${p ? ` (${p.status}${p.progress === undefined ? "" : ` ${p.progress}%`})` : ""}`,
      ),
    log: (e: Record<string, unknown>) => ctx.io.log("debug", `woodwide: ${JSON.stringify(e)}`, e),
  };
}

export async function modelTrainAction(ctx: Context, o: ModelTrainFlags): Promise<void> {
  const ww = ctx.settings.woodwide;
  const client = woodwideClientFor(ctx.settings);
  const { progress, onProgress, log } = progressLine(ctx, "train");
  const calibrate = o.calibrate !== false;
  try {
    const r = await modelTrain({
      client,
      baselineFile: o.baseline,
      modelName: o.name ?? `playproof-${new Date(ctx.now()).toISOString().slice(0, 10)}`,
      mode: ww.mode,
      calibrate,
      featureSet: checkFeatureSet(o.featureSet ?? ww.featureSet ?? DEFAULT_FEATURE_SET),
      poll: { maxWaitMs: ww.jobTimeoutMs },
      onProgress,
      log,
    });
    progress.stop();
    for (const m of r.rejected) ctx.io.log("warn", `skipped ${m}`);
    const { calibration: _c, ...shown } = r;
    if (calibrate && !r.calibration) {
      // Issue 8, defect 6: an uncalibrated model maps every Woodwide score to pass/review, so
      // it is not saved as the model `process` uses, and the command fails.
      if (ctx.io.json) ctx.io.dataJson({ ...shown, calibrated: false });
      throw new CliError(
        `model ${r.modelId} was trained but its calibration failed (${r.calibrationError}); it was not saved as woodwide.modelId. Finish it with \`playproof-batch model calibrate --model ${r.modelId} --baseline ${o.baseline}\`, or train with --no-calibrate`,
        // Calibration calls already retried in place: what is left is the service's state.
        ExitCode.unavailable,
      );
    }
    await recordModelFeatureSet(ctx.deps.env, r.modelId, r.featureSet);
    const file = await ctx.config();
    file.set("woodwide.modelId", r.modelId);
    if (r.versionId) file.set("woodwide.modelVersionId", r.versionId);
    else file.delete("woodwide.modelVersionId");
    if (r.calibration) await saveCalibration(ctx.deps.env, r.modelId, r.calibration);
    else
      ctx.io.log(
        "warn",
        `model ${r.modelId} is not calibrated (--no-calibrate): its scores map to pass/review by is_anomaly alone until \`playproof-batch model calibrate --baseline FILE\``,
      );
    if (ctx.io.json) ctx.io.dataJson({ ...shown, calibrated: Boolean(r.calibration) });
    ctx.io.log(
      "info",
      `model ${r.modelId} ready: trained on ${r.trainRows} rows, calibrated on ${r.calibration ? r.calibrationRows : 0}; saved as woodwide.modelId`,
    );
  } finally {
    progress.stop();
    await client.close();
  }
}

/** `model calibrate`: redo calibration for an existing model, and make it the model in use. */
export async function modelCalibrateAction(ctx: Context, o: ModelCalibrateFlags): Promise<void> {
  const ww = ctx.settings.woodwide;
  const modelId = o.model ?? ww.modelId;
  if (!modelId) {
    throw new CliError(
      "no model to calibrate: pass --model ID, or set PLAYPROOF_MODEL_ID / woodwide.modelId",
      ExitCode.config,
    );
  }
  const client = woodwideClientFor(ctx.settings);
  const { progress, onProgress, log } = progressLine(ctx, "calibrate");
  try {
    const r = await modelCalibrate({
      client,
      baselineFile: o.baseline,
      modelId,
      mode: ww.mode,
      featureSet: await featureSetFor(ctx.deps.env, modelId, ww.featureSet),
      poll: { maxWaitMs: ww.jobTimeoutMs },
      onProgress,
      log,
    });
    progress.stop();
    for (const m of r.rejected) ctx.io.log("warn", `skipped ${m}`);
    await saveCalibration(ctx.deps.env, r.modelId, r.calibration);
    const file = await ctx.config();
    file.set("woodwide.modelId", r.modelId);
    if (r.versionId) file.set("woodwide.modelVersionId", r.versionId);
    const { calibration: _c, ...shown } = r;
    if (ctx.io.json) ctx.io.dataJson({ ...shown, calibrated: true });
    ctx.io.log(
      "info",
      `model ${r.modelId} calibrated on ${r.calibrationRows} held-back rows; saved as woodwide.modelId`,
    );
  } finally {
    progress.stop();
    await client.close();
  }
}

/** `model train|calibrate`: Woodwide models. */
export function register(program: Command, deps: CliDeps, _setExit: SetExit): void {
  const model = program.command("model").description("Woodwide models");
  model
    .command("train")
    .description("upload a human baseline, train an anomaly model, wait until ready, save its id")
    .requiredOption(
      "--baseline <file>",
      "CSV of feature rows (e.g. fixtures/baseline/human-baseline.csv) or sessions (NDJSON/JSON)",
    )
    .option("--name <name>", "model name (default playproof-YYYY-MM-DD)")
    .option(
      "--feature-set <name>",
      "feature definitions: playproof-1 (PlayProof's own, default) or playproof-batch-1; recorded with the model",
    )
    .option(
      "--no-calibrate",
      "save the model without calibrating it (it then decides by is_anomaly alone)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch model train --baseline fixtures/baseline/human-baseline.csv\n  zcat humans.ndjson.gz > humans.ndjson && playproof-batch model train --baseline humans.ndjson",
    )
    .action(async (o: ModelTrainFlags, cmd: Command) => {
      await modelTrainAction(makeContext(cmd, deps), o);
    });
  model
    .command("calibrate")
    .description("redo calibration for an existing model on the baseline's held-back humans")
    .requiredOption("--baseline <file>", "the baseline the model was trained on")
    .option("--model <id>", "the model (default woodwide.modelId); saved as woodwide.modelId")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch model calibrate --baseline fixtures/baseline/human-baseline.csv\n  playproof-batch model calibrate --model 3f2a... --baseline fixtures/baseline/human-baseline.csv",
    )
    .action(async (o: ModelCalibrateFlags, cmd: Command) => {
      await modelCalibrateAction(makeContext(cmd, deps), o);
    });
}
