import { describe, expect, it } from "vitest";
import {
  BASELINE_SPLIT,
  isBaselineSession,
  sessionGroup,
} from "../../src/scoring/baseline-split.js";
import { hashString } from "../../src/scoring/random.js";

// Issue 15: the baseline/held-out split by recording, at its exact boundary.
describe("baseline split", () => {
  it.each([
    ["balabit:user7:test:session_0244684556:w002", "balabit:user7:test:session_0244684556"],
    ["a:w12", "a"],
    ["a:w12:b", "a:w12:b"], // only a trailing window suffix
    ["a:wx", "a:wx"],
    ["plain", "plain"],
  ])("sessionGroup(%s) = %s", (id, group) => {
    expect(sessionGroup(id)).toBe(group);
  });

  it("puts buckets 0-59 in the baseline and 60-99 out, whole recordings together", () => {
    const bucket = (id: string) => hashString(`${BASELINE_SPLIT.seed}:${sessionGroup(id)}`) % 100;
    const find = (b: number) => {
      for (let i = 0; ; i++) if (bucket(`s${i}`) === b) return `s${i}`;
    };
    expect(BASELINE_SPLIT.percent).toBe(60);
    expect(isBaselineSession(find(59))).toBe(true);
    expect(isBaselineSession(find(60))).toBe(false);
    expect(isBaselineSession(find(0))).toBe(true);
    expect(isBaselineSession(`${find(60)}:w001`)).toBe(false);
  });
});
