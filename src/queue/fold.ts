import type { LastBatch, QueueEvent, SessionStatus, Totals, Watcher } from "./events.js";

/** One session as the fold of its events. Payloads stay on disk: `ref`/`resultRef` are offsets. */
export interface SessionRecord {
  id: string;
  status: SessionStatus;
  enqueuedAt: number;
  attempts: number;
  notBefore: number;
  claim?: Claim;
  doneAt?: number;
  lastError?: string;
  /** Byte offset of the line holding the session payload (features, meta, provisional). */
  ref: number;
  /** Byte offset of the line holding the final result, once scored or dead. */
  resultRef?: number;
}

/** A batch's hold on a session. `ttl` is the lease's length as its holder stamped it. */
export interface Claim {
  batch: string;
  lease: number;
  owner: string;
  /** lease - at of the last claim or renewal: clock-independent; absent in older files. */
  ttl?: number;
}

export interface CorruptLine {
  line: number;
  offset: number;
  text: string;
}

export interface QueueState {
  sessions: Map<string, SessionRecord>;
  lastBatch?: LastBatch;
  lastSuccess?: LastBatch;
  totals: Totals;
  corrupt: CorruptLine[];
  /** Running `watch` processes by id, from their heartbeats (a clean stop removes one). */
  watchers: Map<string, Watcher>;
  /** The archive's end as the last compaction (or its unfinished start) recorded it. */
  archive?: { file: string; size: number };
  /** Complete lines folded so far. */
  lines: number;
  /** Events that changed nothing (duplicates, stale results): a hint that compaction pays. */
  superseded: number;
}

export function emptyState(): QueueState {
  return {
    sessions: new Map(),
    watchers: new Map(),
    totals: { batches: 0, scored: 0, retries: 0, dead: 0 },
    corrupt: [],
    lines: 0,
    superseded: 0,
  };
}

/** A lease that ran out without a result makes its sessions due again (the processor died). */
export function isDue(rec: SessionRecord, now: number): boolean {
  if (rec.status === "queued") return rec.notBefore <= now;
  return rec.status === "claimed" && rec.claim !== undefined && rec.claim.lease <= now;
}

/** True when `rec` is claimed by `batch` and nobody else has taken it since. */
export function heldBy(rec: SessionRecord | undefined, batch: string): rec is SessionRecord {
  return rec?.status === "claimed" && rec.claim?.batch === batch;
}

/** Applies one event at byte `offset` to `state` in place. Returns false when it changed nothing. */
export function applyEvent(state: QueueState, event: QueueEvent, offset: number): boolean {
  const { sessions } = state;
  switch (event.t) {
    case "enqueue":
      if (sessions.has(event.id)) return false;
      sessions.set(event.id, {
        id: event.id,
        status: "queued",
        enqueuedAt: event.at,
        attempts: 0,
        notBefore: 0,
        ref: offset,
      });
      return true;
    case "snapshot": {
      const { t: _t, at: _at, ...rest } = event;
      sessions.set(event.id, {
        ...rest,
        ref: offset,
        resultRef: event.doneAt ? offset : undefined,
      });
      return true;
    }
    case "claim":
      return forEachId(state, event.ids, (rec) => {
        if (rec.status === "scored" || rec.status === "dead") return false;
        rec.status = "claimed";
        const ttl = event.lease - event.at;
        rec.claim = { batch: event.batch, lease: event.lease, owner: event.owner, ttl };
        return true;
      });
    case "renew":
      return forEachHeld(state, event.batch, event.ids, (rec) => {
        if (!rec.claim) return;
        rec.claim.lease = event.lease;
        rec.claim.ttl = event.lease - event.at;
      });
    case "result":
    case "dead":
      return forEachHeld(state, event.batch, [event.id], (rec) => {
        rec.status = event.t === "result" ? "scored" : "dead";
        rec.doneAt = event.at;
        rec.resultRef = offset;
        rec.claim = undefined;
        if (event.t === "result") delete rec.lastError; // issue 9: a scored session's old error is history
        if (event.t === "dead") {
          rec.lastError = event.reason;
          rec.attempts++; // the failure that exhausted it counts too
          state.totals.dead++;
        } else state.totals.scored++;
      });
    case "retry":
    case "release":
      return forEachHeld(state, event.batch, event.ids, (rec) => {
        rec.status = "queued";
        rec.claim = undefined;
        rec.lastError = event.reason;
        if (event.t === "retry") {
          rec.attempts++;
          rec.notBefore = event.notBefore;
          state.totals.retries++;
        }
      });
    case "remove":
      return forEachId(state, event.ids, (rec) => sessions.delete(rec.id));
    case "batch": {
      const { t: _t, batch: _b, ...last } = event;
      state.lastBatch = last;
      if (event.outcome === "scored") state.lastSuccess = last;
      if (event.kind) {
        const failures = state.totals.failures ?? {};
        failures[event.kind] = (failures[event.kind] ?? 0) + 1;
        state.totals.failures = failures;
      }
      if (event.retriedCalls) {
        const retried = state.totals.retriedCalls ?? {};
        for (const [status, n] of Object.entries(event.retriedCalls))
          if (typeof n === "number") retried[status] = (retried[status] ?? 0) + n;
        state.totals.retriedCalls = retried;
      }
      state.totals.batches++;
      return true;
    }
    case "heartbeat": {
      const { t: _t, at, stopped, ...watcher } = event;
      if (stopped) state.watchers.delete(event.id);
      else state.watchers.set(event.id, { ...watcher, lastCheck: at });
      return true;
    }
    case "archiving":
      state.archive = { file: event.file, size: event.size };
      return true;
    case "meta":
      state.watchers = new Map((event.watchers ?? []).map((w) => [w.id, w]));
      state.archive = event.archive;
      state.lastBatch = event.lastBatch;
      state.lastSuccess = event.lastSuccess;
      state.totals = { ...event.totals };
      if (event.totals.failures) state.totals.failures = { ...event.totals.failures };
      if (event.totals.retriedCalls) state.totals.retriedCalls = { ...event.totals.retriedCalls };
      return true;
  }
}

function forEachId(
  state: QueueState,
  ids: string[],
  apply: (rec: SessionRecord) => boolean,
): boolean {
  let changed = false;
  for (const id of ids) {
    const rec = state.sessions.get(id);
    if (rec && apply(rec)) changed = true;
  }
  return changed;
}

function forEachHeld(
  state: QueueState,
  batch: string,
  ids: string[],
  apply: (rec: SessionRecord) => void,
): boolean {
  return forEachId(state, ids, (rec) => {
    if (!heldBy(rec, batch)) return false;
    apply(rec);
    return true;
  });
}
