// The project modules the checks use, loaded from the tree whose binary is tortured (--bin), so
// the expected features and scores always come from the code under test.
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export async function loadLib(root) {
  const load = (p) => import(pathToFileURL(join(root, "dist", p)).href);
  const [events, fold, csv, heuristics, localModel, result, features, schema] = await Promise.all([
    load("queue/events.js"),
    load("queue/fold.js"),
    load("batch/csv.js"),
    load("scoring/heuristics.js"),
    load("scoring/local-model.js"),
    load("scoring/result.js"),
    load("telemetry/features.js"),
    load("telemetry/schema.js"),
  ]);
  return {
    parseHeader: events.parseHeader,
    parsePayload: events.parsePayload,
    applyEvent: fold.applyEvent,
    emptyState: fold.emptyState,
    buildBatchCsv: csv.buildBatchCsv,
    evaluateHeuristics: heuristics.evaluateHeuristics,
    loadLocalEngine: localModel.loadLocalEngine,
    DEFAULT_THRESHOLDS: result.DEFAULT_THRESHOLDS,
    FEATURE_COLUMNS: features.FEATURE_COLUMNS,
    extractFeatures: features.extractFeatures,
    parseSession: schema.parseSession,
  };
}
