/** The result shape every engine produces (design.md, "Scores and decisions"). */
export type Decision = "pass" | "review" | "fail";
export type ResultSource = "heuristic" | "local" | "woodwide" | "fallback";

export interface ScoreResult {
  /** Calibrated: 0 = typical human, larger = stranger (about -log10 of the human tail share). */
  anomalyScore: number;
  isAnomaly: boolean;
  decision: Decision;
  confidence: number;
  /** Names of the heuristic rules that fired. */
  reasons: string[];
  source: ResultSource;
  model: { id: string; version: string };
  /** ISO 8601 time the score was produced. */
  scoredAt: string;
  /** The engine's own score before calibration, when it has one. */
  rawScore?: number;
  jobId?: string;
  latencyMs?: number;
  /** Why a fallback result was produced (dead-lettered sessions). */
  fallbackReason?: string;
  /** Issue 13: the earlier session this one replays (reason `replayed-trace`). */
  replayOf?: string;
}

export interface Thresholds {
  /** anomalyScore at or above which a session is reviewed (default 1.0, as in PlayProof). */
  review: number;
  /** anomalyScore at or above which a session fails (default 2.5, as in PlayProof). */
  fail: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { review: 1.0, fail: 2.5 };
