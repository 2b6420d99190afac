import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/scoring/random.js";
import { roundFeature } from "../../src/telemetry/round-feature.js";

// Issue 10: roundFeature skips toPrecision where the answer is certain; it must agree with
// the definition it replaced on every input, bit for bit.
function reference(x: number): number {
  if (Number.isNaN(x)) return 0;
  if (!Number.isFinite(x)) return x > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
  const r = Number(x.toPrecision(6));
  return Object.is(r, -0) ? 0 : r;
}

/** Values the fast path is most likely to get wrong: near ties, powers of ten, range ends. */
function awkward(rand: () => number): number[] {
  const out: number[] = [];
  const e = Math.floor(rand() * 60) - 30;
  const n = 100_000 + Math.floor(rand() * 900_000);
  for (const digits of [n, n + 0.5, n - 0.5, 99_999.5, 999_999.5, 100_000, 999_999]) {
    const v = digits * 10 ** (e - 5);
    out.push(v, -v, v * (1 + Number.EPSILON), v * (1 - Number.EPSILON), v + 1e-300);
  }
  out.push(10 ** e, Number(`1e${e}`), Number(`${n}5e${e - 6}`), Number(`${n}49999999e${e - 13}`));
  return out;
}

describe("roundFeature (issue 10: fast path, same bits as toPrecision)", () => {
  it.each([
    [1 / 3, 0.333333],
    [123456789, 123457000],
    [-0.1234565, -0.123456], // the double is just below the tie
    [1.234565000001e-6, 1.23457e-6],
    [999999.5, 1000000],
    [0.1, 0.1],
    [-2.5e-7, -2.5e-7],
    [Number.MIN_VALUE, 5e-324],
    [-Number.MAX_VALUE, -1.79769e308],
    [Number.NEGATIVE_INFINITY, -Number.MAX_VALUE],
    [-0, 0],
  ])("roundFeature(%d) = %d", (x, expected) => {
    expect(Object.is(roundFeature(x), expected)).toBe(true);
  });

  it("agrees with Number(x.toPrecision(6)) on 860,000 random and awkward values", () => {
    const rand = seededRandom(10);
    const bad: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const scale = 10 ** (Math.floor(rand() * 80) - 40);
      const values = [
        rand() * scale,
        -rand() * scale,
        Math.round(rand() * 2e6) - 1e6,
        (Math.round(rand() * 1e7) / 1e7) * scale,
        ...awkward(rand),
      ];
      for (const v of values) if (!Object.is(roundFeature(v), reference(v))) bad.push(v);
    }
    expect(bad).toEqual([]);
  });
});
