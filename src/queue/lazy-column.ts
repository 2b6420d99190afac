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

type Page = Float64Array | Uint16Array;

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
  /** Rows [0, rows) as little-endian bytes, a page at a time (absent pages as the default). */
  bytes(rows: number): Iterable<Uint8Array>;
  /** Page `index` from its rows' bytes (at most PAGE_ROWS of them), kept only if not all default. */
  restorePage(index: number, bytes: Uint8Array): void;
}

export function createLazyColumn(kind: "f64" | "u16", fill: number): LazyColumn {
  const make = (): Page => {
    const page = kind === "f64" ? new Float64Array(PAGE_ROWS) : new Uint16Array(PAGE_ROWS);
    // Stryker disable next-line ConditionalExpression: filling with 0 is what a new page holds
    if (!Object.is(fill, 0)) page.fill(fill);
    return page;
  };
  const pages: (Page | undefined)[] = [];
  let allocated = 0;
  let blank: Uint8Array | undefined;
  const bytesOf = (p: Page) => new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
  /** One page of defaults, as bytes (shared: written out for every absent page). */
  const blankBytes = () => {
    blank ??= bytesOf(make());
    return blank;
  };
  function pageFor(index: number): Page {
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
    bytesPerRow: kind === "f64" ? 8 : 2,
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
