import { featureKey } from "../telemetry/feature-sets.js";
import {
  EXTRA_FEATURE_COLUMNS,
  FEATURE_COLUMNS,
  type Features,
  SHAPE_FEATURE_COLUMNS,
} from "../telemetry/features.js";

/**
 * The shipped human baseline: one feature row per session, every column (PlayProof ones for
 * Woodwide's `model train`, extra ones for the local model). No ids and no gameType/deviceType:
 * the dev humans' game labels say nothing about real traffic and must not become model inputs.
 */
export const BASELINE_COLUMNS = [
  ...FEATURE_COLUMNS,
  ...EXTRA_FEATURE_COLUMNS,
  ...SHAPE_FEATURE_COLUMNS,
] as const;

/**
 * Issue 13: the `playproof-1` values too, whole (PlayProof's definitions, for `model train
 * --feature-set playproof-1`); the local engine reads only BASELINE_COLUMNS.
 */
export const PLAYPROOF1_BASELINE_COLUMNS = FEATURE_COLUMNS.map((c) => featureKey("playproof-1", c));

export function formatBaselineCsv(rows: readonly Record<string, number>[]): string {
  const columns = [...BASELINE_COLUMNS, ...PLAYPROOF1_BASELINE_COLUMNS];
  const lines = [columns.join(",")];
  for (const row of rows) lines.push(columns.map((c) => String(row[c] ?? 0)).join(","));
  return `${lines.join("\n")}\n`;
}

export function parseBaselineCsv(text: string): Features[] {
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0);
  const header = (lines[0] ?? "").split(",");
  const missing = BASELINE_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new Error(`baseline CSV lacks column(s) ${missing.join(", ")}: regenerate it`);
  }
  const index = BASELINE_COLUMNS.map((c) => header.indexOf(c));
  return lines.slice(1).map((line, i) => {
    const cells = line.split(",");
    const row = {} as Features;
    BASELINE_COLUMNS.forEach((c, j) => {
      const value = Number(cells[index[j]!]);
      if (!Number.isFinite(value))
        throw new Error(`baseline CSV line ${i + 2}: ${c} is not a number`);
      row[c] = value;
    });
    return row;
  });
}
