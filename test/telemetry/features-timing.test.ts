import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/scoring/random.js";
import { STROKE_GAP_MS, strokeTiming } from "../../src/telemetry/features-timing.js";

/** The in-stroke intervals of these times and their median, by sorting (the reference). */
function sortedMedian(times: readonly number[]): { dts: number[]; median: number } {
  const dts: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const dt = times[i]! - times[i - 1]!;
    if (dt > 0 && dt <= STROKE_GAP_MS) dts.push(dt);
  }
  const s = [...dts].sort((a, b) => a - b);
  const mid = (s.length - 1) / 2;
  const lo = Math.floor(mid);
  return { dts, median: s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (mid - lo) };
}

const path = (times: readonly number[]) => times.map((timestamp, i) => ({ x: i, y: 0, timestamp }));

describe("strokeTiming: the in-stroke intervals' median (issue 10)", () => {
  it("counts whole milliseconds: sorted 5 10 16 20, the gap of 965 ms left out", () => {
    const t = strokeTiming(path([0, 10, 30, 35, 1000, 1016]));
    expect([...t.dts.subarray(0, t.n)]).toEqual([10, 20, 5, 16]);
    expect(t.median).toBe(13);
  });

  it("selects fractional intervals (performance.now at 60 Hz), few and many", () => {
    // Three distinct intervals: 16.6, 16.8 and 16.7 (each as the subtraction gives it).
    const few = [0, 16.6, 33.4, 50.1, 400, 416.6];
    expect(strokeTiming(path(few)).median).toBe(sortedMedian(few).median);
    const rand = seededRandom(8);
    for (const n of [31, 32, 33, 300]) {
      let t = 1000.25;
      const times = Array.from(
        { length: n },
        () => (t += 16.6 + rand() * 0.4 - (rand() < 0.05 ? -300 : 0)),
      );
      const got = strokeTiming(path(times));
      const ref = sortedMedian(times);
      expect([...got.dts.subarray(0, got.n)]).toEqual(ref.dts);
      expect(Object.is(got.median, ref.median)).toBe(true);
    }
  });
});
