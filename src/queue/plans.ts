import type { ScoreResult } from "../scoring/result.js";
import type { BatchEvent, OutgoingEvent, SessionPayload } from "./events.js";
import { heldBy, isDue, isDueAt, type QueueState, type SessionRecord } from "./fold.js";

/**
 * Pure planners: given the freshly folded state (under the lock), decide which events to append.
 * Each returns the events and what they mean, so commands can report without re-reading.
 */
export interface Plan<T> {
  events: OutgoingEvent[];
  value: T;
}

export interface EnqueueItem {
  id: string;
  payload: SessionPayload;
  /** JSON.stringify(payload), when already made; dropped by whoever changes `payload`. */
  text?: string;
}

export function planEnqueue(
  state: QueueState,
  items: EnqueueItem[],
  at: number,
): Plan<{ accepted: string[]; duplicates: string[] }> {
  return planNew(
    state,
    items,
    (i) => i.id,
    ({ id, payload, text }) => ({
      event: { t: "enqueue", at, id },
      payload,
      ...(text === undefined ? {} : { payloadText: text }),
    }),
  );
}

/**
 * One event per session the journal does not hold yet; a queued id, or one named earlier in
 * `items`, is a duplicate (the first of a repeated id wins).
 */
function planNew<T>(
  state: QueueState,
  items: T[],
  idOf: (item: T) => string,
  eventOf: (item: T) => OutgoingEvent,
): Plan<{ accepted: string[]; duplicates: string[] }> {
  const seen = new Set<string>();
  const accepted: string[] = [];
  const duplicates: string[] = [];
  const events: OutgoingEvent[] = [];
  for (const item of items) {
    const id = idOf(item);
    if (state.sessions.has(id) || seen.has(id)) {
      duplicates.push(id);
      continue;
    }
    seen.add(id);
    accepted.push(id);
    events.push(eventOf(item));
  }
  return { events, value: { accepted, duplicates } };
}

/** Oldest first; an expired lease counts as due (its processor died). */
export function dueSessions(state: QueueState, now: number): SessionRecord[] {
  const due: SessionRecord[] = [];
  for (const rec of state.sessions.values()) if (isDue(rec, now)) due.push(rec);
  return due.sort((a, b) => a.enqueuedAt - b.enqueuedAt || (a.id < b.id ? -1 : 1));
}

export interface ClaimOptions {
  now: number;
  max: number;
  leaseMs: number;
  owner: string;
  batch: string;
}

/** A lease stamped this far past `now + ttl` is not trusted (a holder's clock running ahead). */
export const LEASE_SLACK_MS = 1_000;

/**
 * Issue 8, defect 4: a claim stamped by a clock running ahead (a processor a day fast that then
 * died) would keep its sessions in flight until the clock caught up. A lease further ahead than
 * now + its own length is bounded to now + its length, written as a renewal so every reader,
 * and every later process, agrees on when it expires. A live holder's own renewals go on.
 */
export function planBoundLeases(state: QueueState, now: number): Plan<number> {
  const byBatch = new Map<string, { ids: string[]; lease: number }>();
  // Only sessions in flight hold a claim: this looks at those, not the whole queue (issue 10).
  for (const [slot, claim] of state.sessions.claims) {
    const ttl = Math.max(0, claim.ttl ?? DEFAULT_TTL_MS);
    if (claim.lease <= now + ttl + LEASE_SLACK_MS) continue;
    const group = byBatch.get(claim.batch) ?? { ids: [], lease: now + ttl };
    group.ids.push(state.sessions.idAt(slot));
    byBatch.set(claim.batch, group);
  }
  const events: OutgoingEvent[] = [...byBatch].map(([batch, g]) => ({
    event: { t: "renew", at: now, batch, ids: g.ids, lease: g.lease },
  }));
  return { events, value: [...byBatch.values()].reduce((n, g) => n + g.ids.length, 0) };
}

/** The lease assumed for a claim written before claims recorded their length (10 min). */
const DEFAULT_TTL_MS = 10 * 60_000;

export function planClaim(state: QueueState, o: ClaimOptions): Plan<SessionRecord[]> {
  const bound = planBoundLeases(state, o.now).events;
  // The due index, not a scan: a claim's cost does not grow with the queue (issue 10).
  const { sessions } = state;
  const slots = state.due.peek(o.now, o.max, (slot) => isDueAt(sessions, slot, o.now));
  const picked = slots.map((slot) => sessions.recordAt(slot));
  if (picked.length === 0) return { events: bound, value: [] };
  const ids = picked.map((r) => r.id);
  const event = {
    t: "claim",
    at: o.now,
    batch: o.batch,
    ids,
    lease: o.now + o.leaseMs,
    owner: o.owner,
  } as const;
  return { events: [...bound, { event }], value: picked };
}

