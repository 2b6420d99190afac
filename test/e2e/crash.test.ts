import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { parseHeader } from "../../src/queue/events.js";
import { seededRandom } from "../../src/scoring/random.js";
import { describeBackends, libraryView } from "../support/backends.js";
import { cliWorld } from "../support/cli.js";
import { readQueueState } from "../support/queue-state.js";
import { ndjson } from "../support/sessions.js";

/** Every enqueue event id in the journal: each must appear exactly once. */
async function enqueuedIds(queue: string): Promise<string[]> {
  const text = await readFile(queue, "utf8");
  const ids: string[] = [];
  for (const line of text.split("\n")) {
    const e = line ? parseHeader(line) : undefined;
    if (e?.t === "enqueue") ids.push(e.id);
  }
  return ids;
}

// SIGKILLs against the journal file: the file backend's own crash safety.
describe("crash safety (built binary)", () => {
  it("survives SIGKILL at random moments: the queue always reads, and a full run leaves every session once", async () => {
    const w = await cliWorld();
    const total = 15_000;
    const input = join(w.dir, "big.ndjson");
    await writeFile(input, ndjson(total, { points: 100 }));
    const rand = seededRandom(42);
    let killedMidway = 0;
    // A run that finished before its kill does not count: go on until 22 were cut short.
    for (let i = 0; i < 60 && killedMidway < 22; i++) {
      const child = w.run(["enqueue", input]);
      await sleep(100 + Math.floor(rand() * 1_200));
      child.kill("SIGKILL");
      const r = await child;
      if (r.signal === "SIGKILL") killedMidway++;
      const state = await readQueueState(w.queue);
      expect(state.corrupt).toEqual([]);
      expect(state.sessions.size).toBeLessThanOrEqual(total);
    }
    expect(killedMidway).toBeGreaterThanOrEqual(20);
    const done = await w.run(["enqueue", input]);
    expect(done.exitCode).toBe(0);
    const state = await readQueueState(w.queue);
    expect(state.sessions.size).toBe(total);
    const ids = await enqueuedIds(w.queue);
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
  }, 300_000);
});

describeBackends("concurrent enqueuers (built binary)", (b) => {
  it("4 enqueue processes writing one queue at once lose and duplicate nothing", async () => {
    const w = await cliWorld({}, b);
    // Overlapping ranges: 0-2999, 2000-4999, 4000-6999, 0-2999 again.
    const starts = [0, 2_000, 4_000, 0];
    const files = await Promise.all(
      starts.map(async (start, i) => {
        const f = join(w.dir, `part${i}.ndjson`);
        await writeFile(f, ndjson(3_000, { points: 30 }, start));
        return f;
      }),
    );
    const runs = await Promise.all(files.map((f) => w.run(["enqueue", f, "--json"])));
    for (const r of runs) expect(r.exitCode).toBe(0);
    const accepted = runs.flatMap((r) =>
      r.stdout
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l).sessionId),
    );
    expect(accepted).toHaveLength(7_000);
    expect(new Set(accepted).size).toBe(7_000);
    // Every accepted session is queued, once: read through the backend.
    const q = await libraryView(w.queue, w.env);
    const queued: string[] = [];
    for await (const f of q.internals.store.sessions()) queued.push(f.rec.id);
    expect(queued.sort()).toEqual([...accepted].sort());
    expect((await q.stats()).sessions).toBe(7_000);
    if (b.kind === "file") {
      // The journal itself: one enqueue line per accepted session, never a second.
      const ids = await enqueuedIds(w.queue);
      expect(ids.sort()).toEqual([...accepted].sort());
    }
    const dupes = runs.map((r) => Number(/(\d+) duplicates/.exec(r.stderr)?.[1]));
    expect(dupes.reduce((a, b) => a + b, 0)).toBe(12_000 - 7_000);
  }, 120_000);
});
