/**
 * An answer must cover every row sent exactly once (design.md, "Processing a batch"): anything
 * else is a failed attempt, never a partial guess, so the batch is retried.
 */
import { ServiceError } from "../errors.js";
import type { ResultRow } from "./parse-results.js";

const LIST_MAX = 10;

function list(ids: number[]): string {
  const shown = ids.slice(0, LIST_MAX).join(", ");
  return ids.length > LIST_MAX ? `${shown} and ${ids.length - LIST_MAX} more` : shown;
}

/** Rows in id order 0..n-1, or ServiceError "id-mismatch" (retryable) naming what was wrong. */
export function validateRowIds(rows: readonly ResultRow[], n: number): ResultRow[] {
  const byId = new Map<number, ResultRow>();
  const duplicated = new Set<number>();
  const outOfRange: number[] = [];
  for (const row of rows) {
    if (!Number.isInteger(row.id) || row.id < 0 || row.id >= n) outOfRange.push(row.id);
    else if (byId.has(row.id)) duplicated.add(row.id);
    else byId.set(row.id, row);
  }
  const missing: number[] = [];
  for (let i = 0; i < n; i++) if (!byId.has(i)) missing.push(i);
  if (missing.length || duplicated.size || outOfRange.length) {
    const problems = [
      missing.length ? `missing ids ${list(missing)}` : "",
      duplicated.size ? `duplicated ${list([...duplicated])}` : "",
      outOfRange.length ? `out of range ${list(outOfRange)}` : "",
    ].filter(Boolean);
    throw new ServiceError(
      `Woodwide answered ${rows.length} rows for ${n} sent: ${problems.join("; ")}`,
      { kind: "id-mismatch", retryable: true },
    );
  }
  return Array.from({ length: n }, (_, i) => byId.get(i) as ResultRow);
}

export interface ScoreDirection {
  flaggedMean: number | undefined;
  unflaggedMean: number | undefined;
  /** undefined when one group is empty; false means the score may be inverted (log it). */
  flaggedScoreHigher: boolean | undefined;
}

/** The doc's sanity check: higher score should mean more anomalous. Logged, never fatal. */
export function scoreDirection(rows: readonly ResultRow[]): ScoreDirection {
  const mean = (xs: number[]) =>
    xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
  const flaggedMean = mean(rows.filter((r) => r.isAnomaly).map((r) => r.score));
  const unflaggedMean = mean(rows.filter((r) => !r.isAnomaly).map((r) => r.score));
  const flaggedScoreHigher =
    flaggedMean === undefined || unflaggedMean === undefined
      ? undefined
      : flaggedMean > unflaggedMean;
  return { flaggedMean, unflaggedMean, flaggedScoreHigher };
}
