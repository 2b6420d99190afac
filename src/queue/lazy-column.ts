/**
 * A column of the fold whose rows mostly keep one default value (issue 10: a million sessions
 * in one queue). Rows live in pages of PAGE_ROWS, and a page is allocated only when a row in it
 * takes another value: a queue that was only enqueued to has no attempts, backoffs, done times or
 * result offsets, and held 26 bytes a session of defaults for them. Pages also never move, so the
 * column grows without copying (a doubling copied every row, twice held for a moment).
 */
export interface NumberColumn {
  get(row: number): number;
}

export const PAGE_BITS = 16;
export const PAGE_ROWS = 1 << PAGE_BITS;
const ROW_MASK = PAGE_ROWS - 1;

export interface LazyColumn extends NumberColumn {
  /** The value of every row never set (compared with Object.is: -0 is not 0, NaN is NaN). */
  readonly fill: number;
  readonly bytesPerRow: number;
  set(row: number, value: number): void;
  /** Bytes of the pages allocated. */
  readonly byteLength: number;
  /**
   * Rows [0, rows) as little-endian bytes, a page at a time (absent pages as the default). A
   * part is valid until the next part of any column is asked for (packed columns decode into
   * one buffer they share).
   */
  bytes(rows: number): Iterable<Uint8Array>;
  /** Page `index` from its rows' bytes (at most PAGE_ROWS of them), kept only if not all default. */
  restorePage(index: number, bytes: Uint8Array): void;
}

/**
 * A lazy column of 16-bit counts (attempts), as a Uint16Array holds them (wrapping past 65,535).
 * Times and offsets use createPackedColumn.
 */
export function createLazyColumn(fill: number): LazyColumn {
  const make = (): Uint16Array => {
    const page = new Uint16Array(PAGE_ROWS);
    // Stryker disable next-line ConditionalExpression: filling with 0 is what a new page holds
    if (!Object.is(fill, 0)) page.fill(fill);
    return page;
  };
  const pages: (Uint16Array | undefined)[] = [];
  let allocated = 0;
  let blank: Uint8Array | undefined;
  const bytesOf = (p: Uint16Array) => new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
  /** One page of defaults, as bytes (shared: written out for every absent page). */
  const blankBytes = () => {
    blank ??= bytesOf(make());
    return blank;
  };
  function pageFor(index: number): Uint16Array {
    let page = pages[index];
    if (page === undefined) {
      // Stryker disable next-line EqualityOperator,ConditionalExpression: filling the gap keeps the array packed (speed); a hole reads as undefined all the same
      while (pages.length < index) pages.push(undefined);
      page = make();
      pages[index] = page;
      allocated++;
    }
    return page;
  }
  const column: LazyColumn = {
    fill,
    bytesPerRow: 2,
    get(row) {
      const page = pages[row >>> PAGE_BITS];
      return page === undefined ? fill : page[row & ROW_MASK]!;
    },
    set(row, value) {
      const index = row >>> PAGE_BITS;
      if (pages[index] === undefined && Object.is(value, fill)) return;
      pageFor(index)[row & ROW_MASK] = value;
    },
    get byteLength() {
      return allocated * PAGE_ROWS * column.bytesPerRow;
    },
    *bytes(rows) {
      for (let from = 0, index = 0; from < rows; from += PAGE_ROWS, index++) {
        const n = Math.min(PAGE_ROWS, rows - from) * column.bytesPerRow;
        const page = pages[index];
        yield (page === undefined ? blankBytes() : bytesOf(page)).subarray(0, n);
      }
    },
    restorePage(index, bytes) {
      const defaults = blankBytes().subarray(0, bytes.length);
      if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).equals(defaults)) return;
      bytesOf(pageFor(index)).set(bytes);
    },
  };
  return column;
}

/** A typed array read through NumberColumn (a chunk of a checkpoint's rows). */
export const arrayColumn = (values: ArrayLike<number>): NumberColumn => ({
  get: (row) => values[row]!,
});

/** Codes of a packed page: 0 is the column's default, 1..CODE_MAX stand for base + code. */
const CODE_MAX = 2 ** 32 - 1;
/** A page's base sits this far below its first value: room on both sides. */
const HALF = 2 ** 31;

/**
 * The one buffer packed columns write a page's bytes into (issue 10: a buffer of each kind per
 * column, made at the final checkpoint of a 1M drain, added 5 MB to its peak).
 */
let pageScratch: Float64Array | undefined;

/** True for a whole number a packed page can code (a safe integer, not -0). */
const codable = (v: number) => Number.isSafeInteger(v) && !Object.is(v, -0);

/**
 * A LazyColumn of 64-bit numbers held in 4 bytes a row where it can be (issue 10: `process` at a
 * million sessions held 8 bytes a row in each of its time and offset columns). The values these
 * columns take are whole milliseconds and byte offsets, and the rows of a page (65,536 sessions
 * enqueued or finished one after the other) lie within a few minutes or megabytes of each
 * other: a page keeps a base and each row's 32-bit code, value = base + code (code 0: the
 * default). A page that is given a value it cannot code (a fraction, -0, a NaN or Infinity that
 * is not the default, a whole number outside its base's 2^32 window) turns into a Float64Array
 * page first, so every value reads back exactly as set, as a Float64Array would hold it.
 * Checkpoints see 8-byte rows (`bytes`, `restorePage`): their format does not change.
 */
