// The supervised layer of the local engine (issue 13, part 2), trained by build-baseline.mjs:
// baseline humans (as recorded and through every sampling variant eval.mjs and the device
// quirks use) against dev-seed generated bots. Never the hold-out seeds, never a dev-set bot file,
// so `npm run eval` judges it out of sample on both.
import { trainTrees } from "../dist/scoring/boosted-trees.js";
import { hashString } from "../dist/scoring/random.js";
import { resampleSession } from "../dist/scoring/resample.js";
import { extractFeatures } from "../dist/telemetry/features.js";
import { VARIANTS } from "./eval-variants.mjs";
import { generateBots } from "./generators/families.mjs";
import { DEVICE_QUIRKS } from "./generators/quirks.mjs";

/** Shape and timing columns only: no speeds in px/s, click counts, pauses or durations. */
export const BOT_MODEL_COLUMNS = [
  "gridSpeedCv",
  "gridTurnMean",
  "gridStraightShare",
  "gridSpeedJerk",
  "gridTurnFlipShare",
  "gridTurnP90",
  "gridAccelShare",
  "dtJitter",
  "shapeTurnJerk",
  "shapeTurnJerkAbs",
  "shapeResid",
  "shapeResidMed",
  "shapePeaks",
  "shapePeakPosStd",
  "shapePeakPos",
  "shapeSym",
  "shapeSpeedRatio",
  "coarseResid",
  "coarseResidMed",
  "coarsePeaks",
  "coarsePeakPosStd",
  "dtCv",
  "dtOutShare",
  "microShare",
  "pathEfficiency",
];
export const BOT_MODEL_TRAINING = {
  botsPerFamily: 500,
  split: "dev",
  trees: 200,
  depth: 3,
  learningRate: 0.1,
  minLeaf: 20,
  lambda: 1,
};

export function trainBotModel(humans) {
  const t = BOT_MODEL_TRAINING;
  const X = [];
  const y = [];
  const add = (s, label) => {
    const f = extractFeatures(s);
    X.push(BOT_MODEL_COLUMNS.map((c) => f[c]));
    y.push(label);
  };
  const variants = Object.entries({ ...VARIANTS, ...DEVICE_QUIRKS });
  for (const s of humans) {
    add(s, 0);
    for (const [name, opts] of variants) {
      // Seeds unlike eval.mjs's (i + 1): a baseline human is never re-recorded as eval does.
      add(resampleSession(s, { ...opts, seed: hashString(`train:${name}:${s.sessionId}`) }), 0);
    }
  }
  const humanRows = X.length;
  for (const family of generateBots(t.split, t.botsPerFamily)) {
    for (const s of family.sessions) add(s, 1);
  }
  const botRows = X.length - humanRows;
  // Both classes weigh the same in total.
  const w = y.map((label) => (label === 1 ? humanRows / botRows : 1));
  const model = trainTrees(BOT_MODEL_COLUMNS, X, y, w, t);
  return { model, training: { ...t, humanRows, botRows, variants: variants.map(([n]) => n) } };
}
