import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../src/package-root.js";
import { loadLocalEngine } from "../../src/scoring/local-model.js";
import { DEFAULT_THRESHOLDS } from "../../src/scoring/result.js";
import { extractFeatures, type Features, type SessionInput } from "../../src/telemetry/features.js";

const now = new Date("2025-06-01T12:00:00.000Z");
const opts = { thresholds: DEFAULT_THRESHOLDS, now };

/** Straight strokes at one constant speed on an exact 16 ms timer: the simplest scripted bot. */
function linearBot(seed: number): SessionInput {
  const movements = [];
  let t = 0;
  for (let stroke = 0; stroke < 8; stroke++) {
    const [x0, y0] = [50 + ((stroke * 97 + seed) % 600), 80 + ((stroke * 53 + seed) % 400)];
    for (let i = 0; i <= 40; i++) {
      t += 16;
      movements.push({ x: x0 + i * 6, y: y0 + i * 3, timestamp: t });
    }
    t += 400;
  }
  return { sessionId: `bot-${seed}`, movements, clicks: [] };
}

describe("loadLocalEngine", () => {
  // Startup time is measured by `npm run bench` (scoring section), not asserted here.
  it("finds the shipped baseline from src/", () => {
    expect(packageRoot()).toBe(resolve(import.meta.dirname, "..", ".."));
    const engine = loadLocalEngine();
    expect(engine.id).toBe("local-knn");
    // Issue 13: "2-" + the baseline's hash + the bot model's hash; "1-" + baseline alone without it.
    expect(engine.version).toMatch(/^2-[0-9a-f]{8}-[0-9a-f]{8}$/);
    const knnOnly = loadLocalEngine({ botModelPath: null });
    expect(knnOnly.version).toBe(`1-${engine.version.split("-")[1]}`);
  });

  it("explains a missing bot model", () => {
    expect(() => loadLocalEngine({ botModelPath: "/nonexistent/bot-model.json" })).toThrow(
      /cannot read the bot model \/nonexistent\/bot-model.json: run `node scripts\/build-baseline.mjs`/,
    );
  });

  it("explains a missing baseline", () => {
    expect(() => loadLocalEngine({ baselinePath: "/nonexistent/baseline.csv" })).toThrow(
      /cannot read the human baseline .*build-baseline/,
    );
  });

  it("fails a scripted straight-line bot and says why", () => {
    const [result] = loadLocalEngine().scoreRows([extractFeatures(linearBot(1))], opts);
    expect(result).toMatchObject({ decision: "fail", isAnomaly: true, source: "local" });
    expect(result!.reasons).toContain("straight-path");
    expect(result!.rawScore).toBeGreaterThan(0);
    expect(result!.scoredAt).toBe("2025-06-01T12:00:00.000Z");
  });

  it("is deterministic: same rows, same engine or a fresh one, identical results", () => {
    const rows = [1, 2, 3].map((s) => extractFeatures(linearBot(s)));
    const first = loadLocalEngine().scoreRows(rows, opts);
    const again = loadLocalEngine().scoreRows(structuredClone(rows), opts);
    expect(again).toEqual(first);
    const reparsed = JSON.parse(JSON.stringify(rows)) as Features[];
    expect(loadLocalEngine().scoreRows(reparsed, opts)).toEqual(first);
  });

  it("uses the configured thresholds", () => {
    const row = extractFeatures(linearBot(4));
    const [strict] = loadLocalEngine().scoreRows([row], opts);
    const [lenient] = loadLocalEngine().scoreRows([row], {
      now,
      thresholds: { review: 900, fail: 1000 },
    });
    expect(lenient!.anomalyScore).toBe(strict!.anomalyScore);
    expect(lenient!.decision).toBe("pass");
  });

  it("lets the model alone review, not fail, a session with too little movement", () => {
    const still: SessionInput = {
      sessionId: "still",
      movements: [0, 1, 2, 3].map((i) => ({ x: 100 + i * 40, y: 100, timestamp: i * 100 })),
      clicks: [],
    };
    const [result] = loadLocalEngine().scoreRows([extractFeatures(still)], opts);
    expect(result!.decision).not.toBe("fail");
  });
});
