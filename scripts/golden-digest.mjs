// Issue 10's golden check: a digest of everything the per-session CPU work produces, with every
// float's exact bits, so a faster extractor or engine can be shown bit-identical. Pure: the caller
// passes the functions (src/ in vitest, dist/ in scripts), this file only serialises and hashes.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

/** The fixed clock of every digest: scoredAt is part of a score, so it must not move. */
export const GOLDEN_NOW = new Date("2025-01-01T00:00:00.000Z");

/** Column names (key order included) and the exact IEEE-754 bits of every value. */
function record(hash, row) {
  const keys = Object.keys(row);
  hash.update(`${keys.join(",")}\n`);
  const bits = Float64Array.from(keys, (k) => row[k]);
  hash.update(new Uint8Array(bits.buffer));
}

/** A score as JSON plus the bits of its numbers (JSON would print -0 as 0). */
function score(hash, result) {
  hash.update(`${JSON.stringify(result)}\n`);
  const nums = [result.anomalyScore, result.confidence, result.rawScore ?? Number.NaN];
  hash.update(new Uint8Array(Float64Array.from(nums).buffer));
}

const short = (hash) => hash.digest("hex").slice(0, 16);

/**
 * Every 25th row is scored as a row queued before the shape columns existed (the bot model's
 * columns missing: the kNN alone judges it), so that path is pinned too.
 */
export function goldenRow(f, i, shapeColumns) {
  if (i % 25 !== 7) return f;
  const old = { ...f };
  for (const c of shapeColumns) delete old[c];
  return old;
}

/**
 * Per-session digests of each part: F extractFeatures, S every feature set's columns, P the
 * sparse playproof-1 entries enqueue stores, R the replay fingerprint (bytes, base64, LSH keys),
 * H the provisional heuristic score, L the local engine's score (rows scored in one batch).
 */
export function goldenParts(sessions, api) {
  const opts = { thresholds: api.thresholds, now: GOLDEN_NOW };
  const ours = sessions.map((s) => api.extractFeatures(s));
  const scores = api.engine.scoreRows(
    ours.map((f, i) => goldenRow(f, i, api.shapeColumns)),
    opts,
  );
  return sessions.map((s, i) => {
    const f = ours[i];
    const F = createHash("sha256");
    record(F, f);
    const S = createHash("sha256");
    for (const set of api.featureSets) record(S, api.extractFeatureSet(s, set, f));
    const P = createHash("sha256");
    record(P, api.storedPlayProof1(s, f));
    const R = createHash("sha256");
    const fp = api.fingerprint(api.inTimeOrder(s.movements));
    R.update(fp ? `${api.encodeFingerprint(fp)}|${api.bucketKeys(fp).join(";")}` : "none");
    const H = createHash("sha256");
    score(H, api.heuristicResult(f, opts));
    const L = createHash("sha256");
    score(L, scores[i]);
    return {
      id: s.sessionId,
      F: short(F),
      S: short(S),
      P: short(P),
      R: short(R),
      H: short(H),
      L: short(L),
    };
  });
}

/** One sha256 over the per-session parts, in order. */
export function overallDigest(parts) {
  const hash = createHash("sha256");
  for (const p of parts) hash.update(`${p.id}|${p.F}${p.S}${p.P}${p.R}${p.H}${p.L}\n`);
  return hash.digest("hex");
}

/** Differences between two lists of parts, as readable lines (at most `max`). */
export function diffParts(expected, actual, max = 20) {
  const out = [];
  if (expected.length !== actual.length) {
    out.push(`${actual.length} sessions, expected ${expected.length}`);
  }
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n && out.length < max; i++) {
    const e = expected[i];
    const a = actual[i];
    const bad = ["id", "F", "S", "P", "R", "H", "L"].filter((k) => e[k] !== a[k]);
    if (bad.length > 0) out.push(`#${i} ${e.id}: ${bad.join(",")} differ`);
  }
  return out;
}

function ndjsonGz(path) {
  return gunzipSync(readFileSync(path))
    .toString("utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/**
 * The golden input: the generated sessions of fixtures/golden/sessions.ndjson.gz, then every
 * session of the shipped dev-set sample (fixtures/eval-sample, pinned by its manifest), by file name.
 */
export function readGoldenInput(root) {
  const sample = join(root, "fixtures", "eval-sample");
  const files = readdirSync(sample)
    .filter((f) => f.endsWith(".ndjson.gz"))
    .sort();
  return [
    ...ndjsonGz(join(root, "fixtures", "golden", "sessions.ndjson.gz")),
    ...files.flatMap((f) => ndjsonGz(join(sample, f))),
  ];
}
