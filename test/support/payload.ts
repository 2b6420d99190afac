import type { SessionPayload } from "../../src/queue/events.js";
import type { ScoreResult } from "../../src/scoring/result.js";

/** A minimal queue payload for store tests that do not care about real features. */
export function fakePayload(n = 1): SessionPayload {
  return {
    features: { durationMs: 1000 * n, avgSpeed: n },
    meta: { gameType: "bubble-pop", deviceType: "mouse" },
    provisional: fakeResult("heuristic", n),
  };
}

export function fakeResult(source: ScoreResult["source"], score = 0): ScoreResult {
  return {
    anomalyScore: score,
    isAnomaly: score >= 2.5,
    decision: score >= 2.5 ? "fail" : score >= 1 ? "review" : "pass",
    confidence: 0.5,
    reasons: [],
    source,
    model: { id: source, version: "test" },
    scoredAt: "2026-11-30T00:00:00.000Z",
  };
}
