import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  diffParts,
  type GoldenApi,
  type GoldenPart,
  goldenParts,
  overallDigest,
  readGoldenInput,
} from "../../scripts/golden-digest.mjs";
import { packageRoot } from "../../src/package-root.js";
import { heuristicResult } from "../../src/scoring/heuristics.js";
import { loadLocalEngine } from "../../src/scoring/local-model.js";
import {
  bucketKeys,
  encodeFingerprint,
  fingerprint,
} from "../../src/scoring/replay-fingerprint.js";
import { DEFAULT_THRESHOLDS } from "../../src/scoring/result.js";
import { FEATURE_SETS } from "../../src/telemetry/feature-set-names.js";
import { extractFeatureSet, storedPlayProof1 } from "../../src/telemetry/feature-sets.js";
import { extractFeatures, SHAPE_FEATURE_COLUMNS } from "../../src/telemetry/features.js";
import { inTimeOrder } from "../../src/telemetry/features-path.js";

// Issue 10: the per-session CPU work was made faster with bit-identical output. The expected
// digests (every feature of every set, the stored playproof-1 entries, the replay fingerprint,
// the heuristic and local-engine scores, float bits included) were computed by
// scripts/golden-features.mjs before the change; fixtures/golden/expected.json names the commit.
const root = packageRoot();
const expected = JSON.parse(
  readFileSync(join(root, "fixtures", "golden", "expected.json"), "utf8"),
) as { commit: string; sessions: number; digest: string; parts: GoldenPart[] };

const api = {
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
} as unknown as GoldenApi;

describe("golden features and scores (issue 10)", () => {
  const sessions = readGoldenInput(root);
  const actual = goldenParts(sessions, api);

  it("covers the pinned input: generated edge cases, generator families, the dev-set sample", () => {
    expect(sessions.length).toBe(expected.sessions);
    expect(actual.map((p) => p.id)).toEqual(expected.parts.map((p) => p.id));
  });

  it("reproduces every session's features, feature sets, fingerprint and scores bit for bit", () => {
    expect(diffParts(expected.parts, actual)).toEqual([]);
    expect(overallDigest(actual)).toBe(expected.digest);
  });
});
