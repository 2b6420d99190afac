import { describe, expect, it } from "vitest";
import { createSessionTable, PAGED_COLUMNS, pagedColumns } from "../../src/queue/session-table.js";
import { blobOf } from "../support/id-blob.js";

// Issue 10: the fold's sessions as columns. Records in and out must be exactly what an object
// per session held, past the columns' growth, and a table restored from rows (a checkpoint)
// must index exactly its live rows.
const rec = (id: string, k: number) => ({
  id,
  status: "queued" as const,
  enqueuedAt: 1_000 + k,
  attempts: 0,
  notBefore: 0,
  ref: 100 * k,
});

describe("session table", () => {
  it("holds 3,000 sessions (past two growths) and gives each back as it was set", () => {
    const t = createSessionTable();
    for (let k = 0; k < 3_000; k++) t.add(`s${k}`, 1_000 + k, 100 * k);
    // Enqueued sessions set no attempts, backoff, done time or result: the status column and a
    // packed page (4 bytes a row) of enqueue times and of payload offsets.
    expect(t.columnBytes()).toBe(4_096 + 65_536 * (4 + 4));
    const dead = {
      id: "s2500",
      status: "dead" as const,
      enqueuedAt: 3_500,
      attempts: 5,
      notBefore: 70,
      doneAt: 9_000,
      lastError: "5 attempts",
      ref: 250_000,
      resultRef: 900_000,
    };
    t.set(dead);
    const claim = { batch: "b", lease: 50, owner: "o", ttl: 10 };
    t.set({ ...rec("s2999", 1_999), status: "claimed", claim });
    expect([t.size, t.slots]).toEqual([3_000, 3_000]);
    // Strictly: a session without a claim, error, done time or result has no such key at all.
    expect(t.get("s0")).toStrictEqual(rec("s0", 0));
    expect(t.get("s2500")).toStrictEqual(dead);
    expect(t.get("nope")).toBeUndefined();
    expect(t.get("s2500")).not.toBe(dead); // a copy: changing it changes nothing
    expect(t.get("s2999")?.claim).toBe(claim);
    expect([t.slotOf("s1234"), t.slotOf("nope"), t.idAt(77)]).toEqual([1234, -1, "s77"]);
    // One dead session: a page of each sparse column, the times and the offset packed.
    expect(t.columnBytes()).toBe(4_096 + 65_536 * (4 + 4) + 65_536 * (2 + 4 * 3));
    // The first session (slot 0) set again, done at offset 0: the same slot, its offset kept.
    const first = { ...rec("s0", 0), status: "scored" as const, doneAt: 5, resultRef: 0 };
    expect(t.set(first)).toBe(0);
    expect([t.get("s0"), t.slots]).toStrictEqual([first, 3_000]);
  });

  it("drops a claim set on a session that is not claimed, and forgets errors and claims on delete", () => {
    const t = createSessionTable();
    t.set({ ...rec("a", 1), claim: { batch: "b", lease: 5, owner: "o" } });
    expect(t.get("a")?.claim).toBeUndefined();
    t.set({ ...rec("b", 2), status: "claimed", claim: { batch: "b", lease: 5, owner: "o" } });
    t.set({ ...rec("c", 3), lastError: "x" });
    expect([t.claims.size, t.errors.size]).toEqual([1, 1]);
    expect([t.delete("b"), t.delete("c"), t.delete("zz")]).toEqual([true, true, false]);
    expect([t.claims.size, t.errors.size, t.size, t.slots]).toEqual([0, 0, 1, 3]);
    expect([...t.keys()]).toEqual(["a"]);
    expect([...t.values()].map((r) => r.id)).toEqual(["a"]);
    // A new session after deletions takes a new slot: slot order stays first-enqueue order.
    expect(t.add("b", 9, 900)).toBe(3);
    expect([...t.keys()]).toEqual(["a", "b"]);
  });

  it("restores from rows: live rows indexed, emptied ones not; it grows from there", () => {
    const src = createSessionTable();
    for (let k = 0; k < 5; k++) src.add(`s${k}`, 1_000 + k, 100 * k);
    src.set({ ...rec("s1", 1), status: "claimed", claim: { batch: "b", lease: 9, owner: "o" } });
    src.set({ ...rec("s2", 2), lastError: "server" });
    src.delete("s3");
    const n = src.slots;
    const paged = pagedColumns();
    for (const name of PAGED_COLUMNS) {
      let page = 0;
      for (const bytes of src.cols[name].bytes(n)) paged[name].restorePage(page++, bytes);
    }
    const cols = { status: src.cols.status.slice(0, n), ...paged };
    const hashes = Uint32Array.from({ length: n }, (_, k) => src.ids.hashAt(k));
    const ids = { bytes: blobOf(src.ids), ends: src.ids.raw().ends.slice(), hashes };
    const t = createSessionTable({ cols, ids, claims: src.claims, errors: src.errors });
    expect([...t.values()]).toEqual([...src.values()]);
    expect([t.size, t.slots, t.has("s3")]).toEqual([4, 5, false]);
    expect(t.add("s5", 7, 700)).toBe(5);
    expect(t.get("s5")).toEqual({ ...rec("s5", 5), enqueuedAt: 7, ref: 700 });
  });
});
