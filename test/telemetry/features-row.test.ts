import { describe, expect, it } from "vitest";
import {
  EXTRA_FEATURE_COLUMNS,
  extractFeatures,
  FEATURE_COLUMNS,
  SHAPE_FEATURE_COLUMNS,
} from "../../src/telemetry/features.js";

// Issue 10: the row is an object literal (features-row.ts) for speed; its keys must stay the
// column lists, in their order, since CSV headers and stored payloads follow the row's key order.
describe("extractFeatures' row", () => {
  it("has exactly the column lists' keys, in order", () => {
    const row = extractFeatures({ sessionId: "s", movements: [], clicks: [] });
    expect(Object.keys(row)).toEqual([
      ...FEATURE_COLUMNS,
      ...EXTRA_FEATURE_COLUMNS,
      ...SHAPE_FEATURE_COLUMNS,
    ]);
  });
});
