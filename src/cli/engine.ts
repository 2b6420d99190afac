import { loadCalibration } from "../batch/calibration-store.js";
import { featureSetFor } from "../batch/model-record.js";
import { type EngineChoice, selectEngine } from "../batch/select-engine.js";
import type { Context } from "./context.js";

/** The engine `process` and `watch` score with, wired to the context's settings and files. */
export async function engineFor(ctx: Context): Promise<EngineChoice> {
  const ww = ctx.settings.woodwide;
  return selectEngine({
    settings: ctx.settings,
    calibrate: ww.modelId ? await loadCalibration(ctx.deps.env, ww.modelId) : undefined,
    featureSet: await featureSetFor(ctx.deps.env, ww.modelId, ww.featureSet),
    saveDatasetId: async (id) => (await ctx.config()).set("woodwide.datasetId", id),
    log: (e) => ctx.io.log("debug", `woodwide: ${JSON.stringify(e)}`, e),
  });
}
