import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { configDir, type Env } from "../config.js";
import { UsageError } from "../errors.js";
import {
  DEFAULT_FEATURE_SET,
  type FeatureSetName,
  isFeatureSet,
} from "../telemetry/feature-set-names.js";

/**
 * What `model train` knows about the models it made (issue 13, part 1): the feature set each was
 * trained on, by model id, so `process` sends the definitions the model learned from even after
 * `woodwide.featureSet` changes. One small JSON file beside the settings.
 */
export function modelRecordPath(env: Env): string {
  return join(configDir(env), "woodwide-models.json");
}

type Records = Record<string, { featureSet: string }>;

async function readRecords(env: Env): Promise<Records> {
  try {
    const value = JSON.parse(await readFile(modelRecordPath(env), "utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

export async function recordModelFeatureSet(env: Env, modelId: string, set: FeatureSetName) {
  const records = await readRecords(env);
  records[modelId] = { featureSet: set };
  const path = modelRecordPath(env);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(records, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}

/** The recorded set of `modelId`, else `woodwide.featureSet`, else PlayProof's own. */
export async function featureSetFor(
  env: Env,
  modelId: string | undefined,
  configured: string | undefined,
): Promise<FeatureSetName> {
  const recorded = modelId ? (await readRecords(env))[modelId]?.featureSet : undefined;
  return checkFeatureSet(recorded ?? configured ?? DEFAULT_FEATURE_SET);
}

export function checkFeatureSet(name: string): FeatureSetName {
  if (isFeatureSet(name)) return name;
  throw new UsageError(
    `unknown feature set ${JSON.stringify(name)}: expected playproof-1 or playproof-batch-1 (\`playproof-batch config set woodwide.featureSet NAME\`)`,
  );
}
