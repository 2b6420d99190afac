import { describe, expect, it } from "vitest";
import {
  evaluateHeuristics,
  HEURISTIC_RULES,
  heuristicResult,
} from "../../src/scoring/heuristics.js";
import { DEFAULT_THRESHOLDS } from "../../src/scoring/result.js";
import {
  EXTRA_FEATURE_COLUMNS,
  extractFeatures,
  FEATURE_COLUMNS,
  type Features,
  type SessionInput,
} from "../../src/telemetry/features.js";

/** A curved, speeding-up-and-slowing-down gesture logged at 60 Hz with whole-ms timestamps. */
function humanLike(): SessionInput {
  const movements = [];
  for (let i = 0; i < 400; i++) {
    const s = i / 60;
    const wobble = Math.sin(i * 1.7) * 1.5;
    movements.push({
      x: Math.round(400 + 250 * Math.sin(s * 1.3) * Math.cos(s * 0.4) + wobble),
      y: Math.round(300 + 180 * Math.sin(s * 2.1 + 1) + wobble),
      timestamp: Math.round(i * 16.67),
    });
  }
  return { sessionId: "h", movements, clicks: [] };
}

/** Straight strokes between targets at constant speed on an exact 16 ms timer. */
function linearBot(): SessionInput {
  const movements = [];
  let t = 0;
  for (let stroke = 0; stroke < 8; stroke++) {
    const [x0, y0, x1, y1] = [50 + stroke * 80, 500, 700 - stroke * 60, 80 + stroke * 40];
    for (let i = 0; i <= 40; i++) {
      movements.push({ x: x0 + ((x1 - x0) * i) / 40, y: y0 + ((y1 - y0) * i) / 40, timestamp: t });
      t += 16;
    }
    t += 400;
  }
  return { sessionId: "b", movements, clicks: [] };
}

// Built inside each test, not at import: code run at import is "static" to Stryker, which then
// reruns every test for each of its mutants (issue 15).
const base = () => extractFeatures(humanLike());
const withF = (patch: Partial<Features>): Features => ({ ...base(), ...patch });

describe("evaluateHeuristics", () => {
  it("fires nothing on a human-like gesture", () => {
    expect(evaluateHeuristics(base())).toEqual({ score: 0, reasons: [] });
  });

  it("names the rules a scripted straight-line bot trips", () => {
    const { score, reasons } = evaluateHeuristics(extractFeatures(linearBot()));
    expect(reasons).toEqual(
      expect.arrayContaining(["straight-path", "constant-speed", "metronomic-timing"]),
    );
    expect(score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.fail);
  });

  it.each([
    ["impossible-speed", { speedP95: 50_000 }],
    ["teleport-click", { totalClicks: 4, avgClickDistance: 120 }],
    ["perfect-accuracy", { clickAccuracy: 1, totalClicks: 12 }],
    ["no-movement", { totalMoves: 0, totalClicks: 3 }],
    ["constant-speed", { gridSpeedCv: 0.05 }],
  ] as const)("%s fires on its own signal", (rule, patch) => {
    expect(evaluateHeuristics(withF(patch)).reasons).toContain(rule);
  });

  it("needs enough movement before judging shape", () => {
    const { reasons } = evaluateHeuristics(withF({ gridSpeedCv: 0, gridMovingSteps: 3 }));
    expect(reasons).not.toContain("constant-speed");
  });

  it("caps the score at 5", () => {
    const all = withF({
      speedP95: 1e6,
      totalClicks: 20,
      avgClickDistance: 500,
      gridStraightShare: 1,
      gridSpeedCv: 0,
      gridAccelShare: 0,
      dtJitter: 0,
      smallJitterRatio: 0,
      clickAccuracy: 1,
      avgInterMoveTime: 16,
    });
    expect(evaluateHeuristics(all).score).toBe(5);
  });
});

describe("heuristicResult", () => {
  const now = new Date("2025-01-02T03:04:05.000Z");

  it("fills the result shape for a provisional score", () => {
    expect(heuristicResult(base(), { thresholds: DEFAULT_THRESHOLDS, now })).toEqual({
      anomalyScore: 0,
      isAnomaly: false,
      decision: "pass",
      confidence: expect.any(Number),
      reasons: [],
      source: "heuristic",
      model: { id: "heuristic", version: "1" },
      scoredAt: "2025-01-02T03:04:05.000Z",
    });
  });

  it("decides with the configured thresholds", () => {
    const f = withF({ gridSpeedCv: 0.05 });
    expect(heuristicResult(f, { thresholds: DEFAULT_THRESHOLDS, now }).decision).toBe("review");
    expect(heuristicResult(f, { thresholds: { review: 0.5, fail: 1.5 }, now }).decision).toBe(
      "fail",
    );
  });
});

