import { describe, expect, it } from "vitest";
import type { BoostedTrees } from "../../src/scoring/boosted-trees.js";
import {
  BOT_MODEL_REASON,
  botModelScore,
  createLocalEngine,
} from "../../src/scoring/local-engine.js";
import { DEFAULT_THRESHOLDS } from "../../src/scoring/result.js";
import {
  EXTRA_FEATURE_COLUMNS,
  FEATURE_COLUMNS,
  type Features,
  SHAPE_FEATURE_COLUMNS,
} from "../../src/telemetry/features.js";

// Issue 13, part 2: the supervised layer on top of the kNN. A one-leaf "model" on shapePeaks
// gives a known log-odds: -2 below 1.5 peaks per sub-movement, `high` above.
const opts = { thresholds: DEFAULT_THRESHOLDS, now: new Date(0) };
const row = (patch: Partial<Features> = {}): Features => ({
  ...(Object.fromEntries(
    [...FEATURE_COLUMNS, ...EXTRA_FEATURE_COLUMNS, ...SHAPE_FEATURE_COLUMNS].map((c) => [c, 0]),
  ) as Features),
  gridMovingSteps: 9,
  ...patch,
});
const model = (high: number): BoostedTrees => ({
  columns: ["shapePeaks"],
  base: 0,
  trees: [{ f: 0, thr: 1.5, l: { v: -2 }, r: { v: high } }],
});
const engine = (high: number) =>
  createLocalEngine(
    Array.from({ length: 11 }, () => row()),
    "v",
    { botModel: model(high) },
  );

describe("botModelScore", () => {
  it.each([
    [-3, 0],
    [-2, 0],
    [-1, 0.5],
    [0, 1],
    [3, 2.5],
    [1.23456, 1.617],
  ])("log-odds %d -> %d", (logit, score) => {
    expect(botModelScore(logit)).toBe(score);
  });
});

describe("the local engine with a bot model", () => {
  it.each([
    ["1 peak: log-odds -2, the kNN's 0 stands", 1, 0, 0, "pass", []],
    ["2 peaks, log-odds 0: review, said so", 2, 0, 1, "review", [BOT_MODEL_REASON]],
    ["2 peaks, log-odds 1: 1.5", 2, 1, 1.5, "review", [BOT_MODEL_REASON]],
    ["2 peaks, log-odds 4: fail", 2, 4, 3, "fail", [BOT_MODEL_REASON]],
  ] as const)("%s", (_name, peaks, high, score, decision, reasons) => {
    const [r] = engine(high).scoreRows([row({ shapePeaks: peaks })], opts);
    expect([r!.anomalyScore, r!.decision, r!.reasons]).toEqual([score, decision, reasons]);
  });

  it("caps the bot model like the kNN when there is too little movement (< 8 grid steps)", () => {
    const [r] = engine(4).scoreRows([row({ shapePeaks: 2, gridMovingSteps: 7 })], opts);
    expect([r!.anomalyScore, r!.decision]).toEqual([1.75, "review"]);
  });

  it("judges a row queued before the shape columns existed by the kNN alone", () => {
    const old = row({ shapePeaks: 2 }) as Partial<Features>;
    delete old.shapePeaks;
    const [r] = engine(4).scoreRows([old as Features], opts);
    expect([r!.anomalyScore, r!.decision, r!.reasons]).toEqual([0, "pass", []]);
  });
});
