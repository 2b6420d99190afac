import { saveCalibration } from "../batch/calibration-store.js";
import type { Context } from "../cli-context.js";
import { modelTrain } from "../commands/model-train.js";
import { UsageError } from "../errors.js";
import { spinnerOrLog } from "../ui/progress.js";
import { createWoodwideClient } from "../woodwide/client.js";

export interface ModelTrainFlags {
  baseline: string;
  name?: string;
}

export async function modelTrainAction(ctx: Context, o: ModelTrainFlags): Promise<void> {
  const ww = ctx.settings.woodwide;
  if (!ww.apiKey) {
    throw new UsageError(
      "WOODWIDE_API_KEY is not set: export it, or run `playproof-batch config set woodwide.apiKey KEY`",
    );
  }
  const client = createWoodwideClient({
    baseUrl: ww.baseUrl,
    apiKey: ww.apiKey,
    timeoutMs: ww.timeoutMs,
  });
  const progress = spinnerOrLog(ctx.io);
  try {
    const r = await modelTrain({
      client,
      baselineFile: o.baseline,
      modelName: o.name ?? `playproof-${new Date(ctx.now()).toISOString().slice(0, 10)}`,
      mode: ww.mode,
      poll: { maxWaitMs: ww.jobTimeoutMs },
      onProgress: (stage, p) =>
        progress.update(
          `model train: ${stage}${p ? ` (${p.status}${p.progress === undefined ? "" : ` ${p.progress}%`})` : ""}`,
        ),
      log: (e) => ctx.io.log("debug", `woodwide: ${JSON.stringify(e)}`, e),
    });
    progress.stop();
    for (const m of r.rejected) ctx.io.log("warn", `skipped ${m}`);
    const file = await ctx.config();
    file.set("woodwide.modelId", r.modelId);
    if (r.versionId) file.set("woodwide.modelVersionId", r.versionId);
    else file.delete("woodwide.modelVersionId");
    if (r.calibration) await saveCalibration(ctx.deps.env, r.modelId, r.calibration);
    else
      ctx.io.log(
        "warn",
        `model ${r.modelId} is not calibrated (${r.calibrationError}): its scores will map to pass/review by is_anomaly alone`,
      );
    const { calibration: _c, ...shown } = r;
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
