import { describe, expect, it } from "vitest";
import { readGoldenInput } from "../../scripts/golden-digest.mjs";
import { packageRoot } from "../../src/package-root.js";
import { storedPlayProof1Of } from "../../src/telemetry/feature-sets.js";
import { extractFeatures, FEATURE_COLUMNS } from "../../src/telemetry/features.js";
import { extractPlayProof1, playProof1Into } from "../../src/telemetry/features-playproof1.js";
import { parseSession } from "../../src/telemetry/schema.js";

// Issue 10: enqueue reads playproof-1 as 28 values in column order, not as a row object.
describe("playProof1Into", () => {
  it("writes extractPlayProof1's values in FEATURE_COLUMNS order, on every golden session", () => {
    let checked = 0;
    for (const raw of readGoldenInput(packageRoot()) as unknown[]) {
      const parsed = parseSession(raw);
      if (!parsed.ok) continue;
      const row = extractPlayProof1(parsed.session);
      const out = new Float64Array(FEATURE_COLUMNS.length + 1).fill(7);
      expect(playProof1Into(parsed.session, out)).toBe(out);
      expect([...out]).toEqual([...FEATURE_COLUMNS.map((c) => row[c]), 7]);
      checked++;
    }
    expect(checked).toBeGreaterThan(350);
  });

  it("storedPlayProof1Of keeps the differing columns, under their playproof-1 names", () => {
    const s = parseSession({
      sessionId: "s",
      movements: Array.from({ length: 12 }, (_, i) => ({ x: i * i, y: 3 * i, timestamp: i * 10 })),
    });
    if (!s.ok) throw new Error(s.error);
    const ours = extractFeatures(s.session);
    const values = playProof1Into(s.session, new Float64Array(FEATURE_COLUMNS.length));
    const stored = storedPlayProof1Of(values, ours);
    for (const [k, c] of FEATURE_COLUMNS.entries()) {
      if (values[k] === ours[c]) expect(stored).not.toHaveProperty(`playproof-1:${c}`);
      else expect(stored[`playproof-1:${c}`]).toBe(values[k]);
    }
    expect(Object.keys(stored)).toHaveLength(2);
  });
});
