import type { SessionStatus } from "./events.js";
import type { Claim, SessionRecord } from "./fold.js";
import { createIdTable, type IdRows, type IdTable } from "./id-table.js";

/**
 * The fold's sessions, one slot each, as columns of typed arrays (issue 10: a million sessions
 * in one queue; an object per session cost about 0.5 KB, these columns 43 bytes, the ids about
 * 30 more in an IdTable, off V8's heap). Claims and last errors are sparse: only sessions in
 * flight or retried have them. A removed session's slot stays empty; compaction folds anew.
 *
 * `get` and `values` hand out copies (a claim is shared, not copied): change a session through
 * `set` or the fold's events, never through a record.
 */
export interface SessionTable {
  readonly size: number;
  has(id: string): boolean;
  get(id: string): SessionRecord | undefined;
  set(rec: SessionRecord): number;
  delete(id: string): boolean;
  /** Live sessions in slot order (first enqueue first, as a Map keeps insertion order). */
  values(): IterableIterator<SessionRecord>;
  keys(): IterableIterator<string>;
  /** Slot-level access for the fold's hot paths. -1 when absent. */
  slotOf(id: string): number;
  idAt(slot: number): string;
  /** The ids by slot, packed (a checkpoint writes them as they are; `compare` orders them). */
  readonly ids: IdTable;
  recordAt(slot: number): SessionRecord;
  /** A new slot for `id` (which must be absent): queued, no attempts. */
  add(id: string, enqueuedAt: number, ref: number): number;
  readonly cols: Columns;
  /** Sessions in flight (status claimed), by slot. */
  readonly claims: Map<number, Claim>;
  readonly errors: Map<number, string>;
  /** Slots ever used (live or emptied): columns hold this many rows. */
  readonly slots: number;
  /** Bytes held by the typed-array columns (issue 10: memory per session). */
  columnBytes(): number;
}

export interface Columns {
  /** 0 = empty slot, else 1 + the index in STATUSES. */
  status: Uint8Array;
  attempts: Uint16Array;
  enqueuedAt: Float64Array;
  notBefore: Float64Array;
  /** NaN until scored or dead-lettered. */
  doneAt: Float64Array;
  ref: Float64Array;
  /** -1 until a result line exists. */
  resultRef: Float64Array;
}

export const STATUSES: readonly SessionStatus[] = ["queued", "claimed", "scored", "dead"];
export const STATUS_CODE: Readonly<Record<SessionStatus, number>> = {
  queued: 1,
  claimed: 2,
  scored: 3,
  dead: 4,
};

const INITIAL_CAPACITY = 1024;

function allocate(capacity: number, from?: Columns): Columns {
  const cols: Columns = {
    status: new Uint8Array(capacity),
    attempts: new Uint16Array(capacity),
    enqueuedAt: new Float64Array(capacity),
    notBefore: new Float64Array(capacity),
    doneAt: new Float64Array(capacity),
    ref: new Float64Array(capacity),
    resultRef: new Float64Array(capacity),
  };
  if (from) for (const k of Object.keys(cols) as (keyof Columns)[]) cols[k].set(from[k] as never);
  return cols;
}

/** What a table is restored from (a checkpoint): `slots` rows of columns, one id per row. */
export interface TableRows {
  cols: Columns;
  ids: IdRows;
  claims: Iterable<[number, Claim]>;
  errors: Iterable<[number, string]>;
}

export function createSessionTable(from?: TableRows): SessionTable {
  let cols = from?.cols ?? allocate(INITIAL_CAPACITY);
  // A slot is an id number: emptied slots are skipped by lookups (a new session takes a new slot).
  const ids = createIdTable((slot) => cols.status[slot] !== 0, from?.ids);
  let live = 0;
  for (let slot = 0; slot < ids.count; slot++) if (cols.status[slot]) live++;
  const claims = new Map<number, Claim>(from?.claims);
  const errors = new Map<number, string>(from?.errors);

  function add(id: string, enqueuedAt: number, ref: number): number {
    const slot = ids.count;
    if (slot === cols.status.length) cols = allocate(Math.max(INITIAL_CAPACITY, slot * 2), cols);
    ids.add(id);
    live++;
    cols.status[slot] = STATUS_CODE.queued;
    cols.attempts[slot] = 0;
    cols.enqueuedAt[slot] = enqueuedAt;
    cols.notBefore[slot] = 0;
    cols.doneAt[slot] = Number.NaN;
    cols.ref[slot] = ref;
    cols.resultRef[slot] = -1;
    return slot;
  }

  function recordAt(slot: number): SessionRecord {
    const rec: SessionRecord = {
      id: ids.idAt(slot),
      status: STATUSES[cols.status[slot]! - 1]!,
      enqueuedAt: cols.enqueuedAt[slot]!,
      attempts: cols.attempts[slot]!,
      notBefore: cols.notBefore[slot]!,
      ref: cols.ref[slot]!,
    };
    const claim = claims.get(slot);
    if (claim) rec.claim = claim;
    const doneAt = cols.doneAt[slot]!;
    if (!Number.isNaN(doneAt)) rec.doneAt = doneAt;
    const error = errors.get(slot);
    if (error !== undefined) rec.lastError = error;
    const resultRef = cols.resultRef[slot]!;
    if (resultRef >= 0) rec.resultRef = resultRef;
    return rec;
  }

  function set(rec: SessionRecord): number {
    let slot = ids.find(rec.id);
    if (slot < 0) slot = add(rec.id, rec.enqueuedAt, rec.ref);
    cols.status[slot] = STATUS_CODE[rec.status];
    cols.attempts[slot] = rec.attempts;
    cols.enqueuedAt[slot] = rec.enqueuedAt;
    cols.notBefore[slot] = rec.notBefore;
    cols.doneAt[slot] = rec.doneAt ?? Number.NaN;
    cols.ref[slot] = rec.ref;
    cols.resultRef[slot] = rec.resultRef ?? -1;
    // A claim means something only while claimed (the fold drops it on leaving that state).
    if (rec.claim && rec.status === "claimed") claims.set(slot, rec.claim);
    else claims.delete(slot);
    if (rec.lastError !== undefined) errors.set(slot, rec.lastError);
    else errors.delete(slot);
    return slot;
  }

  function* liveSlots(): IterableIterator<number> {
    for (let slot = 0; slot < ids.count; slot++) if (cols.status[slot]) yield slot;
  }
  function* values(): IterableIterator<SessionRecord> {
    for (const slot of liveSlots()) yield recordAt(slot);
  }
  function* keys(): IterableIterator<string> {
    for (const slot of liveSlots()) yield ids.idAt(slot);
  }

  return {
    get size() {
      return live;
    },
    has: (id) => ids.find(id) >= 0,
    get: (id) => {
      const slot = ids.find(id);
      return slot < 0 ? undefined : recordAt(slot);
    },
    set,
    delete: (id) => {
      const slot = ids.find(id);
      if (slot < 0) return false;
      live--;
      cols.status[slot] = 0;
      claims.delete(slot);
      errors.delete(slot);
      return true;
    },
    values,
    keys,
    slotOf: (id) => ids.find(id),
    idAt: (slot) => ids.idAt(slot),
    ids,
    recordAt,
    add,
    get cols() {
      return cols;
    },
    claims,
    errors,
    get slots() {
      return ids.count;
    },
    columnBytes: () =>
      Object.values(cols).reduce((n, a: { byteLength: number }) => n + a.byteLength, 0),
  };
}
