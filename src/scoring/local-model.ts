import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../package-root.js";
import { parseBaselineCsv } from "./baseline-csv.js";
import type { BoostedTrees } from "./boosted-trees.js";
import { createLocalEngine, type LocalEngine } from "./local-engine.js";
import { hashString } from "./random.js";

export type { LocalEngine } from "./local-engine.js";

export const BASELINE_FILE = "fixtures/baseline/human-baseline.csv";
/** Issue 13, part 2: the supervised layer, trained by scripts/build-baseline.mjs. */
export const BOT_MODEL_FILE = "fixtures/baseline/bot-model.json";
/** The shipped kNN's reference share: review at the strangest ~1% of baseline humans. */
export const SHIPPED_KNN_P_REF = 0.05;

export interface LoadLocalEngineOptions {
  /** A baseline CSV to train on instead of the shipped one. */
  baselinePath?: string;
  /** A bot model to use instead of the shipped one; null for the kNN alone. */
  botModelPath?: string | null;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (cause) {
    throw new Error(`cannot read the ${what} ${path}: run \`node scripts/build-baseline.mjs\``, {
      cause,
    });
  }
}

/**
 * The edge of the local engine: reads the shipped baseline and trains on it. Training is the
 * artifact: a kNN reference set plus its leave-one-out calibration takes ~50 ms, so there is no
 * second file to drift out of date. The version names the baseline's content hash.
 */
export function loadLocalEngine(opts: LoadLocalEngineOptions = {}): LocalEngine {
  const text = readText(opts.baselinePath ?? join(packageRoot(), BASELINE_FILE), "human baseline");
  const modelPath =
    opts.botModelPath === undefined ? join(packageRoot(), BOT_MODEL_FILE) : opts.botModelPath;
  const modelText = modelPath === null ? "" : readText(modelPath, "bot model");
  const hash = (t: string) => hashString(t).toString(16).padStart(8, "0");
  const version = modelPath === null ? `1-${hash(text)}` : `2-${hash(text)}-${hash(modelText)}`;
  return createLocalEngine(parseBaselineCsv(text), version, {
    knnPRef: SHIPPED_KNN_P_REF,
    botModel: modelPath === null ? undefined : (JSON.parse(modelText) as BoostedTrees),
  });
}
