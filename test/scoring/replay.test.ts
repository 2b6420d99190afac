import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { heuristicResult } from "../../src/scoring/heuristics.js";
import { seededRandom } from "../../src/scoring/random.js";
import {
  decodeFingerprint,
  encodeFingerprint,
  fingerprint,
  fingerprintDistance,
} from "../../src/scoring/replay-fingerprint.js";
import { createReplayIndex } from "../../src/scoring/replay-index.js";
import { replayVerdict } from "../../src/scoring/replay-verdict.js";
import { resampleSession } from "../../src/scoring/resample.js";
import { DEFAULT_THRESHOLDS } from "../../src/scoring/result.js";
import { extractFeatures, type SessionInput } from "../../src/telemetry/features.js";
import { ROOT } from "../support/cli.js";

// Issue 13, part 3: replayed human traces. The humans are the shipped dev-set sample's.
const humans = (["human-balabit", "human-webbot"] as const).flatMap((name) =>
  gunzipSync(readFileSync(join(ROOT, "fixtures/eval-sample", `${name}.ndjson.gz`)))
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SessionInput),
);
const fp = (s: SessionInput) =>
  fingerprint([...s.movements].sort((a, b) => a.timestamp - b.timestamp));

type Perturb = (s: SessionInput, rand: () => number) => SessionInput;
const moveAll = (
  s: SessionInput,
  f: (p: { x: number; y: number; timestamp: number }) => object,
) => ({
  ...s,
  movements: s.movements.map((p) => ({ ...p, ...f(p) })),
});
const perturbations: [string, Perturb][] = [
  ["translated by (+137, -58) px", (s) => moveAll(s, (p) => ({ x: p.x + 137, y: p.y - 58 }))],
  ["scaled by 1.2", (s) => moveAll(s, (p) => ({ x: p.x * 1.2, y: p.y * 1.2 }))],
  ["shifted 3 hours in time", (s) => moveAll(s, (p) => ({ timestamp: p.timestamp + 1.08e7 }))],
  [
    "jittered by up to 1 px",
    (s, r) => moveAll(s, (p) => ({ x: p.x + (r() * 2 - 1), y: p.y + (r() * 2 - 1) })),
  ],
  [
    "one point in five dropped",
    (s, r) => ({
      ...s,
      movements: s.movements.filter((_, i, a) => i === 0 || i === a.length - 1 || r() > 0.2),
    }),
  ],
  ["re-sampled at 8 ms, whole pixels", (s) => resampleSession(s, { intervalMs: 8, integer: true })],
];

describe("replay fingerprint", () => {
  const eligible = humans.filter((h) => fp(h) !== undefined);
  it("most sample humans get one (too plain paths do not)", () => {
    expect(eligible.length).toBeGreaterThanOrEqual(95);
    expect(humans).toHaveLength(100);
  });

  it.each(perturbations)("a replay %s is found, naming the original", (_, perturb) => {
    const index = createReplayIndex();
    for (const h of eligible) index.add(h.sessionId, encodeFingerprint(fp(h)!));
    const rand = seededRandom(13);
    let caught = 0;
    for (const h of eligible) {
      const replay = fp(perturb(h, rand));
      if (replay && index.match(encodeFingerprint(replay)) === h.sessionId) caught++;
    }
    expect(caught / eligible.length).toBeGreaterThanOrEqual(0.95);
  });

  it("no two distinct sample humans match", () => {
    const index = createReplayIndex();
    const matches: string[] = [];
    for (const h of eligible) {
      const text = encodeFingerprint(fp(h)!);
      const m = index.match(text);
      if (m) matches.push(`${h.sessionId} ~ ${m}`);
      index.add(h.sessionId, text);
    }
    expect(matches).toEqual([]);
  });

  it("round-trips through base64 in 88 characters, and a straight short flick has none", () => {
    const f = fp(eligible[0]!)!;
    const text = encodeFingerprint(f);
    expect(text).toHaveLength(88);
    expect(decodeFingerprint(text)).toEqual(f);
    expect(fingerprintDistance(decodeFingerprint(text)!, f)).toBe(0);
    const line = Array.from({ length: 40 }, (_, i) => ({ x: i * 5, y: i * 2, timestamp: i * 16 }));
    expect(fingerprint(line)).toBeUndefined();
  });

  it("the earliest match is named; a replay verdict fails with reason replayed-trace", () => {
    const index = createReplayIndex();
    const f = encodeFingerprint(fp(eligible[0]!)!);
    index.add("first", f);
    index.add("second", f);
    expect(index.match(f)).toBe("first");
    const now = new Date(0);
    const base = heuristicResult(extractFeatures(eligible[0]!), {
      thresholds: DEFAULT_THRESHOLDS,
      now,
    });
    expect(base.decision).toBe("pass");
    const v = replayVerdict(base, "first", DEFAULT_THRESHOLDS);
    expect(v).toMatchObject({
      decision: "fail",
      isAnomaly: true,
      anomalyScore: 2.5,
      reasons: ["replayed-trace"],
      replayOf: "first",
    });
    expect(replayVerdict(base, undefined, DEFAULT_THRESHOLDS)).toBe(base);
  });
});
