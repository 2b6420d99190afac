import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/scoring/random.js";
import {
  bucketKeyNumbers,
  bucketKeys,
  decodeFingerprint,
  encodeFingerprint,
  FP_POINTS,
  fingerprint,
  fingerprintDistance,
  MATCH_DISTANCE,
} from "../../src/scoring/replay-fingerprint.js";

// Issue 13, part 3 (mutation-tested for issue 15): exact fingerprints of paths whose samples can
// be worked out by hand, the trimmed distance on hand-picked differences, and the rejections.
type Move = { x: number; y: number; timestamp: number };

/** 32 points on a circle, one at each sample instant (span 31 x 31 ms = 961 ms). */
function circle(r = 100, cx = 500, cy = 300, t0 = 0): Move[] {
  return Array.from({ length: 32 }, (_, k) => ({
    x: cx + r * Math.cos((2 * Math.PI * k) / 32),
    y: cy + r * Math.sin((2 * Math.PI * k) / 32),
    timestamp: t0 + 31 * k,
  }));
}

/** Centred and divided by the RMS radius a circle's points are (cos, sin), times 40, rounded. */
const circlePrint = Int8Array.from({ length: 64 }, (_, i) =>
  Math.round(40 * (i % 2 === 1 ? Math.sin : Math.cos)((2 * Math.PI * (i >> 1)) / 32)),
);

describe("fingerprint, exact", () => {
  it("a circle sampled at its own points is 40 x (cos, sin), whatever its place, size, start time", () => {
    expect(FP_POINTS).toBe(32);
    expect(Array.from(circlePrint.slice(0, 6))).toEqual([40, 0, 39, 8, 37, 15]);
    expect(fingerprint(circle())).toEqual(circlePrint);
    expect(fingerprint(circle(20, -40, 7, 1e7))).toEqual(circlePrint);
  });

  it("samples between recorded points on the straight line joining them", () => {
    // Extra points on each chord, at the matching time, leave the samples where they were;
    // so do points at the sample instants of a path recorded at every other instant.
    const c = circle();
    const dense: Move[] = [];
    for (let k = 0; k < 31; k++) {
      const a = c[k]!;
      const b = c[k + 1]!;
      for (const f of [0, 0.25, 0.6]) {
        dense.push({
          x: a.x + (b.x - a.x) * f,
          y: a.y + (b.y - a.y) * f,
          timestamp: a.timestamp + 31 * f,
        });
      }
    }
    dense.push(c[31]!);
    expect(fingerprint(dense)).toEqual(circlePrint);
    // Only the even points, and the last: odd samples are chord midpoints, not on the circle.
    const sparse = c.filter((_, k) => k % 2 === 0 || k === 31);
    const sp = fingerprint(sparse)!;
    const withMidpoints = c.map((p, k) =>
      k % 2 === 1 && k < 31
        ? {
            x: (c[k - 1]!.x + c[k + 1]!.x) / 2,
            y: (c[k - 1]!.y + c[k + 1]!.y) / 2,
            timestamp: p.timestamp,
          }
        : p,
    );
    expect(sp).toEqual(fingerprint(withMidpoints));
    expect(sp).not.toEqual(circlePrint);
  });

  it("a point repeated at one time (dt 0) takes the first of the pair", () => {
    const c = circle();
    const doubled = [...c.slice(0, 5), { ...c[4]!, x: c[4]!.x + 0 }, ...c.slice(5)];
    expect(fingerprint(doubled)).toEqual(circlePrint);
  });

  it("clamps coordinates beyond 127 / 40 RMS radii", () => {
    // 31 points on a small circle and one far out: that one is over 5 radii from the centre.
    const c = circle(10, 0, 0);
    c[16] = { x: -400, y: 0, timestamp: c[16]!.timestamp };
    const f = fingerprint(c)!;
    expect(f[32]).toBe(-127);
    expect(Math.min(...f)).toBe(-127);
    expect(Math.max(...f)).toBeLessThan(127);
  });

  it("rejects paths with under 12 moves, under 500 ms, under 10 px RMS radius or turning < 2 rad", () => {
    // n points evenly round a circle over `ms`: 12 are enough, 11 too few; 500 ms enough.
    const round = (n: number, ms: number) =>
      Array.from({ length: n }, (_, k) => ({
        x: 100 * Math.cos((2 * Math.PI * k) / n),
        y: 100 * Math.sin((2 * Math.PI * k) / n),
        timestamp: (ms * k) / (n - 1),
      }));
    expect(fingerprint(round(12, 1000))).toBeDefined();
    expect(fingerprint(round(11, 1000))).toBeUndefined();
    expect(fingerprint(round(12, 500))).toBeDefined();
    expect(fingerprint(round(12, 499.9))).toBeUndefined();
    // The span counts, not the end time.
    const late = round(12, 499.9).map((p) => ({ ...p, timestamp: p.timestamp + 1000 }));
    expect(fingerprint(late)).toBeUndefined();
    // A plus sign, (10,0) (0,10) (-10,0) (0,-10) repeated: RMS radius exactly 10 px is enough.
    const arms = [
      [10, 0],
      [0, 10],
      [-10, 0],
      [0, -10],
    ] as const;
    const plus = Array.from({ length: 32 }, (_, k) => ({
      x: arms[k % 4]![0],
      y: arms[k % 4]![1],
      timestamp: 31 * k,
    }));
    expect(fingerprint(plus)).toBeDefined();
    expect(
      fingerprint(plus.map((p) => ({ ...p, x: p.x * 0.9999, y: p.y * 0.9999 }))),
    ).toBeUndefined();
    expect(fingerprint(circle(10.001))).toBeDefined();
    expect(fingerprint(circle(9.99))).toBeUndefined();
    // A quarter circle turns 31 x 2.8125° = 1.52 rad; a 7/16 circle 2.66 rad.
    const arc = (frac: number) =>
      Array.from({ length: 32 }, (_, k) => ({
        x: 100 * Math.cos((2 * Math.PI * frac * k) / 31),
        y: 100 * Math.sin((2 * Math.PI * frac * k) / 31),
        timestamp: 31 * k,
      }));
    expect(fingerprint(arc(0.25))).toBeUndefined();
    expect(fingerprint(arc(7 / 16))).toBeDefined();
  });

  it("a last point at the time of the one before it: the sample takes that one", () => {
    const c = circle();
    const extra = { x: 0, y: 0, timestamp: c[31]!.timestamp };
    expect(fingerprint([...c, extra])).toEqual(circlePrint);
  });

  it("turning carries the direction across a rest, for horizontal and vertical steps alike", () => {
    // 15 steps of 10 px along x, a rest (two samples at one place), then 15 steps at 120°:
    // the one turn, 2.09 rad, is measured across the rest and is enough.
    const corner = Array.from({ length: 32 }, (_, k) =>
      k <= 15
        ? { x: 10 * k, y: 0, timestamp: 31 * k }
        : {
            x: 150 + (k - 16) * 10 * Math.cos((2 * Math.PI) / 3),
            y: (k - 16) * 10 * Math.sin((2 * Math.PI) / 3),
            timestamp: 31 * k,
          },
    );
    expect(fingerprint(corner)).toBeDefined();
    expect(
      fingerprint(corner.map((p) => ({ x: p.y, y: p.x, timestamp: p.timestamp }))),
    ).toBeDefined();
    // A quarter circle clockwise (first step down and left) turns 1.52 rad: not enough.
    const clockwise = Array.from({ length: 32 }, (_, k) => ({
      x: 100 * Math.cos((-2 * Math.PI * 0.25 * k) / 31),
      y: 100 * Math.sin((-2 * Math.PI * 0.25 * k) / 31),
      timestamp: 31 * k,
    }));
    expect(fingerprint(clockwise)).toBeUndefined();
  });

  it("turning skips steps under 0.05 radii and counts each turn once", () => {
    // The circle with its points repeated (the pointer resting at each for a sample): the
    // zero-length steps are skipped, the turns are the circle's own.
    const c = circle();
    const rests = c.flatMap((p, k) => (k < 16 ? [p, { ...p, timestamp: p.timestamp + 15 }] : [p]));
    expect(fingerprint(rests)).toBeDefined();
  });
});

