import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/scoring/random.js";
import {
  type SampledGrid,
  sampledGrid,
  sampleGrid,
  sampleGridPair,
} from "../../src/telemetry/grid-sampling.js";
import { type PointColumns, pointColumns } from "../../src/telemetry/point-columns.js";

/** A grid's points, steps and stroke starts as plain arrays (the buffers are reused). */
function copy(g: SampledGrid) {
  // Only the steps inside a stroke are defined (a stroke's last slot is never read).
  const steps: number[] = [];
  for (let k = 0; k + 1 < g.first.n; k++) {
    for (let i = g.first.data[k]!; i + 1 < g.first.data[k + 1]!; i++) steps.push(g.steps.data[i]!);
  }
  return {
    x: Array.from(g.x.data.subarray(0, g.x.n)),
    y: Array.from(g.y.data.subarray(0, g.y.n)),
    steps,
    first: Array.from(g.first.data.subarray(0, g.first.n)),
  };
}

/** A random walk with gaps (several strokes), its times from `time(k, t)`. */
function path(rand: () => number, n: number, time: (t: number) => number) {
  let x = 100;
  let y = 100;
  let t = 0;
  const points = [];
  for (let k = 0; k < n; k++) {
    points.push({ x, y, timestamp: time(t) });
    x += Math.round((rand() - 0.45) * 1400) / 100;
    y += (rand() - 0.5) * 10;
    t += rand() < 0.05 ? 251 + rand() * 400 : 4 + rand() * 40;
  }
  return points;
}

const columns = (points: { x: number; y: number; timestamp: number }[]): PointColumns => {
  const c = pointColumns(points);
  return { ...c, x: c.x.slice(), y: c.y.slice(), t: c.t.slice() };
};

// Issue 10: the 50 and 100 ms grids are sampled together; the 100 ms one must be what sampling
// it on its own gives, to the bit, whether its points are taken from the 50 ms grid (whole
// timestamps) or sampled again (any other timestamps).
describe("sampleGridPair (issue 10)", () => {
  const kinds: [string, (t: number) => number, boolean][] = [
    ["whole milliseconds", (t) => Math.round(t), true],
    ["fractional milliseconds", (t) => t, false],
    ["whole, past 2^52", (t) => 2 ** 52 + 2 * Math.round(t), false],
    ["whole, just below 2^52", (t) => 2 ** 52 - 1e6 + Math.round(t), true],
    ["whole, negative", (t) => Math.round(t) - 1e9, true],
    ["whole, from -2^52 up", (t) => -(2 ** 52) + 2 * Math.round(t), false],
    ["whole from an epoch", (t) => 1_700_000_000_000 + Math.round(t), true],
    ["quarter milliseconds", (t) => Math.round(t * 4) / 4, false],
  ];
  it.each(kinds)(
    "%s: the fine grid is sampleGrid(50), the coarse one sampleGrid(100)",
    (_, time, whole) => {
      const rand = seededRandom(1012);
      let points = 0;
      let strokes = 0;
      for (let i = 0; i < 60; i++) {
        const c = columns(path(rand, 2 + Math.floor(rand() * 400), time));
        expect(c.wholeTimes).toBe(whole);
        const fine = sampledGrid();
        const coarse = sampledGrid();
        sampleGridPair(c, 50, fine, coarse);
        const alone50 = sampledGrid();
        const alone100 = sampledGrid();
        sampleGrid(c, 50, alone50);
        sampleGrid(c, 100, alone100);
        expect(copy(fine)).toEqual(copy(alone50));
        expect(copy(coarse)).toEqual(copy(alone100));
        points += coarse.x.n;
        strokes += coarse.first.n - 1;
      }
      expect(points).toBeGreaterThan(1000);
      expect(strokes).toBeGreaterThan(100);
    },
  );

  it("a stroke shorter than the fine step, and one exactly two steps long", () => {
    const c = columns([
      { x: 0, y: 0, timestamp: 0 },
      { x: 10, y: 0, timestamp: 30 },
      { x: 20, y: 5, timestamp: 600 },
      { x: 30, y: 5, timestamp: 650 },
      { x: 50, y: 5, timestamp: 700 },
    ]);
    const fine = sampledGrid();
    const coarse = sampledGrid();
    sampleGridPair(c, 50, fine, coarse);
    expect(copy(fine)).toEqual({
      x: [0, 20, 30, 50],
      y: [0, 5, 5, 5],
      steps: [10, 20],
      first: [0, 1, 4],
    });
    expect(copy(coarse)).toEqual({ x: [0, 20, 50], y: [0, 5, 5], steps: [30], first: [0, 1, 3] });
  });
});
