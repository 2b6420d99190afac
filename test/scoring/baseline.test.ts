import { describe, expect, it } from "vitest";
import { formatBaselineCsv, parseBaselineCsv } from "../../src/scoring/baseline-csv.js";
import { isBaselineSession, sessionGroup } from "../../src/scoring/baseline-split.js";
import { extractFeatures } from "../../src/telemetry/features.js";

describe("baseline CSV", () => {
  it("round-trips feature rows exactly", () => {
    const movements = [0, 1, 2, 3].map((i) => ({ x: i * 7.25, y: i * i, timestamp: i * 16.6 }));
    const row = extractFeatures({ sessionId: "a", movements, clicks: [] });
    expect(parseBaselineCsv(formatBaselineCsv([row, row]))).toEqual([row, row]);
  });

  it("names a missing column and a bad cell", () => {
    expect(() => parseBaselineCsv("durationMs\n1\n")).toThrow(/lacks column\(s\) totalMoves/);
    const csv = formatBaselineCsv([extractFeatures({ sessionId: "a", movements: [], clicks: [] })]);
    expect(() => parseBaselineCsv(csv.replace(/\n0,/, "\nx,"))).toThrow(/line 2: durationMs/);
  });
});

describe("baseline split", () => {
  it("groups the windows of one recording", () => {
    expect(sessionGroup("balabit:user7:test:session_1:w002")).toBe("balabit:user7:test:session_1");
    expect(sessionGroup("plain-id")).toBe("plain-id");
  });

  it("puts all windows of a recording on the same side, about 60% in the baseline", () => {
    let inBaseline = 0;
    for (let r = 0; r < 1000; r++) {
      const sides = [0, 1, 2].map((w) => isBaselineSession(`rec${r}:w00${w}`));
      expect(new Set(sides).size).toBe(1);
      if (sides[0]) inBaseline++;
    }
    expect(inBaseline).toBeGreaterThan(550);
    expect(inBaseline).toBeLessThan(650);
  });
});
