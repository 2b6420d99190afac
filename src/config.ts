import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { CONFIG_KEYS, type ConfigKeyName } from "./config-keys.js";
import { parseDuration } from "./durations.js";
import { CliError, ExitCode, UsageError } from "./errors.js";
import type { ArchiveSetting } from "./queue/archive.js";
import { DEFAULT_THRESHOLDS, type Thresholds } from "./scoring/result.js";

export type Engine = "auto" | "woodwide" | "local";
export type WoodwideMode = "dataset" | "direct";

export interface Settings {
  queuePath: string;
  engine: Engine;
  batchSize: number;
  attempts: number;
  leaseMs: number;
  retentionMs: number;
  /** queue.archive: a directory, "off", or beside the queue (default). */
  archive: ArchiveSetting;
  thresholds: Thresholds;
  woodwide: {
    apiKey?: string;
    baseUrl: string;
    modelId?: string;
    modelVersionId?: string;
    datasetId?: string;
    mode: WoodwideMode;
    timeoutMs: number;
    jobTimeoutMs: number;
    /** Issue 13: the feature set of a model with no recorded set (trained elsewhere). */
    featureSet?: string;
  };
  watch: { intervalMs: number; minBatch: number; maxWaitMs: number };
}

export type Env = Record<string, string | undefined>;
export type Values = Partial<Record<ConfigKeyName, string | number>>;

/** Where the settings file lives: PLAYPROOF_CONFIG_DIR, else the XDG config directory. */
export function configDir(env: Env): string {
  if (env.PLAYPROOF_CONFIG_DIR) return env.PLAYPROOF_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config"), "playproof-batch");
}

/**
 * The persistent settings file (conf), for `config` and for saving ids. Mode 0600 because it may
 * hold the API key. Loaded on demand: conf and its validator cost ~100 ms at startup. The file is
 * checked first with readConfigValues: conf would throw a bare JSON error for a corrupt file and
 * silently turn `[1,2]` into `{"0":1,"1":2}` (issue 8).
 */
export async function openConfigFile(env: Env) {
  readConfigValues(env);
  const { default: Conf } = await import("conf");
  const cwd = configDir(env);
  try {
    return new Conf<Values>({
      projectName: "playproof-batch",
      configFileMode: 0o600,
      accessPropertiesByDotNotation: false,
      cwd,
    });
  } catch (cause) {
    throw new CliError(
      `cannot open the config file in ${cwd}: ${(cause as Error).message}: ${CONFIG_HELP}`,
      ExitCode.runtime,
      { cause },
    );
  }
}

export type ConfigFile = Awaited<ReturnType<typeof openConfigFile>>;

const CONFIG_HELP = "check its permissions, or set PLAYPROOF_CONFIG_DIR to another directory";
const START_OVER =
  "fix it, or remove it to start over (`playproof-batch config set` writes a new one)";

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  return value === null ? "null" : `a ${typeof value}`;
}

/**
 * Reads the settings file for resolving settings (the same file conf writes). Every error names
 * the file and what to do (issue 8); `warn` hears about a directory other users may write to.
 */
