import { createHash } from "node:crypto";
import type { SessionPayload } from "./events.js";

/**
 * The payload as the Redis queue keeps it (issue 11: memory per queued session). Feature names
 * are the same for every session of a feature set, so they are stored once per set (under a
 * hash of the names, in `{prefix}:keys`) and each session keeps only the values, as the JSON
 * number tokens the enqueuer wrote (exact: never re-encoded). The replay fingerprint lives in
 * `{prefix}:fp` alone. Feature values go as float32 (exact for roundFeature's 6 significant
 * digits, checked per value), metadata and provisional result of the usual shape as arrays of
 * their values. Everything is checked to come back byte for byte, else kept as it was.
 *
 *   {"k":"<names id>","b":"<float32 base64>","m":[userId,...],"p":[score,...][,"replayOf":"..."]}
 */
export interface CompactPayload {
  /** The compact JSON to store. */
  text: string;
  /** The names' id and the names, as a JSON array: registered once per set. */
  namesId: string;
  names: string;
}

const FEATURES_HEAD = '{"features":{';

const ids = new Map<string, string>();

/** A stable id for a list of names (the first 16 hex digits of its SHA-256). */
function namesIdOf(namesJson: string): string {
  let id = ids.get(namesJson);
  if (!id) {
    id = createHash("sha256").update(namesJson).digest("hex").slice(0, 16);
    ids.set(namesJson, id);
  }
  return id;
}

/** Meta and provisional results of the usual shape go as arrays of their values, by key. */
const META_KEYS = ["userId", "deploymentId", "gameType", "deviceType"] as const;
const PROVISIONAL_KEYS = [
  "anomalyScore",
  "isAnomaly",
  "decision",
  "confidence",
  "reasons",
  "source",
  "model",
  "scoredAt",
] as const;

function pack(value: object, keys: readonly string[]): unknown[] | undefined {
  const o = value as Record<string, unknown>;
  const out = keys.map((k) => o[k] ?? null);
  // Only what comes back byte for byte (same keys, same order, no nulls of its own).
  return JSON.stringify(unpack(out, keys)) === JSON.stringify(value) ? out : undefined;
}

function unpack(values: unknown[], keys: readonly string[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  keys.forEach((k, i) => {
    if (values[i] !== null) o[k] = values[i];
  });
  return o;
}

/**
 * Feature values as float32, base64: every value has at most 6 significant digits
 * (roundFeature), which float32 holds exactly enough to give the same number back. Checked per
 * value: a set with any other value stays a JSON array.
 */
function packFloats(values: number[]): string | undefined {
  const f = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    f[i] = v;
    if (Number(f[i]!.toPrecision(6)) !== v) return undefined;
  }
  return Buffer.from(f.buffer).toString("base64");
}

function unpackFloats(b64: string): number[] {
  const bytes = Buffer.from(b64, "base64");
  const f = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return Array.from(f, (x) => Number(x.toPrecision(6)));
}

/**
 * From the enqueuer's JSON text (features first, as payloads are serialised) when it has one:
 * the feature values are read off the text, not parsed with the rest.
 */
export function compactPayload(payload: SessionPayload, text?: string): CompactPayload {
  let names: string[] | undefined;
  let values: number[] | undefined;
  if (text?.startsWith(FEATURES_HEAD)) {
    const end = text.indexOf("}", FEATURES_HEAD.length);
    const body = text.slice(FEATURES_HEAD.length, end);
    // Names are plain identifiers and values numbers: neither holds a quote or a comma.
    if (end > 0 && !body.includes("{") && !body.includes("\\")) {
      names = [];
      values = [];
      for (const part of body === "" ? [] : body.split(",")) {
        const cut = part.indexOf('":');
        names.push(part.slice(1, cut));
        values.push(Number(part.slice(cut + 2)));
      }
    }
  }
  if (!names || !values) {
    names = Object.keys(payload.features);
    values = Object.values(payload.features);
  }
  const { features: _f, fp: _fp, meta, provisional, ...rest } = payload;
  const namesJson = JSON.stringify(names);
  const namesId = namesIdOf(namesJson);
  const floats = packFloats(values);
  const m = pack(meta, META_KEYS);
  const p = pack(provisional, PROVISIONAL_KEYS);
  const compact = {
    k: namesId,
    ...(floats === undefined ? { f: values } : { b: floats }),
    ...(m ? { m } : { meta }),
    ...(p ? { p } : { provisional }),
    ...rest,
  };
  return { text: JSON.stringify(compact), namesId, names: namesJson };
}

/** Back to the payload: `names` looks the set's names up by id; `fp` as `{prefix}:fp` holds it. */
export function expandPayload(
  text: string,
  fp: string | null | undefined,
  names: (id: string) => string[],
): SessionPayload {
  const { k, f, b, m, p, meta, provisional, ...rest } = JSON.parse(text) as {
    k: string;
    f?: number[];
    b?: string;
    m?: unknown[];
    p?: unknown[];
  } & Partial<Omit<SessionPayload, "features">>;
  const keys = names(k);
  const values = b === undefined ? f! : unpackFloats(b);
  const features: Record<string, number> = {};
  for (let i = 0; i < keys.length; i++) features[keys[i]!] = values[i]!;
  return {
    features,
    meta: (m ? unpack(m, META_KEYS) : meta) as SessionPayload["meta"],
    provisional: (p ? unpack(p, PROVISIONAL_KEYS) : provisional) as SessionPayload["provisional"],
    ...rest,
    ...(fp ? { fp } : {}),
  };
}
