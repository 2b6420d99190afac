import { describe, expect, it } from "vitest";
import { readGoldenInput } from "../../scripts/golden-digest.mjs";
import { payloadFromText, prepareRecord, prepareText } from "../../src/ops/enqueue-prepare.js";
import {
  lazyPayload,
  mergedFeatures,
  type PayloadParts,
  payloadOf,
  payloadText,
} from "../../src/ops/payload-text.js";
import { packageRoot } from "../../src/package-root.js";
import type { SessionPayload } from "../../src/queue/events.js";
import { heuristicResult } from "../../src/scoring/heuristics.js";
import { seededRandom } from "../../src/scoring/random.js";
import { encodeFingerprint, fingerprint } from "../../src/scoring/replay-fingerprint.js";
import type { ScoreResult } from "../../src/scoring/result.js";
import { DEFAULT_THRESHOLDS } from "../../src/scoring/result.js";
import { storedPlayProof1 } from "../../src/telemetry/feature-sets.js";
import {
  EXTRA_FEATURE_COLUMNS,
  extractFeatures,
  FEATURE_COLUMNS,
  type Features,
  SHAPE_FEATURE_COLUMNS,
} from "../../src/telemetry/features.js";
import { inTimeOrder } from "../../src/telemetry/features-path.js";
import { parseSession } from "../../src/telemetry/schema.js";

// Issue 10: enqueue writes a payload's text from its parts instead of JSON.stringify of a merged
// object. These pin that text to JSON.stringify's, byte for byte, on random parts and on every
// golden session (edge cases, generator families, the dev-set sample).

const COLUMNS = [...FEATURE_COLUMNS, ...EXTRA_FEATURE_COLUMNS, ...SHAPE_FEATURE_COLUMNS];
const SPECIAL = [
  0,
  -0,
  1,
  -1,
  0.1,
  1e21,
  1e-7,
  123456.7,
  -2.5e-300,
  5e-324,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];
const CHARS = ['"', "\\", "\n", "\u0001", "\u2028", "é", "😀", "\ud800", "\udc00", "a", " ", "/"];

function randomParts(rand: () => number): PayloadParts {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const num = (): number => {
    const r = rand();
    if (r < 0.25) return pick(SPECIAL);
    if (r < 0.5) return Math.floor(rand() * 2e6) - 1e6;
    if (r < 0.75) return Number((rand() * 10 ** (Math.floor(rand() * 30) - 15)).toPrecision(6));
    return (rand() - 0.5) * 10 ** (Math.floor(rand() * 600) - 300);
  };
  const text = (): string =>
    Array.from({ length: Math.floor(rand() * 6) }, () => pick(CHARS)).join("");
  const ours = {} as Features;
  for (const c of COLUMNS) ours[c] = num();
  // About a third of the playproof-1 values equal ours (not stored), the rest differ.
  const playProof1 = Float64Array.from(FEATURE_COLUMNS, (c) => (rand() < 0.35 ? ours[c] : num()));
  const provisional: ScoreResult = {
    anomalyScore: num(),
    isAnomaly: rand() < 0.5,
    decision: pick(["pass", "review", "fail"] as const),
    confidence: num(),
    reasons: Array.from({ length: Math.floor(rand() * 3) }, text),
    source: "heuristic",
    model: { id: text(), version: "1" },
    scoredAt: new Date(Math.floor(rand() * 2e12)).toISOString(),
  };
  return {
    ours,
    playProof1,
    meta: {
      ...(rand() < 0.5 ? { userId: text() } : {}),
      ...(rand() < 0.5 ? { deploymentId: text() } : {}),
      gameType: text(),
      deviceType: text(),
    },
    provisional,
    ...(rand() < 0.7 ? { fp: text() } : {}),
  };
}

describe("payloadText", () => {
  it("writes JSON.stringify's text of the merged payload, for 2000 random payloads", () => {
    const rand = seededRandom(0x7e47);
    for (let i = 0; i < 2000; i++) {
      const parts = randomParts(rand);
      const expected = JSON.stringify(payloadOf(parts));
      expect(payloadText(parts)).toBe(expected);
      expect(JSON.stringify(lazyPayload(parts))).toBe(expected);
    }
  });

  it("merges playproof-1 after our columns, only where the values differ", () => {
    const ours = {} as Features;
    for (const c of COLUMNS) ours[c] = 1;
    const playProof1 = new Float64Array(FEATURE_COLUMNS.length).fill(1);
    playProof1[FEATURE_COLUMNS.indexOf("avgAccel")] = 2.5;
    playProof1[FEATURE_COLUMNS.indexOf("durationMs")] = 0;
    const meta = { gameType: "g", deviceType: "d" };
    const parts: PayloadParts = { ours, playProof1, meta, provisional: {} as ScoreResult };
    const merged = mergedFeatures(parts);
    expect(Object.keys(merged)).toEqual([
      ...COLUMNS,
      "playproof-1:durationMs",
      "playproof-1:avgAccel",
    ]);
    expect(merged["playproof-1:durationMs"]).toBe(0);
    expect(merged["playproof-1:avgAccel"]).toBe(2.5);
    expect(payloadText(parts)).toContain(',"microShare":1,"playproof-1:durationMs":0,');
    expect(payloadText(parts)).not.toContain('"fp"');
  });

  it("makes the lazy payload's features on first read, once, and lets them be replaced", () => {
    const parts = { ...randomParts(seededRandom(3)), fp: "AAAA" };
    const payload = lazyPayload(parts);
    expect(Object.keys(payload)).toEqual(["features", "meta", "provisional", "fp"]);
    const first = payload.features;
    expect(payload.features).toBe(first);
    expect(first).toEqual(mergedFeatures(parts));
    payload.features = { x: 1 };
    expect(payload.features).toEqual({ x: 1 });
    expect(JSON.parse(JSON.stringify(payload)).features).toEqual({ x: 1 });
  });
});