describe("fingerprintDistance, exact", () => {
  const base = () => new Int8Array(64);
  /** Per-point squared differences d_k placed at points `at`. */
  function apart(ds: [number, number][], at: number[]): Int8Array {
    const b = base();
    ds.forEach(([dx, dy], i) => {
      b[2 * at[i]!] = dx;
      b[2 * at[i]! + 1] = dy;
    });
    return b;
  }
  it.each([
    // squared differences 16, 25, 4, 1: the two largest (25, 16) are left out: sqrt(5 / 30) / 40
    [
      "largest two dropped",
      [
        [4, 0],
        [3, 4],
        [2, 0],
        [1, 0],
      ],
      [0, 1, 2, 5],
      Math.sqrt(5 / 30) / 40,
    ],
    [
      "in ascending order",
      [
        [1, 0],
        [2, 0],
        [4, 0],
        [3, 4],
      ],
      [0, 1, 2, 3],
      Math.sqrt(5 / 30) / 40,
    ],
    [
      "in descending order",
      [
        [3, 4],
        [4, 0],
        [2, 0],
        [1, 0],
      ],
      [7, 8, 9, 31],
      Math.sqrt(5 / 30) / 40,
    ],
    [
      "ties: 9, 9, 9 keep one",
      [
        [3, 0],
        [0, 3],
        [-3, 0],
      ],
      [0, 10, 20],
      Math.sqrt(9 / 30) / 40,
    ],
    [
      "two differences only: 0",
      [
        [10, 0],
        [0, -7],
      ],
      [3, 4],
      0,
    ],
    [
      "a middle value after the largest",
      [
        [5, 0],
        [1, 0],
        [3, 0],
        [2, 0],
      ],
      [0, 1, 2, 3],
      Math.sqrt(5 / 30) / 40,
    ],
  ] as [string, [number, number][], number[], number][])("%s", (_, ds, at, expected) => {
    const a = base();
    const b = apart(ds, at);
    expect(fingerprintDistance(a, b)).toBeCloseTo(expected, 15);
    expect(fingerprintDistance(b, a)).toBeCloseTo(expected, 15);
  });

  it("every point 4 apart in x: (32 - 2) x 16 over 30 points: 4 / 40 = 0.1, beyond MATCH_DISTANCE", () => {
    const b = Int8Array.from({ length: 64 }, (_, i) => (i % 2 === 0 ? 4 : 0));
    expect(fingerprintDistance(base(), b)).toBeCloseTo(0.1, 15);
    expect(MATCH_DISTANCE).toBe(0.09);
  });
});

