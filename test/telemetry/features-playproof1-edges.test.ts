import { describe, expect, it } from "vitest";
import { roundFeature, type SessionInput } from "../../src/telemetry/features.js";
import { extractPlayProof1 } from "../../src/telemetry/features-playproof1.js";

// Issue 15: playproof-1 (issue 13, part 1) at the edges of its rules, worked out by hand:
// order statistics on distinct speeds, the 10-movement floor, the 200 ms pause, the 3 px
// jitter, the 0.001 ms step, zero durations and click accuracy.
type P = [x: number, y: number, t: number];
const session = (points: P[], extra: Partial<SessionInput> = {}): SessionInput => ({
  sessionId: "e",
  movements: points.map(([x, y, timestamp]) => ({ x, y, timestamp })),
  clicks: [],
  ...extra,
});
/** A stroke along x with the given step lengths, every step `dt` ms. */
function stroke(steps: number[], dt = 10): P[] {
  const out: P[] = [[0, 0, 0]];
  for (const [i, s] of steps.entries()) out.push([out[i]![0] + s, 0, dt * (i + 1)]);
  return out;
}

describe("playproof-1 edges", () => {
  it("order statistics of nine distinct speeds, given shuffled", () => {
    // Speeds 500 900 100 700 300 800 200 600 400 px/s: sorted numerically (not as text), median
    // the 5th (500), p95 at rank 7.6: 800 + 0.6 x 100 = 860; std 100 sqrt(60 / 9).
    const row = extractPlayProof1(session(stroke([5, 9, 1, 7, 3, 8, 2, 6, 4])));
    expect(row).toMatchObject({
      avgSpeed: 500,
      maxSpeed: 900,
      medianSpeed: 500,
      speedP95: 860,
      speedStd: roundFeature(100 * Math.sqrt(60 / 9)),
      totalDistance: 45,
      durationMs: 90,
    });
  });

  it("ten distinct speeds: median of the middle two, p95 at rank 8.55; the first the largest", () => {
    // Speeds 1000 100 200 ... 900 (steps 10, 1..9 px): sorted 100..1000; median (500 + 600) / 2;
    // rank 0.95 x 9 = 8.55: 900 + 0.55 x 100 = 955; max 1000 though it comes first.
    const row = extractPlayProof1(session(stroke([10, 1, 2, 3, 4, 5, 6, 7, 8, 9])));
    expect(row).toMatchObject({ medianSpeed: 550, speedP95: 955, maxSpeed: 1000, avgSpeed: 550 });
  });

  it("nine movements give the minimal row, ten the full one", () => {
    const nine = extractPlayProof1(session(stroke([5, 5, 5, 5, 5, 5, 5, 5])));
    expect(nine).toMatchObject({ totalMoves: 9, avgSpeed: 0, totalDistance: 0, pathEfficiency: 1 });
    const ten = extractPlayProof1(session(stroke([5, 5, 5, 5, 5, 5, 5, 5, 5])));
    expect(ten).toMatchObject({ totalMoves: 10, avgSpeed: 500, totalDistance: 45 });
  });

  it("a 200 ms interval is no pause, 201 ms is; both steps under 3 px make jitter, 3 px does not", () => {
    // Steps (px, ms): 3 10, 2 10, 2.5 200, 5 201, 1 10, 1 10, 3 10, 1 10, 1 10.
    const pts: P[] = [
      [0, 0, 0],
      [3, 0, 10],
      [5, 0, 20],
      [7.5, 0, 220],
      [12.5, 0, 421],
      [13.5, 0, 431],
      [14.5, 0, 441],
      [17.5, 0, 451],
      [18.5, 0, 461],
      [19.5, 0, 471],
    ];
    // Shifted by 1 s: the pause share is over last - first (471 ms), not over the last time.
    const row = extractPlayProof1(
      session(
        pts.map(([x, y, t]) => [x, y, t + 1000]),
        { durationMs: 500 },
      ),
    );
    // Interior points with both steps < 3: p2 (2, 2.5), p5 (1, 1), p8 (1, 1): 3 / 8.
    expect(row).toMatchObject({
      numPausesOver200ms: 1,
      avgPauseDuration: 201,
      pauseTimeRatio: roundFeature(201 / 471),
      smallJitterRatio: 0.375,
    });
  });

  it("a step of 0.001 ms has a speed, a shorter one none", () => {
    // Ten points 1 px apart, 10 ms apart, but the first step takes 0.001 ms (1e6 px/s) or
    // 0.0009 ms (skipped).
    const at = (d: number): P[] =>
      Array.from({ length: 10 }, (_, i) => [i, 0, i === 0 ? 0 : d + 10 * (i - 1)]);
    expect(extractPlayProof1(session(at(0.001))).maxSpeed).toBe(1_000_000);
    expect(extractPlayProof1(session(at(0.0009))).maxSpeed).toBe(100);
  });

  it("steps of exactly 0.001 ms carry accelerations and jerks", () => {
    // t -0.001 0 0.001 0.002 (steps of 0.001 ms, exact in binary), then 10 ms steps; x steps 1 2 3,
    // then 1 px. Speeds 1e6 2e6 3e6, then 100 (x6). Accelerations (step i+1's dt): 1e6 / 0.001
    // x 1000 = 1e12 twice, |100 - 3e6| / 10 x 1000 = 2.9999e8, then 0 (x5): mean (2e12 + 2.9999e8) / 8.
    // Jerks (step i+2's dt): 0, (1e12 - 2.9999e8) x 100, 2.9999e8 x 100, then 0 (x4): 1e14 / 7.
    const xs = [0, 1, 3, 6, 7, 8, 9, 10, 11, 12];
    const ts = [-0.001, 0, 0.001, 0.002, 10.002, 20.002, 30.002, 40.002, 50.002, 60.002];
    const row = extractPlayProof1(session(xs.map((x, i) => [x, 0, ts[i]!])));
    expect(row).toMatchObject({
      maxSpeed: 3_000_000,
      maxAccel: 1e12,
      avgAccel: roundFeature((2e12 + 2.9999e8) / 8),
      avgJerk: roundFeature(1e14 / 7),
    });
  });

  it("no speed at all: order statistics are 0", () => {
    // Ten points at one time: every step has dt 0.
    const row = extractPlayProof1(session(Array.from({ length: 10 }, (_, i) => [i, 0, 5])));
    expect(row).toMatchObject({
      medianSpeed: 0,
      speedP95: 0,
      maxSpeed: 0,
      avgSpeed: 0,
      speedStd: 0,
    });
  });

  it("two speeds have a standard deviation", () => {
    // As the no-jerk row, but the last step is 2 px: speeds 100 and 200, population std 50.
    const ts = [0, 0, 0, 0, 0, 0, 0, 0, 10, 20];
    const xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10];
    const row = extractPlayProof1(session(xs.map((x, i) => [x, 0, ts[i]!])));
    expect(row).toMatchObject({ speedStd: 50, avgSpeed: 150, medianSpeed: 150, speedP95: 195 });
  });

  it("a 45° turn is a direction change, a 0° one is not", () => {
    // Steps (10,0) then (10,10): cos 100 / (10 x 14.14) = 0.7071, 45°.
    const pts: P[] = [
      [0, 0, 0],
      [10, 0, 10],
      [20, 10, 20],
      [30, 20, 30],
      [40, 30, 40],
      [50, 40, 50],
      [60, 50, 60],
      [70, 60, 70],
      [80, 70, 80],
      [90, 80, 90],
    ];
    expect(extractPlayProof1(session(pts))).toMatchObject({
      numDirectionChanges: 1,
      overshootEvents: 0,
    });
  });

  it("a session of 0 ms: no direction-change rate, smoothness 0.5", () => {
    // The square path turns 90° at each corner; durationMs given as 0.
    const pts: P[] = [
      [0, 0, 0],
      [10, 0, 10],
      [20, 0, 20],
      [20, 10, 30],
      [20, 20, 40],
      [10, 20, 50],
      [0, 20, 60],
      [0, 10, 70],
      [0, 0, 80],
      [10, 0, 90],
    ];
    const zero = extractPlayProof1(session(pts, { durationMs: 0 }));
    expect(zero).toMatchObject({
      numDirectionChanges: 4,
      directionChangeRate: 0,
      controlSmoothnessScore: 0.5,
      durationMs: 0,
    });
    const timed = extractPlayProof1(session(pts, { durationMs: 2000 }));
    expect(timed.directionChangeRate).toBe(2);
    expect(timed.controlSmoothnessScore).not.toBe(0.5);
  });

  it("pauses in a path that ends where it started in time are not timed", () => {
    // t 0 300 ... 0: one 300 ms pause, but last - first = 0 ms.
    const pts: P[] = [
      [0, 0, 0],
      [5, 0, 300],
      [10, 0, 50],
      [15, 0, 60],
      [20, 0, 70],
      [25, 0, 80],
      [30, 0, 90],
      [35, 0, 100],
      [40, 0, 110],
      [45, 0, 0],
    ];
    const row = extractPlayProof1(session(pts));
    expect(row).toMatchObject({
      numPausesOver200ms: 1,
      pauseTimeRatio: 0,
      avgPauseDuration: 0,
      // No durationMs: the span of the timestamps, 0..300, in whatever order they come.
      durationMs: 300,
    });
  });

  it("click accuracy is hits over hits and misses", () => {
    const pts = stroke([5, 5, 5, 5, 5, 5, 5, 5, 5]);
    expect(extractPlayProof1(session(pts, { hits: 1 })).clickAccuracy).toBe(1);
    expect(extractPlayProof1(session(pts, { misses: 2 })).clickAccuracy).toBe(0);
    expect(extractPlayProof1(session(pts, { hits: 1, misses: 2 })).clickAccuracy).toBe(
      roundFeature(1 / 3),
    );
  });

  it("an empty session spans 0 ms", () => {
    expect(extractPlayProof1(session([]))).toMatchObject({ durationMs: 0, totalMoves: 0 });
    expect(extractPlayProof1(session([[3, 3, 42]]))).toMatchObject({ durationMs: 0 });
  });
});
