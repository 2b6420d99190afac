import { loadLocalEngine } from "../scoring/local-model.js";
import { replayOfRow, replayVerdict } from "../scoring/replay-verdict.js";
import type { ScoringEngine } from "./engine.js";

/** The embedded model behind the ScoringEngine interface: no network, the offline default. */
export function createLocalEngine(): ScoringEngine {
  const model = loadLocalEngine();
  return {
    name: "local",
    async score(rows, ctx) {
      const results = model.scoreRows(
        rows.map((r) => r.features as Parameters<typeof model.scoreRows>[0][number]),
        { thresholds: ctx.thresholds, now: new Date(ctx.now()) },
      );
      // Issue 13: a replayed trace fails whatever the model says.
      return {
        results: results.map((r, i) => replayVerdict(r, replayOfRow(rows[i]!), ctx.thresholds)),
      };
    },
  };
}
