import { createRequire } from "node:module";

/**
 * Caps so one hostile record cannot exhaust memory (design.md, "Input: session telemetry").
 * maxRecordBytes is sized so a session at the movement cap still fits: 200,000 points written
 * with `isTrusted` take about 12 MB.
 */
export const LIMITS = {
  maxSessionIdLength: 128,
  /** userId, deploymentId, gameType, deviceType: labels, never blobs. */
  maxLabelLength: 256,
  maxMovements: 200_000,
  maxClicks: 20_000,
  maxRecordBytes: 16 * 1024 * 1024,
} as const;

export type MovementPoint = { x: number; y: number; timestamp: number; isTrusted?: boolean };
export type ClickPoint = { x: number; y: number; timestamp: number; targetHit?: boolean };

export type Session = {
  sessionId: string;
  userId?: string;
  deploymentId?: string;
  gameType: string;
  deviceType: string;
  durationMs: number;
  movements: MovementPoint[];
  clicks: ClickPoint[];
  hits: number;
  misses: number;
};

export type ParseSessionResult = { ok: true; session: Session } | { ok: false; error: string };

type Path = readonly PropertyKey[];
type PointIssue = { path: Path; message: string };

// C0/C1 controls, invisible format characters (bidi overrides, zero-width), lone surrogates and
// line/paragraph separators: none of them belongs in an identifier an operator reads in a log.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return String(value);
  // Short strings are quoted so "NaN" or "12" is visible; long ones would flood the log.
  if (typeof value === "string")
    return value.length <= 24 ? `string ${JSON.stringify(value)}` : "string";
  return typeof value;
}

export function mismatch(expected: string, value: unknown): string {
  if (value === undefined) return `missing (expected ${expected})`;
  if (typeof value === "number" && expected === "a number") {
    return `expected a finite number, got ${value}`;
  }
  return `expected ${expected}, got ${describe(value)}`;
}

export type LabelRule = { min: number; max: number };
export const SESSION_ID: LabelRule = { min: 1, max: LIMITS.maxSessionIdLength };
export const LABEL: LabelRule = { min: 0, max: LIMITS.maxLabelLength };

/**
 * The one rule for sessionId and every other label (issue 8: control characters were refused in
 * sessionId only, yet userId, gameType and the rest reach the same logs and tables): a length in
 * code points and printable characters only.
 */
export function labelProblem(value: string, { min, max }: LabelRule): string | undefined {
  const rule =
    min > 0
      ? `must be ${min}-${max} printable characters`
      : `must be at most ${max} printable characters`;
  // Code points, not UTF-16 units; only counted when the cheap length test is inconclusive.
  const length = value.length <= max ? value.length : [...value].length;
  if (length < min) return `${rule} (got ${length === 0 ? "an empty string" : length})`;
  if (length > max) return `${rule} (got ${length})`;
  const bad = NON_PRINTABLE.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    return `${rule} (got U+${code} at index ${bad.index})`;
  }
  return undefined;
}

/** The record's sessionId when it is a valid one, so a rejection message can name the record. */
export function sessionIdHint(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const id = (value as { sessionId?: unknown }).sessionId;
  return typeof id === "string" && labelProblem(id, SESSION_ID) === undefined ? id : undefined;
}

