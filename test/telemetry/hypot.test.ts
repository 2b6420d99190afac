import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/scoring/random.js";
import { hypot } from "../../src/telemetry/hypot.js";

// Issue 10: the extractor's hypot must be Math.hypot bit for bit on the runtime it runs on.
describe("hypot (issue 10)", () => {
  it.each([
    [3, 4, 5],
    [-3, 4, 5],
    [0, -0, 0],
    [-0, -0, 0],
    [0, -7, 7],
    [1e308, -1e308, Math.SQRT2 * 1e308], // scaled by the larger: no overflow
    [Number.POSITIVE_INFINITY, Number.NaN, Number.POSITIVE_INFINITY],
    [Number.NaN, 1, Number.NaN],
    [Number.MIN_VALUE, Number.MIN_VALUE, Number.MIN_VALUE],
  ])("hypot(%d, %d) = %d", (a, b, expected) => {
    expect(Object.is(hypot(a, b), expected)).toBe(true);
  });

  it("equals Math.hypot on 1,000,000 pairs: every magnitude, ties, integers, subnormals", () => {
    const rand = seededRandom(1010);
    const bad: number[][] = [];
    const magnitude = () => 10 ** (Math.floor(rand() * 640) - 320);
    for (let i = 0; i < 200_000; i++) {
      const a = (rand() - 0.5) * magnitude();
      const b = (rand() - 0.5) * magnitude();
      const k = (rand() - 0.5) * 2000;
      const pairs = [
        [a, b],
        [Math.round(k), Math.round(rand() * 50)],
        [k, k * (1 + rand() * 1e-6)],
        [a, a],
        [k, (rand() - 0.5) * 20],
      ];
      for (const [x, y] of pairs) {
        if (!Object.is(hypot(x!, y!), Math.hypot(x!, y!))) bad.push([x!, y!]);
      }
    }
    expect(bad).toEqual([]);
  });
});
