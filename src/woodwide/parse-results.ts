/**
 * Pure parsing of Woodwide inference answers. The results body is unconfirmed (woodwide-api.md),
 * so every shape the doc names is accepted: column JSON inline or under `data`, a signed URL
 * (returned as a marker for the client to fetch), or CSV. Anything else is "malformed".
 */
import { parse as parseCsv } from "csv-parse/sync";
import { ServiceError } from "../errors.js";

export interface ResultRow {
  id: number;
  isAnomaly: boolean;
  score: number;
}

export type ParsedResults = { rows: ResultRow[] } | { downloadUrl: string };

const URL_KEY = /_(uri|url)$/i;

function malformed(what: string): ServiceError {
  return new ServiceError(`Woodwide results are malformed: ${what}`, {
    kind: "malformed",
    retryable: true,
  });
}

/** Parses a raw body; `contentType` only breaks the tie for bodies that are neither obviously. */
export function parseResults(body: string, contentType?: string): ParsedResults {
  const text = body.replace(/^\uFEFF/, "").trim();
  if (!text) throw malformed("empty body");
  if (/json/i.test(contentType ?? "") || text.startsWith("{") || text.startsWith("[")) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw malformed("body is not valid JSON");
    }
    return parseResultsValue(value);
  }
  return { rows: parseCsvRows(text) };
}

/** Parses an already-decoded JSON answer (e.g. the direct path's `data`). */
export function parseResultsValue(value: unknown): ParsedResults {
  if (typeof value === "string") return parseResults(value);
  if (Array.isArray(value)) return { rows: value.map((row, i) => toRow(row, i)) };
  if (!isObject(value)) throw malformed(`expected an object, got ${typeof value}`);
  if ("id" in value || "is_anomaly" in value) return { rows: fromColumns(value) };
  if ("data" in value && value.data !== null && value.data !== undefined) {
    return parseResultsValue(value.data);
  }
  const url = findDownloadUrl(value);
  if (url) return { downloadUrl: url };
  if ("anomalous_ids" in value || "ids" in value) {
    throw malformed("only flagged ids were answered (anomaly_format=per_row not honoured)");
  }
  throw malformed(`no id/is_anomaly columns (keys: ${Object.keys(value).join(", ") || "none"})`);
}

/** A `*_uri`/`*_url` string at the top level or under `data`. */
export function findDownloadUrl(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  for (const [key, v] of Object.entries(value)) {
    if (URL_KEY.test(key) && typeof v === "string" && /^(https?:\/\/|\/)/.test(v)) return v;
  }
  return isObject(value.data) ? findDownloadUrl(value.data) : undefined;
}

function fromColumns(cols: Record<string, unknown>): ResultRow[] {
  const { id, is_anomaly: flags, anomaly_score: scores } = cols;
  if (!Array.isArray(id) || !Array.isArray(flags) || !Array.isArray(scores)) {
    throw malformed("id, is_anomaly and anomaly_score must all be arrays");
  }
  if (flags.length !== id.length || scores.length !== id.length) {
    throw malformed(
      `column lengths differ (id ${id.length}, is_anomaly ${flags.length}, anomaly_score ${scores.length})`,
    );
  }
  return id.map((rowId, i) =>
    toRow({ id: rowId, is_anomaly: flags[i], anomaly_score: scores[i] }, i),
  );
}

function parseCsvRows(text: string): ResultRow[] {
  let records: Record<string, string>[];
  try {
    records = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (err) {
    throw malformed(`CSV does not parse (${(err as Error).message})`);
  }
  const header = records[0] ? Object.keys(records[0]) : [];
  if (!["id", "is_anomaly", "anomaly_score"].every((c) => header.includes(c))) {
    throw malformed(`CSV lacks id/is_anomaly/anomaly_score columns (has: ${header.join(", ")})`);
  }
  return records.map((row, i) => toRow(row, i));
}

function toRow(raw: unknown, index: number): ResultRow {
  if (!isObject(raw)) throw malformed(`row ${index} is not an object`);
  const id = toNumber(raw.id);
  const score = toNumber(raw.anomaly_score);
  const isAnomaly = toBoolean(raw.is_anomaly);
  if (id === undefined || !Number.isInteger(id))
    throw malformed(`row ${index}: id is not an integer`);
  if (score === undefined) throw malformed(`row ${index}: anomaly_score is not a number`);
  if (isAnomaly === undefined) throw malformed(`row ${index}: is_anomaly is not a boolean`);
  return { id, isAnomaly, score };
}

function toNumber(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

function toBoolean(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  const s = String(v).trim().toLowerCase();
  if (s === "true" || s === "1") return true;
  if (s === "false" || s === "0") return false;
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// The contract names parse-results.ts as validateRowIds' home; the code lives beside it.
export { type ScoreDirection, scoreDirection, validateRowIds } from "./validate-rows.js";
