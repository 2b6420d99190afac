import { stringify } from "csv-stringify/sync";
import type { SessionMeta } from "../queue/events.js";
import type { FeatureSetName } from "../telemetry/feature-set-names.js";
import { featureValue } from "../telemetry/feature-sets.js";
import { FEATURE_COLUMNS } from "../telemetry/features.js";

/**
 * The CSV header Woodwide sees: the PlayProof training columns, in training order, plus the two
 * categories PlayProof models were trained with. Woodwide silently nulls a misnamed column
 * (woodwide-api.md, "Schema coercion"), so this list is the one source of the header. Row i of
 * the file is session i of the batch; identifiers never leave the machine.
 */
export const BATCH_COLUMNS = [...FEATURE_COLUMNS, "gameType", "deviceType"] as const;

/** Numeric model inputs for `model train` (categories are sent but never trained on). */
export const MODEL_INPUT_COLUMNS: readonly string[] = FEATURE_COLUMNS;

export interface BatchRow {
  features: Record<string, number>;
  meta: SessionMeta;
}

/** Issue 13: the values are those of `set`, the definitions the model was trained on. */
export function buildBatchCsv(rows: readonly BatchRow[], set: FeatureSetName): string {
  const records = rows.map(({ features, meta }) =>
    BATCH_COLUMNS.map((c) =>
      c === "gameType"
        ? meta.gameType
        : c === "deviceType"
          ? meta.deviceType
          : featureValue(features, set, c),
    ),
  );
  return stringify(records, { header: true, columns: [...BATCH_COLUMNS] });
}
