import { describe, expect, it } from "vitest";
import { FEATURE_SETS } from "../../src/telemetry/feature-set-names.js";
import { featureValue, storedPlayProof1 } from "../../src/telemetry/feature-sets.js";
import {
  extractFeatures,
  FEATURE_COLUMNS,
  roundFeature,
  type SessionInput,
} from "../../src/telemetry/features.js";
import { extractPlayProof1 } from "../../src/telemetry/features-playproof1.js";

// Golden rows for feature set `playproof-1` (issue 13, part 1). Every expected value is worked
// out by hand from PlayProof's formulas (apps/web/server/lib/features.ts and config.ts), never
// by running an extractor; the arithmetic is in the comments. Values are compared after
// roundFeature (6 significant digits), the precision every stored feature has.

type P = [x: number, y: number, t: number];
const session = (points: P[], extra: Partial<SessionInput> = {}): SessionInput => ({
  sessionId: "s",
  movements: points.map(([x, y, timestamp]) => ({ x, y, timestamp })),
  clicks: [],
  ...extra,
});
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const pstd = (v: number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));
const rounded = (row: Record<string, number>) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, roundFeature(v)]));

describe("playproof-1: hand-computed rows, all 28 columns", () => {
  it("a straight stroke that speeds up once (10 points, dt 10 ms)", () => {
    // x: 0 10 20 40 60 80 100 120 140 160, y 0, t 0..90. Steps 10 10 20 20 20 20 20 20 20 px.
    // speeds (px/10 ms * 1000): 1000 1000 2000 2000 2000 2000 2000 2000 2000
    // accel i = |v_i - v_(i-1)| / 10 * 1000, i = 1..8: 0 100000 0 0 0 0 0 0
    // jerk i = |a_i - a_(i-1)| / 10 * 1000, i = 1..7: 1e7 1e7 0 0 0 0 0 -> mean 2e7/7
    // smoothness = 1 - j/(10000 + j) = 10000/(10000 + 2e7/7) = 7/2007
    const xs = [0, 10, 20, 40, 60, 80, 100, 120, 140, 160];
    const input = session(
      xs.map((x, i) => [x, 0, i * 10]),
      {
        durationMs: 100,
        clicks: [{ x: 500, y: 500, timestamp: 95 }],
        hits: 3,
        misses: 1,
      },
    );
    expect(extractPlayProof1(input)).toEqual(
      rounded({
        durationMs: 100, // the session's own field
        totalMoves: 10,
        totalClicks: 1,
        avgSpeed: 16000 / 9, // (2*1000 + 7*2000) / 9
        maxSpeed: 2000,
        medianSpeed: 2000, // 5th of 9 sorted
        speedStd: (1000 * Math.sqrt(126)) / 27, // sqrt((2*(7000/9)^2 + 7*(2000/9)^2) / 9)
        speedP95: 2000, // rank 0.95*8 = 7.6 between two 2000s
        avgAccel: 12500, // 100000 / 8
        maxAccel: 100000,
        accelStd: 12500 * Math.sqrt(7), // sqrt((87500^2 + 7*12500^2) / 8)
        jerkStd: Math.sqrt(1e15) / 7, // sqrt((2*(5e7/7)^2 + 5*(2e7/7)^2) / 7)
        avgJerk: 2e7 / 7,
        numDirectionChanges: 0, // collinear: every turn is 0°
        directionChangeRate: 0,
        smallJitterRatio: 0, // no step under 3 px
        pathEfficiency: 1, // 160 / 160
        totalDistance: 160,
        numPausesOver200ms: 0,
        pauseTimeRatio: 0,
        avgPauseDuration: 0,
        overshootEvents: 0,
        clickAccuracy: 0.75, // 3 / (3 + 1)
        avgClickDistance: 0, // PlayProof writes 0 (ours: 500*sqrt(2) - ... to the last point)
        controlSmoothnessScore: 7 / 2007,
        curvatureVariance: 0, // PlayProof writes 0
        avgInterMoveTime: 10,
        interMoveTimeStd: 0,
      }),
    );
  });

  it("turns, a zero-length step, a pause and a repeated timestamp (10 points)", () => {
    // p: (0,0,0) (1,0,10) (2,0,20) (2,2,30) (2,2,40) (0,2,290) (10,2,300) (10,12,310)
    //    (10,12,310) (20,12,320). Steps (len, dt): (1,10) (1,10) (2,10) (0,10) (2,250) (10,10)
    //    (10,10) (0,0) (10,10).
    // speeds, the dt-0 step skipped: 100 100 200 0 8 1000 1000 1000 (8 of them)
    // accel i uses dt of movement step i+1 (t[i+1] - t[i]):
    //   i=1 dt 10 |100-100| -> 0; i=2 dt 10 |200-100|*100 -> 10000; i=3 dt 10 |0-200|*100 ->
    //   20000; i=4 dt 250 |8-0|/250*1000 -> 32; i=5 dt 10 |1000-8|*100 -> 99200; i=6 dt 10 -> 0;
    //   i=7 dt t8-t7 = 0 -> skipped (the index drifts after the skipped speed)
    // jerk i uses dt of step i+2: |10000-0|*100 = 1e6; |20000-10000|*100 = 1e6;
    //   |32-20000|/250*1000 = 79872; |99200-32|*100 = 9916800; |0-99200|*100 = 9920000
    //   mean j = 21916672 / 5 = 4383334.4; smoothness = 10000 / (10000 + 4383334.4)
    // turns at p1..p8 (0° for a zero-length step): 0 90 0 0 180 90 0 0 -> > 30°: 3, > 120°: 1
    // jitter (both steps < 3 px) at p1..p4 -> 4 / 8
    const input = session(
      [
        [0, 0, 0],
        [1, 0, 10],
        [2, 0, 20],
        [2, 2, 30],
        [2, 2, 40],
        [0, 2, 290],
        [10, 2, 300],
        [10, 12, 310],
        [10, 12, 310],
        [20, 12, 320],
      ],
      { durationMs: 400, clicks: [{ x: 20, y: 12, timestamp: 330, targetHit: true }] },
    );
    const accels = [0, 10000, 20000, 32, 99200, 0];
    const jerks = [1e6, 1e6, 79872, 9916800, 9920000];
    const dts = [10, 10, 10, 10, 250, 10, 10, 0, 10];
    expect(extractPlayProof1(input)).toEqual(
      rounded({
        durationMs: 400,
        totalMoves: 10,
        totalClicks: 1,
        avgSpeed: 426, // 3408 / 8
        maxSpeed: 1000,
        medianSpeed: 150, // sorted 0 8 100 100 200 1000 1000 1000: (100 + 200) / 2
        speedStd: pstd([100, 100, 200, 0, 8, 1000, 1000, 1000]),
        speedP95: 1000, // rank 6.65 between two 1000s
        avgAccel: 129232 / 6,
        maxAccel: 99200,
        accelStd: pstd(accels),
        jerkStd: pstd(jerks),
        avgJerk: 4383334.4,
        numDirectionChanges: 3,
        directionChangeRate: 7.5, // 3 / (400 / 1000)
        smallJitterRatio: 0.5,
        pathEfficiency: Math.sqrt(544) / 36, // |(20,12)| / (1+1+2+0+2+10+10+0+10)
        totalDistance: 36,
        numPausesOver200ms: 1,
        pauseTimeRatio: 250 / 320,
        avgPauseDuration: 250,
        overshootEvents: 1,
        clickAccuracy: 0, // no hits or misses given: PlayProof does not read targetHit
        avgClickDistance: 0,
        controlSmoothnessScore: 10000 / 4393334.4,
        curvatureVariance: 0,
        avgInterMoveTime: 320 / 9,
        interMoveTimeStd: pstd(dts),
      }),
    );
  });

  it("a pointer that never moves: jerk exists and is 0, so smoothness is 1, not 0.5", () => {
    // 10 points at (5,5), dt 10: speeds 0 (9), accels 0 (8), jerks 0 (7): j = 0 -> 1 - 0 = 1.
    // Every interior point has two steps under 3 px: jitter 8/8. Path length 0: efficiency 1.
    const row = extractPlayProof1(session(Array.from({ length: 10 }, (_, i) => [5, 5, i * 10])));
    expect(row).toMatchObject({
      controlSmoothnessScore: 1,
      smallJitterRatio: 1,
      pathEfficiency: 1,
      avgJerk: 0,
      avgSpeed: 0,
      durationMs: 90, // no durationMs field: the span of the timestamps
    });
  });

  it("no jerk at all gives 0.5: the only acceleration's step has dt 0", () => {
    // x 0..9, t 0 0 0 0 0 0 0 0 10 20: speeds only for the last two steps (100, 100); accel 1
    // would use dt t2 - t1 = 0 and is skipped, so there are no accelerations and no jerks.
    const ts = [0, 0, 0, 0, 0, 0, 0, 0, 10, 20];
    const row = extractPlayProof1(session(ts.map((t, i) => [i, 0, t])));
    expect(row).toMatchObject({
      controlSmoothnessScore: 0.5,
      avgSpeed: 100,
      speedStd: 0,
      avgAccel: 0,
      maxAccel: 0,
      smallJitterRatio: 1, // every step is 1 px
      avgInterMoveTime: roundFeature(20 / 9),
    });
  });

  it("fewer than 10 movements: PlayProof's minimal row", () => {
    // 6 points: under minMovementEvents (10), so only durationMs, the counts, efficiency 1 and
    // smoothness 0.5 are set; clickAccuracy is 0 even with hits.
    const row = extractPlayProof1(
      session(
        [
          [0, 0, 0],
          [50, 0, 10],
          [50, 50, 20],
          [0, 50, 30],
          [0, 0, 40],
          [9, 9, 50],
        ],
        { durationMs: 70, hits: 2, misses: 0, clicks: [{ x: 1, y: 1, timestamp: 60 }] },
      ),
    );
    const expected = Object.fromEntries(FEATURE_COLUMNS.map((c) => [c, 0]));
    expect(row).toEqual({
      ...expected,
      durationMs: 70,
      totalMoves: 6,
      totalClicks: 1,
      pathEfficiency: 1,
      controlSmoothnessScore: 0.5,
    });
  });

  it("keeps the recorded order: a step back in time has no speed (ours sorts first)", () => {
    // t 0 10 20 15 30 40 50 60 70 80 (x = t): the step 20 -> 15 has dt -5 and is skipped.
    const ts = [0, 10, 20, 15, 30, 40, 50, 60, 70, 80];
    const input = session(ts.map((t) => [t, 0, t]));
    // Steps with dt > 0 move 1 px/ms = 1000 px/s, except 15 -> 30 (15 px in 15 ms) also 1000.
    expect(extractPlayProof1(input).maxSpeed).toBe(1000);
    expect(extractPlayProof1(input).avgInterMoveTime).toBe(roundFeature(80 / 9));
    expect(extractFeatures(input).avgInterMoveTime).toBe(roundFeature(80 / 9));
    expect(extractPlayProof1(input).interMoveTimeStd).not.toBe(
      extractFeatures(input).interMoveTimeStd,
    );
  });
});

describe("feature sets", () => {
  it("names both sets; playproof-1 is stored sparsely next to ours and read back whole", () => {
    expect(FEATURE_SETS).toEqual(["playproof-1", "playproof-batch-1"]);
    const xs = [0, 10, 20, 40, 60, 80, 100, 120, 140, 160];
    const input = session(xs.map((x, i) => [x, 0, i * 10]));
    const ours = extractFeatures(input);
    const stored: Record<string, number> = { ...ours, ...storedPlayProof1(input, ours) };
    const pp1 = extractPlayProof1(input);
    for (const c of FEATURE_COLUMNS) {
      expect(featureValue(stored, "playproof-1", c)).toBe(pp1[c]);
      expect(featureValue(stored, "playproof-batch-1", c)).toBe(ours[c]);
    }
    // Shared definitions are not stored twice; the differing ones are.
    expect(stored).not.toHaveProperty("playproof-1:totalDistance");
    expect(stored["playproof-1:controlSmoothnessScore"]).toBe(roundFeature(7 / 2007));
  });
});
