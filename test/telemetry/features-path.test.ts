import { describe, expect, it } from "vitest";
import { inTimeOrder, pathSteps, turnAngles } from "../../src/telemetry/features-path.js";

// Issue 15: per-step kinematics on hand-computed paths, so a broken derivative or turn is caught
// here and not only as a shifted model score.
const pts = (xyt: [number, number, number][]) =>
  xyt.map(([x, y, timestamp]) => ({ x, y, timestamp }));
const plain = (a: Float64Array) => Array.from(a);

describe("pathSteps", () => {
  it("a slowing-down trajectory: 4000, 2000, 500 px/s, then a step with no time", () => {
    // Steps 40, 20, 10 px over 10, 10, 20 ms (midpoints 5, 15, 30 ms), then 5 px in 0 ms.
    // Accels: (2000 - 4000) / 10 ms and (500 - 2000) / 15 ms, at 10 and 22.5 ms;
    // jerk: (-100000 + 200000) / 12.5 ms.
    const s = pathSteps(
      pts([
        [0, 0, 0],
        [40, 0, 10],
        [60, 0, 20],
        [70, 0, 40],
        [70, 5, 40],
      ]),
    );
    expect(plain(s.speeds)).toEqual([4000, 2000, 500]);
    expect(plain(s.accels)).toEqual([200_000, 100_000]);
    expect(plain(s.jerks)).toEqual([8_000_000]);
    expect(plain(s.dts)).toEqual([10, 10, 20, 0]);
    expect(plain(s.lengths)).toEqual([40, 20, 10, 5]);
  });

  it("takes the jerk from signed accelerations: speed up then slow down", () => {
    // 1000, 3000, 1000 px/s: +200000 then -200000 px/s², so the jerk is 4e7, not 0.
    const s = pathSteps(
      pts([
        [0, 0, 0],
        [10, 0, 10],
        [40, 0, 20],
        [50, 0, 30],
      ]),
    );
    expect(plain(s.accels)).toEqual([200_000, 200_000]);
    expect(plain(s.jerks)).toEqual([40_000_000]);
  });

  it("has nothing to differentiate for fewer than two points", () => {
    for (const p of [pts([]), pts([[1, 2, 3]])]) {
      const s = pathSteps(p);
      expect([s.speeds, s.accels, s.jerks, s.dts, s.lengths].map((a) => a.length)).toEqual([
        0, 0, 0, 0, 0,
      ]);
    }
  });
});

describe("turnAngles", () => {
  it("signed angles between non-zero steps, skipping a step that does not move", () => {
    // Steps (10,0), (0,0) skipped, (10,10): +45°; (-10,0): +135°; (0,10): -90°.
    const a = turnAngles(
      pts([
        [0, 5, 0],
        [10, 5, 1],
        [10, 5, 2],
        [20, 15, 3],
        [10, 15, 4],
        [10, 25, 5],
      ]),
    );
    expect(plain(a)).toEqual([Math.PI / 4, (3 * Math.PI) / 4, -Math.PI / 2]);
  });

  it("needs two moving steps for one angle", () => {
    expect(plain(turnAngles(pts([[0, 0, 0]])))).toEqual([]);
    expect(
      plain(
        turnAngles(
          pts([
            [0, 0, 0],
            [3, 4, 1],
            [3, 4, 2],
          ]),
        ),
      ),
    ).toEqual([]);
  });
});

describe("inTimeOrder", () => {
  it("returns an ordered input itself, ties included (no copy)", () => {
    const ordered = pts([
      [0, 0, 1],
      [1, 0, 1],
      [2, 0, 5],
    ]);
    expect(inTimeOrder(ordered)).toBe(ordered);
  });

  it("sorts a copy of a disordered input, stable on ties", () => {
    const input = pts([
      [0, 0, 5],
      [1, 0, 2],
      [2, 0, 5],
      [3, 0, 1],
    ]);
    const sorted = inTimeOrder(input);
    expect(sorted).not.toBe(input);
    expect(sorted.map((p) => p.x)).toEqual([3, 1, 0, 2]);
    expect(input.map((p) => p.x)).toEqual([0, 1, 2, 3]);
  });
});
