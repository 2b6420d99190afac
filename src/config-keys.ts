import { parseDuration } from "./durations.js";
import { FEATURE_SETS } from "./telemetry/feature-set-names.js";

/** Every persistent setting: `config set` validates against this table and README lists it. */
export interface ConfigKey {
  kind: "string" | "number" | "integer" | "duration" | "enum";
  description: string;
  values?: readonly string[];
  secret?: boolean;
  env?: string;
  /**
   * Issue 9, item 12: "http" takes an http(s) URL only; "queue" takes a file path, or a URL
   * (anything starting with a scheme) that must be redis:// or rediss://.
   */
  url?: "http" | "queue";
}

export const CONFIG_KEYS = {
  "queue.path": {
    kind: "string",
    description: "queue file path (or a redis:// or rediss:// URL)",
    env: "PLAYPROOF_QUEUE",
    url: "queue",
  },
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
    url: "http",
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
  "serve.token": {
    kind: "string",
    description: "bearer token `serve` requires (mutating routes; every route off loopback)",
    secret: true,
    env: "PLAYPROOF_API_TOKEN",
  },
} as const satisfies Record<string, ConfigKey>;

export type ConfigKeyName = keyof typeof CONFIG_KEYS;

export function isConfigKey(name: string): name is ConfigKeyName {
  return Object.hasOwn(CONFIG_KEYS, name);
}

/**
 * Parses a value for a key (from `config set`, a flag, the environment or the config file);
 * the error says what was expected, without the key or the value (callers name where it came from).
 */
export function parseConfigValue(
  name: ConfigKeyName,
  raw: string,
): { value: string | number } | { error: string } {
  const key: ConfigKey = CONFIG_KEYS[name];
  switch (key.kind) {
    case "string":
      if (raw.length === 0) return { error: "must not be empty" };
      if (key.url === "http") return checkHttpUrl(raw);
      if (key.url === "queue") return checkQueueLocation(raw);
      return { value: raw };
    case "enum":
      return key.values?.includes(raw)
        ? { value: raw }
        : { error: `expected one of ${key.values?.join(", ")}` };
    case "duration": {
      const ms = parseDuration(raw);
      return ms === undefined
        ? { error: "expected a duration such as 30s, 5m or 24h" }
        : { value: raw };
    }
    case "number":
    case "integer": {
      const n = Number(raw);
      // Batch sizes, attempts and the minimum batch count things: 0 would stall every run.
      const ok =
        raw.trim() !== "" &&
        Number.isFinite(n) &&
        (key.kind === "number" || (Number.isInteger(n) && n >= 1));
      return ok
        ? { value: n }
        : { error: `expected ${key.kind === "integer" ? "a whole number >= 1" : "a number"}` };
    }
  }
}

/** `scheme://` at the start, or `redis:`/`rediss:` alone (a file named `redis:host` is a typo). */
export function looksLikeUrl(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^rediss?:/i.test(value);
}

function checkHttpUrl(raw: string): { value: string } | { error: string } {
  const error = "expected an http:// or https:// URL, such as https://api.woodwide.ai";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { error };
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "")
    return { error };
  return { value: raw };
}

/** A file path stays a path; a URL must be a Redis one (the Redis backend, issue 11). */
function checkQueueLocation(raw: string): { value: string } | { error: string } {
  if (!looksLikeUrl(raw)) return { value: raw };
  const error =
    "expected a file path, or a redis:// or rediss:// URL (redis://[user:pass@]host:port[/db])";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { error };
  }
  const redis = url.protocol === "redis:" || url.protocol === "rediss:";
  if (!redis || url.hostname === "" || !/^\/?\d*$/.test(url.pathname) || url.hash !== "")
    return { error };
  return { value: raw };
}

/** A URL's password is never printed (design.md); the rest of it says which server. */
export function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^/@]*@/i, "$1****@");
}

/** A value as `config` and error messages may show it: secrets redacted, URL passwords too. */
export function shownValue(name: ConfigKeyName, value: string | number): string | number {
  const key: ConfigKey = CONFIG_KEYS[name];
  if (typeof value !== "string") return value;
  if (key.secret) return redact(value);
  return key.url ? redactUrl(value) : value;
}

/**
 * Edit distance with adjacent transpositions (optimal string alignment): the number of
 * insertions, deletions, substitutions and swaps of neighbours that turn `a` into `b`.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  const at = (i: number, j: number) => d[i * cols + j] as number;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

/**
 * The key an unknown name most likely meant (issue 9, item 12): case is ignored, a bare last
 * segment counts (`apikey` → `woodwide.apiKey`), and at most 2 edits (3 for names of 12 or more
 * characters) are forgiven; the first key in table order wins a tie.
 */
export function closestKey(name: string): ConfigKeyName | undefined {
  const wanted = name.toLowerCase();
  const limit = wanted.length >= 12 ? 3 : 2;
  let best: { key: ConfigKeyName; distance: number } | undefined;
  for (const key of Object.keys(CONFIG_KEYS) as ConfigKeyName[]) {
    const full = key.toLowerCase();
    const last = full.slice(full.indexOf(".") + 1);
    const distance = Math.min(
      editDistance(wanted, full),
      wanted.includes(".") ? Number.POSITIVE_INFINITY : editDistance(wanted, last),
    );
    if (distance <= limit && (best === undefined || distance < best.distance))
      best = { key, distance };
  }
  return best?.key;
}
/** Secrets are never printed whole; the last 4 characters of a long one tell keys apart. */
export function redact(value: string): string {
  return value.length < 16 ? "****" : `****${value.slice(-4)}`;
}
