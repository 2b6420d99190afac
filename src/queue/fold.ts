import { createDueIndex, type DueIndex } from "./due-index.js";
import type { LastBatch, QueueEvent, SessionStatus, Totals, Watcher } from "./events.js";
import { compareUtf8 } from "./id-table.js";
import { createSessionTable, type SessionTable, STATUS_CODE } from "./session-table.js";

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
  sessions: SessionTable;
  /** Which sessions are due, oldest first, for claims (issue 10). */
  due: DueIndex;
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

/** A state with no events folded; `sessions` given when restoring one (a checkpoint). */
export function emptyState(sessions: SessionTable = createSessionTable()): QueueState {
  return {
    sessions,
    due: lazyDueIndex(sessions),
    watchers: new Map(),
    totals: { batches: 0, scored: 0, retries: 0, dead: 0 },
    corrupt: [],
    lines: 0,
    superseded: 0,
  };
}

/**
 * The due index, built from the table when something first asks what is due (issue 10: most
 * commands never claim, and an `enqueue` of a million sessions kept 5 MB of heap entries and
 * ordered each new session among the others for nothing). Until then pushes are dropped: the
 * table holds each session's due time, and the build takes every queued session at its backoff
 * and every claimed one at its lease, as the events would have pushed them.
 */
function lazyDueIndex(sessions: SessionTable): DueIndex {
  let index: DueIndex | undefined;
  /** Each slot's place in claim order when the index was built (UNRANKED: added since). */
  let rank: Uint32Array = new Uint32Array(0);
  const older = (a: number, b: number) => {
    const { enqueuedAt } = sessions.cols;
    const d = enqueuedAt.get(a) - enqueuedAt.get(b);
    // Stryker disable next-line EqualityOperator: d is not 0 here
    if (d !== 0) return d < 0;
    // A tie: the rank says which id is first, else the ids do (read from a checkpoint, maybe).
    const ra = rank[a] ?? UNRANKED;
    const rb = rank[b] ?? UNRANKED;
    // Ranks and ids are distinct but for a slot against itself, where either answer orders alike.
    // Stryker disable next-line EqualityOperator: see above
    if (ra !== UNRANKED && rb !== UNRANKED) return ra < rb;
    // Stryker disable next-line EqualityOperator: see above
    return sessions.ids.compare(a, b) < 0;
  };
  function build(): DueIndex {
    const claimOrder = claimOrderOf(sessions);
    rank = claimOrder.rank;
    // The slots due at once, in claim order, kept in the order's own array: the ready heap.
    const { order } = claimOrder;
    // Stryker disable next-line ArrayDeclaration: what is no slot has no status: due at Infinity, never pushed
    const waiting: number[] = [];
    let ready = 0;
    for (const slot of order) {
      if (dueTimeAt(sessions, slot) <= 0) order[ready++] = slot;
      else waiting.push(slot);
    }
    const built = createDueIndex(older, (slot) => dueTimeAt(sessions, slot), {
      ready: order.subarray(0, ready),
      slots: sessions.slots,
    });
    for (const slot of waiting) {
      const at = dueTimeAt(sessions, slot);
      // An entry at Infinity: never due, never taken.
      // Stryker disable next-line ConditionalExpression: see above
      if (at !== Number.POSITIVE_INFINITY) built.push(slot, at);
    }
    return built;
  }
  return {
    push(slot, at) {
      index?.push(slot, at);
    },
    peek(now, max, isDue) {
      index ??= build();
      return index.peek(now, max, isDue);
    },
    get examined() {
      return index?.examined ?? 0;
    },
    get waiting() {
      return index?.waiting ?? 0;
    },
    get swept() {
      return index?.swept ?? 0;
    },
    get bytes() {
      return index?.bytes ?? 0;
    },
  };
}

const UNRANKED = 0xffffffff;

/**
 * Every live slot's place in claim order (enqueuedAt, then id), `rank` by slot, and the live slots
 * in that order, `order` (the due index's ready heap starts as it): the due index's ties settled
 * once (issue 10: enqueue stamps a whole batch with one time, so most comparisons in the heaps are
 * ties, and the ids of a checkpoint are read from its file, a read each). Slots in slot order are
 * nearly always in enqueuedAt order already (then no sort); a run of equal times is sorted by its
 * ids, read in slot order. 4 bytes a session each, while the index lives. A slot's enqueuedAt never
 * changes in a live fold (a snapshot line only ever adds a session: compaction writes them into a
 * new journal, `migrate` for ids the journal lacks), nor does its id.
 */