/** ["movements", 3, "timestamp"] -> "movements[3].timestamp"; the root is "(record)". */
export function formatPath(path: Path): string {
  let out = "";
  for (const key of path) {
    out += typeof key === "number" ? `[${key}]` : out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(record)" : out;
}

/*
 * Point arrays are checked by these loops, not zod: on the sample sessions (~350 points, 12 KB)
 * zod objects per point took about a third of JSON.parse of the line, and handing a new array
 * back through a zod transform cost as much again; parseSession as written takes about 13% of
 * JSON.parse. The fast path reads only the known properties and copies each point once, which
 * also strips unknown keys; the slow path runs on failure only, to word the message.
 */
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function pointIssue(p: unknown, field: string, i: number, flag: string): PointIssue {
  if (typeof p !== "object" || p === null || Array.isArray(p)) {
    return { path: [field, i], message: mismatch("an object {x, y, timestamp}", p) };
  }
  const point = p as Record<string, unknown>;
  for (const key of ["x", "y", "timestamp"]) {
    if (!isNum(point[key]))
      return { path: [field, i, key], message: mismatch("a number", point[key]) };
  }
  if ((point.timestamp as number) < 0) {
    return { path: [field, i, "timestamp"], message: `must be >= 0, got ${point.timestamp}` };
  }
  return { path: [field, i, flag], message: mismatch("a boolean", point[flag]) };
}

type RawPoint = {
  x?: unknown;
  y?: unknown;
  timestamp?: unknown;
  isTrusted?: unknown;
  targetHit?: unknown;
};

function isPoint(p: unknown): p is RawPoint {
  return typeof p === "object" && p !== null && !Array.isArray(p);
}

// readMovements and readClicks are twins on purpose: one generic loop writing `[flag]: f` as a
// computed key measured twice as slow (parseSession 37 µs vs 19 µs per 300-point session).
function readMovements(arr: unknown[]): MovementPoint[] | PointIssue {
  const out: MovementPoint[] = [];
  for (let i = 0; i < arr.length; i++) {
    const p = arr[i];
    if (!isPoint(p)) return pointIssue(p, "movements", i, "isTrusted");
    const { x, y, timestamp: t, isTrusted: f } = p;
    if (!isNum(x) || !isNum(y) || !isNum(t) || t < 0)
      return pointIssue(p, "movements", i, "isTrusted");
    if (f === undefined || f === null) out.push({ x, y, timestamp: t });
    else if (typeof f === "boolean") out.push({ x, y, timestamp: t, isTrusted: f });
    else return pointIssue(p, "movements", i, "isTrusted");
  }
  return out;
}

/**
 * readMovements without the copy (issue 10: enqueue reads x, y and timestamp only, and the
 * copies were a third of the garbage each session made): the same checks in the same order, so
 * the same first problem; on success the input array itself, `isTrusted: null` and unknown keys
 * left in its points.
 */
function checkMovements(arr: unknown[]): MovementPoint[] | PointIssue {
  for (let i = 0; i < arr.length; i++) {
    const p = arr[i];
    if (!isPoint(p)) return pointIssue(p, "movements", i, "isTrusted");
    const { x, y, timestamp: t, isTrusted: f } = p;
    if (!isNum(x) || !isNum(y) || !isNum(t) || t < 0)
      return pointIssue(p, "movements", i, "isTrusted");
    if (!(f === undefined || f === null || typeof f === "boolean"))
      return pointIssue(p, "movements", i, "isTrusted");
  }
  return arr as MovementPoint[];
}

function readClicks(arr: unknown[]): ClickPoint[] | PointIssue {
  const out: ClickPoint[] = [];
  for (let i = 0; i < arr.length; i++) {
    const p = arr[i];
    if (!isPoint(p)) return pointIssue(p, "clicks", i, "targetHit");
    const { x, y, timestamp: t, targetHit: f } = p;
    if (!isNum(x) || !isNum(y) || !isNum(t) || t < 0)
      return pointIssue(p, "clicks", i, "targetHit");
    if (f === undefined || f === null) out.push({ x, y, timestamp: t });
    else if (typeof f === "boolean") out.push({ x, y, timestamp: t, targetHit: f });
    else return pointIssue(p, "clicks", i, "targetHit");
  }
  return out;
}

function readPoints(
  arr: unknown[],
  field: "movements" | "clicks",
  copy = true,
): MovementPoint[] | ClickPoint[] | PointIssue {
  const max = field === "movements" ? LIMITS.maxMovements : LIMITS.maxClicks;
  if (arr.length > max) return { path: [field], message: `more than ${max} entries` };
  if (field === "clicks") return readClicks(arr);
  return copy ? readMovements(arr) : checkMovements(arr);
}

/** A record's top-level fields as the envelope check returns them; the points are read after. */
export type Envelope = {
  sessionId: string;
  userId?: string | null;
  deploymentId?: string | null;
  gameType?: string | null;
  deviceType?: string | null;
  durationMs?: number | null;
  movements: unknown[];
  clicks?: unknown[] | null;
  hits?: number | null;
  misses?: number | null;
};

export type EnvelopeCheck = (
  value: unknown,
) => { ok: true; data: Envelope } | { ok: false; error: string };

/**
 * The zod envelope (schema-envelope.ts), for records the hand check below does not pass: loaded
 * on the first such record, not at start-up (issue 13: zod's module graph took 50-60 ms of every
 * command's start and of each enqueue worker's). Node >= 20.19 loads an ES module through
 * require(); the test setup imports it up front, as vitest runs the TypeScript sources.
 */
let envelopeCheck: EnvelopeCheck | undefined;
export function useEnvelopeCheck(check: EnvelopeCheck): void {
  envelopeCheck = check;
}
function checkEnvelope(value: unknown) {
  envelopeCheck ??= (
    createRequire(import.meta.url)("./schema-envelope.js") as {
      checkEnvelope: EnvelopeCheck;
    }
  ).checkEnvelope;
  return envelopeCheck(value);
}

const absent = (v: unknown): v is null | undefined => v === undefined || v === null;
const optionalLabel = (v: unknown) =>
  absent(v) || (typeof v === "string" && labelProblem(v, LABEL) === undefined);
const optionalCount = (v: unknown) =>
  absent(v) || (typeof v === "number" && Number.isSafeInteger(v) && v >= 0);

/**
 * The envelope of a common, well-formed record, checked by hand (issue 10: zod's object parse was
 * most of parseSession at 30 points). It accepts only what `envelope` accepts (a subset: an
 * integer beyond 2^53 is left to zod) and returns the fields `envelope` would; anything else
 * returns undefined and goes through zod, which words the error exactly as before.
 */
function wellFormedEnvelope(value: unknown): Envelope | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const { sessionId, userId, deploymentId, gameType, deviceType, durationMs } = v;
  const { movements, clicks, hits, misses } = v;
  const ok =
    typeof sessionId === "string" &&
    labelProblem(sessionId, SESSION_ID) === undefined &&
    optionalLabel(userId) &&
    optionalLabel(deploymentId) &&
    optionalLabel(gameType) &&
    optionalLabel(deviceType) &&
    (absent(durationMs) || (isNum(durationMs) && durationMs >= 0)) &&
    Array.isArray(movements) &&
    (absent(clicks) || Array.isArray(clicks)) &&
    optionalCount(hits) &&
    optionalCount(misses);
  if (!ok) return undefined;
  return {
    sessionId,
    userId,
    deploymentId,
    gameType,
    deviceType,
    durationMs,
    movements,
    clicks,
    hits,
    misses,
  } as Envelope;
}

