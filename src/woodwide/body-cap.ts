/**
 * Issue 8, defect 7: the most a Woodwide answer may weigh before the client stops reading it (a
 * 700 MB answer once took 1.5 GB of memory). In proportion to the batch: a fixed allowance for
 * the envelope (job fields, error text) plus a per-row allowance far above what a per-row answer
 * needs (about 60 bytes a row as column JSON or CSV, a few hundred if the input columns are
 * echoed back). Over the cap the answer is malformed, which is retryable.
 */
export const BODY_CAP_FIXED_BYTES = 1024 * 1024;
export const BODY_CAP_PER_ROW_BYTES = 4 * 1024;

/** 1 MiB + 4 KiB per row: a batch of 50 may answer up to 1.2 MiB. No rows: the fixed part. */
export function responseBodyCap(rows = 0): number {
  return BODY_CAP_FIXED_BYTES + BODY_CAP_PER_ROW_BYTES * Math.max(0, rows);
}
