import { describe, expect, it } from "vitest";
import {
  arrayColumn,
  createLazyColumn,
  createPackedColumn,
  PAGE_ROWS,
} from "../../src/queue/lazy-column.js";

// Issue 10: the fold's attempts column. A page is allocated only where a row leaves the default,
// rows read back exactly as a Uint16Array would hold them, and the bytes a checkpoint writes are
// those of the Uint16Array the column stands for.
const bytesOf = (a: Float64Array | Uint16Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe("lazy column", () => {
  it("allocates a page only for a value other than the default, and reads back what was set", () => {
    const c = createLazyColumn(7);
    c.set(5, 7);
    c.set(3 * PAGE_ROWS + 7, 7);
    expect([c.byteLength, c.get(5), c.get(3 * PAGE_ROWS + 7)]).toEqual([0, 7, 7]);
    c.set(2 * PAGE_ROWS + 1, 300);
    expect(c.byteLength).toBe(PAGE_ROWS * 2);
    expect([c.get(2 * PAGE_ROWS + 1), c.get(2 * PAGE_ROWS), c.get(2 * PAGE_ROWS + 2)]).toEqual([
      300, 7, 7,
    ]);
    // Back to the default inside an allocated page: stored, not skipped.
    c.set(2 * PAGE_ROWS + 1, 7);
    expect([c.get(2 * PAGE_ROWS + 1), c.byteLength]).toEqual([7, PAGE_ROWS * 2]);
  });

  it("keeps 16-bit counts as a Uint16Array does (wrapping past 65535)", () => {
    const c = createLazyColumn(0);
    c.set(PAGE_ROWS, 65_535);
    c.set(PAGE_ROWS, c.get(PAGE_ROWS) + 1);
    c.set(PAGE_ROWS + 1, 70_000);
    expect([c.get(PAGE_ROWS), c.get(PAGE_ROWS + 1), c.byteLength]).toEqual([
      0,
      70_000 - 65_536,
      PAGE_ROWS * 2,
    ]);
  });

  it("writes the bytes of the typed array it stands for, absent pages as defaults", () => {
    const rows = 2 * PAGE_ROWS + 300;
    const want = new Uint16Array(rows).fill(3);
    const c = createLazyColumn(3);
    for (const [row, v] of [
      [0, 12],
      [2 * PAGE_ROWS + 299, 9],
      [2 * PAGE_ROWS, 0],
    ] as const) {
      c.set(row, v);
      want[row] = v;
    }
    const parts = Array.from(c.bytes(rows), (p) => Buffer.from(p));
    expect(parts.map((p) => p.length)).toEqual([PAGE_ROWS * 2, PAGE_ROWS * 2, 300 * 2]);
    expect(Buffer.concat(parts).equals(bytesOf(want))).toBe(true);
    expect(c.byteLength).toBe(2 * PAGE_ROWS * 2); // the middle page was written out, never made
    // Restored page by page: the all-default page stays absent, the others come back whole.
    const back = createLazyColumn(3);
    for (const [page, bytes] of parts.entries()) back.restorePage(page, bytes);
    expect(back.byteLength).toBe(2 * PAGE_ROWS * 2);
    expect(
      Buffer.concat(Array.from(back.bytes(rows), (p) => Buffer.from(p))).equals(bytesOf(want)),
    ).toBe(true);
    expect([back.get(0), back.get(PAGE_ROWS + 5), back.get(2 * PAGE_ROWS + 299)]).toEqual([
      12, 3, 9,
    ]);
    // Whole pages: one part each, and none for no rows.
    expect([[...back.bytes(PAGE_ROWS)].length, [...back.bytes(0)].length]).toEqual([1, 0]);
    // A short last page: the rows past it read as the default.
    expect(back.get(2 * PAGE_ROWS + 300)).toBe(3);
  });

  it("reads a typed array through the same interface", () => {
    const col = arrayColumn(Uint16Array.from([4, 0, 9]));
    expect([col.get(0), col.get(2)]).toEqual([4, 9]);
  });
});

// Issue 10: times and offsets in 4 bytes a row (process at a million sessions). Every value reads
// back as a Float64Array would hold it; a page codes whole numbers within 2^32 of its base and
// turns into a Float64Array page for anything else.
describe("packed column", () => {
  const P = PAGE_ROWS;
  const same = (a: number, b: number) => Object.is(a, b);

  it("codes whole numbers around its first value in 4 bytes a row, up to 2^31 either side", () => {
    const c = createPackedColumn(Number.NaN);
    const t = 1_764_590_000_000; // a time in ms: the page's base sits 2^31 below it
    c.set(7, t);
    c.set(8, t - 2 ** 31 + 1); // code 1, the lowest
    c.set(9, t + 2 ** 31 - 1); // code 2^32 - 1, the highest
    c.set(10, Number.NaN); // the default: code 0
    expect(c.byteLength).toBe(P * 4);
    expect([c.get(7), c.get(8), c.get(9), c.get(10), c.get(0), c.get(P)]).toEqual([
      t,
      t - 2 ** 31 + 1,
      t + 2 ** 31 - 1,
      Number.NaN,
      Number.NaN,
      Number.NaN,
    ]);
    // Back to the default inside a coded page.
    c.set(7, Number.NaN);
    expect(c.get(7)).toBeNaN();
    // One past either end of the window: the page turns into 8-byte rows, keeping its rows.
    const low = createPackedColumn(-1);
    low.set(3, t);
    low.set(4, t - 2 ** 31);
    const high = createPackedColumn(-1);
    high.set(3, t);
    high.set(5, -1);
    high.set(4, t + 2 ** 31);
    expect([low.byteLength, low.get(3), low.get(4), low.get(5)]).toEqual([
      P * 8,
      t,
      t - 2 ** 31,
      -1,
    ]);
    expect([high.byteLength, high.get(3), high.get(4), high.get(5)]).toEqual([
      P * 8,
      t,
      t + 2 ** 31,
      -1,
    ]);
  });

  it("keeps what it cannot code in 8-byte pages: fractions, -0, NaN, Infinity, unsafe integers", () => {
    const values = [1.5, -0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -(2 ** 53) + 1];
    for (const v of values) {
      const c = createPackedColumn(0);
      c.set(1, v);
      expect([c.byteLength, same(c.get(1), v), c.get(0)]).toEqual([P * 8, true, 0]);
    }
    // A page that turned wide keeps taking anything; other pages still code.
    const c = createPackedColumn(0);
    c.set(0, 5);
    c.set(1, 0.25);
    c.set(2, 6);
    c.set(P, 9);
    expect([c.get(0), c.get(1), c.get(2), c.get(P), c.byteLength]).toEqual([
      5,
      0.25,
      6,
      9,
      P * 8 + P * 4,
    ]);
    // The default never makes a page, and a -0 is not a default 0.
    const d = createPackedColumn(0);
    d.set(3, 0);
    expect(d.byteLength).toBe(0);
    d.set(3, -0);
    expect([d.byteLength, same(d.get(3), -0)]).toEqual([P * 8, true]);
  });

  it("writes the bytes of the Float64Array it stands for and restores them, coded where it can", () => {
    const rows = 3 * P + 10;
    const want = new Float64Array(rows).fill(-1);
    const c = createPackedColumn(-1);
    const put = (row: number, v: number) => {
      c.set(row, v);
      want[row] = v;
    };
    put(0, 1_000);
    put(P - 1, 2_000); // page 0: coded
    put(2 * P, 0.5); // page 2: wide
    put(3 * P + 9, 7); // page 3, short: coded
    // Each part copied as it comes: the next one may reuse its buffer.
    const parts = Array.from(c.bytes(rows), (p) => Buffer.from(p));
    expect(parts.map((p) => p.length)).toEqual([P * 8, P * 8, P * 8, 10 * 8]);
    expect(Buffer.concat(parts).equals(bytesOf(want))).toBe(true);
    const back = createPackedColumn(-1);
    let page = 0;
    for (const bytes of c.bytes(rows)) back.restorePage(page++, bytes);
    // Page 1 was all defaults: never made. Pages 0 and 3 coded, page 2 wide.
    expect(back.byteLength).toBe(P * (4 + 8 + 4));
    expect(
      Buffer.concat(Array.from(back.bytes(rows), (p) => Buffer.from(p))).equals(bytesOf(want)),
    ).toBe(true);
    // A restored page's window is centred on its values: 1,000..2,000 leave 2^31 - 500 - 1 below
    // the lowest and 2^31 - 500 - 1 + 1 above the highest.
    const base = 999 - Math.floor((2 ** 32 - 2 - 1_000) / 2);
    expect(base).toBe(-2_147_482_148);
    back.set(1, base + 1);
    back.set(2, base + 2 ** 32 - 1);
    expect(back.byteLength).toBe(P * (4 + 8 + 4));
    expect([back.get(0), back.get(1), back.get(2), back.get(P - 1)]).toEqual([
      1_000,
      base + 1,
      base + 2 ** 32 - 1,
      2_000,
    ]);
    back.set(3, base);
    expect([back.byteLength, back.get(3), back.get(1), back.get(P - 1)]).toEqual([
      P * (8 + 8 + 4),
      base,
      base + 1,
      2_000,
    ]);
  });

  it("restores wide a page of values it cannot code together", () => {
    const cases: [string, number[]][] = [
      ["a fraction", [3, 4.5]],
      ["-0", [3, -0]],
      ["2^32 apart", [0, 2 ** 32]],
      ["an unsafe integer", [2 ** 53]],
      ["Infinity alone", [Number.POSITIVE_INFINITY]],
      ["-Infinity alone", [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]],
      // Safe, but 2^31 below it is not: no exact base.
      ["the lowest safe integer", [-(2 ** 53) + 1]],
    ];
    for (const [name, values] of cases) {
      const src = new Float64Array(5).fill(Number.NaN);
      values.forEach((v, i) => {
        src[i] = v;
      });
      const c = createPackedColumn(Number.NaN);
      c.restorePage(0, new Uint8Array(src.buffer));
      expect([name, c.byteLength]).toEqual([name, P * 8]);
      expect(values.every((v, i) => same(c.get(i), v))).toBe(true);
      expect(c.get(4)).toBeNaN();
    }
    // Bytes that do not start on an 8-byte boundary (copied first), a NaN where -1 is the default.
    const odd = new Uint8Array(8 * 3 + 1);
    new DataView(odd.buffer).setFloat64(1, Number.NaN, true);
    new DataView(odd.buffer).setFloat64(9, -1, true);
    new DataView(odd.buffer).setFloat64(17, 42, true);
    const m = createPackedColumn(-1);
    m.restorePage(1, odd.subarray(1));
    expect([m.byteLength, m.get(P), m.get(P + 1), m.get(P + 2), m.get(0)]).toEqual([
      P * 8,
      Number.NaN,
      -1,
      42,
      -1,
    ]);
    const whole = createPackedColumn(-1);
    whole.restorePage(0, odd.subarray(9));
    expect([whole.byteLength, whole.get(0), whole.get(1), whole.get(2)]).toEqual([
      P * 4,
      -1,
      42,
      -1,
    ]);
    // A default far below the values (a result offset of -1 among offsets past 2^40): rows
    // holding the default stay code 0, not a code of their own (which would not fit).
    const far = createPackedColumn(-1);
    far.restorePage(0, new Uint8Array(new Float64Array([2 ** 40, -1, 2 ** 40 + 9]).buffer));
    expect([far.byteLength, far.get(0), far.get(1), far.get(2)]).toEqual([
      P * 4,
      2 ** 40,
      -1,
      2 ** 40 + 9,
    ]);
    // Whole pages: one part each, and none for no rows.
    expect([[...far.bytes(P)].length, [...far.bytes(0)].length]).toEqual([1, 0]);
    // All defaults: no page.
    const none = createPackedColumn(-1);
    none.restorePage(0, new Uint8Array(new Float64Array([-1, -1]).buffer));
    expect(none.byteLength).toBe(0);
    // 2^32 - 1 apart still codes (codes 1 and 2^32 - 1... less the one the centring keeps below).
    const src = new Float64Array([5, 5 + 2 ** 32 - 2]);
    const c = createPackedColumn(Number.NaN);
    c.restorePage(0, new Uint8Array(src.buffer));
    expect([c.byteLength, c.get(0), c.get(1)]).toEqual([P * 4, 5, 5 + 2 ** 32 - 2]);
  });

  it("reads back whatever a Float64Array holds, over 20,000 random writes", () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = (): number => {
      const r = rand();
      if (r < 0.5) return 1_764_590_000_000 + Math.floor(rand() * 600_000);
      if (r < 0.6) return Number.NaN;
      if (r < 0.7) return 1_764_590_000_000 + (rand() < 0.5 ? -1 : 1) * 2 ** 31;
      if (r < 0.8) return rand() * 1e6;
      if (r < 0.9) return Math.floor(rand() * 2 ** 40);
      return rand() < 0.5 ? -0 : 0;
    };
    const rows = 4 * P;
    const packed = createPackedColumn(Number.NaN);
    const plain = new Float64Array(rows).fill(Number.NaN);
    for (let k = 0; k < 20_000; k++) {
      // Mostly in the first page (it turns wide at some point), some in each other page.
      const row = rand() < 0.7 ? Math.floor(rand() * 64) : Math.floor(rand() * rows);
      const v = pick();
      packed.set(row, v);
      plain[row] = v;
      expect(same(packed.get(row), plain[row]!)).toBe(true);
    }
    const a = Buffer.concat(Array.from(packed.bytes(rows), (p) => Buffer.from(p)));
    expect(a.equals(bytesOf(plain))).toBe(true);
  });
});
