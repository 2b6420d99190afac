import type { FeatureSetName } from "./feature-set-names.js";
import { FEATURE_COLUMNS, type PlayProofFeatureName, type SessionInput } from "./features.js";
import { extractPlayProof1, playProof1Into } from "./features-playproof1.js";

/**
 * Versioned Woodwide feature sets (issue 13, part 1). Every set has PlayProof's 28 column names
 * (so a Woodwide model sees the header it was trained with); they differ in definitions:
 * - `playproof-1`: PlayProof's own extractor, reproduced exactly (features-playproof1.ts);
 * - `playproof-batch-1`: our definitions (features.ts): time-sorted points, midpoint
 *   differentiation, a 2 px jitter threshold, click distance, turn variance, 1/(1 + jerk/2e6).
 * A model must be fed the set it was trained on: `model train` records it, `process` reads it.
 */

/**
 * Where a set's value of `column` lives in a queued session's flat feature map. Our own set owns
 * the plain names (queues and baselines written before sets existed stay valid); `playproof-1`
 * stores under `playproof-1:NAME`, and only where its value differs from ours (storedPlayProof1).
 */
export function featureKey(set: FeatureSetName, column: PlayProofFeatureName): string {
  return set === "playproof-batch-1" ? column : `${set}:${column}`;
}

/** The value of `column` in `set`, read from a stored feature map. */
export function featureValue(
  features: Readonly<Record<string, number>>,
  set: FeatureSetName,
  column: PlayProofFeatureName,
): number {
  return features[featureKey(set, column)] ?? features[column] ?? 0;
}

/**
 * The `playproof-1` entries to store next to our features: only the columns whose value differs
 * (a sparse map keeps the queue small; featureValue falls back to the plain name).
 */
export function storedPlayProof1(
  s: SessionInput,
  ours: Readonly<Record<PlayProofFeatureName, number>>,
): Record<string, number> {
  return storedPlayProof1Of(playProof1Into(s, new Float64Array(FEATURE_COLUMNS.length)), ours);
}

/** storedPlayProof1, given the set's values in FEATURE_COLUMNS order (playProof1Into). */
export function storedPlayProof1Of(
  values: Float64Array,
  ours: Readonly<Record<PlayProofFeatureName, number>>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (let k = 0; k < FEATURE_COLUMNS.length; k++) {
    const c = FEATURE_COLUMNS[k]!;
    if (values[k] !== ours[c]) out[PLAYPROOF1_KEYS[k]!] = values[k]!;
  }
  return out;
}

/** featureKey("playproof-1", column) for every column, in FEATURE_COLUMNS order. */
export const PLAYPROOF1_KEYS: readonly string[] = FEATURE_COLUMNS.map((c) =>
  featureKey("playproof-1", c),
);

/** Every column of a set for one session, computed from the session itself. */
export function extractFeatureSet(
  s: SessionInput,
  set: FeatureSetName,
  ours: Readonly<Record<PlayProofFeatureName, number>>,
): Record<PlayProofFeatureName, number> {
  if (set === "playproof-1") return extractPlayProof1(s);
  const out = {} as Record<PlayProofFeatureName, number>;
  for (const c of FEATURE_COLUMNS) out[c] = ours[c];
  return out;
}
