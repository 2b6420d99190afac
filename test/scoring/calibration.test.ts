import { describe, expect, it } from "vitest";
import { calibrate, fitCalibration, log10TailShare, P_REF } from "../../src/scoring/calibration.js";

// 1000 calibration humans scoring 1, 2, ..., 1000.
const cal = fitCalibration(Array.from({ length: 1000 }, (_, i) => 1000 - i));

describe("calibration", () => {
  it.each([
    [1, 1],
    [501, 0.5],
    [900, 0.101],
  ])("share of humans scoring >= %d is %d", (raw, share) => {
    expect(10 ** log10TailShare(cal, raw)).toBeCloseTo(share, 3);
  });

  it("maps typical humans to 0 and the strangest 3% to about 1", () => {
    expect(calibrate(cal, 500)).toBe(0);
    expect(calibrate(cal, 1)).toBe(0);
    expect(calibrate(cal, 900)).toBeCloseTo(Math.log10(P_REF / 0.101), 2);
  });

  it("keeps grading beyond the most extreme human instead of saturating", () => {
    const a = calibrate(cal, 1000);
    const b = calibrate(cal, 1100);
    const c = calibrate(cal, 5000);
    expect(a).toBeLessThan(b);
    expect(b).toBeLessThan(c);
    expect(Number.isFinite(calibrate(cal, 1e12))).toBe(true);
  });

  it("is monotone in the raw score", () => {
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
