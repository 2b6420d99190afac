import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/scoring/random.js";
import { atan2, atan2Into } from "../../src/telemetry/atan2.js";

const same = (y: number, x: number) => Object.is(atan2(y, x), Math.atan2(y, x));

/** The next double above a positive finite x. */
function up(x: number): number {
  const f = new Float64Array([x]);
  const b = new BigUint64Array(f.buffer);
  b[0]! += 1n;
  return f[0]!;
}
function down(x: number): number {
  const f = new Float64Array([x]);
  const b = new BigUint64Array(f.buffer);
  b[0]! -= 1n;
  return f[0]!;
}

// Issue 10: the extractor's atan2 must be Math.atan2 bit for bit on the runtime it runs on.
describe("atan2 (issue 10)", () => {
  it.each([
    [1, 1, Math.PI / 4],
    [1, -1, (3 * Math.PI) / 4],
    [-1, -1, (-3 * Math.PI) / 4],
    [-1, 1, -Math.PI / 4],
    [0, 5, 0],
    [-0, 5, -0],
    [0, -5, Math.PI],
    [-0, -5, -Math.PI],
    [3, 0, Math.PI / 2],
    [-3, -0, -Math.PI / 2],
    [0, 0, 0],
    [Number.NaN, 1, Number.NaN],
    [1, Number.NaN, Number.NaN],
    [Number.POSITIVE_INFINITY, 1, Math.PI / 2],
    [1, Number.NEGATIVE_INFINITY, Math.PI],
    [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Math.PI / 4],
  ])("atan2(%d, %d) = %d, as Math.atan2", (y, x, expected) => {
    expect(Object.is(atan2(y, x), expected)).toBe(true);
    expect(same(y, x)).toBe(true);
  });

  it("equals Math.atan2 at every interval's edges, in every quadrant", () => {
    // fdlibm's intervals of |y / x|, its tiny-argument shortcut and this code's hand-off range.
    const edges = [2 ** -27, 0.4375, 0.6875, 1, 1.1875, 1.5, 2.4375, 2 ** 58, 2 ** 60, 2 ** -58];
    const bad: number[][] = [];
    let checked = 0;
    for (const e of edges) {
      for (const q of [down(down(e)), down(e), e, up(e), up(up(e))]) {
        for (const x of [1, 3, 0.1, 1e-300, 7e300, 5e-324]) {
          for (const [sy, sx] of [
            [1, 1],
            [-1, 1],
            [1, -1],
            [-1, -1],
          ]) {
            const y = sy! * q * x;
            checked++;
            if (!same(y, sx! * x)) bad.push([y, sx! * x]);
            checked++;
            if (!same(sx! * x, y)) bad.push([sx! * x, y]);
          }
        }
      }
    }
    expect(checked).toBe(2400);
    expect(bad).toEqual([]);
  });

  it("equals Math.atan2 on 300,000 pairs: every magnitude, integer steps, alike and tiny quotients", () => {
    const rand = seededRandom(1011);
    const bad: number[][] = [];
    const magnitude = () => 10 ** (Math.floor(rand() * 640) - 320);
    for (let i = 0; i < 50_000; i++) {
      const k = (rand() - 0.5) * 2000;
      const pairs = [
        [(rand() - 0.5) * magnitude(), (rand() - 0.5) * magnitude()],
        [Math.round((rand() - 0.5) * 40), Math.round((rand() - 0.5) * 40)],
        [(rand() - 0.5) * 30, (rand() - 0.5) * 30],
        [k, k * (1 + (rand() - 0.5) * 1e-6)],
        [(rand() - 0.5) * 1e-9, k],
        [k, (rand() - 0.5) * 1e-12],
      ];
      for (const [y, x] of pairs) if (!same(y!, x!)) bad.push([y!, x!]);
    }
    expect(bad).toEqual([]);
  });
});

// Issue 10: the extractor computes its turns' angles a block at a time; each must be atan2's.
describe("atan2Into (issue 10)", () => {
  const SPECIAL = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-310];

  /** n pairs: random, a special value every 97th (zeros, NaN, infinities, extreme quotients). */
  function pairs(n: number, seed: number): { ys: Float64Array; xs: Float64Array } {
    const rand = seededRandom(seed);
    const ys = new Float64Array(n);
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      ys[i] = (rand() - 0.5) * 10 ** Math.floor(rand() * 8 - 4);
      xs[i] = (rand() - 0.5) * 10 ** Math.floor(rand() * 8 - 4);
      if (i % 97 === 5) ys[i] = SPECIAL[((i / 97) % SPECIAL.length) | 0]!;
      if (i % 89 === 7) xs[i] = SPECIAL[((i / 89) % SPECIAL.length) | 0]!;
    }
    return { ys, xs };
  }

  it.each([0, 1, 300, 511, 512, 513, 1500])(
    "gives atan2's bits for each of %d pairs, over blocks' edges",
    (n) => {
      const { ys, xs } = pairs(n, 1000 + n);
      const out = new Float64Array(n + 2).fill(7);
      atan2Into(ys, xs, n, out);
      const bad: number[] = [];
      for (let i = 0; i < n; i++) if (!Object.is(out[i], atan2(ys[i]!, xs[i]!))) bad.push(i);
      expect(bad).toEqual([]);
      // Nothing is written past the n angles.
      expect([out[n], out[n + 1]]).toEqual([7, 7]);
    },
  );

  it("writes from out[from] on, leaving what is before it", () => {
    const ys = Float64Array.of(1, -1, 0, 3);
    const xs = Float64Array.of(1, -1, -5, 0);
    const out = Float64Array.of(9, 9, 9, 9, 9, 9, 9);
    atan2Into(ys, xs, 4, out, 2);
    expect(Array.from(out)).toEqual([
      9,
      9,
      Math.PI / 4,
      (-3 * Math.PI) / 4,
      Math.PI,
      Math.PI / 2,
      9,
    ]);
  });

  it("gives Math.atan2's special values within a block of ordinary pairs", () => {
    const ys = Float64Array.of(2, Number.NaN, 1, -0, 5, 1e300);
    const xs = Float64Array.of(1, 1, Number.NEGATIVE_INFINITY, -5, 0, 1e-300);
    const out = new Float64Array(6);
    atan2Into(ys, xs, 6, out);
    for (let i = 0; i < 6; i++) expect(Object.is(out[i], Math.atan2(ys[i]!, xs[i]!))).toBe(true);
    expect(Object.is(out[3], -Math.PI)).toBe(true);
    expect(out[0]).toBe(Math.atan2(2, 1));
  });
});
