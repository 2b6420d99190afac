/**
 * `watch` over a real queue file with a fake clock and a stub engine: the loop, the rule, the
 * store, claims, retries and compaction are the real ones; only time and the scorer are not.
 */
import { join } from "node:path";
import { Readable } from "node:stream";
import type { ScoringEngine } from "../../src/batch/engine.js";
import type { WatchEvent } from "../../src/batch/watch-loop.js";
import { resolveSettings, type Values } from "../../src/config.js";
import { enqueue } from "../../src/ops/enqueue.js";
import { watchCommand } from "../../src/ops/watch.js";
import { createFileBackend } from "../../src/queue/file-backend.js";
import { openQueueStore } from "../../src/queue/store.js";
import { summarize } from "../../src/queue/summary.js";
import type { ScoreResult } from "../../src/scoring/result.js";
import { fakeClock } from "./fake-clock.js";
import { ndjson } from "./sessions.js";
import { tempDir } from "./temp.js";

const result = (at: number, source: ScoreResult["source"]): ScoreResult => ({
  anomalyScore: 0.2,
  isAnomaly: false,
  decision: "pass",
  confidence: 0.9,
  reasons: [],
  source,
  model: { id: "stub", version: "1" },
  scoredAt: new Date(at).toISOString(),
});

/** What the stub engine does on its nth call (1-based): answer, throw, or wait. */
export type Behaviour = (call: number, signal?: AbortSignal) => Promise<void>;

export function stubEngine(now: () => number) {
  const calls: { at: number; size: number }[] = [];
  let behaviour: Behaviour = async () => undefined;
  const engine: ScoringEngine = {
    name: "woodwide",
    async score(rows, ctx) {
      calls.push({ at: now(), size: rows.length });
      await behaviour(calls.length, ctx.signal);
      return { results: rows.map(() => result(ctx.now(), "woodwide")) };
    },
  };
  const fallback: ScoringEngine = {
    name: "local",
    score: async (rows, ctx) => ({ results: rows.map(() => result(ctx.now(), "local")) }),
  };
  return {
    engine,
    fallback,
    calls,
    sizes: () => calls.map((c) => c.size),
    behave(b: Behaviour) {
      behaviour = b;
    },
  };
}

/** A gate the engine waits on; an abort of the batch rejects it, as a real request would. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  const wait = (signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      void opened.then(resolve);
      signal?.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
    });
  return { open, wait };
}

export const SEED_FLAGS: Values = {
  "watch.interval": "30s",
  "watch.minBatch": 10,
  "watch.maxWait": "5m",
  "process.batchSize": 50,
};

export async function watchWorld(flags: Values = {}) {
  const dir = await tempDir("ppb-watch-");
  const queue = join(dir, "queue.jsonl");
  const settings = resolveSettings({ ...SEED_FLAGS, "queue.path": queue, ...flags }, {}, {});
  const clock = fakeClock();
  const store = openQueueStore({ path: queue, now: clock.now });
  // Another process's view of the same file: enqueuers, `clear`, `stats`.
  const other = openQueueStore({ path: queue, now: clock.now });
  const stub = stubEngine(clock.now);
  const stop = new AbortController();
  const kill = new AbortController();
  const events: WatchEvent[] = [];
  let next = 0;
  return {
    dir,
    queue,
    settings,
    clock,
    store,
    other,
    stub,
    stop,
    kill,
    events,
    async enqueue(count: number) {
      const r = await enqueue({
        files: [],
        stdin: Readable.from([ndjson(count, { points: 12 }, next)]),
        store: createFileBackend(other),
        thresholds: settings.thresholds,
        now: clock.now,
        workers: 0,
        onRejected: (m) => {
          throw new Error(m);
        },
      });
      next += count;
      return r;
    },
    summary: async () => summarize(await other.refresh(), clock.now()),
    start: (o: { shutdownTimeoutMs?: number; maintainEveryMs?: number } = {}) =>
      watchCommand({
        store: createFileBackend(store),
        settings,
        engine: stub.engine,
        fallback: stub.fallback,
        now: clock.now,
        sleep: clock.sleep,
        stop: stop.signal,
        kill: kill.signal,
        shutdownTimeoutMs: o.shutdownTimeoutMs ?? 30_000,
        ...(o.maintainEveryMs ? { maintainEveryMs: o.maintainEveryMs } : {}),
        onEvent: (e) => events.push(e),
      }),
    /** Advances to the next check and waits until the loop sleeps again. */
    async tick(ms = settings.watch.intervalMs) {
      clock.advance(ms); // wakes the pending sleep at once, so the wait below is for the next
      await clock.waitForSleep(settings.watch.intervalMs);
    },
    decisions: () =>
      events.flatMap((e) => (e.type === "check" ? [{ ...e.decision, due: e.summary.due }] : [])),
    async close() {
      await store.close();
      await other.close();
    },
  };
}
