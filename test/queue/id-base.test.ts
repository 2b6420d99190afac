import { fstatSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { idHash } from "../../src/queue/checkpoint-format.js";
import { DIR_STEP, type IdBase, openIdBase, pairIndexBuilder } from "../../src/queue/id-base.js";
import { createIdTable, type IdTable } from "../../src/queue/id-table.js";
import { seededRandom } from "../../src/scoring/random.js";
import { blobOf } from "../support/id-blob.js";
import { tempDir } from "../support/temp.js";

// Issue 10: the ids of a checkpoint are read from its file, not held. A table on such a base
// must answer exactly as one holding every id: find by exact text only (hash collisions, removed
// rows), idAt, JavaScript's order, new ids after it, a move to a newer base.

const PREFIX = 37; // bytes before the sections, as a checkpoint's header line puts them

/** A file laid out as a checkpoint's id sections: the blob, then (hash, slot) pairs by hash. */
async function baseFile(blob: Uint8Array, pairs: [number, number][]) {
  const sorted = [...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const words = new Uint32Array(sorted.flat());
  const file = join(await tempDir(), "ids.bin");
  writeFileSync(file, Buffer.concat([Buffer.alloc(PREFIX, 0x2a), blob, Buffer.from(words.buffer)]));
  return (count: number): IdBase =>
    openIdBase(openSync(file, "r"), {
      count,
      blobBytes: blob.length,
      blobAt: PREFIX,
      pairsAt: PREFIX + blob.length,
      pairs: sorted.length,
    });
}

/** A base holding every id of `t` (each live one in the pairs), as a checkpoint of it would. */
async function baseOf(t: IdTable, live: (n: number) => boolean = () => true): Promise<IdBase> {
  const pairs: [number, number][] = [];
  for (let n = 0; n < t.count; n++) if (live(n)) pairs.push([idHash(t.idAt(n)), n]);
  return (await baseFile(blobOf(t), pairs))(t.count);
}

/** A table restored on a base of `ids` (nothing in memory but their ends). */
async function restored(ids: string[], live: (n: number) => boolean = () => true) {
  const t = createIdTable(live);
  for (const id of ids) t.add(id);
  const base = await baseOf(t, live);
  const back = createIdTable(live, { base, ends: t.raw().ends.slice() });
  return { back, base };
}

const sign = (x: number) => (x < 0 ? -1 : x > 0 ? 1 : 0);

describe("id base (issue 10)", () => {
  it("finds every id of 5,000 from the file and reads each back; a miss mostly reads nothing", async () => {
    const ids = Array.from({ length: 5_000 }, (_, k) => `session-${k}`);
    const { back, base } = await restored(ids);
    expect(back.count).toBe(5_000);
    for (const k of [0, 1, 63, 64, 65, 2_500, 4_999]) {
      expect(back.find(`session-${k}`)).toBe(k);
      expect(back.idAt(k)).toBe(`session-${k}`);
    }
    expect(ids.every((id, k) => back.find(id) === k)).toBe(true);
    // 10,000 ids it does not hold: the filter (a byte a session) answers most without a read.
    const before = base.reads;
    const misses = Array.from({ length: 10_000 }, (_, k) => `other-${k}`);
    expect(misses.every((id) => back.find(id) === -1)).toBe(true);
    const reads = base.reads - before;
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThan(2_000);
    // In memory: the ends (5,000), an empty tail (bytes, 1,024 hashes, a table of 1,024 cells),
    // the directory and filter. The base's hashes stay in its file.
    expect(back.byteSize()).toBe(16 * 1024 + 5_000 * 4 + 1024 * 4 + 1024 * 4 + 4 * 79 + 8_192);
  });

  it("tells apart ids whose bytes or hashes collide, across ASCII and UTF-8", async () => {
    const ids = ["é", "Ã©", "😀", "ð\u009f\u0098\u0080", "a\u0000b", "", "日本"];
    const colliding = ["x62081yz", "s67693", "x18656yz", "é23876", "ü570019", "é806500"];
    expect(idHash("x62081yz")).toBe(idHash("s67693"));
    const all = [...ids, ...colliding];
    const { back } = await restored(all);
    expect(all.map((id) => back.find(id))).toEqual(all.map((_, k) => k));
    expect(all.map((_, n) => back.idAt(n))).toEqual(all);
    expect([back.find("e"), back.find("Ã"), back.find("日"), back.find("x62081y")]).toEqual([
      -1, -1, -1, -1,
    ]);
    // One of a colliding pair only: the other is not found through its hash.
    const { back: one } = await restored(["x62081yz"]);
    expect([one.find("x62081yz"), one.find("s67693")]).toEqual([0, -1]);
  });

  it("walks a run of equal hashes across directory blocks, in slot order, until one is taken", async () => {
    // Hand-made pairs: 150 slots share hash 7 (blocks 0..3 of DIR_STEP = 64), others around it.
    const pairs: [number, number][] = [];
    for (let s = 0; s < 150; s++) pairs.push([7, s + 10]);
    for (let s = 0; s < 10; s++) pairs.push([3, s]);
    for (let s = 160; s < 300; s++) pairs.push([9 + s, s]);
    const base = (await baseFile(new Uint8Array(0), pairs))(300);
    expect(DIR_STEP).toBe(64);
    const seen: number[] = [];
    const upTo140 = (slot: number) => {
      seen.push(slot);
      return slot === 140;
    };
    expect(base.findHash(7, upTo140)).toBe(140);
    expect(seen).toEqual(Array.from({ length: 131 }, (_, k) => k + 10));
    const all: number[] = [];
    const none = (slot: number) => {
      all.push(slot);
      return false;
    };
    expect(base.findHash(7, none)).toBe(-1);
    expect(all.length).toBe(150);
    expect(base.findHash(3, (slot) => slot === 9)).toBe(9);
    expect(base.findHash(9 + 299, () => true)).toBe(299);
    expect(base.findHash(9 + 300, () => true)).toBe(-1); // past the last hash
    expect(base.findHash(0, () => true)).toBe(-1); // before the first
    expect(base.findHash(8, () => true)).toBe(-1); // between
  });

  it("orders ids as JavaScript does, within the base, the tail and between them", async () => {
    const r = seededRandom(5);
    const pool = ["a", "b", "é", "\ue000", "😀", "\ufffd", "Z", "0"];
    const ids = Array.from({ length: 300 }, (_, k) => {
      let s = "";
      for (let i = 0; i < 1 + (k % 4); i++) s += pool[Math.floor(r() * pool.length)]!;
      return `${s}${k}`;
    });
    const { back } = await restored(ids.slice(0, 200));
    for (const id of ids.slice(200)) back.add(id);
    let checked = 0;
    for (let a = 0; a < 300; a += 3) {
      for (let b = 0; b < 300; b++) {
        const js = ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0;
        if (sign(back.compare(a, b)) !== js) throw new Error(`${ids[a]} vs ${ids[b]}`);
        checked++;
      }
    }
    expect(checked).toBe(30_000);
    expect(ids.map((id) => back.find(id))).toEqual(ids.map((_, k) => k));
  });

  it("skips removed rows in the base; the same text added again is a new row", async () => {
    const dead = new Set<number>([3, 64]);
    const ids = Array.from({ length: 200 }, (_, k) => `s${k}`);
    const { back } = await restored(ids, (n) => !dead.has(n));
    expect([back.find("s3"), back.find("s64"), back.find("s65")]).toEqual([-1, -1, 65]);
    expect(back.idAt(65)).toBe("s65"); // read lately: found again without a read, while live
    dead.add(65); // removed after the checkpoint: still in its pairs, passed over
    expect(back.find("s65")).toBe(-1);
    expect(back.add("s65")).toBe(200);
    expect([back.find("s65"), back.idAt(65), back.idAt(200)]).toEqual([200, "s65", "s65"]);
  });

  it("moves to a newer base: every id still found, the tail's memory given back", async () => {
    const t = createIdTable();
    for (let k = 0; k < 3_000; k++) t.add(`first-${k}`);
    // Held: 32 KiB of bytes, ends and hashes 4,096 rows each, a table of 8,192 cells.
    expect(t.byteSize()).toBe(32_768 + 4_096 * 8 + 8_192 * 4);
    t.rebase(await baseOf(t));
    // The tail's bytes, hashes and table start again small (the base's hashes are in its file);
    // the ends stay; the base adds its directory and filter.
    expect(t.byteSize()).toBe(16_384 + 4_096 * 4 + 1_024 * 4 + 1_024 * 4 + 47 * 4 + 4_096);
    for (let k = 0; k < 2_000; k++) t.add(`second-${k}`);
    expect([t.find("first-2999"), t.find("second-0"), t.find("second-1999")]).toEqual([
      2_999, 3_000, 4_999,
    ]);
    // The blob of the next checkpoint: the old base's bytes streamed, then the tail's.
    const blob = blobOf(t).toString("latin1");
    expect(blob.length).toBe(t.raw().byteLength);
    expect(blob.startsWith("first-0first-1")).toBe(true);
    expect(blob.endsWith("second-1998second-1999")).toBe(true);
    const older = await baseOf(t);
    t.rebase(older);
    expect([t.find("first-0"), t.find("second-1999"), t.idAt(4_000)]).toEqual([
      0,
      4_999,
      "second-1000",
    ]);
    // A base must hold every id of the table it serves.
    t.add("third");
    expect(() => t.rebase(older)).toThrow("an id base must hold every id of its table");
    t.close();
    expect(() => t.idAt(5)).toThrow("the queue's id base was closed");
    t.close(); // twice: nothing closed again
  });

  it("finds the ids a claim just read without reading them again", async () => {
    const ids = Array.from({ length: 1_000 }, (_, k) => `claim-${k}`);
    const { back, base } = await restored(ids);
    const claimed = [10, 11, 500, 999].map((n) => back.idAt(n));
    const before = base.reads;
    expect(claimed.map((id) => back.find(id))).toEqual([10, 11, 500, 999]);
    expect(base.reads).toBe(before);
  });

  it("opens on the index its writer built as it wrote the pairs: no read, the same answers", async () => {
    const ids = Array.from({ length: 700 }, (_, k) => `w${k}`);
    const t = createIdTable();
    for (const id of ids) t.add(id);
    const pairs = ids.map((_, n): [number, number] => [t.hashAt(n), n]);
    pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const builder = pairIndexBuilder(700);
    for (const [hash] of pairs) builder.add(hash);
    const index = builder.done();
    expect([index.dir.length, index.filter.length]).toEqual([11, 1_024]);
    // A byte a pair, rounded up to a power of two: 1,024 pairs take 1,024 bytes, 1,025 take 2,048.
    const sizes = [1_024, 1_025].map((n) => {
      const b = pairIndexBuilder(n);
      for (let k = 0; k < n; k++) b.add(k);
      return b.done().filter.length;
    });
    expect(sizes).toEqual([1_024, 2_048]);
    const file = join(await tempDir(), "w.bin");
    writeFileSync(
      file,
      Buffer.concat([blobOf(t), Buffer.from(new Uint32Array(pairs.flat()).buffer)]),
    );
    const layout = {
      count: 700,
      blobBytes: blobOf(t).length,
      blobAt: 0,
      pairsAt: blobOf(t).length,
      pairs: 700,
    };
    const given = openIdBase(openSync(file, "r"), layout, index);
    // Read at open to build the index (one read), then again as the next checkpoint asks.
    const read = openIdBase(openSync(file, "r"), layout);
    expect([given.reads, read.reads]).toEqual([0, 1]);
    const seen = [...read.pairs()].flatMap((chunk) => [...chunk]);
    expect([seen, read.reads]).toEqual([pairs.flat(), 2]);
    for (const [hash, slot] of pairs) {
      expect(given.findHash(hash, (s) => s === slot)).toBe(slot);
      expect(read.findHash(hash, (s) => s === slot)).toBe(slot);
    }
    // A builder given fewer pairs than it was sized for is refused.
    const short = pairIndexBuilder(3);
    short.add(1);
    expect(() => short.done()).toThrow("an id index of 3 pairs was given 1");
  });

  it("reads ids longer than its window and blobs past one chunk, and pairs past one read", async () => {
    // 10,000 ids (the pairs take two reads at open), every 1,000th of 5,000 characters (longer
    // than the 4 KiB window), 103 KB in all (the blob streams in two chunks of 64 KiB).
    const ids = Array.from({ length: 10_000 }, (_, k) =>
      k % 1_000 === 7 ? `${"L".repeat(4_990)}${k}` : `id-${k}`,
    );
    const { back, base } = await restored(ids);
    expect(base.reads).toBe(2); // the pairs at open: 8,192 then 1,808
    // Neighbours come from one read of 4 KiB; the same id, or the blob's last, from none.
    expect([back.idAt(0), back.idAt(1), back.idAt(0)]).toEqual(["id-0", "id-1", "id-0"]);
    expect(base.reads).toBe(3);
    expect([back.idAt(9_999), back.idAt(9_999), base.reads]).toEqual(["id-9999", "id-9999", 4]);
    expect(ids.every((id, k) => back.find(id) === k && back.idAt(k) === id)).toBe(true);
    expect(sign(back.compare(7, 1_007))).toBe(1); // "L…L7" > "L…L1007"
    expect(sign(back.compare(1_007, 7))).toBe(-1);
    expect(sign(back.compare(7, 8))).toBe(-1); // "LLL…7" < "id-8"
    // The blob in chunks of 64 KiB (two), then the tail (empty).
    expect([...back.raw().parts()].map((part) => part.length)).toEqual([
      65_536,
      ids.reduce((n, id) => n + id.length, 0) - 65_536,
      0,
    ]);
    const blob = blobOf(back);
    expect(blob.length).toBe(ids.reduce((n, id) => n + id.length, 0));
    expect(blob.toString("latin1")).toBe(ids.join(""));
    // The pairs asked for again: the same two reads, one reused buffer, every id once in hash order.
    const reads = base.reads;
    const slots: number[] = [];
    let last = -1;
    const chunks: Uint32Array[] = [];
    for (const chunk of base.pairs()) {
      chunks.push(chunk);
      for (let i = 0; i < chunk.length; i += 2) {
        expect(chunk[i]!).toBeGreaterThanOrEqual(last);
        last = chunk[i]!;
        slots.push(chunk[i + 1]!);
      }
    }
    expect([chunks.map((c) => c.length), chunks[0]!.buffer === chunks[1]!.buffer]).toEqual([
      [2 * 8_192, 2 * 1_808],
      true,
    ]);
    expect([base.reads - reads, slots.sort((a, b) => a - b)]).toEqual([
      2,
      Array.from({ length: 10_000 }, (_, k) => k),
    ]);
  });

  it("refuses a file shorter than its layout, and an index built for other pairs, closing the file", async () => {
    const file = join(await tempDir(), "short.bin");
    writeFileSync(file, Buffer.alloc(40));
    const fd = openSync(file, "r");
    const layout = { count: 10, blobBytes: 8, blobAt: 0, pairsAt: 8, pairs: 10 };
    expect(() => openIdBase(fd, layout)).toThrow("the queue's checkpoint is shorter than its ids");
    expect(() => fstatSync(fd)).toThrow("EBADF");
    const other = pairIndexBuilder(700);
    for (let k = 0; k < 700; k++) other.add(k);
    const fd2 = openSync(file, "r");
    expect(() => openIdBase(fd2, layout, other.done())).toThrow("a foreign id index");
    expect(() => fstatSync(fd2)).toThrow("EBADF");
    // Ids past the file's end are refused when read, not made up.
    const fd3 = openSync(file, "r");
    const past = openIdBase(fd3, { count: 1, blobBytes: 100, blobAt: 0, pairsAt: 0, pairs: 0 });
    expect(() => past.bytes(30, 50)).toThrow("the queue's checkpoint is shorter than its ids");
    past.close();
    // A table restored on a base of other ids is refused.
    const { base } = await restored(["a", "b"]);
    expect(() =>
      createIdTable(() => true, { base, ends: new Uint32Array([1]), hashes: new Uint32Array(1) }),
    ).toThrow("an id base must hold every restored id");
  });
});
