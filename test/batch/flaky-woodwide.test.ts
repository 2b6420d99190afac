/**
 * Issue 14's bar: a Woodwide having a bad hour (a seeded random third of all calls answer 503)
 * still scores through Woodwide. Before in-place retries, 50 of 120 sessions ended with the
 * local fallback. Now: at least 95% of 120 sessions get a Woodwide result within the default 5
 * attempts, in both modes, and none is dead-lettered. Batches of 10, so 12 batches meet the
 * flaky service (about 90 calls in dataset mode, 16 in direct mode).
 * FLAKY_REPORT=1 prints the measured shares.
 */
import { describe, expect, it } from "vitest";
import type { RetryEvent } from "../../src/queue/events.js";
import { openQueueStore } from "../../src/queue/store.js";
import { useFakeServer } from "../support/fake-client.js";
import { DEFAULT_SETTINGS } from "../support/fake-state.js";
import {
  finalCounts,
  inProcessWorld,
  mixedSessions,
  woodwideEnv,
} from "../support/process-world.js";

const N = 120;
const isBot = (i: number) => i % 4 === 0;
const server = useFakeServer({}, DEFAULT_SETTINGS);

describe("a flaky Woodwide: a seeded third of calls answer 503", () => {
  it.each(["dataset", "direct"] as const)(
    "%s mode: >= 95 percent of 120 sessions scored by Woodwide, none dead",
    async (mode) => {
      const w = await inProcessWorld(woodwideEnv(server.fake));
      expect((await w.run(["enqueue"], mixedSessions(N, isBot))).code).toBe(0);
      // Jobs done at the first look: five calls a batch in dataset mode, no poll waits.
      Object.assign(server.fake.settings, {
        flakyFraction: 1 / 3,
        flakySeed: 14,
        ingestPolls: 0,
        inferPolls: 0,
      });
      // Each run stops at its first failed attempt (README); run again once the backoff is over,
      // as cron or watch would. Five attempts at most per session, so at most 5 failed runs.
      let runs = 0;
      for (; runs < 20; runs++) {
        const r = await w.run(["process", "--mode", mode, "--batch-size", "10", "--json"]);
        if (r.code === 0 && JSON.parse(r.stdout).batches === 0) break; // nothing due
        expect([0, 69]).toContain(r.code);
        const retries = (await w.events()).filter((e): e is RetryEvent => e.t === "retry");
        w.advanceTo(Math.max(0, ...retries.map((e) => e.notBefore)));
      }
      const flaky = server.fake.requests.filter((q) => q.flaky).length;
      const store = openQueueStore({ path: w.queue });
      const bySource = new Map<string, number>();
      let wrong = 0;
      try {
        const state = await store.refresh();
        for (const rec of state.sessions.values()) {
          const result = await store.readResult(rec);
          const source = result?.source ?? rec.status;
          bySource.set(source, (bySource.get(source) ?? 0) + 1);
          if (source === "woodwide" && result?.isAnomaly !== isBot(Number(rec.id.slice(2))))
            wrong++;
        }
        if (process.env.FLAKY_REPORT) {
          const woodwide = bySource.get("woodwide") ?? 0;
          process.stderr.write(
            `flaky ${mode}: ${woodwide}/${N} scored by Woodwide (${((100 * woodwide) / N).toFixed(1)}%), ${JSON.stringify(Object.fromEntries(bySource))}, ${flaky} of ${server.fake.requests.length} calls answered 503, ${runs} runs, retried in place ${JSON.stringify(state.totals.retriedCalls)}, failed attempts ${JSON.stringify(state.totals.failures ?? {})}\n`,
          );
        }
        // The switch really was on: about a third of all calls answered 503.
        expect(flaky / server.fake.requests.length).toBeGreaterThan(0.2);
        expect(flaky / server.fake.requests.length).toBeLessThan(0.45);
        expect(bySource.get("woodwide") ?? 0).toBeGreaterThanOrEqual(Math.ceil(0.95 * N));
        expect(bySource.get("fallback") ?? 0).toBe(0);
        expect(wrong).toBe(0);
        expect(state.totals.retriedCalls?.["503"]).toBeGreaterThan(0);
        // Transient errors no longer cost whole attempts: before issue 14 this same seeded run
        // failed 9 attempts (dataset) and 5 (direct), and took 10 and 6 runs.
        const failed = Object.values(state.totals.failures ?? {}).reduce((a, b) => a + b, 0);
        expect(failed).toBeLessThanOrEqual(1);
        expect(runs).toBeLessThanOrEqual(2);
      } finally {
        await store.close();
      }
      const counts = finalCounts(await w.events());
      expect(counts.size).toBe(N);
      expect([...counts.values()].every((c) => c === 1)).toBe(true);
    },
  );
});
