import { loadCalibration } from "../batch/calibration-store.js";
import { featureSetFor } from "../batch/model-record.js";
import { type EngineChoice, selectEngine } from "../batch/select-engine.js";
import type { ConfigFile, Env, Settings } from "../config.js";

export interface EngineForOptions {
  settings: Settings;
  env: Env;
  /** The config file, to save the dataset id Woodwide creates on the first batch. */
  config: () => Promise<ConfigFile>;
  debug?: (message: string, event: Record<string, unknown>) => void;
}

/** The engine `process`, `watch`, `serve` and the library score with (one path, issue 12). */
export async function engineFor(o: EngineForOptions): Promise<EngineChoice> {
  const ww = o.settings.woodwide;
  return selectEngine({
    settings: o.settings,
    calibrate: ww.modelId ? await loadCalibration(o.env, ww.modelId) : undefined,
    featureSet: await featureSetFor(o.env, ww.modelId, ww.featureSet),
    saveDatasetId: async (id) => (await o.config()).set("woodwide.datasetId", id),
    log: (e) => o.debug?.(`woodwide: ${JSON.stringify(e)}`, e),
  });
}
