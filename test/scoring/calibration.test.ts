import { describe, expect, it } from "vitest";
import { calibrate, fitCalibration, log10TailShare, P_REF } from "../../src/scoring/calibration.js";

// 1000 calibration humans scoring 1, 2, ..., 1000. Fitted inside each test, not at import: code
// run at import is "static" to Stryker, which then reruns every test for its mutants (issue 15).
const thousand = () => fitCalibration(Array.from({ length: 1000 }, (_, i) => 1000 - i));

describe("calibration", () => {
  it.each([
    [1, 1],
    [501, 0.5],
    [900, 0.101],
  ])("share of humans scoring >= %d is %d", (raw, share) => {
    expect(10 ** log10TailShare(thousand(), raw)).toBeCloseTo(share, 3);
  });

  it("maps typical humans to 0 and the strangest 3% to about 1", () => {
    const cal = thousand();
    expect(calibrate(cal, 500)).toBe(0);
    expect(calibrate(cal, 1)).toBe(0);
    expect(calibrate(cal, 900)).toBeCloseTo(Math.log10(P_REF / 0.101), 2);
  });

  it("keeps grading beyond the most extreme human instead of saturating", () => {
    const cal = thousand();
    const a = calibrate(cal, 1000);
    const b = calibrate(cal, 1100);
    const c = calibrate(cal, 5000);
    expect(a).toBeLessThan(b);
    expect(b).toBeLessThan(c);
    expect(Number.isFinite(calibrate(cal, 1e12))).toBe(true);
  });

  it("is monotone in the raw score", () => {
    const cal = thousand();
    let previous = -1;
    for (let raw = 0; raw <= 2000; raw += 7) {
      const score = calibrate(cal, raw);
      expect(score).toBeGreaterThanOrEqual(previous);
      previous = score;
    }
  });

  it("refuses an empty calibration set", () => {
    expect(() => fitCalibration([])).toThrow(/at least one/);
  });
});

// Issue 15: the tail above the 90th percentile, where every review and fail score comes from, was
// only checked for order. Values hand-computed from
//   tail:  log10 share = log10(0.1) - (raw - tailStart) / (tailMean * ln 10)
//   below: log10 share = log10(#{scores >= raw} / n);   anomalyScore = max(0, log10(pRef) - that)
describe("calibration on tiny sets, exact values", () => {
  it("one score: the tail starts at it, with a mean excess of 1", () => {
    const one = fitCalibration([5]);
    expect(one).toEqual({ sorted: [5], tailStart: 5, tailMean: 1, pRef: 0.3 });
    expect(log10TailShare(one, 5)).toBe(0); // every human scores >= 5
    expect(log10TailShare(one, 6)).toBeCloseTo(-1 - 1 / Math.LN10, 12);
    expect([4, 5, 6, 10].map((raw) => calibrate(one, raw))).toEqual([0, 0, 0.911, 2.649]);
  });

  it("three scores: the tail starts at the 2nd (index floor(0.9 * 2) = 1)", () => {
    const three = fitCalibration([3, 1, 2]);
    expect(three).toEqual({ sorted: [1, 2, 3], tailStart: 2, tailMean: 1, pRef: 0.3 });
    // 1.5 and 2 (not above the tail start): 2 of 3 humans score at least as high.
    expect(log10TailShare(three, 1.5)).toBeCloseTo(Math.log10(2 / 3), 12);
    expect(log10TailShare(three, 2)).toBeCloseTo(Math.log10(2 / 3), 12);
    expect(log10TailShare(three, 1)).toBe(0);
    expect(log10TailShare(three, 2.5)).toBeCloseTo(-1 - 0.5 / Math.LN10, 12);
    expect([0.5, 2, 2.5, 3, 4].map((raw) => calibrate(three, raw))).toEqual([
      0, 0, 0.694, 0.911, 1.346,
    ]);
    // With pRef = 1 the body's share shows through: -log10(2/3) = 0.176.
    const plain = fitCalibration([3, 1, 2], 1);
    expect([1, 1.5, 2, 2.5, 3].map((raw) => calibrate(plain, raw))).toEqual([
      0, 0.176, 0.176, 1.217, 1.434,
    ]);
  });

  it("twenty scores: the tail mean is the mean excess over the tail start", () => {
    // 1..20: tail start = sorted[floor(0.9 * 19)] = 18, excesses 1 and 2 -> mean 1.5.
    const twenty = fitCalibration(Array.from({ length: 20 }, (_, i) => 20 - i));
    expect([twenty.tailStart, twenty.tailMean]).toEqual([18, 1.5]);
    // 17: 4 of 20 score >= 17 -> log10(0.3 / 0.2); 18: log10(0.3 / 0.15); 19: -1 - 1 / (1.5 ln 10).
    expect([17, 18, 19, 21, 24].map((raw) => calibrate(twenty, raw))).toEqual([
      0.176, 0.301, 0.767, 1.346, 2.214,
    ]);
  });

  it("a tail of near-ties is floored at 1e-9 so scores stay finite", () => {
    const tiny = fitCalibration([0, 1e-12]);
    expect(tiny.tailMean).toBe(1e-9);
    expect(calibrate(tiny, 1e-9)).toBe(0.911);
  });
});
