import { describe, expect, it } from "vitest";
import { SHAPE_FEATURE_COLUMNS, shapeFeatures } from "../../src/telemetry/features-shape.js";

// Issue 15: the rules of the shape features (issue 13, part 2) at their edges: sub-movement
// peaks on hand-picked speed profiles, 3 px "moving" steps, the 250 ms stroke gap, timing and
// micro-step edges, and the grid's interpolation between recorded points.
const pts = (xyt: [number, number, number][]) =>
  xyt.map(([x, y, timestamp]) => ({ x, y, timestamp }));
/** A straight stroke along x on the 50 ms grid with the given step lengths (px). */
function profile(steps: number[], x0 = 0): { x: number; y: number; timestamp: number }[] {
  const out = [{ x: x0, y: 0, timestamp: 0 }];
  for (const [i, s] of steps.entries())
    out.push({ x: out[i]!.x + s, y: 0, timestamp: 50 * (i + 1) });
  return out;
}

describe("sub-movements on hand-picked speed profiles", () => {
  it.each([
    // steps, peaks, peak position (index of the first maximum / (length - 1)), top / mean
    ["rising only: the top is the last step, no peak", [4, 6, 8, 10], 0, 1, 10 / 7],
    ["falling only: no peak", [10, 8, 6, 4], 0, 0, 10 / 7],
    ["a plateau is one peak, at its first step", [4, 8, 8, 4], 1, 1 / 3, 8 / 6],
    ["exactly 3 px is moving; a run of exactly 3 steps counts", [3, 8, 3], 1, 0.5, 8 / (14 / 3)],
    ["a still step before the run is not part of it", [1, 4, 8, 5], 1, 0.5, 8 / (17 / 3)],
  ] as [string, number[], number, number, number][])("%s", (_, steps, peaks, pos, ratio) => {
    const f = shapeFeatures(profile(steps));
    expect(f.shapePeaks).toBe(peaks);
    expect(f.shapePeakPos).toBeCloseTo(pos, 12);
    expect(f.shapeSpeedRatio).toBeCloseTo(ratio, 12);
  });

  it("a run of two moving steps is no sub-movement", () => {
    const f = shapeFeatures(profile([1, 8, 9, 1]));
    expect(f.shapePeaks).toBe(0);
    expect(f.shapeSpeedRatio).toBe(0);
  });
});

describe("turns and residuals at a 3 px step", () => {
  it("a 3 px step still carries a turn (moving is >= 3 px)", () => {
    // At y = 20: steps (10,0), (3,0), (0,10). Turns 0 then 90°: one turn change of π/2.
    // Residuals: (10,20) against the midpoint (6.5,20) of its neighbours: 3.5 / 6.5; (13,20)
    // against (11.5,25): hypot(1.5, 5) / 6.5.
    const f = shapeFeatures(
      pts([
        [0, 20, 0],
        [10, 20, 50],
        [13, 20, 100],
        [13, 30, 150],
      ]),
    );
    expect(f.shapeTurnJerkAbs).toBeCloseTo(Math.PI / 2, 12);
    expect(f.shapeResid).toBeCloseTo((3.5 / 6.5 + Math.hypot(1.5, 5) / 6.5) / 2, 12);
    expect(f.shapeResidMed).toBeCloseTo((3.5 / 6.5 + Math.hypot(1.5, 5) / 6.5) / 2, 12);
  });
});

describe("strokes, timing and micro-steps at their edges", () => {
  it("a gap of exactly 250 ms keeps one stroke; 251 ms splits it", () => {
    // Steps 4, 8, 6, then 100 px over 250 ms (20 px per 50 ms), then 10, 12: one run with peaks
    // at the 8 and the first 20. Split, the first part has one peak, the second too few steps.
    const path = (gap: number) =>
      pts([
        [0, 0, 0],
        [4, 0, 50],
        [12, 0, 100],
        [18, 0, 150],
        [118, 0, 150 + gap],
        [128, 0, 200 + gap],
        [140, 0, 250 + gap],
      ]);
    expect(shapeFeatures(path(250)).shapePeaks).toBe(2);
    expect(shapeFeatures(path(251)).shapePeaks).toBe(1);
  });

  it("an interval of 250 ms is timed, one of 0 ms is not", () => {
    // dts 10, 10, 250 (dt 0 left out): median 10; only 250 is more than 50% away.
    const f = shapeFeatures(
      pts([
        [0, 0, 0],
        [5, 0, 10],
        [6, 0, 10],
        [10, 0, 20],
        [20, 0, 270],
      ]),
    );
    expect(f.dtOutShare).toBeCloseTo(1 / 3, 12);
    const m = (10 + 10 + 250) / 3;
    const sd = Math.sqrt(((10 - m) ** 2 * 2 + (250 - m) ** 2) / 3);
    expect(f.dtCv).toBeCloseTo(sd / m, 12);
  });

  it("a step of 1 px in y is micro, one of exactly 1.5 px is not", () => {
    const f = shapeFeatures(
      pts([
        [0, 5, 0],
        [0, 6, 10],
        [0, 7.5, 20],
        [0, 7.5, 30],
        [0, 8, 40],
      ]),
    );
    // Steps 1, 1.5, 0, 0.5: two micro of four.
    expect(f.microShare).toBe(0.5);
  });
});

describe("the grid interpolates between recorded points", () => {
  // A curve recorded at uneven times, so the 50 and 100 ms grids fall inside its segments.
  const corners: [number, number, number][] = [
    [0, 0, 0],
    [30, 4, 70],
    [52, 20, 110],
    [60, 45, 185],
    [48, 70, 240],
    [20, 80, 320],
    [0, 70, 390],
    [-8, 50, 430],
    [5, 30, 500],
  ];
  it("extra points on the segments, at matching times, change no grid feature", () => {
    const withThirds: [number, number, number][] = [];
    for (let i = 0; i < corners.length - 1; i++) {
      const [ax, ay, at] = corners[i]!;
      const [bx, by, bt] = corners[i + 1]!;
      withThirds.push([ax, ay, at]);
      withThirds.push([ax + (bx - ax) / 3, ay + (by - ay) / 3, at + (bt - at) / 3]);
    }
    withThirds.push(corners.at(-1)!);
    const a = shapeFeatures(pts(corners));
    const b = shapeFeatures(pts(withThirds));
    const grid = SHAPE_FEATURE_COLUMNS.filter(
      (c) => c.startsWith("shape") || c.startsWith("coarse"),
    );
    for (const c of grid) expect(b[c], c).toBeCloseTo(a[c], 9);
    // The grid points are interpolated, not the recorded corners: the turns are real.
    expect(a.shapeTurnJerkAbs).toBeGreaterThan(0);
    expect(a.shapeResid).toBeGreaterThan(0);
  });
});
