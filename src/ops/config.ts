import { dirname } from "node:path";
import {
  type ConfigFile,
  type ConfigSources,
  checkedValue,
  effectiveValue,
  type Origin,
} from "../config.js";
import {
  CONFIG_KEYS,
  type ConfigKey,
  type ConfigKeyName,
  closestKey,
  isConfigKey,
  parseConfigValue,
  shownValue,
} from "../config-keys.js";
import { CliError, ExitCode, UsageError } from "../errors.js";

/** One setting as `config get/list` show it: the effective value (secrets redacted) and its origin. */
export interface ConfigEntry {
  key: ConfigKeyName;
  value: string | number | undefined;
  origin: Origin;
  /** The environment variable the value came from (origin "env"). */
  envName?: string;
  secret: boolean;
  description: string;
  /** Why the value would stop a command that reads it (an invalid value in the env or file). */
  problem?: string;
}

/** An unknown key is a usage error that suggests the closest one (issue 9, item 12). */
export function checkKey(name: string): ConfigKeyName {
  if (isConfigKey(name)) return name;
  const near = closestKey(name);
  const hint = near ? `: did you mean ${near}?` : "";
  throw new UsageError(`unknown config key: ${name}${hint} (see \`playproof-batch config list\`)`);
}

function entry(key: ConfigKeyName, sources: ConfigSources): ConfigEntry {
  const e = effectiveValue(key, sources);
  const meta: ConfigKey = CONFIG_KEYS[key];
  let problem: string | undefined;
  try {
    checkedValue(e, sources.filePath);
  } catch (err) {
    problem = (err as Error).message;
  }
  const raw = e.raw;
  const value =
    typeof raw === "string" || typeof raw === "number"
      ? shownValue(key, raw)
      : raw === undefined
        ? undefined
        : JSON.stringify(raw);
  return {
    key,
    value,
    origin: e.origin,
    ...(e.envName ? { envName: e.envName } : {}),
    secret: Boolean(meta.secret),
    description: meta.description,
    ...(problem ? { problem } : {}),
  };
}

/** The effective value of one key, whatever it came from (flag, env, file, default). */
export function configGet(sources: ConfigSources, name: string): ConfigEntry {
  return entry(checkKey(name), sources);
}

/** Every key's effective value and origin, in the table's order. */
export function configList(sources: ConfigSources): ConfigEntry[] {
  return (Object.keys(CONFIG_KEYS) as ConfigKeyName[]).map((key) => entry(key, sources));
}

/** conf writes synchronously; a failed write names the file and what to do (issue 8). */
function write(file: ConfigFile, change: () => void): void {
  try {
    change();
  } catch (cause) {
    throw new CliError(
      `cannot write the config file ${file.path}: ${(cause as Error).message}: check the permissions of ${dirname(file.path)}, or set PLAYPROOF_CONFIG_DIR to another directory`,
      ExitCode.io,
      { cause },
    );
  }
}

export interface ConfigChange {
  key: ConfigKeyName;
  /** As it may be shown: secrets redacted. */
  value: string | number | undefined;
}

/** Checks a value for `config set` before anything is opened (a bad argument is exit 2). */
export function parseSetValue(
  name: string,
  raw: string,
): { key: ConfigKeyName; value: string | number } {
  const key = checkKey(name);
  const parsed = parseConfigValue(key, raw);
  if ("error" in parsed) throw new UsageError(`${key}: ${parsed.error}`);
  return { key, value: parsed.value };
}

export function configSet(file: ConfigFile, name: string, raw: string): ConfigChange {
  const { key, value } = parseSetValue(name, raw);
  write(file, () => file.set(key, value));
  return { key, value: shownValue(key, value) };
}

export function configUnset(file: ConfigFile, name: string): ConfigChange {
  const key = checkKey(name);
  write(file, () => file.delete(key));
  return { key, value: undefined };
}
