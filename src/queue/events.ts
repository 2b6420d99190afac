import type { ScoreResult } from "../scoring/result.js";

/**
 * Journal events. Each is one JSON line: a small flat header first, and the bulky payload (if
 * any) under the key `x`, always written last. Readers fold headers only and fetch payloads
 * lazily by byte offset, which keeps `stats` fast and memory small on large queues.
 */
export interface SessionMeta {
  userId?: string;
  deploymentId?: string;
  gameType: string;
  deviceType: string;
}

export interface SessionPayload {
  features: Record<string, number>;
  meta: SessionMeta;
  provisional: ScoreResult;
  /** Issue 13: trajectory fingerprint (scoring/replay-fingerprint.ts), base64; absent if too plain. */
  fp?: string;
  /** Issue 13: the earlier session this one replays; scoring fails it (replay-verdict.ts). */
  replayOf?: string;
}

export interface EnqueueEvent {
  t: "enqueue";
  at: number;
  id: string;
}
export interface ClaimEvent {
  t: "claim";
  at: number;
  batch: string;
  ids: string[];
  lease: number;
  owner: string;
}
export interface RenewEvent {
  t: "renew";
  at: number;
  batch: string;
  ids: string[];
  lease: number;
}
export interface ResultEvent {
  t: "result";
  at: number;
  batch: string;
  id: string;
}
export interface RetryEvent {
  t: "retry";
  at: number;
  batch: string;
  ids: string[];
  notBefore: number;
  reason: string;
}
export interface ReleaseEvent {
  t: "release";
  at: number;
  batch: string;
  ids: string[];
  reason: string;
}
export interface DeadEvent {
  t: "dead";
  at: number;
  batch: string;
  id: string;
  reason: string;
}
export interface RemoveEvent {
  t: "remove";
  at: number;
  ids: string[];
}
export interface BatchEvent {
  t: "batch";
  at: number;
  batch: string;
  outcome: BatchOutcome;
  sessions: number;
  durationMs: number;
  engine: string;
  message?: string;
  /** Set on failed batches only: what failed (a ServiceError kind, or "error"); for metrics. */
  kind?: string;
  /** Issue 14: calls retried in place during the batch, by status ("503", "network"). */
  retriedCalls?: Record<string, number>;
}
/** Written by compaction: the whole state of one session in one line. */
export interface SnapshotEvent {
  t: "snapshot";
  at: number;
  id: string;
  status: SessionStatus;
  enqueuedAt: number;
  attempts: number;
  notBefore: number;
  doneAt?: number;
  lastError?: string;
  claim?: { batch: string; lease: number; owner: string; ttl?: number };
}
/**
 * Written by compaction just before it appends to the archive: the archive file's size then.
 * A compaction that dies before replacing the journal leaves this as the last word, and the
 * next one cuts the archive back to it (issue 9: nothing lost, nothing archived twice).
 */
export interface ArchivingEvent {
  t: "archiving";
  at: number;
  file: string;
  size: number;
}
/** What a running `watch` announces about itself (issue 9: is a scheduler alive?). */
export interface Watcher {
  /** host:pid:started, unique per watch process. */
  id: string;
  host: string;
  pid: number;
  started: number;
  /** The heartbeat's time: its last check (or batch). */
  lastCheck: number;
  nextCheck: number;
  settings: Record<string, string | number>;
}
/** A running `watch`'s heartbeat; `stopped` when it ends cleanly. */
export interface HeartbeatEvent extends Omit<Watcher, "lastCheck"> {
  t: "heartbeat";
  at: number;
  stopped?: boolean;
}
/** Written by compaction: queue-wide facts that must survive it (last batch, totals). */
export interface MetaEvent {
  t: "meta";
  at: number;
  /** The watchers that had not stopped. */
  watchers?: Watcher[];
  /** Where the archive ended after this compaction's appends. */
  archive?: { file: string; size: number };
  lastBatch?: LastBatch;
  /** The last batch whose outcome was `scored` (metrics: last success timestamp). */
  lastSuccess?: LastBatch;
  totals: Totals;
}

export type BatchOutcome = "scored" | "retry" | "dead" | "failed" | "released";
export type SessionStatus = "queued" | "claimed" | "scored" | "dead";

export interface LastBatch {
  at: number;
  outcome: BatchOutcome;
  sessions: number;
  durationMs: number;
  engine: string;
  message?: string;
  kind?: string;
}

