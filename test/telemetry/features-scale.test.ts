import { describe, expect, it } from "vitest";
import { extractFeatures } from "../../src/telemetry/features.js";

// A size check, not a behaviour check: kept apart so `npm run mutate` (issue 15) can leave it out,
// since under Stryker's instrumentation 200,000 points cost seconds for every mutant.
describe("extractFeatures at the input limit", () => {
  it("handles 200,000 points in linear time without spreading into Math.max", () => {
    const movements = [];
    for (let i = 0; i < 200_000; i++) {
      movements.push({ x: Math.sin(i / 50) * 300, y: i % 700, timestamp: i * 8 });
    }
    const f = extractFeatures({ sessionId: "s", movements, clicks: [] });
    expect(f.totalMoves).toBe(200_000);
  });
});
