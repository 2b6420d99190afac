import { confidenceOf, decide } from "../scoring/decision.js";
import { evaluateHeuristics } from "../scoring/heuristics.js";
import { replayOfRow, replayVerdict } from "../scoring/replay-verdict.js";
import type { ScoreResult } from "../scoring/result.js";
import { DEFAULT_FEATURE_SET, type FeatureSetName } from "../telemetry/feature-set-names.js";
import type { Features } from "../telemetry/features.js";
import { type DatasetRef, inferWithWoodwide } from "../woodwide/infer.js";
import type { PollOptions } from "../woodwide/poll.js";
import type { WoodwideClient } from "../woodwide/types.js";
import { buildBatchCsv } from "./csv.js";
import type { ScoringEngine } from "./engine.js";

export interface WoodwideEngineOptions {
  client: WoodwideClient;
  modelId: string;
  modelVersionId?: string | undefined;
  mode: "dataset" | "direct";
  dataset: DatasetRef;
  /**
   * Maps Woodwide's raw score onto the calibrated anomalyScore scale, from baseline humans scored
   * by the same model (`model train` stores them). Absent: is_anomaly alone decides.
   */
  calibrate?: ((raw: number) => number) | undefined;
  poll?: Omit<PollOptions, "signal" | "sleep" | "now">;
  sleep?: PollOptions["sleep"];
  log?: (event: Record<string, unknown>) => void;
  /** Issue 13: the feature definitions the model was trained on (default PlayProof's own). */
  featureSet?: FeatureSetName | undefined;
}

export function createWoodwideEngine(o: WoodwideEngineOptions): ScoringEngine {
  return {
    name: "woodwide",
    async score(rows, ctx) {
      const answer = await inferWithWoodwide({
        client: o.client,
        modelId: o.modelId,
        modelVersionId: o.modelVersionId,
        mode: o.mode,
        csv: buildBatchCsv(rows, o.featureSet ?? DEFAULT_FEATURE_SET),
        rowCount: rows.length,
        dataset: o.dataset,
        signal: ctx.signal,
        now: ctx.now,
        ...(o.sleep ? { sleep: o.sleep } : {}),
        ...(o.poll ? { poll: o.poll } : {}),
        ...(o.log ? { log: o.log } : {}),
        onRetry: (r) => ctx.onRetriedCall?.(r.status),
      });
      const scoredAt = new Date(ctx.now()).toISOString();
      const model = {
        id: o.modelId,
        version: answer.modelVersionId ?? o.modelVersionId ?? "latest",
      };
      const scored = answer.rows.map((row, i): ScoreResult => {
        // woodwide-api.md: is_anomaly is authoritative; the score only ranks.
        const calibrated = o.calibrate ? o.calibrate(row.score) : 0;
        const anomalyScore = row.isAnomaly
          ? Math.max(calibrated, ctx.thresholds.review)
          : calibrated;
        const decision = decide(anomalyScore, ctx.thresholds);
        return {
          anomalyScore,
          isAnomaly: row.isAnomaly,
          decision,
          confidence: o.calibrate ? confidenceOf(anomalyScore, ctx.thresholds) : 0.5,
          reasons: evaluateHeuristics(rows[i]!.features as Features).reasons,
          source: "woodwide",
          model,
          scoredAt,
          rawScore: row.score,
          jobId: answer.jobId,
          latencyMs: answer.latencyMs,
        };
      });
      // Issue 13: a replayed trace fails whatever the model says.
      const results = scored.map((r, i) => replayVerdict(r, replayOfRow(rows[i]!), ctx.thresholds));
      return {
        results,
        jobId: answer.jobId,
        latencyMs: answer.latencyMs,
        ...(answer.creditsConsumed === undefined
          ? {}
          : { creditsConsumed: answer.creditsConsumed }),
      };
    },
  };
}
