import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { configDir, type Env } from "../config.js";
import { type Calibration, calibrate } from "../scoring/calibration.js";

/** Woodwide's raw scores have no documented scale: `model train` stores baseline humans' here. */
export function calibrationPath(env: Env): string {
  return join(configDir(env), "woodwide-calibration.json");
}

export async function saveCalibration(env: Env, modelId: string, calibration: Calibration) {
  const path = calibrationPath(env);
  const tmp = `${path}.${process.pid}.tmp`;
  // Issue 9, item 12: reading settings no longer creates the config directory as a side effect,
  // so `model calibrate` on a fresh machine must create it (0700: it holds the API key too).
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(tmp, `${JSON.stringify({ modelId, calibration })}\n`, { mode: 0o600 });
  await rename(tmp, path);
}

/** The calibration for `modelId`, or undefined when none was stored for that model. */
export async function loadCalibration(
  env: Env,
  modelId: string,
): Promise<((raw: number) => number) | undefined> {
  let stored: { modelId?: string; calibration?: Calibration };
  try {
    stored = JSON.parse(await readFile(calibrationPath(env), "utf8"));
  } catch {
    return undefined;
  }
  const cal = stored.calibration;
  if (stored.modelId !== modelId || !cal || !Array.isArray(cal.sorted) || cal.sorted.length === 0)
    return undefined;
  return (raw) => calibrate(cal, raw);
}
