import { describe, expect, it } from "vitest";
import {
  EXTRA_FEATURE_COLUMNS,
  extractFeatures,
  FEATURE_COLUMNS,
  featureCategories,
  roundFeature,
  type SessionInput,
  SHAPE_FEATURE_COLUMNS,
} from "../../src/telemetry/features.js";

type P = [x: number, y: number, t: number];
const session = (points: P[], extra: Partial<SessionInput> = {}): SessionInput => ({
  sessionId: "s",
  movements: points.map(([x, y, timestamp]) => ({ x, y, timestamp })),
  clicks: [],
  ...extra,
});

describe("extractFeatures: hand-computed rows", () => {
  const cases: { name: string; input: SessionInput; expected: Record<string, number> }[] = [
    {
      name: "3 points on a line at 500 px/s",
      input: session([
        [0, 0, 0],
        [3, 4, 10],
        [6, 8, 20],
      ]),
      expected: {
        durationMs: 20,
        totalMoves: 3,
        avgSpeed: 500,
        maxSpeed: 500,
        medianSpeed: 500,
        speedStd: 0,
        avgAccel: 0,
        totalDistance: 10,
        pathEfficiency: 1,
        numDirectionChanges: 0,
        curvatureVariance: 0,
        avgInterMoveTime: 10,
        interMoveTimeStd: 0,
        smallJitterRatio: 0,
        controlSmoothnessScore: 0.5,
      },
    },
    {
      name: "accelerating from 1000 to 2000 px/s",
      input: session([
        [0, 0, 0],
        [10, 0, 10],
        [30, 0, 20],
      ]),
      expected: {
        avgSpeed: 1500,
        medianSpeed: 1500,
        speedStd: 500,
        speedP95: 1950,
        maxSpeed: 2000,
        avgAccel: 100_000,
        maxAccel: 100_000,
        accelStd: 0,
      },
    },
    {
      name: "equal timestamps carry distance but no speed",
      input: session([
        [0, 0, 0],
        [5, 0, 0],
        [10, 0, 10],
      ]),
      expected: { avgSpeed: 500, maxSpeed: 500, totalDistance: 10, avgInterMoveTime: 5 },
    },
    {
      name: "a 300 ms rest between two 1 px steps",
      input: session([
        [0, 0, 0],
        [1, 0, 300],
        [2, 0, 310],
      ]),
      expected: {
        numPausesOver200ms: 1,
        avgPauseDuration: 300,
        pauseTimeRatio: roundFeature(300 / 310),
        smallJitterRatio: 1,
      },
    },
    {
      name: "a right-angle turn over a declared 1 s session",
      input: session(
        [
          [0, 0, 0],
          [10, 0, 10],
          [10, 10, 20],
        ],
        { durationMs: 1000 },
      ),
      expected: { numDirectionChanges: 1, directionChangeRate: 1, overshootEvents: 0 },
    },
    {
      name: "a reversal is an overshoot and has zero efficiency",
      input: session([
        [0, 0, 0],
        [10, 0, 10],
        [0, 0, 20],
      ]),
      expected: { overshootEvents: 1, numDirectionChanges: 1, pathEfficiency: 0 },
    },
    {
      name: "clicks 5 px from the last reported pointer position",
      input: session(
        [
          [0, 0, 0],
          [10, 0, 10],
        ],
        {
          clicks: [
            { x: 3, y: 4, timestamp: 5 },
            { x: 13, y: 4, timestamp: 15 },
          ],
        },
      ),
      expected: { totalClicks: 2, avgClickDistance: 5 },
    },
    {
      name: "hits and misses give the accuracy",
      input: session([], { hits: 3, misses: 1 }),
      expected: { clickAccuracy: 0.75 },
    },
    {
      name: "targetHit flags give the accuracy when counts are absent",
      input: session([], {
        clicks: [
          { x: 0, y: 0, timestamp: 1, targetHit: true },
          { x: 0, y: 0, timestamp: 2, targetHit: false },
        ],
      }),
      expected: { clickAccuracy: 0.5 },
    },
    {
      name: "no points at all",
      input: session([]),
      expected: {
        totalMoves: 0,
        avgSpeed: 0,
        pathEfficiency: 1,
        controlSmoothnessScore: 0.5,
        durationMs: 0,
      },
    },
    {
      name: "one point",
      input: session([[5, 5, 100]]),
      expected: { totalMoves: 1, avgSpeed: 0, totalDistance: 0, pathEfficiency: 1 },
    },
    {
      name: "two points that never move",
      input: session([
        [5, 5, 0],
        [5, 5, 16],
      ]),
      expected: { avgSpeed: 0, totalDistance: 0, pathEfficiency: 1, avgInterMoveTime: 16 },
    },
  ];

  it.each(cases)("$name", ({ input, expected }) => {
    const f = extractFeatures(input);
    for (const [key, value] of Object.entries(expected)) {
      expect([key, f[key as keyof typeof f]]).toEqual([key, value]);
    }
  });
});

