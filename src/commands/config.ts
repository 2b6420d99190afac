import { dirname } from "node:path";
import type { ConfigFile } from "../config.js";
import {
  CONFIG_KEYS,
  type ConfigKeyName,
  isConfigKey,
  parseConfigValue,
  redact,
} from "../config-keys.js";
import { CliError, ExitCode, UsageError } from "../errors.js";

export interface ConfigEntry {
  key: ConfigKeyName;
  value: string | number | undefined;
  description: string;
}

function checkKey(name: string): ConfigKeyName {
  if (!isConfigKey(name)) {
    throw new UsageError(`unknown config key: ${name} (see \`playproof-batch config list\`)`);
  }
  return name;
}

function shown(key: ConfigKeyName, value: string | number | undefined) {
  const secret = (CONFIG_KEYS[key] as { secret?: boolean }).secret;
  return secret && typeof value === "string" ? redact(value) : value;
}

export function configGet(file: ConfigFile, name: string): ConfigEntry {
  const key = checkKey(name);
  return { key, value: shown(key, file.get(key)), description: CONFIG_KEYS[key].description };
}

/** conf writes synchronously; a failed write names the file and what to do (issue 8). */
function write(file: ConfigFile, change: () => void): void {
  try {
    change();
  } catch (cause) {
    throw new CliError(
      `cannot write the config file ${file.path}: ${(cause as Error).message}: check the permissions of ${dirname(file.path)}, or set PLAYPROOF_CONFIG_DIR to another directory`,
      ExitCode.runtime,
      { cause },
    );
  }
}

export function configSet(file: ConfigFile, name: string, raw: string): ConfigEntry {
  const key = checkKey(name);
  const parsed = parseConfigValue(key, raw);
  if ("error" in parsed) throw new UsageError(parsed.error);
  write(file, () => file.set(key, parsed.value));
  return { key, value: shown(key, parsed.value), description: CONFIG_KEYS[key].description };
}

export function configUnset(file: ConfigFile, name: string): ConfigEntry {
  const key = checkKey(name);
  write(file, () => file.delete(key));
  return { key, value: undefined, description: CONFIG_KEYS[key].description };
}

export function configList(file: ConfigFile): { path: string; entries: ConfigEntry[] } {
  const entries = (Object.keys(CONFIG_KEYS) as ConfigKeyName[]).map((key) => ({
    key,
    value: shown(key, file.get(key)),
    description: CONFIG_KEYS[key].description,
  }));
  return { path: file.path, entries };
}
