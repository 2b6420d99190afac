import { describe, expect, it } from "vitest";
import { arrayColumn, createLazyColumn, PAGE_ROWS } from "../../src/queue/lazy-column.js";

// Issue 10: the fold's sparse columns. A page is allocated only where a row leaves the default,
// rows read back exactly as a typed array would hold them, and the bytes a checkpoint writes
// are those of the typed array the column stands for.
const bytesOf = (a: Float64Array | Uint16Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe("lazy column", () => {
  it("allocates a page only for a value other than the default, and reads back what was set", () => {
    const c = createLazyColumn("f64", Number.NaN);
    c.set(5, Number.NaN);
    c.set(3 * PAGE_ROWS + 7, Number.NaN);
    expect(c.byteLength).toBe(0);
    expect(c.get(5)).toBeNaN();
    c.set(2 * PAGE_ROWS + 1, 1.5);
    expect(c.byteLength).toBe(PAGE_ROWS * 8);
    expect([c.get(2 * PAGE_ROWS + 1), c.get(2 * PAGE_ROWS), c.get(2 * PAGE_ROWS + 2)]).toEqual([
      1.5,
      Number.NaN,
      Number.NaN,
    ]);
    // Back to the default inside an allocated page: stored, not skipped.
    c.set(2 * PAGE_ROWS + 1, Number.NaN);
    expect(c.get(2 * PAGE_ROWS + 1)).toBeNaN();
    // -0 is not the default 0 (Object.is): it is kept, sign and all.
    const z = createLazyColumn("f64", 0);
    z.set(PAGE_ROWS - 1, -0);
    expect(Object.is(z.get(PAGE_ROWS - 1), -0)).toBe(true);
    expect([z.byteLength, z.get(PAGE_ROWS)]).toEqual([PAGE_ROWS * 8, 0]);
  });

  it("keeps 16-bit counts as a Uint16Array does (wrapping past 65535)", () => {
    const c = createLazyColumn("u16", 0);
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
    const want = new Float64Array(rows).fill(-1);
    const c = createLazyColumn("f64", -1);
    for (const [row, v] of [
      [0, 12],
      [2 * PAGE_ROWS + 299, 7.25],
      [2 * PAGE_ROWS, -0],
    ] as const) {
      c.set(row, v);
      want[row] = v;
    }
    const parts = [...c.bytes(rows)];
    expect(parts.map((p) => p.length)).toEqual([PAGE_ROWS * 8, PAGE_ROWS * 8, 300 * 8]);
    expect(Buffer.concat(parts).equals(bytesOf(want))).toBe(true);
    expect(c.byteLength).toBe(2 * PAGE_ROWS * 8); // the middle page was written out, never made
    // Restored page by page: the all-default page stays absent, the others come back whole.
    const back = createLazyColumn("f64", -1);
    for (const [page, bytes] of parts.entries()) back.restorePage(page, bytes);
    expect(back.byteLength).toBe(2 * PAGE_ROWS * 8);
    expect(Buffer.concat([...back.bytes(rows)]).equals(bytesOf(want))).toBe(true);
    expect([back.get(0), back.get(PAGE_ROWS + 5), back.get(2 * PAGE_ROWS + 299)]).toEqual([
      12, -1, 7.25,
    ]);
    // Whole pages: one part each, and none for no rows.
    expect([[...back.bytes(PAGE_ROWS)].length, [...back.bytes(0)].length]).toEqual([1, 0]);
    // A short last page: the rows past it read as the default.
    expect(back.get(2 * PAGE_ROWS + 300)).toBe(-1);
  });

  it("reads a typed array through the same interface", () => {
    const col = arrayColumn(Uint16Array.from([4, 0, 9]));
    expect([col.get(0), col.get(2)]).toEqual([4, 9]);
  });
});