describe("extractFeatures: robustness", () => {
  it("sorts out-of-order timestamps instead of rejecting them", () => {
    const ordered = session([
      [0, 0, 0],
      [3, 4, 10],
      [6, 8, 20],
      [6, 20, 40],
    ]);
    const shuffled = session([
      [6, 8, 20],
      [0, 0, 0],
      [6, 20, 40],
      [3, 4, 10],
    ]);
    expect(extractFeatures(shuffled)).toEqual(extractFeatures(ordered));
  });

  it("keeps every column finite on degenerate input", () => {
    const inputs = [
      session([]),
      session([[1, 1, 5]]),
      session([
        [0, 0, 7],
        [1e6, 1e6, 7],
        [0, 0, 7],
      ]),
      session([
        [0, 0, 0],
        [1e300, -1e300, 1e-9],
      ]),
    ];
    for (const input of inputs) {
      const f = extractFeatures(input);
      expect(Object.keys(f)).toEqual([
        ...FEATURE_COLUMNS,
        ...EXTRA_FEATURE_COLUMNS,
        ...SHAPE_FEATURE_COLUMNS,
      ]);
      for (const v of Object.values(f)) expect(Number.isFinite(v)).toBe(true);
    }
  });

  it("is deterministic", () => {
    const input = session([
      [0, 0, 0],
      [4, 1, 16],
      [9, 5, 33],
      [15, 6, 49],
      [18, 2, 66],
    ]);
    expect(extractFeatures(input)).toEqual(extractFeatures(structuredClone(input)));
  });
});

describe("grid features", () => {
  it("a straight line at constant speed is perfectly regular", () => {
    const points: P[] = [];
    for (let i = 0; i < 125; i++) points.push([i * 8, i * 6, i * 16]); // 625 px/s for 2 s
    const f = extractFeatures(session(points));
    expect(f.gridSpeedCv).toBe(0);
    expect(f.gridStraightShare).toBe(1);
    expect(f.gridTurnMean).toBe(0);
    expect(f.gridAccelShare).toBe(0);
    expect(f.dtJitter).toBe(0);
    expect(f.gridMovingSteps).toBe(19);
  });

  it("give nearly the same values at 8 ms and 100 ms sampling", () => {
    const gesture = (dt: number): P[] => {
      const out: P[] = [];
      for (let t = 0; t <= 3000; t += dt) {
        const s = t / 1000;
        out.push([300 * s + 40 * Math.sin(5 * s), 200 * Math.sin(2 * s) + 30 * Math.sin(9 * s), t]);
      }
      return out;
    };
    const fine = extractFeatures(session(gesture(8)));
    const coarse = extractFeatures(session(gesture(100)));
    for (const key of ["gridSpeedCv", "gridTurnMean", "gridSpeedJerk", "gridAccelShare"] as const) {
      expect(Math.abs(fine[key] - coarse[key])).toBeLessThan(0.1 * Math.max(0.1, fine[key]));
    }
  });
});

describe("roundFeature and featureCategories", () => {
  it.each([
    [1 / 3, 0.333333],
    [123456789, 123457000],
    [Number.NaN, 0],
    [Number.POSITIVE_INFINITY, Number.MAX_VALUE],
    [-0, 0],
  ])("roundFeature(%d) = %d", (x, expected) => {
    expect(Object.is(roundFeature(x), expected)).toBe(true);
  });

  it("defaults missing categories to unknown", () => {
    expect(featureCategories(session([]))).toEqual({ gameType: "unknown", deviceType: "unknown" });
    expect(featureCategories(session([], { gameType: "bubble-pop", deviceType: "touch" }))).toEqual(
      {
        gameType: "bubble-pop",
        deviceType: "touch",
      },
    );
  });
});

