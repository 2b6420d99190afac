import { formatDuration } from "../durations.js";

/** Progress lines (issue 9, defect 9): pure, so every case is a table row. */

const count = (n: number) => Math.round(n).toLocaleString("en-US");

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

export interface EnqueueProgress {
  records: number;
  rejected: number;
  /** Input bytes read so far (compressed bytes for gzip input, like the total). */
  bytes: number;
  /** The inputs' size when every input is a regular file (a file, or stdin redirected from one). */
  totalBytes?: number;
  elapsedMs: number;
}

/** `enqueue: 12,345 records · 3.1 MiB of 25.0 MiB (12%) · 10,200 records/s · 3 rejected` */
export function formatEnqueueProgress(p: EnqueueProgress): string {
  const bytes =
    p.totalBytes === undefined
      ? formatBytes(p.bytes)
      : `${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)} (${p.totalBytes > 0 ? Math.floor((100 * Math.min(p.bytes, p.totalBytes)) / p.totalBytes) : 100}%)`;
  const parts = [`enqueue: ${count(p.records)} records`, bytes];
  if (p.elapsedMs > 0) parts.push(`${count((p.records * 1000) / p.elapsedMs)} records/s`);
  parts.push(`${count(p.rejected)} rejected`);
  return parts.join(" · ");
}

export interface BatchProgress {
  /** The batch starting now, from 1. */
  n: number;
  /** Batches due when the run started; a run that finds more counts on past it. */
  total?: number;
  engine: string;
  /** Batches ended so far, and the time they took: the ETA's pace. */
  done: number;
  elapsedMs: number;
}

/** `batch 3/48: scoring with local… · ETA 1m30s` */
export function formatBatchProgress(p: BatchProgress): string {
  const total = p.total === undefined ? undefined : Math.max(p.total, p.n);
  const head = `batch ${total === undefined ? p.n : `${p.n}/${total}`}: scoring with ${p.engine}…`;
  if (total === undefined || p.done === 0) return head;
  const eta = (p.elapsedMs / p.done) * (total - p.done);
  return `${head} · ETA ${formatDuration(eta)}`;
}
