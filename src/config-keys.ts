import { parseDuration } from "./durations.js";
import { FEATURE_SETS } from "./telemetry/feature-set-names.js";

/** Every persistent setting: `config set` validates against this table and README lists it. */
export interface ConfigKey {
  kind: "string" | "number" | "integer" | "duration" | "enum";
  description: string;
  values?: readonly string[];
  secret?: boolean;
  env?: string;
}

export const CONFIG_KEYS = {
  "queue.path": { kind: "string", description: "queue file path", env: "PLAYPROOF_QUEUE" },
  "woodwide.apiKey": {
    kind: "string",
    description: "Woodwide API key",
    secret: true,
    env: "WOODWIDE_API_KEY",
  },
  "woodwide.baseUrl": {
    kind: "string",
    description: "Woodwide API base URL",
    env: "WOODWIDE_BASE_URL",
  },
  "woodwide.modelId": {
    kind: "string",
    description: "anomaly model id",
    env: "PLAYPROOF_MODEL_ID",
  },
  "woodwide.modelVersionId": { kind: "string", description: "model version id (optional)" },
  "woodwide.datasetId": {
    kind: "string",
    description: "persistent dataset that batches are uploaded to (set on first upload)",
  },
  "woodwide.mode": {
    kind: "enum",
    values: ["dataset", "direct"],
    description: "inference path: dataset upload + infer-batch, or direct /infer",
  },
  "woodwide.timeout": { kind: "duration", description: "timeout of one HTTP request" },
  "woodwide.jobTimeout": { kind: "duration", description: "longest wait for one Woodwide job" },
  "woodwide.featureSet": {
    kind: "enum",
    values: FEATURE_SETS,
    description:
      "feature definitions of a model trained elsewhere (a model `model train` made records its own)",
  },
  "process.engine": {
    kind: "enum",
    values: ["auto", "woodwide", "local"],
    description: "scoring engine (auto: woodwide when key and model are set)",
  },
  "process.batchSize": { kind: "integer", description: "sessions per batch" },
  "process.attempts": { kind: "integer", description: "attempts before dead-lettering" },
  "process.lease": { kind: "duration", description: "claim lease of a batch in flight" },
  "scoring.review": { kind: "number", description: "anomalyScore at which a session is reviewed" },
  "scoring.fail": { kind: "number", description: "anomalyScore at which a session fails" },
  "queue.retention": { kind: "duration", description: "how long scored sessions are kept" },
  "queue.archive": {
    kind: "string",
    description:
      "directory for the archive of sessions leaving the queue, or off (default: beside the queue)",
  },
  "watch.interval": { kind: "duration", description: "scheduler check interval" },
  "watch.minBatch": { kind: "integer", description: "due sessions that trigger a batch" },
  "watch.maxWait": { kind: "duration", description: "longest wait before a partial batch" },
} as const satisfies Record<string, ConfigKey>;

export type ConfigKeyName = keyof typeof CONFIG_KEYS;

export function isConfigKey(name: string): name is ConfigKeyName {
  return Object.hasOwn(CONFIG_KEYS, name);
}

/** Parses a `config set` value; returns an error message when it does not fit the key. */
export function parseConfigValue(
  name: ConfigKeyName,
  raw: string,
): { value: string | number } | { error: string } {
  const key: ConfigKey = CONFIG_KEYS[name];
  switch (key.kind) {
    case "string":
      return raw.length > 0 ? { value: raw } : { error: `${name}: must not be empty` };
    case "enum":
      return key.values?.includes(raw)
        ? { value: raw }
        : { error: `${name}: expected one of ${key.values?.join(", ")}` };
    case "duration": {
      const ms = parseDuration(raw);
      return ms === undefined
        ? { error: `${name}: expected a duration such as 30s, 5m or 24h` }
        : { value: raw };
    }
    case "number":
    case "integer": {
      const n = Number(raw);
      const ok =
        raw.trim() !== "" && Number.isFinite(n) && (key.kind === "number" || Number.isInteger(n));
      return ok
        ? { value: n }
        : { error: `${name}: expected ${key.kind === "integer" ? "a whole number" : "a number"}` };
    }
  }
}

/** Secrets are never printed whole; the last 4 characters of a long one tell keys apart. */
export function redact(value: string): string {
  return value.length < 16 ? "****" : `****${value.slice(-4)}`;
}
