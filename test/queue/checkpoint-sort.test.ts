import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sortedByHashChunks } from "../../src/queue/checkpoint.js";
import { idHash } from "../../src/queue/checkpoint-format.js";
import { emptyState, type QueueState } from "../../src/queue/fold.js";
import { planEnqueue } from "../../src/queue/plans.js";
import { fakePayload } from "../support/payload.js";
import { trackedStore } from "../support/stores.js";
import { tempDir } from "../support/temp.js";

// Issue 10: the checkpoint's id index, every live slot once as (id hash, slot), sorted by hash
// and equal hashes by slot, whatever the queue's size (the bucket count follows it).

/** The whole index, its chunks copied as they come (a chunk is valid until the next). */
function sortedByHash(state: QueueState, most?: number): number[] {
  return Array.from(sortedByHashChunks(state, most), (c) => [...c]).flat();
}
function expected(ids: string[], removed: Set<number>): number[] {
  return ids
    .map((id, slot) => [idHash(id), slot] as const)
    .filter(([, slot]) => !removed.has(slot))
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .flat();
}

describe("the checkpoint's id index order", () => {
  // FNV-1a collisions (test/queue/id-table.test.ts found them): equal hashes, different ids.
  const twins = ["x62081yz", "s67693", "x18656yz", "é23876", "ü570019", "é806500"];

  it.each([0, 1, 3, 17, 5_000])("sorts %i sessions with colliding ids and removals", (count) => {
    const ids = [
      ...Array.from({ length: count }, (_, k) => `s${(k * 7919) % 100_003}-${k}`),
      ...(count > 0 ? [twins[1]!, twins[0]!, twins[3]!, twins[2]!, twins[5]!, twins[4]!] : []),
    ];
    const state = emptyState();
    for (const [slot, id] of ids.entries()) state.sessions.add(id, 1_000 + slot, slot);
    const removed = new Set(ids.map((_, slot) => slot).filter((slot) => slot % 11 === 5));
    for (const slot of removed) state.sessions.delete(ids[slot]!);
    expect(sortedByHash(state)).toEqual(expected(ids, removed));
    if (count > 0) expect(idHash(twins[0]!)).toBe(idHash(twins[1]!));
  });

  it("sorts a bucket crowded on purpose (ids whose hashes share their top bits) in order", () => {
    // 200 sessions: buckets of the top 6 bits; 120 ids chosen into the twins' one (the twins
    // first, in reverse order of their hash-equal pair), 80 others.
    const bucket = idHash(twins[0]!) >>> 26;
    const crowd: string[] = [twins[1]!, twins[0]!];
    const rest: string[] = [];
    for (let k = 0; crowd.length < 120 || rest.length < 80; k++) {
      const id = `c${k}`;
      if (idHash(id) >>> 26 === bucket) {
        if (crowd.length < 120) crowd.push(id);
      } else if (rest.length < 80) rest.push(id);
    }
    const ids = crowd.flatMap((id, i) => (i < 80 ? [id, rest[i]!] : [id]));
    const state = emptyState();
    for (const [slot, id] of ids.entries()) state.sessions.add(id, 1_000, slot);
    expect(sortedByHash(state)).toEqual(expected(ids, new Set()));
  });
});

describe("the checkpoint's id index, a chunk at a time", () => {
  it("gives the same order in chunks of whole buckets, each within the bound unless one bucket is more", () => {
    const ids = Array.from({ length: 3_000 }, (_, k) => `s${(k * 7919) % 100_003}-${k}`);
    const state = emptyState();
    for (const [slot, id] of ids.entries()) state.sessions.add(id, 1_000, slot);
    for (const slot of [5, 17, 2_999]) state.sessions.delete(ids[slot]!);
    const whole = sortedByHash(state);
    expect(whole).toEqual(expected(ids, new Set([5, 17, 2_999])));
    for (const most of [1, 7, 100, 2_997, 5_000]) {
      // A chunk is valid until the next is asked for: copied as it comes.
      const chunks = Array.from(sortedByHashChunks(state, most), (c) => [...c]);
      expect(chunks.flat()).toEqual(whole);
      // 2,997 live sessions in buckets of the top 10 bits (log2 of the size, less 2: about 3 a
      // bucket): a bound of one pair still takes a whole bucket per chunk, a bound of 100 takes
      // several buckets but never more than 100 pairs, and one past the size takes one chunk.
      const sizes = chunks.map((c) => c.length / 2);
      const buckets = new Set(whole.filter((_, i) => i % 2 === 0).map((h) => h >>> 22));
      if (most === 1) expect(sizes.length).toBe(buckets.size);
      if (most >= 2_997) expect(sizes).toEqual([2_997]);
      // Each chunk takes the buckets that follow while they fit: as many as it can.
      const perBucket = new Map<number, number>();
      for (let i = 0; i < whole.length; i += 2) {
        const b = whole[i]! >>> 22;
        perBucket.set(b, (perBucket.get(b) ?? 0) + 1);
      }
      const greedy: number[] = [];
      for (const n of perBucket.values()) {
        if (greedy.length > 0 && greedy.at(-1)! + n <= most) greedy[greedy.length - 1]! += n;
        else greedy.push(n);
      }
      expect(sizes).toEqual(greedy);
      // The whole index from chunks this small is the same.
      expect(sortedByHash(state, most)).toEqual(whole);
    }
  });
});

