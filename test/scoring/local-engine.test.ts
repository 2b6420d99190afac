import { describe, expect, it } from "vitest";
import { createLocalEngine, MIN_EVIDENCE_STEPS } from "../../src/scoring/local-engine.js";
import { DEFAULT_THRESHOLDS, type Thresholds } from "../../src/scoring/result.js";
import {
  EXTRA_FEATURE_COLUMNS,
  FEATURE_COLUMNS,
  type Features,
  roundFeature,
} from "../../src/telemetry/features.js";

// Issue 15: the local engine on tiny synthetic baselines, where every number can be worked out by
// hand. A model column v enters as ln(max(0, v) + 0.01), or + 0.02 for a *Share column; axes are
// centred on the median and divided by IQR / 1.349 (1 when the IQR is 0); the raw score is the mean
// distance to the 10 nearest baseline rows, calibrated on the rows' leave-one-out distances.

const now = new Date("2025-06-01T12:00:00.000Z");
const opts = (thresholds: Thresholds = DEFAULT_THRESHOLDS) => ({ thresholds, now });

/** Fires no heuristic: too few moves and grid steps for any rule, yet enough for the model. */
const quiet = (patch: Partial<Features> = {}): Features => {
  const row = Object.fromEntries(
    [...FEATURE_COLUMNS, ...EXTRA_FEATURE_COLUMNS].map((c) => [c, 0]),
  ) as Features;
  return { ...row, gridMovingSteps: 9, gridSpeedCv: 0.49, gridStraightShare: 0.48, ...patch };
};

/** 11 identical humans: every distance in the baseline is 0, so the calibration tail starts at 0. */
const flat = () =>
  createLocalEngine(
    Array.from({ length: 11 }, () => quiet()),
    "v-test",
  );

describe("createLocalEngine on identical baseline rows", () => {
  // score = log10(0.3) - (log10(0.1) - raw / ln 10) = 0.47712 + raw / ln 10 for raw > 0.
  it.each([
    ["the baseline row itself", {}, 0, 0],
    ["speed CV 0.99: ln(1 / 0.5)", { gridSpeedCv: 0.99 }, roundFeature(Math.LN2), 0.778],
    [
      "straight share 0.98: ln(1 / 0.5), the Share offset",
      { gridStraightShare: 0.98 },
      roundFeature(Math.LN2),
      0.778,
    ],
    ["speed CV 9.99: ln 20", { gridSpeedCv: 9.99 }, 2.99573, 1.778],
    ["speed CV 99.99: ln 200", { gridSpeedCv: 99.99 }, 5.29832, 2.778],
    ["a negative speed CV counts as 0: ln(0.5 / 0.01)", { gridSpeedCv: -5 }, 3.91202, 2.176],
  ])("%s", (_name, patch, rawScore, anomalyScore) => {
    const [r] = flat().scoreRows([quiet(patch)], opts());
    expect(r!.rawScore).toBe(rawScore);
    expect(r!.anomalyScore).toBe(anomalyScore);
  });

  it("returns the full result of a row", () => {
    const engine = flat();
    expect([engine.id, engine.version]).toEqual(["local-knn", "v-test"]);
    expect(engine.scoreRows([quiet({ gridSpeedCv: 9.99 }), quiet()], opts())).toEqual([
      {
        anomalyScore: 1.778,
        isAnomaly: true,
        decision: "review",
        confidence: 0.882, // 0.722 from fail: 0.5 + 0.5 * (1 - e^-1.444)
        reasons: [],
        source: "local",
        model: { id: "local-knn", version: "v-test" },
        scoredAt: "2025-06-01T12:00:00.000Z",
        rawScore: 2.99573,
      },
      {
        anomalyScore: 0,
        isAnomaly: false,
        decision: "pass",
        confidence: 0.932,
        reasons: [],
        source: "local",
        model: { id: "local-knn", version: "v-test" },
        scoredAt: "2025-06-01T12:00:00.000Z",
        rawScore: 0,
      },
    ]);
  });

  it("caps the model at the middle of the review band below 8 moving grid steps", () => {
    const engine = flat();
    const score = (steps: number, t?: Thresholds) =>
      engine.scoreRows([quiet({ gridSpeedCv: 99.99, gridMovingSteps: steps })], opts(t))[0]!;
    expect(MIN_EVIDENCE_STEPS).toBe(8);
    expect(score(8)).toMatchObject({ anomalyScore: 2.778, decision: "fail" });
    expect(score(7)).toMatchObject({ anomalyScore: 1.75, decision: "review" }); // (1 + 2.5) / 2
    expect(score(7, { review: 1, fail: 2 }).anomalyScore).toBe(1.5);
    expect(score(7, { review: 2, fail: 4 }).anomalyScore).toBe(2.778); // under the cap of 3
  });

  it("takes the heuristics' score when it is higher, and always their reasons", () => {
    const engine = flat();
    const [lone] = engine.scoreRows([quiet({ totalMoves: 0, totalClicks: 1 })], opts());
    expect(lone).toMatchObject({ anomalyScore: 1.5, decision: "review", reasons: ["no-movement"] });
    const [both] = engine.scoreRows(
      [quiet({ totalMoves: 0, totalClicks: 1, gridSpeedCv: 99.99 })],
      opts(),
    );
    expect(both).toMatchObject({ anomalyScore: 2.778, reasons: ["no-movement"] });
  });

  it("needs more than K = 10 baseline rows", () => {
    expect(() =>
      createLocalEngine(
        Array.from({ length: 10 }, () => quiet()),
        "v",
      ),
    ).toThrow("the human baseline needs more than 10 rows");
  });
});

describe("createLocalEngine scales by the median and IQR", () => {
  // Speed CVs whose transform is 0, 1, ..., 10: centre 5 (the median), IQR 7 - 2 = 5, so one axis
  // unit is 5 / 1.349 = 3.70645 transformed units. With K = 10 of 11 rows, row i's leave-one-out
  // distance is the mean |i - j| over the other 10: 5.5, 4.6, 3.9, 3.4, 3.1, 3.0, 3.1, ... 5.5
  // (over 3.70645): the calibration tail starts at the 10th of 11, 5.5, with no excess (mean 1).
  const spread = () =>
    createLocalEngine(
      [3, 9, 0, 6, 1, 10, 4, 7, 2, 8, 5].map((i) => quiet({ gridSpeedCv: Math.exp(i) - 0.01 })),
      "v",
    );

  it.each([
    // transform t, raw = (mean of the 10 smallest |t - i|) / 3.70645, anomalyScore
    [5, 0.6745, 0], // 25 / 10 * 1.349 / 5: inside the body, every human is as far
    [10, 1.2141, 0], // 45 / 10 * 1.349 / 5: 4 of 11 humans as far (4.6, 4.6, 5.5, 5.5)
    [10.5, 1.349, 0.217], // 50 / 10 * 1.349 / 5: 2 of 11 humans at least as far: log10(0.3 / (2 / 11))
    [20, 3.9121, 1.532], // past the tail start 1.4839: 0.47712 + (3.9121 - 1.4839) / ln 10
  ])("transformed speed CV %d", (t, rawScore, anomalyScore) => {
    const [r] = spread().scoreRows([quiet({ gridSpeedCv: Math.exp(t) - 0.01 })], opts());
    expect(r!.rawScore).toBe(rawScore);
    expect(r!.anomalyScore).toBe(anomalyScore);
  });
});