export function claimOrderOf(sessions: SessionTable): { rank: Uint32Array; order: Int32Array } {
  const { status, enqueuedAt } = sessions.cols;
  const rank = new Uint32Array(sessions.slots).fill(UNRANKED);
  let order: Int32Array = new Int32Array(sessions.size);
  let m = 0;
  // Whether the slots are in time order already, so the sort can be skipped: speed only (a sort
  // of sorted slots changes nothing), as are reads one past the end (undefined, never equal), a
  // run of one sorted, the tie among equal times (each run is sorted by id after) and equal ids
  // in a run (ids are distinct): the mutants of this function's marked lines are equivalent.
  // Stryker disable next-line BooleanLiteral: see above
  let sorted = true;
  // Stryker disable next-line EqualityOperator: see above
  for (let slot = 0; slot < sessions.slots; slot++) {
    if (!status[slot]) continue;
    // Stryker disable next-line all: see above
    if (m > 0 && !(enqueuedAt.get(order[m - 1]!) <= enqueuedAt.get(slot))) sorted = false;
    order[m++] = slot;
  }
  order = order.subarray(0, m);
  // Stryker disable next-line ConditionalExpression,ArithmeticOperator: see above
  if (!sorted) order.sort((a, b) => enqueuedAt.get(a) - enqueuedAt.get(b) || a - b);
  // A run's id bytes and their ends (ends[0] = 0), reused from run to run.
  let bytes = new Uint8Array(4096);
  let ends = new Uint32Array(1024);
  // Stryker disable next-line EqualityOperator: see above
  for (let i = 0; i < m; ) {
    let j = i + 1;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
    while (j < m && enqueuedAt.get(order[j]!) === enqueuedAt.get(order[i]!)) j++;
    // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: see above
    if (j - i > 1) {
      // The run's ids side by side in one buffer, sorted as byte ranges: no string or object
      // per session (issue 10: strings for a million ids took a 1M `process` from 134 to 167 MiB).
      // Growing more often or larger than needed is speed and memory only; and a run long
      // enough to grow (past 1,023) fits in twice its length give or take one either way.
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: see above
      if (ends.length < j - i + 1) ends = new Uint32Array(2 * (j - i + 1));
      let at = 0;
      for (let k = i; k < j; k++) {
        const id = sessions.ids.bytesAt(order[k]!);
        // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
        if (at + id.length > bytes.length) {
          const grown = new Uint8Array(2 * (at + id.length));
          grown.set(bytes.subarray(0, at));
          bytes = grown;
        }
        bytes.set(id, at);
        at += id.length;
        ends[k - i + 1] = at;
      }
      const run = Array.from({ length: j - i }, (_, k) => k);
      run.sort((x, y) => compareUtf8(bytes, ends[x]!, ends[x + 1]!, bytes, ends[y]!, ends[y + 1]!));
      const slots = order.slice(i, j);
      for (let k = 0; k < run.length; k++) order[i + k] = slots[run[k]!]!;
    }
    i = j;
  }
  for (let k = 0; k < m; k++) rank[order[k]!] = k;
  return { rank, order };
}

/** A lease that ran out without a result makes its sessions due again (the processor died). */
export function isDue(rec: SessionRecord, now: number): boolean {
  if (rec.status === "queued") return rec.notBefore <= now;
  return rec.status === "claimed" && rec.claim !== undefined && rec.claim.lease <= now;
}

/**
 * When the session in `slot` is due, read off the columns: a queued one at its backoff's end, a
 * claimed one at its lease's end, anything else never (Infinity).
 */
function dueTimeAt(table: SessionTable, slot: number): number {
  const status = table.cols.status[slot];
  if (status === STATUS_CODE.queued) return table.cols.notBefore.get(slot);
  if (status === STATUS_CODE.claimed) return table.claims.get(slot)?.lease ?? Infinity;
  return Infinity;
}

