import { describe, expect, it } from "vitest";
import { confidenceOf, decide } from "../../src/scoring/decision.js";
import { DEFAULT_THRESHOLDS } from "../../src/scoring/result.js";

describe("decide", () => {
  it.each([
    [0, "pass"],
    [0.999, "pass"],
    [1, "review"],
    [2.499, "review"],
    [2.5, "fail"],
    [40, "fail"],
  ] as const)("%d -> %s with the default thresholds", (score, expected) => {
    expect(decide(score, DEFAULT_THRESHOLDS)).toBe(expected);
  });

  it("follows configured thresholds", () => {
    expect(decide(1.5, { review: 2, fail: 3 })).toBe("pass");
    expect(decide(2.5, { review: 2, fail: 3 })).toBe("review");
  });
});

describe("confidenceOf", () => {
  it("is a coin flip on a threshold and grows away from it", () => {
    expect(confidenceOf(1, DEFAULT_THRESHOLDS)).toBe(0.5);
    expect(confidenceOf(2.5, DEFAULT_THRESHOLDS)).toBe(0.5);
    expect(confidenceOf(0, DEFAULT_THRESHOLDS)).toBeGreaterThan(
      confidenceOf(0.8, DEFAULT_THRESHOLDS),
    );
    expect(confidenceOf(5, DEFAULT_THRESHOLDS)).toBeGreaterThan(
      confidenceOf(3, DEFAULT_THRESHOLDS),
    );
    expect(confidenceOf(50, DEFAULT_THRESHOLDS)).toBeLessThanOrEqual(1);
  });

  it("is highest in the middle of the review band", () => {
    expect(confidenceOf(1.75, DEFAULT_THRESHOLDS)).toBeGreaterThan(
      confidenceOf(1.2, DEFAULT_THRESHOLDS),
    );
    expect(confidenceOf(1.75, DEFAULT_THRESHOLDS)).toBeGreaterThan(
      confidenceOf(2.3, DEFAULT_THRESHOLDS),
    );
  });
});

// Issue 15: confidence was only compared, never checked as a value.
// c = 0.5 + 0.5 * (1 - exp(-margin / 0.5)), rounded to 3 decimals; margin to the band's nearest edge.
describe("confidenceOf: exact values", () => {
  it.each([
    [0, 0.932], // pass, margin 1: 1 - e^-2 = 0.8647
    [0.5, 0.816], // pass, margin 0.5: 1 - e^-1
    [0.9, 0.591], // pass, margin 0.1: 1 - e^-0.2
    [1, 0.5],
    [1.25, 0.697], // review, 0.25 above review
    [1.75, 0.888], // review, 0.75 from both edges
    [2.25, 0.697], // review, 0.25 below fail
    [2.5, 0.5],
    [2.6, 0.591], // fail, margin 0.1
    [3, 0.816], // fail, margin 0.5
    [10, 1],
  ])("confidenceOf(%d) = %d with the default thresholds", (score, expected) => {
    expect(confidenceOf(score, DEFAULT_THRESHOLDS)).toBe(expected);
  });

  it("measures the margin from the configured thresholds", () => {
    const t = { review: 2, fail: 3 };
    expect([1.5, 2.8, 3.5].map((s) => confidenceOf(s, t))).toEqual([0.816, 0.665, 0.816]);
  });
});
