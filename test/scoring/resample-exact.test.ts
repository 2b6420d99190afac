import { describe, expect, it } from "vitest";
import { resampleSession } from "../../src/scoring/resample.js";
import type { SessionInput } from "../../src/telemetry/features.js";

// Exact re-recordings, computed by hand (issue 3's resampling; mutation-tested for issue 15).
function session(movements: SessionInput["movements"]): SessionInput {
  return { sessionId: "x", movements, clicks: [{ x: 30, y: 9, timestamp: 5 }] };
}

describe("resampleSession, exact", () => {
  // A 50 ms gap is still one motion (rest is > 50 ms); the 100 ms one is a rest. Given unsorted.
  const m0 = { x: 0, y: 0, timestamp: 0 };
  const m1 = { x: 100, y: 50, timestamp: 50 };
  const m2 = { x: 200, y: 50, timestamp: 150 };

  it("interpolates within a motion, holds through a rest, sorts by time", () => {
    const out = resampleSession(session([m2, m0, m1]), { intervalMs: 25 });
    // grid 0..175: t=25 is halfway m0-m1; 75..125 rest at m1 (coalesced away); 150 is m2.
    expect(out.movements).toEqual([
      { x: 0, y: 0, timestamp: 0 },
      { x: 50, y: 25, timestamp: 25 },
      { x: 100, y: 50, timestamp: 50 },
      { x: 200, y: 50, timestamp: 150 },
    ]);
    expect(out.clicks).toEqual([{ x: 30, y: 9, timestamp: 5 }]);
  });

  it("a sample landing on a point's time after a rest takes that point", () => {
    const out = resampleSession(session([m0, { x: 100, y: 0, timestamp: 100 }]), {
      intervalMs: 100,
    });
    expect(out.movements).toEqual([
      { x: 0, y: 0, timestamp: 0 },
      { x: 100, y: 0, timestamp: 100 },
    ]);
  });

  it("scales fractional coordinates (integer off), clicks included", () => {
    const out = resampleSession(session([m0, m1, m2]), { intervalMs: 25, scale: 0.5 });
    expect(out.movements).toEqual([
      { x: 0, y: 0, timestamp: 0 },
      { x: 25, y: 12.5, timestamp: 25 },
      { x: 50, y: 25, timestamp: 50 },
      { x: 100, y: 25, timestamp: 150 },
    ]);
    expect(out.clicks).toEqual([{ x: 15, y: 4.5, timestamp: 5 }]);
  });

  it("scales, then rounds, with integer on", () => {
    const out = resampleSession(session([m0, m1, m2]), {
      intervalMs: 25,
      scale: 0.3,
      integer: true,
    });
    // 50 x 0.3 = 15, 25 x 0.3 = 7.5 -> 8, 200 x 0.3 = 60; the click 30 x 0.3 = 9, 9 x 0.3 = 2.7 -> 3.
    expect(out.movements).toEqual([
      { x: 0, y: 0, timestamp: 0 },
      { x: 15, y: 8, timestamp: 25 },
      { x: 30, y: 15, timestamp: 50 },
      { x: 60, y: 15, timestamp: 150 },
    ]);
    expect(out.clicks).toEqual([{ x: 9, y: 3, timestamp: 5 }]);
  });

  it("jitters each sample by (2r - 1) x jitterMs from the seeded stream, before the first point too", () => {
    const s = session([
      { x: 0, y: 0, timestamp: 0 },
      { x: 100, y: 0, timestamp: 40 },
    ]);
    // seed 0 draws 0.26643, 0.00033, 0.22327, 0.14620: t = -2.336 (before the path: its first
    // point), 15.003 (x 37.5), 37.233 (x 93.08), 56.462 (grid 60 = end + interval: the last point).
    expect(
      resampleSession(s, { intervalMs: 20, jitterMs: 5, integer: true, seed: 0 }).movements,
    ).toEqual([
      { x: 0, y: 0, timestamp: -2.3 },
      { x: 38, y: 0, timestamp: 15 },
      { x: 93, y: 0, timestamp: 37.2 },
      { x: 100, y: 0, timestamp: 56.5 },
    ]);
    // The default seed is 1 (first draw 0.62707: t = 1.271, x 3.18).
    const byDefault = resampleSession(s, { intervalMs: 20, jitterMs: 5, integer: true });
    expect(byDefault.movements[0]).toEqual({ x: 3, y: 0, timestamp: 1.3 });
    expect(byDefault).toEqual(
      resampleSession(s, { intervalMs: 20, jitterMs: 5, integer: true, seed: 1 }),
    );
  });

  it("keeps time moving forward when jitter exceeds the interval", () => {
    const s = session([
      { x: 0, y: 0, timestamp: 0 },
      { x: 100, y: 0, timestamp: 40 },
    ]);
    for (let seed = 0; seed < 5; seed++) {
      const out = resampleSession(s, { intervalMs: 2, jitterMs: 8, seed }).movements;
      for (let i = 1; i < out.length; i++) {
        expect(out[i]!.timestamp).toBeGreaterThan(out[i - 1]!.timestamp);
        expect(out[i]!.x).toBeGreaterThanOrEqual(out[i - 1]!.x);
      }
    }
  });

  it("returns a session of fewer than two moves as it is; two are resampled", () => {
    const one = session([{ x: 1.4, y: 2, timestamp: 3 }]);
    expect(resampleSession(one, { intervalMs: 10, integer: true })).toBe(one);
    const none = session([]);
    expect(resampleSession(none, { intervalMs: 10 })).toBe(none);
    const two = session([
      { x: 1.4, y: 2, timestamp: 0 },
      { x: 1.4, y: 2.6, timestamp: 200 },
    ]);
    expect(resampleSession(two, { intervalMs: 100, integer: true }).movements).toEqual([
      { x: 1, y: 2, timestamp: 0 },
      { x: 1, y: 3, timestamp: 200 },
    ]);
  });
});