export interface Totals {
  batches: number;
  scored: number;
  retries: number;
  dead: number;
  /** Failed batches by kind (server, rate-limited, timeout, ...); absent in older files. */
  failures?: Record<string, number>;
  /** Woodwide calls retried in place, by status (issue 14); absent in older files. */
  retriedCalls?: Record<string, number>;
}

export type QueueEvent =
  | EnqueueEvent
  | ClaimEvent
  | RenewEvent
  | ResultEvent
  | RetryEvent
  | ReleaseEvent
  | DeadEvent
  | RemoveEvent
  | BatchEvent
  | SnapshotEvent
  | ArchivingEvent
  | HeartbeatEvent
  | MetaEvent;

/** An event to append, with the payload (if any) that goes under `x`. */
export interface OutgoingEvent {
  event: QueueEvent;
  payload?: unknown;
  /** `payload` already serialised (issue 10: enqueue's workers do it, off the main thread). */
  payloadText?: string;
}

const PAYLOAD_KEY = ',"x":';

export function serializeEvent(e: OutgoingEvent): string {
  const [head, body] = serializeParts(e);
  return body === undefined ? head : `${head}${body}${LINE_END}`;
}

/** What follows a payload: the event's closing brace and the newline. */
export const LINE_END = "}\n";

/**
 * serializeEvent's line in parts (issue 10: the append writes them into its buffer one after the
 * other instead of joining a string per line): the header up to the payload key and the payload's
 * text, then LINE_END; or, for an event without a payload, the whole line and undefined.
 */
export function serializeParts({
  event,
  payload,
  payloadText,
}: OutgoingEvent): [string, string | undefined] {
  const head = JSON.stringify(event);
  if (payload === undefined) return [`${head}\n`, undefined];
  return [`${head.slice(0, -1)}${PAYLOAD_KEY}`, payloadText ?? JSON.stringify(payload)];
}

/**
 * Parses the header of one journal line (without its newline). A `"` inside a JSON string is
 * always escaped, so the first `,"x":` in a line is the payload key, never string content.
 */
export function parseHeader(line: string): QueueEvent | undefined {
  const cut = line.indexOf(PAYLOAD_KEY);
  let value: unknown;
  try {
    value = JSON.parse(cut < 0 ? line : `${line.slice(0, cut)}}`);
  } catch {
    return undefined;
  }
  return isEvent(value) ? value : undefined;
}

/** Parses the payload of a journal line; throws when the line has none or it is corrupt. */
export function parsePayload(line: string): unknown {
  const cut = line.indexOf(PAYLOAD_KEY);
  if (cut < 0 || !line.endsWith("}")) throw new Error("journal line has no payload");
  return JSON.parse(line.slice(cut + PAYLOAD_KEY.length, -1));
}

const isString = (v: unknown): v is string => typeof v === "string";
const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isIds = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

const checks: Record<QueueEvent["t"], (e: Record<string, unknown>) => boolean> = {
  enqueue: (e) => isString(e.id),
  claim: (e) => isString(e.batch) && isIds(e.ids) && isNumber(e.lease) && isString(e.owner),
  renew: (e) => isString(e.batch) && isIds(e.ids) && isNumber(e.lease),
  result: (e) => isString(e.batch) && isString(e.id),
  retry: (e) => isString(e.batch) && isIds(e.ids) && isNumber(e.notBefore),
  release: (e) => isString(e.batch) && isIds(e.ids),
  dead: (e) => isString(e.batch) && isString(e.id),
  remove: (e) => isIds(e.ids),
  batch: (e) => isString(e.batch) && isString(e.outcome) && isNumber(e.sessions),
  snapshot: (e) =>
    isString(e.id) && isString(e.status) && isNumber(e.enqueuedAt) && isNumber(e.attempts),
  archiving: (e) => isString(e.file) && isNumber(e.size),
  heartbeat: (e) => isString(e.id) && isString(e.host) && isNumber(e.pid) && isNumber(e.nextCheck),
  meta: (e) => typeof e.totals === "object" && e.totals !== null,
};

function isEvent(value: unknown): value is QueueEvent {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const e = value as Record<string, unknown>;
  const check =
    isString(e.t) && Object.hasOwn(checks, e.t) ? checks[e.t as QueueEvent["t"]] : undefined;
  return check !== undefined && isNumber(e.at) && check(e);
}
