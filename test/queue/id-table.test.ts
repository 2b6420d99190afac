import { describe, expect, it } from "vitest";
import { idHash } from "../../src/queue/checkpoint-format.js";
import { compareUtf8, createIdTable, type IdTable } from "../../src/queue/id-table.js";
import { seededRandom } from "../../src/scoring/random.js";
import { blobOf } from "../support/id-blob.js";

// Issue 10: the fold's and the replay index's ids as UTF-8 in one buffer with an open-addressing
// index. Every id must come back exactly, be found by exactly its own text (never by another
// string whose UTF-16 units equal its UTF-8 bytes), and order as JavaScript orders strings.

/** Seeded strings mixing ASCII, Latin-1, the BMP's top (U+E000..U+FFFF) and surrogate pairs. */
function strings(count: number, seed: number): string[] {
  const r = seededRandom(seed);
  const pools = [
    () => String.fromCharCode(0x61 + Math.floor(r() * 3)),
    () => String.fromCharCode(0xe0 + Math.floor(r() * 3)),
    () => String.fromCharCode(0xe000 + Math.floor(r() * 0x1fff)),
    () => String.fromCodePoint(0x1f600 + Math.floor(r() * 3)),
  ];
  return Array.from({ length: count }, () => {
    let s = "";
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) s += pools[Math.floor(r() * pools.length)]!();
    return s;
  });
}

/** Every id's hash, as a table without a base holds them. */
const hashesOf = (t: IdTable) => Uint32Array.from({ length: t.count }, (_, n) => t.hashAt(n));

const sign = (x: number) => (x < 0 ? -1 : x > 0 ? 1 : 0);

