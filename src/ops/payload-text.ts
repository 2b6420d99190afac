import type { SessionMeta, SessionPayload } from "../queue/events.js";
import type { ScoreResult } from "../scoring/result.js";
import { PLAYPROOF1_KEYS, storedPlayProof1Of } from "../telemetry/feature-sets.js";
import { FEATURE_COLUMNS, type Features } from "../telemetry/features.js";

/**
 * A queued session's payload as enqueue computes it (issue 10): our feature row, playproof-1's
 * values beside it, and the rest. The payload stores playproof-1 only where it differs from ours
 * (storedPlayProof1); merging the two into one object per session cost more than extracting the
 * features (every session's set of differing columns gives V8 another object layout), so the
 * payload's text is written from the parts, and the merged object is made only when read.
 */
export interface PayloadParts {
  ours: Readonly<Features>;
  /** playproof-1's values in FEATURE_COLUMNS order (playProof1Into). */
  playProof1: Float64Array;
  meta: SessionMeta;
  provisional: ScoreResult;
  fp?: string;
}

/** The features a payload stores: ours, then playproof-1's where they differ. */
export function mergedFeatures(parts: PayloadParts): Record<string, number> {
  return { ...parts.ours, ...storedPlayProof1Of(parts.playProof1, parts.ours) };
}

/** The payload the parts stand for, as a plain object. */
export function payloadOf(parts: PayloadParts): SessionPayload {
  return {
    features: mergedFeatures(parts),
    meta: parts.meta,
    provisional: parts.provisional,
    ...(parts.fp === undefined ? {} : { fp: parts.fp }),
  };
}

/**
 * Defines `key` on `obj` as an enumerable field computed by `read` on first access, once, and
 * replaceable as a plain field is (JSON.stringify and Object.keys see it like any other).
 */
export function lazyField<T extends object, K extends keyof T>(obj: T, key: K, read: () => T[K]) {
  let value: T[K] | undefined;
  let known = false;
  Object.defineProperty(obj, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!known) {
        value = read();
        known = true;
      }
      return value;
    },
    set: (v: T[K]) => {
      value = v;
      known = true;
    },
  });
}

/** The payload with `features` merged on first read (and replaceable, as a plain field is). */
export function lazyPayload(parts: PayloadParts): SessionPayload {
  const payload = {} as SessionPayload;
  lazyField(payload, "features", () => mergedFeatures(parts));
  payload.meta = parts.meta;
  payload.provisional = parts.provisional;
  if (parts.fp !== undefined) payload.fp = parts.fp;
  return payload;
}

/** `,"playproof-1:NAME":` for every column, in FEATURE_COLUMNS order. */
const EXTRA_PREFIXES = PLAYPROOF1_KEYS.map((k) => `,${JSON.stringify(k)}:`);

/** A number as JSON.stringify writes it. */
const jsonNumber = (v: number): string => (Number.isFinite(v) ? String(v) : "null");

/**
 * JSON.stringify(payloadOf(parts)), byte for byte, without the merged object: JSON.stringify
 * writes an object's members in order, each as it would write the value alone, so the row's own
 * text with the differing playproof-1 members appended before its `}` is the merged row's text.
 */
export function payloadText(parts: PayloadParts): string {
  const { ours, playProof1 } = parts;
  let extra = "";
  for (let k = 0; k < FEATURE_COLUMNS.length; k++) {
    const v = playProof1[k]!;
    if (v !== ours[FEATURE_COLUMNS[k]!]) extra += EXTRA_PREFIXES[k]! + jsonNumber(v);
  }
  const row = JSON.stringify(ours);
  const features =
    extra === "" ? row : row === "{}" ? `{${extra.slice(1)}}` : `${row.slice(0, -1)}${extra}}`;
  const fp = parts.fp === undefined ? "" : `,"fp":${JSON.stringify(parts.fp)}`;
  return `{"features":${features},"meta":${JSON.stringify(parts.meta)},"provisional":${JSON.stringify(parts.provisional)}${fp}}`;
}