// Issue 15: the columns whose rules no row above pinned down.
describe("extractFeatures: more hand-computed rows", () => {
  it.each([
    [
      "a slowing-down trajectory: jerk 8e6 px/s³ gives smoothness 1 / (1 + 8e6 / 2e6)",
      session([
        [0, 0, 0],
        [40, 0, 10],
        [60, 0, 20],
        [70, 0, 40],
      ]),
      {
        avgSpeed: 2166.67,
        maxSpeed: 4000,
        medianSpeed: 2000,
        speedP95: 3800,
        avgAccel: 150_000,
        maxAccel: 200_000,
        accelStd: 50_000,
        avgJerk: 8_000_000,
        jerkStd: 0,
        controlSmoothnessScore: 0.2,
      },
    ],
    [
      "a 3-4-5 detour: efficiency 6 / 10",
      session([
        [0, 0, 0],
        [3, 4, 10],
        [6, 0, 20],
      ]),
      { pathEfficiency: 0.6, totalDistance: 10 },
    ],
    [
      "pauses of 200 ms (not a pause), 300 and 500 ms, from t = 1000",
      session([
        [0, 0, 1000],
        [1, 0, 1200],
        [2, 0, 1500],
        [3, 0, 2000],
      ]),
      { numPausesOver200ms: 2, avgPauseDuration: 400, pauseTimeRatio: 0.8, durationMs: 1000 },
    ],
    [
      "micro-steps 1, 3, 1, 1, 2, 1 px: only the 1-1 pair is jitter (2 px is not)",
      session([0, 1, 4, 5, 6, 8, 9].map((x, i): P => [x, 0, i * 10])),
      { smallJitterRatio: 0.2 },
    ],
    [
      "durationMs from the first and last of moves and clicks when not declared",
      session(
        [
          [0, 0, 30],
          [1, 0, 40],
        ],
        {
          clicks: [
            { x: 0, y: 0, timestamp: 20 },
            { x: 0, y: 0, timestamp: 35 },
            { x: 0, y: 0, timestamp: 38 },
          ],
        },
      ),
      { durationMs: 20 },
    ],
    [
      "durationMs from clicks alone: first 5, last 20",
      session([], {
        clicks: [
          { x: 0, y: 0, timestamp: 7 },
          { x: 0, y: 0, timestamp: 20 },
          { x: 0, y: 0, timestamp: 5 },
        ],
      }),
      { durationMs: 15 },
    ],
    [
      "a click at a move's own timestamp measures from that move",
      session(
        [
          [0, 0, 0],
          [10, 0, 10],
        ],
        { clicks: [{ x: 10, y: 0, timestamp: 10 }] },
      ),
      { avgClickDistance: 0 },
    ],
    [
      "1 hit and 1 miss: 0.5, whatever the clicks say",
      session([], { hits: 1, misses: 1, clicks: [{ x: 0, y: 0, timestamp: 1 }] }),
      { clickAccuracy: 0.5 },
    ],
    [
      "clicks without a targetHit flag are left out of the accuracy",
      session([], {
        clicks: [
          { x: 0, y: 0, timestamp: 1, targetHit: true },
          { x: 0, y: 0, timestamp: 2 },
          { x: 0, y: 0, timestamp: 3, targetHit: false },
        ],
      }),
      { clickAccuracy: 0.5 },
    ],
  ] as [string, SessionInput, Record<string, number>][])("%s", (_name, input, expected) => {
    const f = extractFeatures(input);
    for (const [key, value] of Object.entries(expected)) {
      expect([key, f[key as keyof typeof f]]).toEqual([key, value]);
    }
  });

  it("rounds -Infinity to the most negative finite number", () => {
    expect(roundFeature(Number.NEGATIVE_INFINITY)).toBe(-Number.MAX_VALUE);
  });
});

describe("extractFeatures reuses its buffers (issue 10)", () => {
  // A curved walk of n points from time t0, 40 ms apart, with a pause that starts a new stroke.
  const walk = (n: number, t0: number): SessionInput =>
    session(
      Array.from({ length: n }, (_, i): P => {
        const t = t0 + 40 * i + (i > n / 2 ? 400 : 0);
        return [200 + 90 * Math.sin(i / 5) + (i % 3), 150 + 60 * Math.cos(i / 7) + (i % 2), t];
      }),
    );

  it("gives a session the same features whatever was extracted before it", () => {
    const short = walk(12, 1_000_000);
    // After a longer session with later timestamps, then with earlier ones: what stays in the
    // buffers past the short session's points differs, and must not be read.
    extractFeatures(walk(400, 5_000_000));
    const afterLate = extractFeatures(short);
    extractFeatures(walk(400, 0));
    const afterEarly = extractFeatures(short);
    expect(afterEarly).toEqual(afterLate);
    expect(afterLate.gridMovingSteps).toBeGreaterThan(0);
    expect(afterLate.coarseResid).toBeGreaterThan(0);
  });
});

describe("extractFeatures on times past 2^59 ms (issue 10: the time grid never ended)", () => {
  it("returns for a stroke that crosses 2^59 ms, where adding 50 ms no longer moves a time", () => {
    const T = 2 ** 59;
    const f = extractFeatures(
      session([
        [0, 0, T - 256],
        [5, 2.5, T - 128],
        [9, 4.5, T],
        [14, 7, T + 128],
        [20, 10, T + 256],
      ]),
    );
    // The grid goes up to 2^59 in steps of 64 ms (50 rounded), then stops.
    expect([f.totalMoves, f.durationMs, f.gridMovingSteps, f.coarseResid]).toEqual([
      5, 512, 4, 0.104377,
    ]);
    expect(Object.values(f).every(Number.isFinite)).toBe(true);
  });

  it("returns for points that all share one time of 1e20 ms", () => {
    const f = extractFeatures(
      session([
        [0, 0, 1e20],
        [5, 5, 1e20],
        [9, 7, 1e20],
      ]),
    );
    expect([f.totalMoves, f.durationMs, f.gridMovingSteps, f.totalDistance]).toEqual([
      3,
      0,
      0,
      11.5432, // 5√2 + √20
    ]);
  });
});