describe("id table (issue 10)", () => {
  it("keeps 5,000 ids (past the buffers' and the index's growth) and finds each by its text", () => {
    const t = createIdTable();
    for (let k = 0; k < 5_000; k++) expect(t.add(`session-${k}`)).toBe(k);
    expect(t.count).toBe(5_000);
    for (const k of [0, 1, 1023, 1024, 2047, 4999]) {
      expect(t.find(`session-${k}`)).toBe(k);
      expect(t.idAt(k)).toBe(`session-${k}`);
      expect(t.hashAt(k)).toBe(idHash(`session-${k}`));
    }
    expect([t.find("session-5000"), t.find("session-"), t.find("")]).toEqual([-1, -1, -1]);
    const { byteLength, ends } = t.raw();
    const hashes = hashesOf(t);
    // No base: every hash held, no base pairs.
    expect([t.baseCount, [...t.basePairs()]]).toEqual([0, []]);
    const bytes = blobOf(t);
    expect([bytes.length, byteLength, ends.length, hashes.length, ends[4]]).toEqual([
      "session-".length * 5_000 + 10 * 1 + 90 * 2 + 900 * 3 + 4_000 * 4,
      "session-".length * 5_000 + 10 * 1 + 90 * 2 + 900 * 3 + 4_000 * 4,
      5_000,
      5_000,
      "session-0session-1session-2session-3session-4".length,
    ]);
    // Buffers grow by doubling: 8,192 ends and hashes, 16,384 index cells, the UTF-8 bytes.
    expect(t.byteSize()).toBe(65_536 + 8_192 * 8 + 16_384 * 4);
  });

  it("tells apart ids whose UTF-8 bytes equal another id's UTF-16 units", () => {
    const t = createIdTable();
    const ids = ["é", "Ã©", "😀", "ð\u009f\u0098\u0080", "a\u0000b", "", "日本"];
    for (const id of ids) t.add(id);
    expect(ids.map((id) => t.find(id))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(ids.map((_, n) => t.idAt(n))).toEqual(ids);
    expect([t.find("e"), t.find("Ã"), t.find("日"), t.find("😁")]).toEqual([-1, -1, -1, -1]);
    expect(blobOf(t).toString("utf8")).toBe(ids.join(""));
  });

  it("finds the right id among ids whose hashes collide, and no other", () => {
    // FNV-1a collisions found by a birthday search: the lookup must compare the ids themselves,
    // shorter, longer, ASCII against UTF-8 of a different and of the same byte length.
    const pairs = [
      ["x62081yz", "s67693"],
      ["x18656yz", "é23876"],
      ["ü570019", "é806500"],
    ];
    for (const [a, b] of pairs) {
      expect(idHash(a!)).toBe(idHash(b!));
      for (const [stored, other] of [
        [a!, b!],
        [b!, a!],
      ]) {
        const one = createIdTable();
        one.add(stored!);
        expect([one.find(stored!), one.find(other!)]).toEqual([0, -1]);
      }
      const both = createIdTable();
      both.add(a!);
      both.add(b!);
      expect([both.find(a!), both.find(b!)]).toEqual([0, 1]);
    }
    // Either side of where ASCII ends: U+007F is one byte, U+0080 two.
    const edge = createIdTable();
    for (const id of ["\u007fz", "\u0080z", "z\u0080", "z\u007f"]) edge.add(id);
    expect(
      ["\u007fz", "\u0080z", "z\u0080", "z\u007f", "\u0081z"].map((id) => edge.find(id)),
    ).toEqual([0, 1, 2, 3, -1]);
  });

  it("orders ids exactly as JavaScript orders their strings (UTF-16 units, not code points)", () => {
    const list = strings(400, 7);
    const t = createIdTable();
    for (const s of list) t.add(s);
    let checked = 0;
    for (let a = 0; a < list.length; a++) {
      for (let b = 0; b < list.length; b++) {
        const js = list[a]! < list[b]! ? -1 : list[a]! > list[b]! ? 1 : 0;
        if (sign(t.compare(a, b)) !== js) throw new Error(`${list[a]} vs ${list[b]}`);
        checked++;
      }
    }
    expect(checked).toBe(160_000);
    // The case a byte order gets wrong: U+FFFD sorts after a surrogate pair in UTF-16 units.
    const u = createIdTable();
    u.add("\ufffd");
    u.add("😀");
    expect([sign(u.compare(0, 1)), sign(u.compare(1, 0))]).toEqual([1, -1]);
  });

  it("skips rows that are no longer live, and a later id of the same text is a new row", () => {
    const dead = new Set<number>();
    const t = createIdTable((n) => !dead.has(n));
    for (let k = 0; k < 3_000; k++) t.add(`s${k % 1_500}`); // each text twice
    // The first of each pair is found while live; a dead row is passed over.
    expect([t.find("s7"), t.find("s1499")]).toEqual([7, 1499]);
    for (let k = 0; k < 1_500; k++) dead.add(k);
    expect([t.find("s7"), t.find("s1499")]).toEqual([1_507, 2_999]);
    dead.add(1_507);
    expect(t.find("s7")).toBe(-1);
    // Growth rehashes the live rows only: 5,000 more ids, the survivors still found.
    for (let k = 0; k < 5_000; k++) t.add(`t${k}`);
    expect([t.find("s7"), t.find("s8"), t.find("t4999"), t.idAt(7)]).toEqual([
      -1,
      1_508,
      7_999,
      "s7",
    ]);
  });

  it("restored from its raw rows, finds and orders the same", () => {
    const list = strings(2_000, 11).map((s, k) => `${s}${k}`);
    const t = createIdTable();
    for (const s of list) t.add(s);
    const back = createIdTable(() => true, {
      bytes: blobOf(t),
      ends: t.raw().ends.slice(),
      hashes: hashesOf(t),
    });
    expect(back.count).toBe(2_000);
    expect(list.map((s) => back.find(s))).toEqual(list.map((_, k) => k));
    expect(back.add("new")).toBe(2_000);
    expect([back.find("new"), back.idAt(1_999), back.idAt(2_000)]).toEqual([
      2_000,
      list[1_999],
      "new",
    ]);
  });

  it("compareUtf8 orders byte ranges anywhere in two buffers as JavaScript orders the strings", () => {
    const list = strings(200, 13);
    const blob = Buffer.from(`##${list.join("")}`, "utf8");
    const ends = [2];
    for (const s of list) ends.push(ends.at(-1)! + Buffer.byteLength(s));
    const shifted = Buffer.concat([Buffer.from("@@@@@"), blob]);
    let checked = 0;
    for (let a = 0; a < list.length; a++) {
      for (let b = 0; b < list.length; b++) {
        const js = list[a]! < list[b]! ? -1 : list[a]! > list[b]! ? 1 : 0;
        const got = compareUtf8(
          blob,
          ends[a]!,
          ends[a + 1]!,
          shifted,
          ends[b]! + 5,
          ends[b + 1]! + 5,
        );
        if (sign(got) !== js) throw new Error(`${list[a]} vs ${list[b]}`);
        checked++;
      }
    }
    expect(checked).toBe(40_000);
  });
});
