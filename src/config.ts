import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import {
  CONFIG_KEYS,
  type ConfigKey,
  type ConfigKeyName,
  parseConfigValue,
  shownValue,
} from "./config-keys.js";
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
  /** Issue 12: the bearer token of `serve` (PLAYPROOF_API_TOKEN or serve.token). */
  apiToken: string | undefined;
}

export type Env = Record<string, string | undefined>;
export type Values = Partial<Record<ConfigKeyName, string | number>>;

/**
 * An XDG base directory variable, or undefined when unset, empty or relative: the XDG Base
 * Directory spec says relative paths are invalid and must be ignored (issue 9, item 12).
 */
function xdgBase(value: string | undefined): string | undefined {
  return value && isAbsolute(value) ? value : undefined;
}

/** Where the settings file lives: PLAYPROOF_CONFIG_DIR, else the XDG config directory. */
export function configDir(env: Env): string {
  if (env.PLAYPROOF_CONFIG_DIR) return env.PLAYPROOF_CONFIG_DIR;
  const base = xdgBase(env.XDG_CONFIG_HOME) ?? join(env.HOME || homedir(), ".config");
  return join(base, "playproof-batch");
}

/** The settings file (conf writes the same one). */
export function configFilePath(env: Env): string {
  return join(configDir(env), "config.json");
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
      ExitCode.io,
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
  const path = configFilePath(env);
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
    throw new CliError(message, ExitCode.io, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const message = `the config file ${path} is not valid JSON (${(cause as Error).message}): ${START_OVER}`;
    throw new CliError(message, ExitCode.config, { cause });
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Values;
  throw new CliError(
    `the config file ${path} holds ${kindOf(value)}, not a JSON object of settings: ${START_OVER}`,
    ExitCode.config,
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
  const data = xdgBase(env.XDG_DATA_HOME) ?? join(env.HOME || homedir(), ".local", "share");
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
  "serve.token": undefined,
};

export type Origin = "flag" | "env" | "file" | "default";

/** Everything a setting may come from, by precedence: flag > environment > config file > default. */
export interface ConfigSources {
  /** Flags, by config key name. */
  flags: Values;
  env: Env;
  /** The config file's values (readConfigValues). */
  file: Values;
  /** The config file they came from, for messages. */
  filePath: string;
}

/** One key's effective value (unchecked) and where it came from. */
export interface EffectiveValue {
  key: ConfigKeyName;
  raw: unknown;
  origin: Origin;
  /** The environment variable it came from (origin "env"). */
  envName?: string;
}

/** Flag > environment > config file > default (design.md); an empty variable is unset. */
export function effectiveValue(key: ConfigKeyName, s: ConfigSources): EffectiveValue {
  const flag = s.flags[key];
  if (flag !== undefined) return { key, raw: flag, origin: "flag" };
  const envName = (CONFIG_KEYS[key] as ConfigKey).env;
  const fromEnv = envName ? s.env[envName] : undefined;
  if (envName && fromEnv) return { key, raw: fromEnv, origin: "env", envName };
  const fromFile = s.file[key] as unknown;
  if (fromFile !== undefined && fromFile !== null) return { key, raw: fromFile, origin: "file" };
  const raw = key === "queue.path" ? defaultQueuePath(s.env) : DEFAULTS[key];
  return { key, raw, origin: "default" };
}

/** Where a value came from, as a message says it. */
export function originText(e: EffectiveValue, filePath: string): string {
  switch (e.origin) {
    case "flag":
      return "a flag";
    case "env":
      return `the environment (${e.envName})`;
    case "file":
      return `the config file ${filePath}`;
    default:
      return "the default";
  }
}

function shownRaw(e: EffectiveValue): string {
  if (typeof e.raw === "string" && e.raw !== "") return String(shownValue(e.key, e.raw));
  return typeof e.raw === "number" ? String(e.raw) : JSON.stringify(e.raw);
}

/**
 * Checks one effective value; undefined when the key has none. A bad flag is a usage error (2);
 * a bad variable or file value is a configuration error (78) naming the variable, or the file
 * and the key, and what to do (issue 9, item 12).
 */
export function checkedValue(e: EffectiveValue, filePath: string): string | number | undefined {
  if (e.raw === undefined) return undefined;
  const text = typeof e.raw === "string" || typeof e.raw === "number" ? String(e.raw) : undefined;
  const parsed =
    text === undefined
      ? { error: `expected ${CONFIG_KEYS[e.key].kind === "string" ? "a string" : "a value"}` }
      : parseConfigValue(e.key, text);
  if (!("error" in parsed)) return parsed.value;
  throw invalidValue(e, `${parsed.error}, got ${shownRaw(e)}`, filePath);
}

function invalidValue(e: EffectiveValue, problem: string, filePath: string): CliError {
  switch (e.origin) {
    case "env":
      return new CliError(
        `${e.envName} (${e.key}): ${problem}: fix or unset ${e.envName}`,
        ExitCode.config,
      );
    case "file":
      return new CliError(
        `${e.key} in the config file ${filePath}: ${problem}: fix it with \`playproof-batch config set ${e.key} VALUE\`, or remove it with \`playproof-batch config unset ${e.key}\``,
        ExitCode.config,
      );
    default:
      return new UsageError(`${e.key}: ${problem}`);
  }
}

/**
 * An object whose properties are computed (and checked) on first read, then kept. A failed
 * check is thrown again on every read. Enumerable, so JSON.stringify still sees every field.
 */
function lazy<T extends object>(getters: { [K in keyof T]: () => T[K] }): T {
  const out = {} as T;
  for (const name of Object.keys(getters) as (keyof T)[]) {
    let done = false;
    let value: T[typeof name];
    Object.defineProperty(out, name, {
      enumerable: true,
      get() {
        if (!done) {
          value = getters[name]();
          done = true;
        }
        return value;
      },
    });
  }
  return out;
}

/**
 * Flag > environment > config file > default (design.md). `flags` use config key names.
 *
 * Lazy (issue 9, item 12): each setting is resolved and checked when a command first reads it,
 * so a bad `woodwide.timeout` in the file stops `process --engine woodwide` (naming the file and
 * the key) but not `stats`, which never reads it.
 */
export function resolveSettings(
  flags: Values,
  env: Env,
  file: Values,
  filePath = configFilePath(env),
): Settings {
  const sources: ConfigSources = { flags, env, file, filePath };
  const value = (key: ConfigKeyName) => checkedValue(effectiveValue(key, sources), filePath);
  const str = (key: ConfigKeyName) => {
    const v = value(key);
    return v === undefined ? undefined : String(v);
  };
  // Checked values of number, duration and enum keys always exist: their defaults are set.
  const num = (key: ConfigKeyName) => Number(value(key));
  const ms = (key: ConfigKeyName) => parseDuration(String(value(key))) as number;
  const oneOf = <T extends string>(key: ConfigKeyName) => str(key) as T;
  return lazy<Settings>({
    queuePath: () => str("queue.path") as string,
    engine: () => oneOf<Engine>("process.engine"),
    batchSize: () => num("process.batchSize"),
    attempts: () => num("process.attempts"),
    leaseMs: () => ms("process.lease"),
    retentionMs: () => ms("queue.retention"),
    archive: () => archiveSetting(str("queue.archive")),
    thresholds: () => {
      const t: Thresholds = { review: num("scoring.review"), fail: num("scoring.fail") };
      if (!(t.review <= t.fail)) {
        const review = effectiveValue("scoring.review", sources);
        const fail = effectiveValue("scoring.fail", sources);
        const problem = `scoring.review (${t.review}, from ${originText(review, filePath)}) must not exceed scoring.fail (${t.fail}, from ${originText(fail, filePath)})`;
        const byFlag = review.origin === "flag" || fail.origin === "flag";
        throw byFlag ? new UsageError(problem) : new CliError(problem, ExitCode.config);
      }
      return t;
    },
    woodwide: () =>
      lazy<Settings["woodwide"]>({
        apiKey: () => str("woodwide.apiKey"),
        baseUrl: () => str("woodwide.baseUrl") as string,
        modelId: () => str("woodwide.modelId"),
        modelVersionId: () => str("woodwide.modelVersionId"),
        datasetId: () => str("woodwide.datasetId"),
        mode: () => oneOf<WoodwideMode>("woodwide.mode"),
        timeoutMs: () => ms("woodwide.timeout"),
        jobTimeoutMs: () => ms("woodwide.jobTimeout"),
        featureSet: () => str("woodwide.featureSet"),
      }),
    watch: () =>
      lazy<Settings["watch"]>({
        intervalMs: () => ms("watch.interval"),
        minBatch: () => num("watch.minBatch"),
        maxWaitMs: () => ms("watch.maxWait"),
      }),
    apiToken: () => str("serve.token"),
  });
}

function archiveSetting(value: string | undefined): ArchiveSetting {
  if (value === "off") return "off";
  return value === undefined ? {} : { dir: value };
}
