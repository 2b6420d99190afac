import { describe, expect, it } from "vitest";
import { REPLAY_REASON, replayOfRow, replayVerdict } from "../../src/scoring/replay-verdict.js";
import type { ScoreResult } from "../../src/scoring/result.js";

// Issue 13, part 3 (mutation-tested for issue 15): a replayed session fails whatever the model
// said, its score raised to at least the fail threshold, confidence recomputed from that score.
function result(over: Partial<ScoreResult> = {}): ScoreResult {
  return {
    anomalyScore: 0.4,
    isAnomaly: false,
    decision: "pass",
    confidence: 0.9,
    reasons: ["fast-start"],
    source: "local",
    model: { id: "m", version: "1" },
    scoredAt: "2026-01-01T00:00:00.000Z",
    rawScore: 0.7,
    ...over,
  };
}

describe("replayVerdict", () => {
  const thresholds = { review: 1, fail: 2.5 };

  it("raises a low score to the fail threshold, with confidence 0.5 at the edge", () => {
    expect(replayVerdict(result(), "s1", thresholds)).toEqual({
      anomalyScore: 2.5,
      isAnomaly: true,
      decision: "fail",
      // margin 0 over the fail threshold: 0.5 + 0.5 * (1 - e^0) = 0.5
      confidence: 0.5,
      reasons: ["fast-start", "replayed-trace"],
      source: "local",
      model: { id: "m", version: "1" },
      scoredAt: "2026-01-01T00:00:00.000Z",
      rawScore: 0.7,
      replayOf: "s1",
    });
  });

  it("keeps a score above the threshold, and its confidence follows the margin", () => {
    const v = replayVerdict(result({ anomalyScore: 3, reasons: [] }), "s0", thresholds);
    expect(v.anomalyScore).toBe(3);
    // margin 0.5, scale 0.5: 0.5 + 0.5 * (1 - e^-1) = 0.8160..., rounded to 0.816
    expect(v.confidence).toBe(0.816);
    expect(v.reasons).toEqual(["replayed-trace"]);
  });

  it("lists the replay reason once, last, even when the result already has it", () => {
    const v = replayVerdict(
      result({ reasons: [REPLAY_REASON, "a", REPLAY_REASON, "b"] }),
      "s1",
      thresholds,
    );
    expect(v.reasons).toEqual(["a", "b", "replayed-trace"]);
  });

  it("returns the result itself when the session is no replay", () => {
    const r = result();
    expect(replayVerdict(r, undefined, thresholds)).toBe(r);
    expect(REPLAY_REASON).toBe("replayed-trace");
  });
});

describe("replayOfRow", () => {
  it("reads a string replayOf mark and nothing else", () => {
    expect(replayOfRow({ replayOf: "s1" })).toBe("s1");
    expect(replayOfRow({ replayOf: "" })).toBe("");
    expect(replayOfRow({})).toBeUndefined();
    expect(replayOfRow({ replayOf: 7 })).toBeUndefined();
    expect(replayOfRow({ replayOf: null })).toBeUndefined();
  });
});