export function readConfigValues(env: Env, warn?: (message: string) => void): Values {
  const dir = configDir(env);
  const path = join(dir, "config.json");
  if (warn) {
    const insecure = insecureDirWarning(dir);
    if (insecure) warn(insecure);
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return {};
    const message = `cannot read the config file ${path}: ${(cause as Error).message}: ${CONFIG_HELP}`;
    throw new CliError(message, ExitCode.runtime, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const message = `the config file ${path} is not valid JSON (${(cause as Error).message}): ${START_OVER}`;
    throw new UsageError(message, { cause });
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Values;
  throw new UsageError(
    `the config file ${path} holds ${kindOf(value)}, not a JSON object of settings: ${START_OVER}`,
  );
}

/**
 * A config directory other users may write to lets them replace the settings, say the Woodwide
 * base URL the API key is sent to (issue 8). Warned about, not refused: shared setups exist.
 */
export function insecureDirWarning(dir: string): string | undefined {
  let mode: number;
  try {
    mode = statSync(dir).mode;
  } catch {
    return undefined;
  }
  if ((mode & 0o002) === 0) return undefined;
  const octal = (mode & 0o7777).toString(8).padStart(4, "0");
  return `the config directory ${dir} is writable by every user (mode ${octal}), so anyone on this machine can change your settings: run \`chmod 700 ${dir}\``;
}

/** XDG data directory, never the current directory (design.md). */
export function defaultQueuePath(env: Env): string {
  const data = env.XDG_DATA_HOME || join(env.HOME || homedir(), ".local", "share");
  return join(data, "playproof-batch", "queue.jsonl");
}

const DEFAULTS: Record<ConfigKeyName, string | number | undefined> = {
  "queue.path": undefined,
  "woodwide.apiKey": undefined,
  "woodwide.baseUrl": "https://api.woodwide.ai",
  "woodwide.modelId": undefined,
  "woodwide.modelVersionId": undefined,
  "woodwide.datasetId": undefined,
  "woodwide.mode": "dataset",
  "woodwide.timeout": "30s",
  "woodwide.jobTimeout": "10m",
  "woodwide.featureSet": undefined,
  "process.engine": "auto",
  "process.batchSize": 50,
  "process.attempts": 5,
  "process.lease": "10m",
  "scoring.review": DEFAULT_THRESHOLDS.review,
  "scoring.fail": DEFAULT_THRESHOLDS.fail,
  "queue.retention": "24h",
  "queue.archive": undefined,
  "watch.interval": "30s",
  "watch.minBatch": 10,
  "watch.maxWait": "5m",
};

/** Flag > environment > config file > default (design.md). `flags` use config key names. */
export function resolveSettings(flags: Values, env: Env, file: Values): Settings {
  const pick = (key: ConfigKeyName): string | number | undefined => {
    const envName = (CONFIG_KEYS[key] as { env?: string }).env;
    const fromEnv = envName ? env[envName] || undefined : undefined;
    return flags[key] ?? fromEnv ?? file[key] ?? DEFAULTS[key];
  };
  const str = (key: ConfigKeyName) => {
    const v = pick(key);
    return v === undefined ? undefined : String(v);
  };
  const num = (key: ConfigKeyName, integer = false) => {
    const v = Number(pick(key));
    if (!Number.isFinite(v) || (integer && (!Number.isInteger(v) || v < 1))) {
      throw new UsageError(
        `${key}: expected ${integer ? "a whole number >= 1" : "a number"}, got ${pick(key)}`,
      );
    }
    return v;
  };
  const ms = (key: ConfigKeyName) => {
    const v = parseDuration(String(pick(key)));
    if (v === undefined)
      throw new UsageError(`${key}: expected a duration such as 30s, 5m or 24h, got ${pick(key)}`);
    return v;
  };
  const oneOf = <T extends string>(key: ConfigKeyName, values: readonly T[]): T => {
    const v = str(key) as T;
    if (!values.includes(v))
      throw new UsageError(`${key}: expected one of ${values.join(", ")}, got ${v}`);
    return v;
  };
  const thresholds = { review: num("scoring.review"), fail: num("scoring.fail") };
  if (!(thresholds.review <= thresholds.fail)) {
    throw new UsageError(
      `scoring.review (${thresholds.review}) must not exceed scoring.fail (${thresholds.fail})`,
    );
  }
  return {
    queuePath: str("queue.path") ?? defaultQueuePath(env),
    engine: oneOf("process.engine", ["auto", "woodwide", "local"] as const),
    batchSize: num("process.batchSize", true),
    attempts: num("process.attempts", true),
    leaseMs: ms("process.lease"),
    retentionMs: ms("queue.retention"),
    archive: archiveSetting(str("queue.archive")),
    thresholds,
    woodwide: {
      apiKey: str("woodwide.apiKey"),
      baseUrl: str("woodwide.baseUrl") ?? "https://api.woodwide.ai",
      modelId: str("woodwide.modelId"),
      modelVersionId: str("woodwide.modelVersionId"),
      datasetId: str("woodwide.datasetId"),
      mode: oneOf("woodwide.mode", ["dataset", "direct"] as const),
      timeoutMs: ms("woodwide.timeout"),
      jobTimeoutMs: ms("woodwide.jobTimeout"),
      featureSet: str("woodwide.featureSet"),
    },
    watch: {
      intervalMs: ms("watch.interval"),
      minBatch: num("watch.minBatch", true),
      maxWaitMs: ms("watch.maxWait"),
    },
  };
}

function archiveSetting(value: string | undefined): ArchiveSetting {
  if (value === "off") return "off";
  return value === undefined ? {} : { dir: value };
}
