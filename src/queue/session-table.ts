import type { SessionStatus } from "./events.js";
import type { Claim, SessionRecord } from "./fold.js";
import { createIdTable, type IdRows, type IdTable } from "./id-table.js";
import { createLazyColumn, createPackedColumn, type LazyColumn } from "./lazy-column.js";

/**
 * The fold's sessions, one slot each, as columns of typed arrays (issue 10: a million sessions
 * in one queue; an object per session cost about 0.5 KB, these columns 43 bytes at most, the
 * ids about 30 more in an IdTable, off V8's heap). Every column but the status is a LazyColumn,
 * allocated a page at a time where a row leaves its default (attempts, backoff, done time and
 * result offset are left there by most rows), and the times and journal offsets are packed: 4
 * bytes a row where a page's values lie within 2^32 of each other (always, but for fractions
 * or far-flung values): 9 bytes a session enqueued, 17 finished. Claims and last errors are
 * sparse: only sessions in flight or retried have them. A removed session's slot stays empty;
 * compaction folds anew.
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

/** The column every row sets: a typed array, grown by doubling. */
export interface DenseColumns {
  /** 0 = empty slot, else 1 + the index in STATUSES. */
  status: Uint8Array;
}

/** The columns every row sets too, but paged and packed (times and journal offsets). */
export interface PackedColumns<C> {
  enqueuedAt: C;
  ref: C;
}

/** The columns most rows leave at their default (0, 0, NaN, -1): LazyColumns. */
export interface SparseColumns<C> {
  attempts: C;
  notBefore: C;
  /** NaN until scored or dead-lettered. */
  doneAt: C;
  /** -1 until a result line exists. */
  resultRef: C;
}

export type Columns = DenseColumns & PackedColumns<LazyColumn> & SparseColumns<LazyColumn>;

/** Every column as a typed array (rows of a checkpoint read in chunks). */
export type ColumnArrays = DenseColumns & {
  enqueuedAt: Float64Array;
  ref: Float64Array;
  attempts: Uint16Array;
  notBefore: Float64Array;
  doneAt: Float64Array;
  resultRef: Float64Array;
};

/** The paged columns (every column but status), as a checkpoint restores them a page at a time. */
export const PAGED_COLUMNS = [
  "enqueuedAt",
  "ref",
  "attempts",
  "notBefore",
  "doneAt",
  "resultRef",
] as const;

/**
 * Empty paged columns. Times and journal offsets are packed (4 bytes a row where their page's
 * values lie within 2^32 of each other, lazy-column.ts): at a million sessions that took 16 MB
 * off `process`'s peak.
 */
export function pagedColumns(): PackedColumns<LazyColumn> & SparseColumns<LazyColumn> {
  return {
    enqueuedAt: createPackedColumn(0),
    ref: createPackedColumn(0),
    attempts: createLazyColumn(0),
    notBefore: createPackedColumn(0),
    doneAt: createPackedColumn(Number.NaN),
    resultRef: createPackedColumn(-1),
  };
}

export const STATUSES: readonly SessionStatus[] = ["queued", "claimed", "scored", "dead"];
export const STATUS_CODE: Readonly<Record<SessionStatus, number>> = {
  queued: 1,
  claimed: 2,
  scored: 3,
  dead: 4,
};

const INITIAL_CAPACITY = 1024;

/** A status column of `capacity` rows, the rows of `from` copied. */
function allocate(capacity: number, from?: DenseColumns): DenseColumns {
  const status = new Uint8Array(capacity);
  if (from) status.set(from.status);
  return { status };
}

/** What a table is restored from (a checkpoint): `slots` rows of columns, one id per row. */
export interface TableRows {
  cols: Columns;
  ids: IdRows;
  claims: Iterable<[number, Claim]>;
  errors: Iterable<[number, string]>;
}

export function createSessionTable(from?: TableRows): SessionTable {
  let cols: Columns = from?.cols ?? { ...allocate(INITIAL_CAPACITY), ...pagedColumns() };
  // A slot is an id number: emptied slots are skipped by lookups (a new session takes a new slot).
  const ids = createIdTable((slot) => cols.status[slot] !== 0, from?.ids);
  let live = 0;
  // Stryker disable next-line EqualityOperator: the row past the last is empty (status 0 or past the array)
  for (let slot = 0; slot < ids.count; slot++) if (cols.status[slot]) live++;
  const claims = new Map<number, Claim>(from?.claims);
  const errors = new Map<number, string>(from?.errors);

  function add(id: string, enqueuedAt: number, ref: number): number {
    const slot = ids.count;
    if (slot === cols.status.length)
      cols = { ...cols, ...allocate(Math.max(INITIAL_CAPACITY, slot * 2), cols) };
    ids.add(id);
    live++;
    // A new slot's sparse rows hold their defaults (no attempts or backoff, not done, no result).
    cols.status[slot] = STATUS_CODE.queued;
    cols.enqueuedAt.set(slot, enqueuedAt);
    cols.ref.set(slot, ref);
    return slot;
  }

  function recordAt(slot: number): SessionRecord {
    const rec: SessionRecord = {
      id: ids.idAt(slot),
      status: STATUSES[cols.status[slot]! - 1]!,
      enqueuedAt: cols.enqueuedAt.get(slot),
      attempts: cols.attempts.get(slot),
      notBefore: cols.notBefore.get(slot),
      ref: cols.ref.get(slot),
    };
    const claim = claims.get(slot);
    if (claim) rec.claim = claim;
    const doneAt = cols.doneAt.get(slot);
    if (!Number.isNaN(doneAt)) rec.doneAt = doneAt;
    const error = errors.get(slot);
    if (error !== undefined) rec.lastError = error;
    const resultRef = cols.resultRef.get(slot);
    if (resultRef >= 0) rec.resultRef = resultRef;
    return rec;
  }

  function set(rec: SessionRecord): number {
    let slot = ids.find(rec.id);
    if (slot < 0) slot = add(rec.id, rec.enqueuedAt, rec.ref);
    cols.status[slot] = STATUS_CODE[rec.status];
    cols.attempts.set(slot, rec.attempts);
    cols.enqueuedAt.set(slot, rec.enqueuedAt);
    cols.notBefore.set(slot, rec.notBefore);
    cols.doneAt.set(slot, rec.doneAt ?? Number.NaN);
    cols.ref.set(slot, rec.ref);
    cols.resultRef.set(slot, rec.resultRef ?? -1);
    // A claim means something only while claimed (the fold drops it on leaving that state).
    if (rec.claim && rec.status === "claimed") claims.set(slot, rec.claim);
    else claims.delete(slot);
    if (rec.lastError !== undefined) errors.set(slot, rec.lastError);
    else errors.delete(slot);
    return slot;
  }

  function* liveSlots(): IterableIterator<number> {
    // Stryker disable next-line EqualityOperator: the row past the last is empty (status 0 or past the array)
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
