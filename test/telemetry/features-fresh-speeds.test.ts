import { describe, expect, it } from "vitest";
import { extractFeatures } from "../../src/telemetry/features.js";

// Issue 10, as features-fresh-buffers.test.ts (a file of its own: vitest gives each file its own
// modules, so the extractor's buffers start at their first size here).
describe("the grid features of a long stroke on buffers not grown yet (issue 10)", () => {
  it("3,001 points on a line, steps of 10 and 20 px in turn, every 100 ms", () => {
    // x = 0, 10, 30, 40, 60, ...: speeds 10, 20, 10, ... px a step, mean 15: relative speeds 2/3
    // and 4/3 (spread 1/3), every second difference |10 - 40 + 10| or |20 - 20 + 20| = 20, i.e.
    // 4/3 of the mean, and every step a change of more than a tenth.
    // 1,500 steps of each length: the mean is 15 exactly.
    const movements = Array.from({ length: 3001 }, (_, k) => ({
      x: 15 * k - 5 * (k % 2),
      y: 0,
      timestamp: 100 * k,
    }));
    const f = extractFeatures({ sessionId: "s", movements, clicks: [] });
    expect({
      gridSpeedCv: f.gridSpeedCv,
      gridSpeedJerk: f.gridSpeedJerk,
      gridAccelShare: f.gridAccelShare,
      gridMovingSteps: f.gridMovingSteps,
      gridTurnMean: f.gridTurnMean,
      gridStraightShare: f.gridStraightShare,
    }).toEqual({
      gridSpeedCv: 0.333333,
      gridSpeedJerk: 1.33333,
      gridAccelShare: 1,
      gridMovingSteps: 3000,
      gridTurnMean: 0,
      gridStraightShare: 1,
    });
  });
});