describe("the checkpoint's id index while the fold changes", () => {
  it("throws instead of writing an index that is not the fold's", () => {
    const state = emptyState();
    for (let slot = 0; slot < 500; slot++) state.sessions.add(`s${slot}`, 1_000, slot);
    const chunks = sortedByHashChunks(state, 50);
    expect(chunks.next().done).toBe(false);
    // A session the counting pass did not see, in a bucket still to come (or a gone one).
    for (let k = 500; k < 600; k++) state.sessions.add(`s${k}`, 1_000, k);
    expect(() => {
      for (const _ of chunks);
    }).toThrow("the queue's fold changed while its checkpoint was written");
  });
});

describe("the checkpoint's id index, merged from the last checkpoint's (issue 10)", () => {
  // FNV-1a twins (equal hashes): one of each pair in the checkpoint, the other added since.
  const twins = ["x62081yz", "s67693", "x18656yz", "é23876", "ü570019", "é806500"];

  /** `count` spread-out ids starting with `prefix`, then three twins. */
  const idsOf = (prefix: string, count: number, step: number, twinsAt: number[]) => [
    ...Array.from({ length: count }, (_, k) => `${prefix}${(k * step) % 100_003}-${k}`),
    ...twinsAt.map((i) => twins[i]!),
  ];
  const enqueue = (store: ReturnType<typeof trackedStore>, ids: string[], at: number) =>
    store.transact((s) =>
      planEnqueue(
        s,
        ids.map((id) => ({ id, payload: fakePayload() })),
        at,
      ),
    );

  it("merges the base's pairs, removed sessions left out, with the sessions added since", async () => {
    const path = join(await tempDir(), "queue.jsonl");
    const writer = trackedStore({ path, now: () => 1_000, checkpointBytes: 0 });
    const first = idsOf("a", 900, 7919, [1, 3, 5]);
    await enqueue(writer, first, 1_000);
    await writer.close();
    // Loaded from that checkpoint: its ids (and their hashes) are in the file.
    const store = trackedStore({
      path,
      now: () => 2_000,
      checkpointBytes: Number.MAX_SAFE_INTEGER,
    });
    const loaded = await store.refresh();
    expect(loaded.sessions.ids.baseCount).toBe(903);
    expect(() => loaded.sessions.ids.hashAt(0)).toThrow("in the checkpoint's index");
    const later = idsOf("b", 400, 104_729, [0, 2, 4]);
    await enqueue(store, later, 2_000);
    // Removed since: every 7th of the first, every 5th of the later.
    const gone = [...first.filter((_, k) => k % 7 === 3), ...later.filter((_, k) => k % 5 === 1)];
    const state = await store.refresh();
    for (const id of gone) state.sessions.delete(id);
    const ids = [...first, ...later];
    const removed = new Set(gone.map((id) => ids.indexOf(id)));
    const want = expected(ids, removed);
    // In chunks of 1, 7 and 64 pairs (every chunk full but the last), and whole.
    for (const most of [1, 7, 64, undefined]) {
      const chunks = Array.from(sortedByHashChunks(state, most), (c) => [...c]);
      expect(chunks.flat()).toEqual(want);
      if (most) expect(chunks.slice(0, -1).every((c) => c.length === 2 * most)).toBe(true);
    }
    // A twin of the checkpoint comes before its twin added since: same hash, smaller slot.
    const at = (id: string) => want.indexOf(ids.indexOf(id), 0) - 1;
    expect(idHash(twins[0]!)).toBe(idHash(twins[1]!));
    expect(want[at(twins[1]!) + 2]).toBe(idHash(twins[0]!));
    expect(want[at(twins[1]!) + 3]).toBe(ids.indexOf(twins[0]!));
    await store.close();
  });
});
