import { describe, expect, it } from "vitest";
import { SHAPE_FEATURE_COLUMNS, shapeFeatures } from "../../src/telemetry/features-shape.js";

// Issue 15: the shape features (issue 13, part 2) on paths logged exactly on the 50 ms grid, so
// the fine grid is the logged points and the 100 ms grid every other one.
const pts = (xyt: [number, number, number][]) =>
  xyt.map(([x, y, timestamp]) => ({ x, y, timestamp }));
const on50 = (xy: [number, number][]) => pts(xy.map(([x, y], i) => [x, y, i * 50]));
const round = (r: Record<string, number>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v.toFixed(6))]));

describe("shapeFeatures, hand-computed", () => {
  it("a straight stroke with steps 4, 8, 6, 10, 5 px: two speed peaks, no turn", () => {
    // Residuals |middle - midpoint of neighbours| / mean of the two steps: 2/6, 1/7, 2/8, 2.5/7.5.
    // One sub-movement: peaks at 8 and 10; the top (10) at 3/4; symmetry (|4-5| + |8-10|) / 27;
    // top / mean speed = 10 / 6.6. The 100 ms grid: x = 0, 12, 28, one residual 2 / 14.
    const f = shapeFeatures(
      on50([
        [0, 0],
        [4, 0],
        [12, 0],
        [18, 0],
        [28, 0],
        [33, 0],
      ]),
    );
    expect(round(f)).toEqual({
      shapeTurnJerk: 0,
      shapeTurnJerkAbs: 0,
      shapeResid: 0.264881,
      shapeResidMed: 0.291667,
      shapePeaks: 2,
      shapePeakPos: 0.75,
      shapePeakPosStd: 0,
      shapeSym: 0.111111,
      shapeSpeedRatio: 1.515152,
      coarseResid: 0.142857,
      coarseResidMed: 0.142857,
      coarsePeaks: 0,
      coarsePeakPosStd: 0,
      dtCv: 0,
      dtOutShare: 0,
      microShare: 0,
    });
    expect(Object.keys(f)).toEqual([...SHAPE_FEATURE_COLUMNS]);
  });

  it("a curve turning 26.6°, 36.9°, 26.6°: turn jerk over mean turn", () => {
    // Steps (10,0), (10,5), (5,10), (0,10): turns atan(1/2), atan(3/4), atan(1/2) (mean π/6);
    // turn changes 0.179853 twice: 0.179853 / (π/6 + 0.01).
    const f = shapeFeatures(
      on50([
        [0, 0],
        [10, 0],
        [20, 5],
        [25, 15],
        [25, 25],
      ]),
    );
    expect(round(f)).toMatchObject({ shapeTurnJerkAbs: 0.179853, shapeTurnJerk: 0.337058 });
  });

  it("a step under 3 px breaks the turn chain; a run under 3 moving steps is no sub-movement", () => {
    // Steps (10,0), (10,5), (2,0), (0,10), (10,0): turns at (10,0)-(10,5) and (0,10)-(10,0) only,
    // with no turn change between them (the 2 px step reset it).
    const f = shapeFeatures(
      on50([
        [0, 0],
        [10, 0],
        [20, 5],
        [22, 5],
        [22, 15],
        [32, 15],
      ]),
    );
    expect(round(f)).toMatchObject({ shapeTurnJerkAbs: 0, shapePeaks: 0, shapeSpeedRatio: 0 });
  });

  it("timing spread and micro-steps, over in-stroke intervals only", () => {
    // dts 10, 10, 20, 5 (the 255 ms gap is left out): CV 5.44862 / 11.25; median 10, and only the
    // 20 ms one is more than 50% away. Steps 1, 1, 5, 0, 1 px: three are micro (0 px is not).
    const f = shapeFeatures(
      pts([
        [0, 0, 0],
        [1, 0, 10],
        [2, 0, 20],
        [7, 0, 40],
        [7, 0, 45],
        [8, 0, 300],
      ]),
    );
    expect(round(f)).toMatchObject({ dtCv: 0.484322, dtOutShare: 0.25, microShare: 0.6 });
  });

  it("two strokes: peak positions spread across sub-movements", () => {
    // Stroke 1 peaks at its 2nd of 4 steps (1/3), stroke 2 at its 4th (1): std 1/3.
    const first: [number, number][] = [
      [0, 0],
      [5, 0],
      [15, 0],
      [20, 0],
      [24, 0],
    ];
    const second: [number, number][] = [
      [100, 0],
      [104, 0],
      [109, 0],
      [115, 0],
      [125, 0],
    ];
    const f = shapeFeatures([
      ...on50(first),
      ...on50(second).map((p) => ({ ...p, timestamp: p.timestamp + 1_000 })),
    ]);
    expect(round(f)).toMatchObject({ shapePeakPos: 0.666667, shapePeakPosStd: 0.333333 });
  });

  it("is all zeros without movement", () => {
    const zeros = Object.fromEntries(SHAPE_FEATURE_COLUMNS.map((c) => [c, 0]));
    expect(shapeFeatures([])).toEqual(zeros);
    expect(shapeFeatures(pts([[1, 1, 5]]))).toEqual(zeros);
  });
});