export function planRenew(
  state: QueueState,
  batch: string,
  ids: string[],
  now: number,
  leaseMs: number,
): Plan<number> {
  const held = ids.filter((id) => heldBy(state.sessions.get(id), batch));
  if (held.length === 0) return { events: [], value: 0 };
  return {
    events: [{ event: { t: "renew", at: now, batch, ids: held, lease: now + leaseMs } }],
    value: held.length,
  };
}

/** Records results for sessions this batch still holds; others were taken over and are skipped. */
export function planResults(
  state: QueueState,
  batch: string,
  results: { id: string; result: ScoreResult; dead?: string }[],
  now: number,
): Plan<{ recorded: string[]; lost: string[] }> {
  const recorded: string[] = [];
  const lost: string[] = [];
  const events: OutgoingEvent[] = [];
  for (const { id, result, dead } of results) {
    if (!heldBy(state.sessions.get(id), batch)) {
      lost.push(id);
      continue;
    }
    recorded.push(id);
    const event =
      dead === undefined
        ? ({ t: "result", at: now, batch, id } as const)
        : ({ t: "dead", at: now, batch, id, reason: dead } as const);
    events.push({ event, payload: { result } });
  }
  return { events, value: { recorded, lost } };
}

export function planRetry(
  state: QueueState,
  batch: string,
  ids: string[],
  o: { now: number; notBefore: number; reason: string },
): Plan<string[]> {
  const held = ids.filter((id) => heldBy(state.sessions.get(id), batch));
  if (held.length === 0) return { events: [], value: [] };
  const event = {
    t: "retry",
    at: o.now,
    batch,
    ids: held,
    notBefore: o.notBefore,
    reason: o.reason,
  } as const;
  return { events: [{ event }], value: held };
}

export function planRelease(
  state: QueueState,
  batch: string,
  ids: string[],
  now: number,
  reason: string,
): Plan<string[]> {
  const held = ids.filter((id) => heldBy(state.sessions.get(id), batch));
  if (held.length === 0) return { events: [], value: [] };
  return { events: [{ event: { t: "release", at: now, batch, ids: held, reason } }], value: held };
}

export type BatchRecord = Omit<BatchEvent, "t" | "at">;

export function batchEvent(rec: BatchRecord, now: number): OutgoingEvent {
  return { event: { t: "batch", at: now, ...rec } };
}

export interface RemoveFilter {
  processedOnly: boolean;
  olderThanMs?: number;
}

/** `clear`'s filter: all sessions, or only finished ones, optionally older than a cutoff. */
export function matchesRemoveFilter(rec: SessionRecord, f: RemoveFilter, now: number): boolean {
  const done = rec.status === "scored" || rec.status === "dead";
  if (f.processedOnly && !done) return false;
  const since = done && f.processedOnly ? (rec.doneAt ?? rec.enqueuedAt) : rec.enqueuedAt;
  return f.olderThanMs === undefined || now - since >= f.olderThanMs;
}

/** `clear`: all sessions, or only finished ones, optionally only those older than a cutoff. */
export function planRemove(state: QueueState, f: RemoveFilter, now: number): Plan<string[]> {
  const ids: string[] = [];
  for (const rec of state.sessions.values()) if (matchesRemoveFilter(rec, f, now)) ids.push(rec.id);
  if (ids.length === 0) return { events: [], value: [] };
  return { events: [{ event: { t: "remove", at: now, ids } }], value: ids };
}

/** A session as another queue holds it (`migrate`): its record, payload and final result. */
export interface ImportedSession {
  rec: Pick<
    SessionRecord,
    "id" | "status" | "enqueuedAt" | "attempts" | "notBefore" | "doneAt" | "lastError"
  >;
  payload: SessionPayload;
  result?: ScoreResult;
}

/**
 * `migrate` into a file: one snapshot line per session the journal does not hold, as compaction
 * writes them. A claimed session arrives queued (its claim belongs to the other queue).
 */
export function planImport(
  state: QueueState,
  sessions: ImportedSession[],
  at: number,
): Plan<{ accepted: string[]; duplicates: string[] }> {
  return planNew(
    state,
    sessions,
    (s) => s.rec.id,
    ({ rec, payload, result }) => {
      const done = rec.status === "scored" || rec.status === "dead";
      return {
        event: {
          t: "snapshot",
          at,
          id: rec.id,
          status: done ? rec.status : "queued",
          enqueuedAt: rec.enqueuedAt,
          attempts: rec.attempts,
          notBefore: rec.notBefore,
          ...(done && rec.doneAt !== undefined ? { doneAt: rec.doneAt } : {}),
          ...(rec.lastError === undefined ? {} : { lastError: rec.lastError }),
        },
        payload: { ...payload, ...(done && result ? { result } : {}) },
      };
    },
  );
}
