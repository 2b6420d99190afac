import { describe, expect, it } from "vitest";
import { resampleSession } from "../../src/scoring/resample.js";
import type { SessionInput } from "../../src/telemetry/features.js";

// 1 s of motion at 60 Hz, a 500 ms rest, then 0.5 s more.
const movements: SessionInput["movements"] = [];
for (let i = 0; i <= 60; i++) movements.push({ x: i * 5, y: 100, timestamp: i * 16 });
for (let i = 1; i <= 30; i++) movements.push({ x: 300, y: 100 + i * 3, timestamp: 1460 + i * 16 });
const session: SessionInput = {
  sessionId: "r",
  movements,
  clicks: [{ x: 300, y: 190, timestamp: 1950 }],
};

describe("resampleSession", () => {
  it("re-records at the requested interval with whole-pixel coordinates", () => {
    const out = resampleSession(session, { intervalMs: 8, integer: true });
    const dts = out.movements.slice(1).map((m, i) => m.timestamp - out.movements[i]!.timestamp);
    expect(dts.filter((dt) => Math.abs(dt - 8) < 0.05).length / dts.length).toBeGreaterThan(0.9);
    expect(out.movements.every((m) => Number.isInteger(m.x) && Number.isInteger(m.y))).toBe(true);
    expect(out.movements.length).toBeGreaterThan(150);
  });

  it("emits nothing while the pointer rests and coalesces at coarse rates", () => {
    const out = resampleSession(session, { intervalMs: 100 });
    const during = out.movements.filter((m) => m.timestamp > 1000 && m.timestamp < 1460);
    expect(during).toEqual([]);
    expect(out.movements.length).toBeLessThan(25);
    expect(out.movements.at(-1)).toMatchObject({ x: 300, y: 190 });
  });

  it("scales coordinates, clicks included, and is reproducible by seed", () => {
    const a = resampleSession(session, { intervalMs: 33, jitterMs: 2, scale: 0.5, seed: 3 });
    expect(a).toEqual(
      resampleSession(session, { intervalMs: 33, jitterMs: 2, scale: 0.5, seed: 3 }),
    );
    expect(a.clicks[0]).toMatchObject({ x: 150, y: 95 });
    expect(Math.max(...a.movements.map((m) => m.x))).toBe(150);
  });
});
