import { describe, expect, it } from "vitest";
import { extractFeatures } from "../../src/telemetry/features.js";

// Issue 15: the 100 ms grid features on paths logged exactly on the grid, so every grid point is
// a logged point and each value can be worked out by hand. A grid step "moves" from 3 px.
const on100 = (xy: [number, number][]) => ({
  sessionId: "g",
  movements: xy.map(([x, y], i) => ({ x, y, timestamp: i * 100 })),
  clicks: [],
});
const grid = (f: ReturnType<typeof extractFeatures>) => ({
  gridSpeedCv: f.gridSpeedCv,
  gridTurnMean: f.gridTurnMean,
  gridStraightShare: f.gridStraightShare,
  gridSpeedJerk: f.gridSpeedJerk,
  gridTurnFlipShare: f.gridTurnFlipShare,
  gridTurnP90: f.gridTurnP90,
  gridAccelShare: f.gridAccelShare,
  gridMovingSteps: f.gridMovingSteps,
  dtJitter: f.dtJitter,
});

describe("grid features, hand-computed", () => {
  it("a zigzag: turns +45°, -90°, +90°, -45°, every one a flip", () => {
    // Steps 10, 14.14, 14.14, 14.14, 10 px (mean 12.485): speed jerks |2nd difference| / mean
    // = 4.142 / 12.485, 0, 4.142 / 12.485 -> 0.2212; speed changes > 0.1 at 2 of 4 steps.
    const f = extractFeatures(
      on100([
        [0, 0],
        [10, 0],
        [20, 10],
        [30, 0],
        [40, 10],
        [50, 10],
      ]),
    );
    expect(grid(f)).toEqual({
      gridSpeedCv: 0.162529,
      gridTurnMean: 1.1781, // 3π/8
      gridStraightShare: 0,
      gridSpeedJerk: 0.221174,
      gridTurnFlipShare: 1, // 3 flips over 3 pairs
      gridTurnP90: 1.5708,
      gridAccelShare: 0.5,
      gridMovingSteps: 5,
      dtJitter: 0,
    });
  });

  it("a straight stretch between two turns: a zero turn is straight, and no flip", () => {
    // Steps (10,0), (10,10), (10,10), (10,0): turns +45°, 0, -45°.
    const f = extractFeatures(
      on100([
        [0, 0],
        [10, 0],
        [20, 10],
        [30, 20],
        [40, 20],
      ]),
    );
    expect(grid(f)).toMatchObject({
      gridTurnMean: 0.523599, // π/6
      gridStraightShare: 0.333333,
      gridTurnFlipShare: 0,
      gridTurnP90: 0.785398, // rank 1.8 of 0, π/4, π/4
      gridMovingSteps: 4,
    });
  });

  it("steps of exactly 3 px move; 2 px and 0 px do not, and break the turn chain", () => {
    // Steps 10, 3, 2, 0, 3, 10 px. Moving: 10, 3, 3, 10 (mean 6.5, CV 3.5 / 6.5). Turns: (10,0)
    // to (0,3) +90°; none at the 2 px and 0 px steps nor right after them; (0,3) to (10,0) -90°.
    // Speed jerks where the middle step moves: |2 - 6 + 10| and |10 - 6 + 0|, over 6.5.
    const f = extractFeatures(
      on100([
        [0, 0],
        [10, 0],
        [10, 3],
        [12, 3],
        [12, 3],
        [12, 6],
        [22, 6],
      ]),
    );
    expect(grid(f)).toEqual({
      gridSpeedCv: 0.538462,
      gridTurnMean: 1.5708,
      gridStraightShare: 0,
      gridSpeedJerk: 0.769231, // 5 / 6.5
      gridTurnFlipShare: 1,
      gridTurnP90: 1.5708,
      gridAccelShare: 0.666667, // 10 -> 3 and 3 -> 10 change, 3 -> 3 does not
      gridMovingSteps: 4,
      dtJitter: 0,
    });
  });

  it("a 250 ms gap stays in the stroke and is interpolated; 251 ms ends it", () => {
    // Grid at 0, 100, 200, 300: x = 0, 10, 14, 18 (200 and 300 interpolated on 100..350).
    const at = (gap: number) =>
      extractFeatures({
        sessionId: "g",
        movements: [
          { x: 0, y: 0, timestamp: 0 },
          { x: 10, y: 0, timestamp: 100 },
          { x: 20, y: 0, timestamp: 100 + gap },
        ],
        clicks: [],
      });
    expect(grid(at(250))).toEqual({
      gridSpeedCv: 0.471405, // 10, 4, 4
      gridTurnMean: 0,
      gridStraightShare: 1,
      gridSpeedJerk: 1, // |4 - 8 + 10| / 6
      gridTurnFlipShare: 0,
      gridTurnP90: 0,
      gridAccelShare: 0.5,
      gridMovingSteps: 3,
      dtJitter: 0.428571, // dts 100, 250: median 175, mean deviation 75
    });
    expect(grid(at(251))).toMatchObject({ gridMovingSteps: 1, dtJitter: 0 });
  });

  it("timing jitter counts in-stroke gaps only: not 0 ms, not over 250 ms", () => {
    // dts 10, 0, 10, 12, 250, 300: counted 10, 10, 12, 250; median 11; deviations 1+1+1+239.
    const f = extractFeatures({
      sessionId: "j",
      movements: [0, 10, 10, 20, 32, 282, 582].map((timestamp, x) => ({ x, y: 0, timestamp })),
      clicks: [],
    });
    expect(f.dtJitter).toBe(5.5);
  });
});
