import type { Features } from "../telemetry/features.js";
import { confidenceOf, decide } from "./decision.js";
import type { ScoreResult, Thresholds } from "./result.js";

export interface HeuristicRule {
  name: string;
  /** Added to the provisional anomalyScore when the rule fires. */
  weight: number;
  fires: (f: Features) => boolean;
}

/**
 * Named rules (issue 2, point 4). Every rule needs enough movement to judge, and none reads a
 * rate-dependent number on its own: a human on a 100 ms or a 4 ms browser must not trip them
 * (issue 3, "Generalisation is the hard part"). Weights put one strong rule at review and two
 * independent ones at fail under the default thresholds (1.0 / 2.5).
 */
export const HEURISTIC_RULES: readonly HeuristicRule[] = [
  {
    name: "impossible-speed",
    weight: 2.5,
    fires: (f) => f.speedP95 > 20_000 && f.totalMoves >= 10,
  },
  {
    name: "teleport-click",
    weight: 1.5,
    fires: (f) => f.totalClicks >= 2 && f.avgClickDistance > 40,
  },
  {
    name: "straight-path",
    weight: 1.0,
    fires: (f) => f.gridStraightShare > 0.8 && f.gridMovingSteps >= 10,
  },
  {
    name: "constant-speed",
    weight: 1.5,
    fires: (f) => f.gridSpeedCv < 0.25 && f.gridMovingSteps >= 10,
  },
  {
    name: "no-speed-corrections",
    weight: 1.0,
    fires: (f) => f.gridAccelShare < 0.3 && f.gridMovingSteps >= 10,
  },
  {
    // 0.5, not a review on its own (issue 13): a browser coalescing pointer events to 60 Hz
    // animation frames logs exactly every 16.67 ms, as regular as any script's timer.
    name: "metronomic-timing",
    weight: 0.5,
    fires: (f) => f.dtJitter < 0.005 && f.totalMoves >= 30,
  },
  {
    // Only meaningful when the browser logs often enough to see a hand's tremor.
    name: "no-jitter",
    weight: 0.5,
    fires: (f) => f.smallJitterRatio === 0 && f.totalMoves >= 50 && f.avgInterMoveTime < 40,
  },
  {
    name: "perfect-accuracy",
    weight: 0.5,
    fires: (f) => f.clickAccuracy === 1 && f.totalClicks >= 10,
  },
  {
    name: "no-movement",
    weight: 1.5,
    fires: (f) => f.totalMoves < 3 && f.totalClicks > 0,
  },
];

const MAX_SCORE = 5;

export function evaluateHeuristics(f: Features): { score: number; reasons: string[] } {
  const fired = HEURISTIC_RULES.filter((rule) => rule.fires(f));
  const total = fired.reduce((sum, rule) => sum + rule.weight, 0);
  return { score: Math.min(MAX_SCORE, total), reasons: fired.map((rule) => rule.name) };
}

export function heuristicResult(
  f: Features,
  opts: { thresholds: Thresholds; now: Date },
): ScoreResult {
  const { score, reasons } = evaluateHeuristics(f);
  const decision = decide(score, opts.thresholds);
  return {
    anomalyScore: score,
    isAnomaly: decision !== "pass",
    decision,
    confidence: confidenceOf(score, opts.thresholds),
    reasons,
    source: "heuristic",
    model: { id: "heuristic", version: "1" },
    scoredAt: opts.now.toISOString(),
  };
}