describe("prepareRecord's payload text", () => {
  it("is JSON.stringify of the payload as enqueue built it before, on every golden session", () => {
    const sessions = readGoldenInput(packageRoot()) as unknown[];
    const now = Date.UTC(2025, 0, 1);
    let fingerprinted = 0;
    for (const [i, raw] of sessions.entries()) {
      const p = prepareRecord(
        { line: i + 1, text: JSON.stringify(raw) },
        { thresholds: DEFAULT_THRESHOLDS, now },
      );
      const parsed = parseSession(raw);
      if (!parsed.ok) {
        expect(p).toHaveProperty("rejection");
        continue;
      }
      const s = parsed.session;
      const ours = extractFeatures(s);
      const fp = fingerprint(inTimeOrder(s.movements));
      if (fp) fingerprinted++;
      const before = {
        features: { ...ours, ...storedPlayProof1(s, ours) },
        meta: {
          ...(s.userId === undefined ? {} : { userId: s.userId }),
          ...(s.deploymentId === undefined ? {} : { deploymentId: s.deploymentId }),
          gameType: s.gameType,
          deviceType: s.deviceType,
        },
        provisional: heuristicResult(ours, { thresholds: DEFAULT_THRESHOLDS, now: new Date(now) }),
        ...(fp ? { fp: encodeFingerprint(fp) } : {}),
      };
      if (!("payload" in p)) throw new Error(`session ${i} rejected`);
      expect(p.text).toBe(JSON.stringify(before));
      expect(JSON.stringify(p.payload)).toBe(JSON.stringify(before));
      expect(p.payload.features).toEqual(before.features);
    }
    expect(sessions.length).toBe(402);
    expect(fingerprinted).toBeGreaterThan(100);
  });
});

describe("a worker's record (prepareText) and the payload the main thread makes of it", () => {
  it("carries the same text as prepareRecord, the fingerprint beside it, and reads every field from the text", () => {
    const sessions = readGoldenInput(packageRoot()) as unknown[];
    const o = { thresholds: DEFAULT_THRESHOLDS, now: Date.UTC(2025, 0, 1) };
    let accepted = 0;
    for (const [i, raw] of sessions.entries()) {
      const rec = { line: i + 1, text: JSON.stringify(raw) };
      const inline = prepareRecord(rec, o);
      const sent = prepareText(rec, o);
      if (!("payload" in inline)) {
        expect(sent).toEqual(inline); // the same rejection
        continue;
      }
      accepted++;
      if (!("text" in sent)) throw new Error(`session ${i} rejected by prepareText only`);
      expect(sent).toEqual({
        line: i + 1,
        id: inline.id,
        text: inline.text,
        ...(inline.payload.fp === undefined ? {} : { fp: inline.payload.fp }),
      });
      const payload = payloadFromText(sent);
      expect(payload.fp).toBe(inline.payload.fp);
      expect(Object.keys(JSON.parse(JSON.stringify(payload)))).toEqual(Object.keys(inline.payload));
      expect(payload.meta).toEqual(inline.payload.meta);
      expect(payload.provisional).toEqual(inline.payload.provisional);
      expect(payload.features).toEqual(inline.payload.features);
      expect(JSON.stringify(payload)).toBe(inline.text);
    }
    expect(accepted).toBeGreaterThan(350);
  });

  it("lets the replay mark replace the provisional result and add replayOf, as on a plain payload", () => {
    const rec = { line: 1, text: JSON.stringify(readGoldenInput(packageRoot())[0]) };
    const o = { thresholds: DEFAULT_THRESHOLDS, now: Date.UTC(2025, 0, 1) };
    const sent = prepareText(rec, o);
    const inline = prepareRecord(rec, o);
    if (!("text" in sent) || !("payload" in inline)) throw new Error("rejected");
    const payload = payloadFromText(sent);
    const plain = JSON.parse(inline.text!) as SessionPayload;
    for (const p of [payload, plain]) {
      p.replayOf = "s_earlier";
      p.provisional = { ...p.provisional, decision: "fail", reasons: ["replayed-trace"] };
    }
    expect(payload.provisional.decision).toBe("fail");
    expect(JSON.stringify(payload)).toBe(JSON.stringify(plain));
  });
});
