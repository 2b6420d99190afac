import type { Decision, Thresholds } from "./result.js";

/** design.md: pass below `review`, review from `review` up to `fail`, fail from `fail` up. */
export function decide(anomalyScore: number, thresholds: Thresholds): Decision {
  if (anomalyScore >= thresholds.fail) return "fail";
  if (anomalyScore >= thresholds.review) return "review";
  return "pass";
}

/** How far (in anomalyScore units) the score must move before the confidence is near-certain. */
const CONFIDENCE_SCALE = 0.5;

/**
 * Confidence in the decision, 0.5..1: 0.5 on a threshold (a coin flip between two decisions),
 * rising with the distance to the nearest boundary of the decided band.
 */
export function confidenceOf(anomalyScore: number, thresholds: Thresholds): number {
  const decision = decide(anomalyScore, thresholds);
  const margin =
    decision === "pass"
      ? thresholds.review - anomalyScore
      : decision === "fail"
        ? anomalyScore - thresholds.fail
        : Math.min(anomalyScore - thresholds.review, thresholds.fail - anomalyScore);
  const c = 0.5 + 0.5 * (1 - Math.exp(-Math.max(0, margin) / CONFIDENCE_SCALE));
  return Math.round(c * 1000) / 1000;
}