// Issue 15: each rule at its exact boundaries, from a row of zeros that fires nothing. One rule per
// row, so a rule that fires too early, too late or on half its condition shows up by name.
describe("each rule at its thresholds", () => {
  const zero = () =>
    Object.fromEntries(
      [...FEATURE_COLUMNS, ...EXTRA_FEATURE_COLUMNS].map((c) => [c, 0]),
    ) as Features;
  const fired = (patch: Partial<Features>) => evaluateHeuristics({ ...zero(), ...patch }).reasons;

  it("nothing fires on a row of zeros", () => {
    expect(evaluateHeuristics(zero())).toEqual({ score: 0, reasons: [] });
  });

  it.each([
    // rule, patch, fires
    ["impossible-speed", { speedP95: 20_001, totalMoves: 10 }, true],
    ["impossible-speed", { speedP95: 20_000, totalMoves: 10 }, false],
    ["impossible-speed", { speedP95: 20_001, totalMoves: 9 }, false],
    ["teleport-click", { totalClicks: 2, avgClickDistance: 41 }, true],
    ["teleport-click", { totalClicks: 1, avgClickDistance: 41 }, false],
    ["teleport-click", { totalClicks: 2, avgClickDistance: 40 }, false],
    [
      "straight-path",
      { gridStraightShare: 0.81, gridMovingSteps: 10, gridSpeedCv: 1, gridAccelShare: 1 },
      true,
    ],
    [
      "straight-path",
      { gridStraightShare: 0.8, gridMovingSteps: 10, gridSpeedCv: 1, gridAccelShare: 1 },
      false,
    ],
    ["straight-path", { gridStraightShare: 0.81, gridMovingSteps: 9 }, false],
    ["constant-speed", { gridSpeedCv: 0.24, gridMovingSteps: 10, gridAccelShare: 1 }, true],
    ["constant-speed", { gridSpeedCv: 0.25, gridMovingSteps: 10, gridAccelShare: 1 }, false],
    ["constant-speed", { gridSpeedCv: 0.24, gridMovingSteps: 9 }, false],
    ["no-speed-corrections", { gridAccelShare: 0.29, gridMovingSteps: 10, gridSpeedCv: 1 }, true],
    ["no-speed-corrections", { gridAccelShare: 0.3, gridMovingSteps: 10, gridSpeedCv: 1 }, false],
    ["no-speed-corrections", { gridAccelShare: 0.29, gridMovingSteps: 9 }, false],
    ["metronomic-timing", { dtJitter: 0.0049, totalMoves: 30 }, true],
    ["metronomic-timing", { dtJitter: 0.005, totalMoves: 30 }, false],
    ["metronomic-timing", { dtJitter: 0.0049, totalMoves: 29 }, false],
    ["no-jitter", { totalMoves: 50, avgInterMoveTime: 39, dtJitter: 1 }, true],
    ["no-jitter", { totalMoves: 49, avgInterMoveTime: 39, dtJitter: 1 }, false],
    ["no-jitter", { totalMoves: 50, avgInterMoveTime: 40, dtJitter: 1 }, false],
    [
      "no-jitter",
      { totalMoves: 50, avgInterMoveTime: 39, dtJitter: 1, smallJitterRatio: 0.01 },
      false,
    ],
    ["perfect-accuracy", { clickAccuracy: 1, totalClicks: 10, avgClickDistance: 0 }, true],
    ["perfect-accuracy", { clickAccuracy: 0.99, totalClicks: 10 }, false],
    ["perfect-accuracy", { clickAccuracy: 1, totalClicks: 9 }, false],
    ["no-movement", { totalMoves: 2, totalClicks: 1 }, true],
    ["no-movement", { totalMoves: 3, totalClicks: 1 }, false],
  ] as [string, Partial<Features>, boolean][])("%s on %j: %s", (rule, patch, fires) => {
    const rules = fired(patch).filter((r) => r !== "no-movement" || rule === "no-movement");
    expect(rules).toEqual(fires ? [rule] : []);
  });

  it("weights: one strong rule reviews, two independent ones fail", () => {
    expect(HEURISTIC_RULES.map((r) => [r.name, r.weight])).toEqual([
      ["impossible-speed", 2.5],
      ["teleport-click", 1.5],
      ["straight-path", 1],
      ["constant-speed", 1.5],
      ["no-speed-corrections", 1],
      ["metronomic-timing", 0.5],
      ["no-jitter", 0.5],
      ["perfect-accuracy", 0.5],
      ["no-movement", 1.5],
    ]);
    expect(
      evaluateHeuristics({ ...zero(), totalMoves: 2, totalClicks: 2, avgClickDistance: 41 }),
    ).toEqual({
      score: 3,
      reasons: ["teleport-click", "no-movement"],
    });
  });

  it("a firing rule makes the provisional result an anomaly", () => {
    const now = new Date("2025-01-02T03:04:05.000Z");
    const r = heuristicResult(
      { ...zero(), totalMoves: 2, totalClicks: 1 },
      { thresholds: DEFAULT_THRESHOLDS, now },
    );
    expect(r).toMatchObject({
      anomalyScore: 1.5,
      isAnomaly: true,
      decision: "review",
      confidence: 0.816,
    });
  });
});
