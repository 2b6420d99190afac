import type { ScoreResult, Thresholds } from "../scoring/result.js";
import type { BatchRow } from "./csv.js";

/** What `process` needs from a scorer: one result per row, in row order, or a thrown error. */
export interface ScoringEngine {
  readonly name: "woodwide" | "local";
  score(rows: readonly BatchRow[], ctx: EngineContext): Promise<EngineAnswer>;
}

export interface EngineContext {
  thresholds: Thresholds;
  now: () => number;
  signal?: AbortSignal;
  /** Issue 14: told of each call the engine retried in place, by status ("503", "network"). */
  onRetriedCall?: (status: string) => void;
}

export interface EngineAnswer {
  results: ScoreResult[];
  jobId?: string;
  latencyMs?: number;
  creditsConsumed?: number;
}
