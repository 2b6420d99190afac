/**
 * The fake's scoring: a simple but real anomaly model, so tests can build sessions it flags.
 * Trained models z-score each input column against the training dataset; untrained models flag
 * rows whose `flagColumn` exceeds `flagAbove`. Answers come back in a seeded shuffled order.
 */
import { parse } from "csv-parse/sync";

export type Cell = number | string | null;
export type Row = Record<string, Cell>;
export interface ScoredRow {
  id: number;
  isAnomaly: boolean;
  score: number;
}
export interface ColumnStats {
  mean: number;
  std: number;
}
export interface ScoringModel {
  stats?: Map<string, ColumnStats>;
  rule?: { column: string; above: number };
}

export function parseCsvTable(text: string): { columns: string[]; rows: Row[] } {
  let columns: string[] = [];
  const records: Record<string, string>[] = parse(text, {
    columns: (header: string[]) => {
      columns = header;
      return header;
    },
    skip_empty_lines: true,
    bom: true,
  });
  const cell = (v: string): Cell => (v === "" ? null : Number.isFinite(Number(v)) ? Number(v) : v);
  const rows = records.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cell(v)])),
  );
  return { columns, rows };
}

export function trainStats(rows: Row[], columns: string[]): Map<string, ColumnStats> {
  const stats = new Map<string, ColumnStats>();
  for (const col of columns) {
    const xs = rows.map((r) => r[col]).filter((v): v is number => typeof v === "number");
    const mean = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
    const variance = xs.length ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length : 0;
    // A constant column would divide by zero; a tiny floor keeps any deviation "very strange".
    stats.set(col, { mean, std: Math.max(Math.sqrt(variance), 1e-6) });
  }
  return stats;
}

export function scoreRows(model: ScoringModel, rows: Row[], threshold: number): ScoredRow[] {
  return rows.map((row, id) => {
    if (model.stats) {
      let sum = 0;
      let n = 0;
      for (const [col, { mean, std }] of model.stats) {
        const v = row[col];
        if (typeof v !== "number") continue; // schema coercion: missing values are null
        sum += Math.abs(v - mean) / std;
        n++;
      }
      const score = n ? sum / n : 0;
      return { id, isAnomaly: score > threshold, score };
    }
    const rule = model.rule ?? { column: "avgSpeed", above: 5000 };
    const v = row[rule.column];
    const x = typeof v === "number" ? v : 0;
    return { id, isAnomaly: x > rule.above, score: rule.above ? x / rule.above : x };
  });
}

/** mulberry32: tiny, seeded, good enough to shuffle answers reproducibly. */
export function shuffled<T>(xs: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export type RowFault = "missing-id" | "duplicate-id" | "unknown-id";

/** Breaks an answer the way the id check must catch (needs at least two rows to duplicate). */
export function breakRows(rows: ScoredRow[], fault: RowFault): ScoredRow[] {
  const out = rows.map((r) => ({ ...r }));
  const first = out[0];
  if (!first) return out;
  if (fault === "missing-id") return out.slice(1);
  if (fault === "unknown-id") first.id = out.length;
  else if (out[1]) out[1].id = first.id;
  return out;
}

export function toColumns(rows: ScoredRow[]) {
  return {
    id: rows.map((r) => r.id),
    is_anomaly: rows.map((r) => r.isAnomaly),
    anomaly_score: rows.map((r) => r.score),
  };
}

export function toCsv(rows: ScoredRow[]): string {
  const lines = rows.map((r) => `${r.id},${r.isAnomaly},${r.score}`);
  return `id,is_anomaly,anomaly_score\n${lines.join("\n")}\n`;
}
