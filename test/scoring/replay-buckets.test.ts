/**
 * The replay index's buckets (issue 10): each key's session numbers live in one block of an
 * arena, moved to a block twice the size when full, and the blocks left behind are reused. A
 * block reused while a key still pointed into it, or a move that dropped or reordered entries,
 * would lose the original of a replay: checked against a plain model of the buckets.
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/scoring/random.js";
import { createBuckets, MAX_BUCKET } from "../../src/scoring/replay-index.js";

type Buckets = ReturnType<typeof createBuckets>;

function entriesOf(b: Buckets, key: number): number[] {
  const cell = b.cellOf(key);
  const from = b.from(cell);
  return Array.from(b.entries.subarray(from, from + b.count(cell)));
}

describe("replay buckets", () => {
  it("keep each key's first MAX_BUCKET numbers in order while blocks move and are reused", () => {
    const rand = seededRandom(10);
    // Keys as the packing makes them (key x TABLES + table, up to about 2^27), and a few large.
    // Key 0 too: a free cell reads as key 0, so a table that took free cells for keys would
    // lose it when it grows.
    const keys = Array.from({ length: 700 }, (_, k) =>
      k === 0 ? 0 : k % 50 === 0 ? 2 ** 40 + k : Math.floor(rand() * 2 ** 27),
    );
    const model = new Map<number, number[]>();
    const b = createBuckets();
    for (let n = 0; n < 40_000; n++) {
      // Skewed: a few keys fill up, most stay small, so blocks of every size are left and reused.
      const key = keys[Math.floor(rand() ** 3 * keys.length)]!;
      b.add(key, n);
      const list = model.get(key) ?? [];
      if (list.length < MAX_BUCKET) list.push(n);
      model.set(key, list);
      if (n % 5_000 === 4_999) {
        for (const [k, list] of model) expect(entriesOf(b, k)).toEqual(list);
      }
    }
    const full = [...model.values()].filter((l) => l.length === MAX_BUCKET).length;
    expect(full).toBeGreaterThan(50);
    expect(model.size).toBeGreaterThan(600);
    for (const [k, list] of model) expect(entriesOf(b, k)).toEqual(list);
  });

  it("a key never added has no entries", () => {
    const b = createBuckets();
    b.add(5, 1);
    expect(b.count(b.cellOf(6))).toBe(0);
    expect(entriesOf(b, 6)).toEqual([]);
    expect(entriesOf(b, 5)).toEqual([1]);
  });
});
