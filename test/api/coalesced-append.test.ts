import { describe, expect, it } from "vitest";
import { createCoalescedAppend, GROUP_MAX_ITEMS } from "../../src/api/coalesced-append.js";
import type { QueueBackend } from "../../src/queue/backend.js";
import type { EnqueueItem } from "../../src/queue/plans.js";

const item = (id: string) => ({ id, payload: {} }) as unknown as EnqueueItem;

/**
 * A queue whose enqueue calls wait for the test to end them, recording the sessions each one
 * appended; it holds what earlier calls appended (the first of a repeated id wins, as on every
 * backend).
 */
function gatedStore(failing = new Set<number>()) {
  const queued = new Set<string>(["old"]);
  const appended: string[][] = [];
  const gates: (() => void)[] = [];
  const store = {
    enqueue: async (items: EnqueueItem[]) => {
      const n = gates.length;
      await new Promise<void>((resolve) => gates.push(resolve));
      if (failing.has(n)) throw new Error(`append ${n} failed`);
      const accepted: string[] = [];
      const duplicates: string[] = [];
      for (const { id } of items) {
        if (queued.has(id)) duplicates.push(id);
        else {
          queued.add(id);
          accepted.push(id);
        }
      }
      appended.push(accepted);
      return { accepted, duplicates };
    },
  } as unknown as QueueBackend;
  /** Ends the oldest open transaction once it is open. */
  const release = async (i: number) => {
    while (gates.length <= i) await new Promise((r) => setImmediate(r));
    gates[i]!();
  };
  return { store, appended, release, transactions: () => gates.length };
}

describe("createCoalescedAppend (issue 12)", () => {
  it("calls made during an append go together in the next one, each told its own outcome", async () => {
    const s = gatedStore();
    const append = createCoalescedAppend(s.store, () => 1);
    const first = append([item("a")]);
    // Four calls while the first append is in flight, one naming an id another names first,
    // one naming an id already queued and one repeating its own id.
    const rest = [
      append([item("b"), item("c")]),
      append([item("c"), item("d")]),
      append([item("old"), item("e")]),
      append([item("f"), item("f")]),
    ];
    await s.release(0);
    expect(await first).toEqual({ accepted: ["a"], duplicates: [] });
    await s.release(1);
    expect(await Promise.all(rest)).toEqual([
      { accepted: ["b", "c"], duplicates: [] },
      { accepted: ["d"], duplicates: ["c"] },
      { accepted: ["e"], duplicates: ["old"] },
      { accepted: ["f"], duplicates: ["f"] },
    ]);
    expect(s.transactions()).toBe(2);
    expect(s.appended).toEqual([["a"], ["b", "c", "d", "e", "f"]]);
  });

  it("a failed append fails the calls of its group only", async () => {
    const s = gatedStore(new Set([1]));
    const append = createCoalescedAppend(s.store, () => 1);
    const first = append([item("a")]);
    const second = append([item("b")]);
    const third = append([item("c")]);
    await s.release(0);
    await s.release(1);
    await expect(second).rejects.toThrow("append 1 failed");
    await expect(third).rejects.toThrow("append 1 failed");
    expect(await first).toEqual({ accepted: ["a"], duplicates: [] });
    const later = append([item("b")]);
    await s.release(2);
    expect(await later).toEqual({ accepted: ["b"], duplicates: [] });
    expect(s.appended).toEqual([["a"], ["b"]]);
  });

  it(`a group stops growing at ${GROUP_MAX_ITEMS} sessions, but takes one call of any size`, async () => {
    const s = gatedStore();
    const append = createCoalescedAppend(s.store, () => 1);
    const many = (p: string, n: number) => Array.from({ length: n }, (_, i) => item(`${p}${i}`));
    const calls = [
      append([item("a")]),
      append(many("x", GROUP_MAX_ITEMS + 5)),
      append(many("y", 10)),
      append(many("z", 10)),
    ];
    for (let i = 0; i < 3; i++) await s.release(i);
    await Promise.all(calls);
    expect(s.appended.map((ids) => ids.length)).toEqual([1, GROUP_MAX_ITEMS + 5, 20]);
  });
});
