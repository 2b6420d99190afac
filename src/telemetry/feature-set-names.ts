/**
 * The Woodwide feature sets by name (issue 13, part 1), apart from their definitions so that
 * config validation does not load the extractors. feature-sets.ts says what each one means.
 */
export const FEATURE_SETS = ["playproof-1", "playproof-batch-1"] as const;
export type FeatureSetName = (typeof FEATURE_SETS)[number];

/** A model with no record of its set was trained elsewhere, most likely by PlayProof itself. */
export const DEFAULT_FEATURE_SET: FeatureSetName = "playproof-1";

export function isFeatureSet(name: string): name is FeatureSetName {
  return (FEATURE_SETS as readonly string[]).includes(name);
}
