// Types for issue 10's golden digest, shared by scripts/golden-features.mjs, eval.mjs and the test.
export interface GoldenApi {
  extractFeatures(s: never): Record<string, number>;
  featureSets: readonly string[];
  extractFeatureSet(s: never, set: never, ours: never): Record<string, number>;
  storedPlayProof1(s: never, ours: never): Record<string, number>;
  fingerprint(moves: never): Int8Array | undefined;
  inTimeOrder(points: never): unknown;
  encodeFingerprint(fp: Int8Array): string;
  bucketKeys(fp: Int8Array): string[];
  heuristicResult(f: never, opts: never): unknown;
  engine: { scoreRows(rows: never, opts: never): unknown[] };
  thresholds: unknown;
  shapeColumns: readonly string[];
}
export interface GoldenPart {
  id: string;
  F: string;
  S: string;
  P: string;
  R: string;
  H: string;
  L: string;
}
export declare const GOLDEN_NOW: Date;
export declare function goldenParts(sessions: readonly unknown[], api: GoldenApi): GoldenPart[];
export declare function overallDigest(parts: readonly GoldenPart[]): string;
export declare function diffParts(
  expected: readonly GoldenPart[],
  actual: readonly GoldenPart[],
  max?: number,
): string[];
export declare function readGoldenInput(root: string): unknown[];
