// Where enqueue's CPU goes per session: JSON.parse (the floor), parseSession, extractFeatures and
// the replay fingerprint (issue 13, part 3), and their sum (issue 10: enqueue near the floor).
import { performance } from "node:perf_hooks";
import { fingerprint } from "../../dist/scoring/replay-fingerprint.js";
import { extractFeatures } from "../../dist/telemetry/features.js";
import { inTimeOrder } from "../../dist/telemetry/features-path.js";
import { parseSession } from "../../dist/telemetry/schema.js";
import { session } from "./gen.mjs";

export function benchStages({ sessions = 2000, points = 300 } = {}) {
  const texts = Array.from({ length: sessions }, (_, i) => JSON.stringify(session(i, points)));
  const each = (items, fn) => () => {
    for (const item of items) fn(item);
  };
  const values = texts.map((t) => JSON.parse(t));
  const parsed = values.map((v) => parseSession(v).session);
  // Each stage runs ROUNDS rounds in a row (another stage's garbage does not land in its rounds)
  // and keeps its best; the whole sequence is swept SWEEPS times, so a burst of load on a shared
  // machine spoils one sweep of a stage, not its figure (issue 10: one sweep gave this ratio
  // anywhere from 0.65 to 0.79 for the same code).
  const stages = [
    each(texts, JSON.parse),
    each(values, parseSession),
    each(parsed, extractFeatures),
    each(parsed, (s) => fingerprint(inTimeOrder(s.movements))),
  ];
  const best = stages.map(() => Number.POSITIVE_INFINITY);
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    stages.forEach((fn, k) => {
      for (let round = 0; round < ROUNDS; round++) {
        const t0 = performance.now();
        fn();
        best[k] = Math.min(best[k], performance.now() - t0);
      }
    });
  }
  const [parse, validate, features, fp] = best.map((ms) => (ms * 1000) / sessions);
  const ratio = features / parse;
  return {
    "JSON.parse µs/session": parse.toFixed(1),
    "parseSession µs/session": validate.toFixed(1),
    "extractFeatures µs/session": features.toFixed(1),
    "fingerprint µs/session": fp.toFixed(1),
    "sum µs/session": (parse + validate + features + fp).toFixed(1),
    "extractFeatures/JSON.parse": ratio.toFixed(2),
    // Issue 10: extractFeatures at most half of JSON.parse of the same session.
    "target ≤ 0.5x": ratio <= FEATURES_TARGET ? "met" : "NOT met",
    points,
  };
}

export const FEATURES_TARGET = 0.5;
const ROUNDS = 5;
const SWEEPS = 3;
