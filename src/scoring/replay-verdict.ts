import { confidenceOf } from "./decision.js";
import type { ScoreResult, Thresholds } from "./result.js";

/**
 * Issue 13, part 3: a session whose trajectory matches an earlier queued one is failed, whatever
 * a per-session model says (a replayed human trace looks human to all of them), with reason
 * `replayed-trace` and the earlier session's id in `replayOf`.
 */
export const REPLAY_REASON = "replayed-trace";

export function replayVerdict(
  result: ScoreResult,
  replayOf: string | undefined,
  thresholds: Thresholds,
): ScoreResult {
  if (replayOf === undefined) return result;
  // At least the fail threshold, so score and decision agree (design.md's bands).
  const anomalyScore = Math.max(result.anomalyScore, thresholds.fail);
  return {
    ...result,
    anomalyScore,
    decision: "fail",
    isAnomaly: true,
    confidence: confidenceOf(anomalyScore, thresholds),
    reasons: [...result.reasons.filter((r) => r !== REPLAY_REASON), REPLAY_REASON],
    replayOf,
  };
}

/** The mark enqueue leaves on a replayed session's payload (rows carry the payload through). */
export function replayOfRow(row: object): string | undefined {
  const mark = (row as { replayOf?: unknown }).replayOf;
  return typeof mark === "string" ? mark : undefined;
}
