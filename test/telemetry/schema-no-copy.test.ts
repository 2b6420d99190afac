import { describe, expect, it } from "vitest";
import { extractFeatures } from "../../src/telemetry/features.js";
import { parseSession } from "../../src/telemetry/schema.js";

// Issue 10: enqueue checks movements without copying them. Same acceptance, same first error,
// same session apart from the movements array, which is the input's own.
const moves = Array.from({ length: 40 }, (_, i) => ({
  x: 3 * i + (i % 7) * 0.25,
  y: 100 - 2 * i + (i % 5),
  timestamp: 16 * i + (i % 3),
  ...(i % 4 === 0 ? { isTrusted: null } : i % 4 === 1 ? { isTrusted: true } : {}),
  ...(i % 6 === 0 ? { pressure: 0.5 } : {}),
}));
const record = {
  sessionId: "s_1",
  userId: "u",
  movements: moves,
  clicks: [{ x: 1, y: 2, timestamp: 300, targetHit: null }],
};

describe("parseSession with copyMovements: false", () => {
  it("returns the input's movements array and otherwise the copying parse's session", () => {
    const copied = parseSession(record);
    const checked = parseSession(record, { copyMovements: false });
    if (!copied.ok || !checked.ok) throw new Error("rejected");
    expect(checked.session.movements).toBe(moves);
    expect(copied.session.movements).not.toBe(moves);
    expect({ ...checked.session, movements: [] }).toEqual({ ...copied.session, movements: [] });
    expect(checked.session.durationMs).toBe(copied.session.durationMs);
    expect(extractFeatures(checked.session)).toEqual(extractFeatures(copied.session));
  });

  it.each([
    ["not an object", [1]],
    ["a missing x", [{ y: 1, timestamp: 0 }]],
    ["a string y", [{ x: 1, y: "2", timestamp: 0 }]],
    ["a negative timestamp", [{ x: 1, y: 2, timestamp: -1 }]],
    ["an infinite x", [{ x: Number.POSITIVE_INFINITY, y: 2, timestamp: 0 }]],
    ["a string isTrusted", [{ x: 1, y: 2, timestamp: 0, isTrusted: "yes" }]],
    ["an array", [[1, 2, 3]]],
  ])("rejects %s with the copying parse's message", (_, bad) => {
    const movements = [{ x: 0, y: 0, timestamp: 0 }, ...bad];
    const copied = parseSession({ ...record, movements });
    const checked = parseSession({ ...record, movements }, { copyMovements: false });
    expect(copied.ok).toBe(false);
    expect(checked).toEqual(copied);
  });

  it("keeps the movement cap", () => {
    const big = Array.from({ length: 200_001 }, () => ({ x: 0, y: 0, timestamp: 0 }));
    expect(parseSession({ ...record, movements: big }, { copyMovements: false })).toEqual({
      ok: false,
      error: "movements: more than 200000 entries",
    });
  });
});
