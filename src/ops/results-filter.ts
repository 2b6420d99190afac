import { parseDuration } from "../durations.js";
import { UsageError } from "../errors.js";
import { RESULT_STATES } from "./result.js";
import type { ResultsFilter } from "./results.js";

/** A results filter as a caller writes it: names as strings, times as dates or durations ago. */
export interface ResultsQuery {
  state?: string | readonly string[];
  decision?: string | readonly string[];
  source?: string | readonly string[];
  /** An ISO date, a Date, ms since the epoch, or a duration ago (`24h`). */
  since?: string | number | Date;
  until?: string | number | Date;
  ids?: Iterable<string>;
  /** Also list the archive (default true). */
  archive?: boolean;
}

export const DECISIONS = ["pass", "review", "fail"] as const;
export const SOURCES = ["heuristic", "local", "woodwide", "fallback"] as const;

/** How each entry point names a field in messages: `--state` for the CLI, `state` elsewhere. */
export type FieldName = (field: keyof ResultsQuery) => string;

function names(
  values: string | readonly string[] | undefined,
  allowed: readonly string[],
  label: string,
): Set<string> | undefined {
  if (values === undefined) return undefined;
  const list = typeof values === "string" ? [values] : values;
  const set = new Set(list.flatMap((v) => String(v).split(",")).filter(Boolean));
  for (const v of set)
    if (!allowed.includes(v))
      throw new UsageError(`${label}: expected ${allowed.join(", ")}, got ${v}`);
  return set;
}

/** A point in time: an ISO date, or a duration ago (`24h` = 24 hours before now). */
export function parseTimeFlag(value: string | number | Date, now: number, label: string): number {
  if (value instanceof Date || typeof value === "number") {
    const at = value instanceof Date ? value.getTime() : value;
    if (Number.isFinite(at)) return at;
    throw new UsageError(`${label}: expected a valid date, got ${String(value)}`);
  }
  const ago = parseDuration(value);
  if (ago !== undefined && !/^\d{4}-/.test(value)) return now - ago;
  const at = Date.parse(value);
  if (Number.isNaN(at))
    throw new UsageError(
      `${label}: expected an ISO date (2026-11-30T06:00Z) or a duration ago (24h), got ${value}`,
    );
  return at;
}

/** Checks and converts a query (issue 12: the CLI's flags, the library and `serve` share it). */
export function parseResultsQuery(q: ResultsQuery, now: number, name: FieldName): ResultsFilter {
  const states = names(q.state, RESULT_STATES, name("state"));
  const decisions = names(q.decision, DECISIONS, name("decision"));
  const sources = names(q.source, SOURCES, name("source"));
  return {
    ...(states ? { states } : {}),
    ...(decisions ? { decisions } : {}),
    ...(sources ? { sources } : {}),
    ...(q.since === undefined ? {} : { since: parseTimeFlag(q.since, now, name("since")) }),
    ...(q.until === undefined ? {} : { until: parseTimeFlag(q.until, now, name("until")) }),
    ...(q.ids === undefined ? {} : { ids: new Set(q.ids) }),
    archive: q.archive !== false,
  };
}
