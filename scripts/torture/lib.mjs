// The project modules the checks use, loaded from the tree whose binary is tortured (--bin), so
// the expected payloads and scores always come from the code under test: the harness re-runs
// enqueue's own preparation and the engines' own scoring on each session's own data.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export async function loadLib(root) {
  const path = (p) => join(root, "dist", p);
  const load = (p) => import(pathToFileURL(path(p)).href);
  const [events, fold, csv, prepare, localEngine, result] = await Promise.all([
    load("queue/events.js"),
    load("queue/fold.js"),
    load("batch/csv.js"),
    // src/commands became src/ops (issue 9); --bin may point at an older build.
    load(existsSync(path("ops")) ? "ops/enqueue-prepare.js" : "commands/enqueue-prepare.js"),
    load("batch/local-engine.js"),
    load("scoring/result.js"),
  ]);
  // Woodwide batches are built for a feature set (issue 13) where the tree has them.
  const sets = existsSync(path("telemetry/feature-set-names.js"))
    ? await load("telemetry/feature-set-names.js")
    : undefined;
  // The Redis queue keeps payloads compact (issue 11): read back with the backend's own code.
  const redisPayload = existsSync(path("queue/redis-payload.js"))
    ? await load("queue/redis-payload.js")
    : undefined;
  const thresholds = result.DEFAULT_THRESHOLDS;
  return {
    parseHeader: events.parseHeader,
    parsePayload: events.parsePayload,
    applyEvent: fold.applyEvent,
    emptyState: fold.emptyState,
    expandPayload: redisPayload?.expandPayload,
    buildBatchCsv: (rows) => csv.buildBatchCsv(rows, sets?.DEFAULT_FEATURE_SET),
    /** The payload enqueue queues for one record. */
    preparePayload(session) {
      const p = prepare.prepareRecord(
        { line: 1, text: JSON.stringify(session) },
        { thresholds, now: 0 },
      );
      if (!p.payload) throw new Error(`generated session ${session.sessionId}: ${p.rejection}`);
      return p.payload;
    },
    /** The local engine's results for these payloads (the fallback's too, but its source). */
    scoreLocal: async (rows) =>
      (await localEngine.createLocalEngine().score(rows, { thresholds, now: () => 0 })).results,
  };
}
