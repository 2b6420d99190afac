import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { UsageError } from "../errors.js";
import { prepareRecord } from "../ops/enqueue-prepare.js";
import { DEFAULT_THRESHOLDS } from "../scoring/result.js";
import { DEFAULT_FEATURE_SET, type FeatureSetName } from "../telemetry/feature-set-names.js";
import { featureKey } from "../telemetry/feature-sets.js";
import { FEATURE_COLUMNS } from "../telemetry/features.js";
import { readRecordTexts } from "../telemetry/read-records.js";
import type { BatchRow } from "./csv.js";

export interface BaselineRows {
  rows: BatchRow[];
  rejected: string[];
}

/**
 * Reads a human baseline for `model train`: a CSV of feature rows (header with the PlayProof
 * columns, e.g. fixtures/baseline/human-baseline.csv), or sessions in any form enqueue reads.
 */
export async function readBaselineRows(
  file: string,
  set: FeatureSetName = DEFAULT_FEATURE_SET,
): Promise<BaselineRows> {
  return /\.csv$/i.test(file) ? readCsvRows(file, set) : readSessionRows(file);
}

/** Issue 13: a CSV holds a set's values under featureKey names (build-baseline.mjs writes both). */
async function readCsvRows(file: string, set: FeatureSetName): Promise<BaselineRows> {
  const rows: BatchRow[] = [];
  const rejected: string[] = [];
  let line = 1;
  for await (const rec of createReadStream(file).pipe(
    parse({ columns: true, skip_empty_lines: true, trim: true }),
  )) {
    line++;
    const r = rec as Record<string, string>;
    const features: Record<string, number> = {};
    if (line === 2 && r[featureKey(set, "durationMs")] === undefined) {
      throw new UsageError(
        `${file} has no ${set} columns (${featureKey(set, "durationMs")}, ...): regenerate it with \`npm run baseline\`, or train on sessions (NDJSON)`,
      );
    }
    const bad = FEATURE_COLUMNS.map((c) => featureKey(set, c)).find((c) => {
      const v = Number(r[c]);
      features[c] = v;
      return r[c] === undefined || r[c] === "" || !Number.isFinite(v);
    });
    if (bad)
      rejected.push(
        `${file} line ${line}: ${bad}: expected a number, got ${JSON.stringify(r[bad] ?? null)}`,
      );
    else
      rows.push({
        features,
        meta: { gameType: r.gameType || "unknown", deviceType: r.deviceType || "unknown" },
      });
  }
  return { rows, rejected };
}

async function readSessionRows(file: string): Promise<BaselineRows> {
  const rows: BatchRow[] = [];
  const rejected: string[] = [];
  for await (const rec of readRecordTexts(createReadStream(file))) {
    const p = prepareRecord(rec, { thresholds: DEFAULT_THRESHOLDS, now: 0 });
    if ("rejection" in p) rejected.push(`${file} ${p.rejection}`);
    else rows.push({ features: p.payload.features, meta: p.payload.meta });
  }
  return { rows, rejected };
}
