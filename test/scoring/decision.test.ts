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