/** isDue of the session in `slot`, read off the columns (the due index's truth). */
export function isDueAt(table: SessionTable, slot: number, now: number): boolean {
  return dueTimeAt(table, slot) <= now;
}

/** True when `rec` is claimed by `batch` and nobody else has taken it since. */
export function heldBy(rec: SessionRecord | undefined, batch: string): rec is SessionRecord {
  return rec?.status === "claimed" && rec.claim?.batch === batch;
}

/** Applies one event at byte `offset` to `state` in place. Returns false when it changed nothing. */
export function applyEvent(state: QueueState, event: QueueEvent, offset: number): boolean {
  const { sessions, due } = state;
  switch (event.t) {
    case "enqueue":
      if (sessions.has(event.id)) return false;
      due.push(sessions.add(event.id, event.at, offset), 0);
      return true;
    case "snapshot": {
      const { t: _t, at: _at, ...rest } = event;
      const slot = sessions.set({
        ...rest,
        ref: offset,
        resultRef: event.doneAt ? offset : undefined,
      });
      if (event.status === "queued") due.push(slot, event.notBefore);
      else if (event.status === "claimed" && event.claim) due.push(slot, event.claim.lease);
      return true;
    }
    case "claim":
      return forEachSlot(state, event.ids, (slot) => {
        const { status } = sessions.cols;
        if (status[slot] === STATUS_CODE.scored || status[slot] === STATUS_CODE.dead) return false;
        status[slot] = STATUS_CODE.claimed;
        const ttl = event.lease - event.at;
        sessions.claims.set(slot, {
          batch: event.batch,
          lease: event.lease,
          owner: event.owner,
          ttl,
        });
        due.push(slot, event.lease);
        return true;
      });
    case "renew":
      return forEachHeld(state, event.batch, event.ids, (slot, claim) => {
        claim.lease = event.lease;
        claim.ttl = event.lease - event.at;
        due.push(slot, event.lease);
      });
    case "result":
    case "dead":
      return forEachHeld(state, event.batch, [event.id], (slot) => {
        const { cols } = sessions;
        cols.status[slot] = event.t === "result" ? STATUS_CODE.scored : STATUS_CODE.dead;
        cols.doneAt.set(slot, event.at);
        cols.resultRef.set(slot, offset);
        sessions.claims.delete(slot);
        if (event.t === "result") {
          sessions.errors.delete(slot); // issue 9: a scored session's old error is history
          state.totals.scored++;
        } else {
          sessions.errors.set(slot, event.reason);
          cols.attempts.set(slot, cols.attempts.get(slot) + 1); // the failure that exhausted it counts too
          state.totals.dead++;
        }
      });
    case "retry":
    case "release":
      return forEachHeld(state, event.batch, event.ids, (slot) => {
        const { cols } = sessions;
        cols.status[slot] = STATUS_CODE.queued;
        sessions.claims.delete(slot);
        if (event.reason === undefined) sessions.errors.delete(slot);
        else sessions.errors.set(slot, event.reason);
        if (event.t === "retry") {
          cols.attempts.set(slot, cols.attempts.get(slot) + 1);
          cols.notBefore.set(slot, event.notBefore);
          state.totals.retries++;
        }
        due.push(slot, cols.notBefore.get(slot));
      });
    case "remove":
      return event.ids.reduce((changed, id) => sessions.delete(id) || changed, false);
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

function forEachSlot(state: QueueState, ids: string[], apply: (slot: number) => boolean): boolean {
  let changed = false;
  for (const id of ids) {
    const slot = state.sessions.slotOf(id);
    if (slot >= 0 && apply(slot)) changed = true;
  }
  return changed;
}

/** Applies to the sessions `batch` still holds (a taken-over batch's events change nothing). */
function forEachHeld(
  state: QueueState,
  batch: string,
  ids: string[],
  apply: (slot: number, claim: Claim) => void,
): boolean {
  const { sessions } = state;
  return forEachSlot(state, ids, (slot) => {
    const claim = sessions.claims.get(slot);
    if (sessions.cols.status[slot] !== STATUS_CODE.claimed || claim?.batch !== batch) return false;
    apply(slot, claim);
    return true;
  });
}