/** Span of all timestamps; max - min rather than last - first so unsorted input still works. */
function timeSpan(movements: readonly MovementPoint[], clicks: readonly ClickPoint[]): number {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const list of [movements, clicks]) {
    for (const p of list) {
      if (p.timestamp < min) min = p.timestamp;
      if (p.timestamp > max) max = p.timestamp;
    }
  }
  return max >= min ? max - min : 0;
}

function countTargetHit(clicks: readonly ClickPoint[], hit: boolean): number {
  let n = 0;
  for (const c of clicks) if (c.targetHit === hit) n++;
  return n;
}

function pointError(issue: PointIssue): ParseSessionResult {
  return { ok: false, error: `${formatPath(issue.path)}: ${issue.message}` };
}

/**
 * Validates and normalizes one telemetry record. Defaults: gameType/deviceType "unknown" (also
 * for null or ""); clicks []; durationMs the span of all timestamps (0 without points); hits and
 * misses the clicks with targetHit true/false (0 when clicks carry no targetHit). Unknown fields
 * are dropped. The error names the first problem in field order: envelope, then points.
 */
export interface ParseSessionOptions {
  /**
   * false: the movements are checked, not copied; the session holds the input's own array, its
   * points possibly with `isTrusted: null` and unknown keys. For callers that read only x, y and
   * timestamp of each movement (enqueue's features and fingerprint). Default true.
   */
  copyMovements?: boolean;
}

export function parseSession(value: unknown, o: ParseSessionOptions = {}): ParseSessionResult {
  let d = wellFormedEnvelope(value);
  if (d === undefined) {
    const checked = checkEnvelope(value);
    if (!checked.ok) return { ok: false, error: checked.error };
    d = checked.data;
  }
  const movements = readPoints(d.movements, "movements", o.copyMovements !== false);
  if (!Array.isArray(movements)) return pointError(movements);
  const clicks = d.clicks ? readPoints(d.clicks, "clicks") : [];
  if (!Array.isArray(clicks)) return pointError(clicks);
  const session: Session = {
    sessionId: d.sessionId,
    ...(d.userId != null && { userId: d.userId }),
    ...(d.deploymentId != null && { deploymentId: d.deploymentId }),
    gameType: d.gameType || "unknown",
    deviceType: d.deviceType || "unknown",
    durationMs: d.durationMs ?? timeSpan(movements, clicks),
    movements,
    clicks,
    hits: d.hits ?? countTargetHit(clicks, true),
    misses: d.misses ?? countTargetHit(clicks, false),
  };
  return { ok: true, session };
}
