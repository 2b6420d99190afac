import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_BACKOFF, retryDelay } from "../../src/batch/retry-backoff.js";

describe("retryDelay: exponential, full jitter, never below Retry-After", () => {
  it.each([
    // attempt, draw, Retry-After ms, expected ms (base 2 s, cap 5 min)
    [1, 0, undefined, 0],
    [1, 0.5, undefined, 1_000],
    [1, 0.9999, undefined, 1_999],
    [2, 0.9999, undefined, 3_999],
    [3, 0.5, undefined, 4_000],
    [5, 0.9999, undefined, 31_996],
    [9, 0.9999, undefined, 299_970], // 2 s * 2^8 = 512 s, capped at 300 s
    [60, 0.5, undefined, 150_000], // no overflow far out
    [1, 0.9999, 7_000, 7_000], // Retry-After above the jitter wins
    [4, 0.9999, 7_000, 15_998], // and never lowers a larger draw
    [1, 0, 0, 0],
  ])("attempt %i, draw %f, Retry-After %s -> %i ms", (attempt, draw, retryAfter, ms) => {
    expect(retryDelay(attempt, draw, DEFAULT_RETRY_BACKOFF, retryAfter)).toBe(ms);
  });

  it("stays in [0, base * 2^(attempt-1)) for every draw in [0, 1)", () => {
    for (let attempt = 1; attempt <= 6; attempt++) {
      const cap = 2_000 * 2 ** (attempt - 1);
      for (const draw of [0, 0.25, 0.5, 0.75, 1 - 1e-12]) {
        const d = retryDelay(attempt, draw);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(cap);
      }
    }
  });
});
