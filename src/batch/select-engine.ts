import type { Settings } from "../config.js";
import { CliError, ExitCode } from "../errors.js";
import type { FeatureSetName } from "../telemetry/feature-set-names.js";
import { createWoodwideClient } from "../woodwide/client.js";
import type { ScoringEngine } from "./engine.js";
import { createLocalEngine } from "./local-engine.js";
import { createWoodwideEngine } from "./woodwide-engine.js";

export interface EngineChoice {
  engine: ScoringEngine;
  fallback: ScoringEngine;
  close(): Promise<void>;
}

export interface SelectEngineOptions {
  settings: Settings;
  saveDatasetId: (id: string) => void | Promise<void>;
  calibrate?: ((raw: number) => number) | undefined;
  /** Issue 13: the set the model was trained on (model-record.ts resolves it). */
  featureSet?: FeatureSetName | undefined;
  log?: (event: Record<string, unknown>) => void;
}

/** A client for the configured account; a missing key is a usage error that says what to do. */
export function woodwideClientFor(settings: Settings, alternative = "") {
  const ww = settings.woodwide;
  if (!ww.apiKey) {
    throw new CliError(
      `WOODWIDE_API_KEY is not set: export it, or run \`playproof-batch config set woodwide.apiKey KEY\`${alternative}`,
      ExitCode.config,
    );
  }
  return createWoodwideClient({ baseUrl: ww.baseUrl, apiKey: ww.apiKey, timeoutMs: ww.timeoutMs });
}

/** `auto` means Woodwide when a key and a model are configured, else the embedded model. */
export function selectEngine(o: SelectEngineOptions): EngineChoice {
  const { settings } = o;
  const ww = settings.woodwide;
  const local = createLocalEngine();
  const wanted =
    settings.engine === "auto" ? (ww.apiKey && ww.modelId ? "woodwide" : "local") : settings.engine;
  if (wanted === "local") return { engine: local, fallback: local, close: async () => undefined };
  const client = woodwideClientFor(settings, " (or use --engine local)");
  if (!ww.modelId) {
    throw new CliError(
      "no Woodwide model: set PLAYPROOF_MODEL_ID, run `playproof-batch model train --baseline FILE`, or use --engine local",
      ExitCode.config,
    );
  }
  let datasetId = ww.datasetId;
  const engine = createWoodwideEngine({
    client,
    modelId: ww.modelId,
    modelVersionId: ww.modelVersionId,
    mode: ww.mode,
    dataset: {
      name: "playproof-batch-sessions",
      getId: () => datasetId,
      saveId: (id) => {
        datasetId = id;
        return o.saveDatasetId(id);
      },
    },
    calibrate: o.calibrate,
    featureSet: o.featureSet,
    poll: { maxWaitMs: ww.jobTimeoutMs },
    ...(o.log ? { log: o.log } : {}),
  });
  return { engine, fallback: local, close: () => client.close() };
}
