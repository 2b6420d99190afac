import { describe, expect, it } from "vitest";
import { sharedAfterCall } from "../../src/queue/shared-call.js";

/** A function whose runs end when the test says so, numbered from 1. */
function controlled() {
  const ends: (() => void)[] = [];
  let runs = 0;
  const fn = () =>
    new Promise<number>((resolve) => {
      const n = ++runs;
      ends.push(() => resolve(n));
    });
  return { fn, ends, runs: () => runs };
}

describe("sharedAfterCall (issue 12)", () => {
  it("callers during a run share the next run, never the one already started", async () => {
    const c = controlled();
    const shared = sharedAfterCall(c.fn);
    const first = shared();
    const second = shared();
    const third = shared();
    expect(c.runs()).toBe(1);
    c.ends[0]!();
    expect(await first).toBe(1);
    await Promise.resolve();
    await Promise.resolve();
    expect(c.runs()).toBe(2);
    c.ends[1]!();
    expect([await second, await third]).toEqual([2, 2]);
    const fourth = shared();
    expect(c.runs()).toBe(3);
    c.ends[2]!();
    expect(await fourth).toBe(3);
  });

  it("a failed run fails its callers only; the next run starts", async () => {
    let n = 0;
    const shared = sharedAfterCall(async () => {
      n++;
      if (n === 1) throw new Error("first fails");
      return n;
    });
    const a = shared();
    const b = shared();
    await expect(a).rejects.toThrow("first fails");
    expect(await b).toBe(2);
  });
});
