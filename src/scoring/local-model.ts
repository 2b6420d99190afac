import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../package-root.js";
import { parseBaselineCsv } from "./baseline-csv.js";
import { createLocalEngine, type LocalEngine } from "./local-engine.js";
import { hashString } from "./random.js";

export type { LocalEngine } from "./local-engine.js";

export const BASELINE_FILE = "fixtures/baseline/human-baseline.csv";

export interface LoadLocalEngineOptions {
  /** A baseline CSV to train on instead of the shipped one. */
  baselinePath?: string;
}

/**
 * The edge of the local engine: reads the shipped baseline and trains on it. Training is the
 * artifact: a kNN reference set plus its leave-one-out calibration takes ~50 ms, so there is no
 * second file to drift out of date. The version names the baseline's content hash.
 */
export function loadLocalEngine(opts: LoadLocalEngineOptions = {}): LocalEngine {
  const path = opts.baselinePath ?? join(packageRoot(), BASELINE_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new Error(
      `cannot read the human baseline ${path}: run \`node scripts/build-baseline.mjs\``,
      { cause },
    );
  }
  const version = `1-${hashString(text).toString(16).padStart(8, "0")}`;
  return createLocalEngine(parseBaselineCsv(text), version);
}
