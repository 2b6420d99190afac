// The functions goldenParts (golden-digest.mjs) digests, from dist/: for scripts run by node.

import { heuristicResult } from "../dist/scoring/heuristics.js";
import { loadLocalEngine } from "../dist/scoring/local-model.js";
import { bucketKeys, encodeFingerprint, fingerprint } from "../dist/scoring/replay-fingerprint.js";
import { DEFAULT_THRESHOLDS } from "../dist/scoring/result.js";
import { FEATURE_SETS } from "../dist/telemetry/feature-set-names.js";
import { extractFeatureSet, storedPlayProof1 } from "../dist/telemetry/feature-sets.js";
import { extractFeatures, SHAPE_FEATURE_COLUMNS } from "../dist/telemetry/features.js";
import { inTimeOrder } from "../dist/telemetry/features-path.js";
import { parseSession } from "../dist/telemetry/schema.js";
import { readRecords } from "./eval-data.mjs";
import { goldenParts } from "./golden-digest.mjs";

export function distGoldenApi() {
  return {
    extractFeatures,
    featureSets: FEATURE_SETS,
    extractFeatureSet,
    storedPlayProof1,
    fingerprint,
    inTimeOrder,
    encodeFingerprint,
    bucketKeys,
    heuristicResult,
    engine: loadLocalEngine(),
    thresholds: DEFAULT_THRESHOLDS,
    shapeColumns: SHAPE_FEATURE_COLUMNS,
  };
}

/** The dev-set digest's parts: every session of every file, parsed as enqueue parses it. */
export async function devsetParts(files, api = distGoldenApi()) {
  const sessions = [];
  for (const file of files) {
    for await (const record of readRecords(file)) sessions.push(parseSession(record).session);
  }
  return goldenParts(sessions, api);
}
