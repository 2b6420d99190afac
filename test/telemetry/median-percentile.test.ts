import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/scoring/random.js";
import { medianAndPercentileInPlace } from "../../src/telemetry/features-stats.js";

// Issue 10: playproof-1's median and 95th percentile by selection instead of a sort. The
// reference is the sort it replaced (features-playproof1.ts): same values, bit for bit.

function bySort(values: readonly number[], rank: number): [number, number] {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  const mid = n >> 1;
  const median = n % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return [median, lo === hi ? s[lo]! : s[lo]! + (s[hi]! - s[lo]!) * (rank - lo)];
}

describe("medianAndPercentileInPlace", () => {
  it("hand-computed: odd and even counts, an exact and an interpolated rank", () => {
    // Sorted 1 3 5 7 9: median 5; rank 3.8 -> 7 + 2 * 0.8.
    expect(medianAndPercentileInPlace(Float64Array.from([7, 1, 9, 3, 5]), 5, 3.8)).toEqual([
      5,
      7 + 2 * 0.8,
    ]);
    // Sorted 2 4 6 8: median (4 + 6) / 2; rank 3 -> 8.
    expect(medianAndPercentileInPlace(Float64Array.from([8, 2, 6, 4]), 4, 3)).toEqual([5, 8]);
    expect(medianAndPercentileInPlace(Float64Array.from([42]), 1, 0)).toEqual([42, 42]);
    // A rank below the median's is still the value a sort puts there.
    expect(medianAndPercentileInPlace(Float64Array.from([8, 2, 6, 4, 10]), 5, 0.5)).toEqual([6, 3]);
  });

  it("reads only the first n values", () => {
    expect(medianAndPercentileInPlace(Float64Array.from([3, 1, 2, -100, -100]), 3, 2)).toEqual([
      2, 3,
    ]);
  });

  it("equals the sort's values on 3000 random inputs (ties, sorted and reversed runs)", () => {
    const rand = seededRandom(0x50a7);
    for (let i = 0; i < 3000; i++) {
      const n = 1 + Math.floor(rand() * 60);
      const kind = i % 4;
      const values = Array.from({ length: n }, (_, k) =>
        kind === 0
          ? Math.floor(rand() * 5) // many ties
          : kind === 1
            ? k // sorted
            : kind === 2
              ? n - k // reversed
              : (rand() - 0.3) * 10 ** Math.floor(rand() * 12),
      );
      const rank = (95 / 100) * (n - 1);
      const scratch = new Float64Array(n + 3);
      scratch.set(values);
      expect(medianAndPercentileInPlace(scratch, n, rank)).toEqual(bySort(values, rank));
    }
  });

  it("leaves NaN and -0 to a sort (undefined)", () => {
    expect(medianAndPercentileInPlace(Float64Array.from([1, Number.NaN, 2]), 3, 1.9)).toBe(
      undefined,
    );
    expect(medianAndPercentileInPlace(Float64Array.from([0, -0, 2]), 3, 1.9)).toBe(undefined);
  });
});