export function createPackedColumn(fill: number): LazyColumn {
  const codes: (Uint32Array | undefined)[] = [];
  // Stryker disable next-line ArrayDeclaration: a page's base is set before the page is read
  const bases: number[] = [];
  const wide: (Float64Array | undefined)[] = [];
  let packedPages = 0;
  let widePages = 0;
  const bytesOf = (p: Float64Array) => new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
  /** Keeps the page arrays packed (no holes) up to `index`. */
  // Stryker disable next-line BlockStatement: speed only (a hole reads as undefined all the same)
  function reach(index: number) {
    // Stryker disable next-line EqualityOperator,ConditionalExpression: filling the gap keeps the arrays packed (speed); a hole reads as undefined all the same
    while (codes.length < index) {
      codes.push(undefined);
      wide.push(undefined);
      bases.push(0);
    }
  }
  /** Page `index` as a Float64Array page, its coded rows decoded. */
  function widen(index: number): Float64Array {
    const page = new Float64Array(PAGE_ROWS).fill(fill);
    const c = codes[index];
    if (c !== undefined) {
      const base = bases[index]!;
      // Stryker disable next-line EqualityOperator: a write one past a typed array's end is ignored
      for (let r = 0; r < PAGE_ROWS; r++) if (c[r] !== 0) page[r] = base + c[r]!;
      codes[index] = undefined;
      packedPages--;
    }
    reach(index);
    wide[index] = page;
    widePages++;
    return page;
  }
  function packed(index: number, base: number): Uint32Array {
    reach(index);
    const page = new Uint32Array(PAGE_ROWS);
    codes[index] = page;
    bases[index] = base;
    packedPages++;
    return page;
  }
  /**
   * Page `index` as f64 bytes: a Float64Array page's own, else decoded (or the defaults of an
   * absent page) into the shared buffer.
   */
  function pageBytes(index: number): Uint8Array {
    const w = wide[index];
    if (w !== undefined) return bytesOf(w);
    pageScratch ??= new Float64Array(PAGE_ROWS);
    const out = pageScratch;
    const c = codes[index];
    if (c === undefined) out.fill(fill);
    else {
      const base = bases[index]!;
      // Stryker disable next-line EqualityOperator: a write one past a typed array's end is ignored
      for (let r = 0; r < PAGE_ROWS; r++) out[r] = c[r] === 0 ? fill : base + c[r]!;
    }
    return bytesOf(out);
  }
  const column: LazyColumn = {
    fill,
    bytesPerRow: 8,
    get(row) {
      const index = row >>> PAGE_BITS;
      const c = codes[index];
      if (c !== undefined) {
        const code = c[row & ROW_MASK]!;
        return code === 0 ? fill : bases[index]! + code;
      }
      const w = wide[index];
      return w === undefined ? fill : w[row & ROW_MASK]!;
    },
    set(row, value) {
      const index = row >>> PAGE_BITS;
      const r = row & ROW_MASK;
      const c = codes[index];
      if (c !== undefined) {
        // Exact: both are safe integers and a code's difference is below 2^32.
        const code = value - bases[index]!;
        if (Object.is(value, fill)) c[r] = 0;
        else if (codable(value) && code >= 1 && code <= CODE_MAX) c[r] = code;
        else widen(index)[r] = value;
        return;
      }
      const w = wide[index];
      if (w !== undefined) w[r] = value;
      else if (Object.is(value, fill)) return;
      else if (codable(value) && Number.isSafeInteger(value - HALF))
        packed(index, value - HALF)[r] = HALF;
      else widen(index)[r] = value;
    },
    get byteLength() {
      return PAGE_ROWS * (4 * packedPages + 8 * widePages);
    },
    *bytes(rows) {
      for (let from = 0, index = 0; from < rows; from += PAGE_ROWS, index++) {
        const n = Math.min(PAGE_ROWS, rows - from) * 8;
        yield pageBytes(index).subarray(0, n);
      }
    },
    restorePage(index, bytes) {
      const rows = bytes.length / 8;
      // The bytes as doubles: in place when aligned, else copied into the shared buffer.
      let values: Float64Array;
      // Stryker disable next-line ConditionalExpression,ArithmeticOperator: viewed or copied, the same values
      if (bytes.byteOffset % 8 === 0)
        values = new Float64Array(bytes.buffer, bytes.byteOffset, rows);
      else {
        pageScratch ??= new Float64Array(PAGE_ROWS);
        values = pageScratch.subarray(0, rows);
        bytesOf(values).set(bytes);
      }
      // The page is coded when every value but the default is codable and they span < 2^32.
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      let all = true;
      let any = false;
      for (let r = 0; r < rows; r++) {
        const v = values[r]!;
        if (Object.is(v, fill)) continue;
        any = true;
        if (!codable(v)) all = false;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (!any) return; // every row the default: no page
      if (!all || hi - lo > CODE_MAX - 1 || !Number.isSafeInteger(lo - HALF)) {
        const page = widen(index);
        page.set(values);
        return;
      }
      // The window centred on the values: later rows (done times, new offsets) fit either side.
      const base = lo - 1 - Math.floor((CODE_MAX - 1 - (hi - lo)) / 2);
      const page = packed(index, base);
      // Stryker disable next-line EqualityOperator: row `rows` reads undefined, written as code 0 (the default it holds)
      for (let r = 0; r < rows; r++) if (!Object.is(values[r], fill)) page[r] = values[r]! - base;
    },
  };
  return column;
}
