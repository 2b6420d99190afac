import type { ScoringEngine } from "../batch/engine.js";
import { heartbeat } from "../batch/heartbeat.js";
import { MAINTAIN_EVERY_MS } from "../batch/maintenance.js";
import type { BatchReport } from "../batch/process-batch.js";
import type { RetryBackoffOptions } from "../batch/retry-backoff.js";
import {
  runWatchLoop,
  type Sleep,
  type WatchEvent,
  type WatchLoopResult,
} from "../batch/watch-loop.js";
import type { Settings } from "../config.js";
import type { QueueBackend } from "../queue/backend.js";
import { processCommand } from "./process.js";

export interface WatchOptions {
  store: QueueBackend;
  settings: Settings;
  engine: ScoringEngine;
  fallback: ScoringEngine;
  now: () => number;
  sleep: Sleep;
  stop: AbortSignal;
  kill: AbortSignal;
  shutdownTimeoutMs: number;
  maintainEveryMs?: number;
  backoff?: RetryBackoffOptions;
  onEvent?: (e: WatchEvent) => void;
  onBatchStart?: (n: number, of: number) => void;
  onBatch?: (r: BatchReport) => void;
  /** Told when a heartbeat could not be written. */
  warn?: (message: string) => void;
}

/** `watch`: the scheduler loop over the real queue and engine; returns how it ended. */
export async function watchCommand(o: WatchOptions): Promise<WatchLoopResult> {
  const { store, settings, now } = o;
  const beat = heartbeat({
    store,
    now,
    settings: {
      intervalMs: settings.watch.intervalMs,
      minBatch: settings.watch.minBatch,
      maxWaitMs: settings.watch.maxWaitMs,
      batchSize: settings.batchSize,
      engine: o.engine.name,
    },
    ...(o.warn ? { warn: o.warn } : {}),
  });
  const onEvent = (e: WatchEvent) => {
    if (e.type === "waiting") beat.beat(e.nextCheckAt);
    o.onEvent?.(e);
  };
  try {
    return await runLoop(o, onEvent, (r) => {
      beat.beat(now() + settings.watch.intervalMs);
      o.onBatch?.(r);
    });
  } finally {
    await beat.stop();
  }
}

function runLoop(
  o: WatchOptions,
  onEvent: (e: WatchEvent) => void,
  onBatch: (r: BatchReport) => void,
): Promise<WatchLoopResult> {
  const { store, settings, now } = o;
  return runWatchLoop(
    {
      now,
      sleep: o.sleep,
      stop: o.stop,
      kill: o.kill,
      readSummary: async () => {
        await store.boundLeases(now());
        return store.summary(now());
      },
      processBatches: (batches, ctl) =>
        processCommand({
          store,
          settings,
          engine: o.engine,
          fallback: o.fallback,
          now,
          maxBatches: batches,
          stop: ctl.stop,
          signal: ctl.signal,
          ...(o.backoff ? { backoff: o.backoff } : {}),
          onStart: (n) => o.onBatchStart?.(n, batches),
          onBatch,
        }),
      maintain: () => store.maintain(now(), settings.retentionMs),
      onEvent,
    },
    {
      intervalMs: settings.watch.intervalMs,
      minBatch: settings.watch.minBatch,
      maxWaitMs: settings.watch.maxWaitMs,
      batchSize: settings.batchSize,
      shutdownTimeoutMs: o.shutdownTimeoutMs,
      maintainEveryMs: o.maintainEveryMs ?? MAINTAIN_EVERY_MS,
    },
  );
}