describe("encoding and buckets", () => {
  it("base64 of the 64 int8 bytes; other lengths decode to nothing", () => {
    const f = Int8Array.from({ length: 64 }, (_, i) => i - 32);
    const text = encodeFingerprint(f);
    expect(Buffer.from(text, "base64")[0]).toBe(224); // -32 as a byte
    expect(decodeFingerprint(text)).toEqual(f);
    // A copy of its own 64 bytes, not a view pinning the decoder's (pooled) buffer: the index
    // keeps one per session (issue 13: constant memory per session).
    expect(decodeFingerprint(text)!.buffer.byteLength).toBe(64);
    // A view into a larger buffer encodes its own 64 bytes only.
    const big = new Int8Array(70);
    big.set(f, 3);
    expect(encodeFingerprint(big.subarray(3, 67))).toBe(text);
    expect(decodeFingerprint(Buffer.alloc(63).toString("base64"))).toBeUndefined();
    expect(decodeFingerprint(Buffer.alloc(65).toString("base64"))).toBeUndefined();
  });

  it("ten keys, table index first then four integer cells; a copy shares all", () => {
    const keys = bucketKeys(circlePrint);
    expect(keys).toHaveLength(10);
    for (const [t, k] of keys.entries()) expect(k).toMatch(new RegExp(`^${t}(,-?\\d+){4}$`));
    expect(bucketKeys(Int8Array.from(circlePrint))).toEqual(keys);
    // Fixed planes (seed 0x5eed13): every process, and every version, hashes alike.
    expect(keys).toEqual([
      "0,-1,0,0,0",
      "1,-1,0,1,1",
      "2,0,0,0,-1",
      "3,1,0,0,-1",
      "4,0,-1,0,1",
      "5,-1,-1,0,0",
      "6,0,1,-1,0",
      "7,0,1,0,0",
      "8,0,-1,1,0",
      "9,0,0,0,0",
    ]);
    const zero = bucketKeys(new Int8Array(64));
    // The zero print's cell is floor(offset / 64) = 0 in every projection (offsets in [0, 64)).
    expect(zero).toEqual(Array.from({ length: 10 }, (_, t) => `${t},0,0,0,0`));
    expect(bucketKeys(Int8Array.from(circlePrint, (v) => -v))).not.toEqual(keys);
  });
});

describe("bucketKeyNumbers", () => {
  it("packs each table's four cells (+32, 6 bits each) and the table, exactly, for 300 seeded prints", () => {
    const rand = seededRandom(5);
    const cells = new Int32Array(64);
    for (let i = 0; i < 300; i++) {
      const fp = Int8Array.from({ length: 64 }, () => Math.round((rand() - 0.5) * 254));
      const keys = bucketKeyNumbers(fp, cells, []);
      const text = bucketKeys(fp);
      expect(keys).toHaveLength(10);
      for (let t = 0; t < 10; t++) {
        const c = text[t]!.split(",").map(Number); // table, then its four cells
        expect(c[0]).toBe(t);
        const packed = (((c[1]! + 32) * 64 + c[2]! + 32) * 64 + c[3]! + 32) * 64 + c[4]! + 32;
        expect(keys[t]).toBe(packed * 10 + t);
        expect([...cells.subarray(4 * t, 4 * t + 4)]).toEqual(c.slice(1));
      }
    }
  });

  it("writes the same numbers into reused arrays as into fresh ones", () => {
    const a = Int8Array.from({ length: 64 }, (_, i) => ((i * 37) % 255) - 127);
    const b = Int8Array.from({ length: 64 }, (_, i) => ((i * 11) % 201) - 100);
    const cells = new Int32Array(64);
    const out: number[] = [];
    const first = [...bucketKeyNumbers(a, cells, out)];
    bucketKeyNumbers(b, cells, out);
    expect(bucketKeyNumbers(a, cells, out)).toEqual(first);
    expect(bucketKeyNumbers(a, new Int32Array(40), [])).toEqual(first);
  });
});
