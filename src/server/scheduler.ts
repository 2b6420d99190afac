import { setTimeout as delay } from "node:timers/promises";
import type { Queue } from "../api/queue.js";
import type { Sleep, WatchLoopResult } from "../batch/watch-loop.js";
import type { Values } from "../config.js";
import { exitCodeFor, UsageError } from "../errors.js";
import { engineFor } from "../ops/engine.js";
import { watchCommand } from "../ops/watch.js";

export interface SchedulerOptions {
  interval?: unknown;
  minBatch?: unknown;
  maxWait?: unknown;
}

export interface SchedulerDeps {
  queue: Queue;
  /** Flags `serve` was started with (the scheduler's defaults). */
  flags: Values;
  shutdownTimeoutMs: number;
  log: (level: "info" | "warn" | "debug", message: string) => void;
  sleep?: Sleep;
}

const sleepFor: Sleep = (ms, signal) =>
  delay(ms, undefined, signal ? { signal } : {}).catch(() => undefined);

interface Run {
  stop: AbortController;
  kill: AbortController;
  startedAt: string;
  settings: Record<string, unknown>;
  checks: number;
  batches: number;
  sessions: number;
  lastCheckAt?: string;
  done: Promise<WatchLoopResult>;
}

/** A start's options as config flags; a value that is not one is refused (422). */
function optionFlags(o: SchedulerOptions): Values {
  const flags: Values = {};
  const put = (key: "watch.interval" | "watch.minBatch" | "watch.maxWait", v: unknown) => {
    if (v === undefined) return;
    if (typeof v !== "string" && typeof v !== "number")
      throw new UsageError(`${key}: expected a string or a number, got ${JSON.stringify(v)}`);
    flags[key] = v;
  };
  put("watch.interval", o.interval);
  put("watch.minBatch", o.minBatch);
  put("watch.maxWait", o.maxWait);
  return flags;
}

/**
 * The `watch` loop in-process for the scheduler routes (issue 12), with watch's own code: the
 * rule, heartbeats (so `stats` lists it), maintenance, and its shutdown policy for the batch in
 * flight (finish within the shutdown timeout, else release).
 */
export function createScheduler(d: SchedulerDeps) {
  let run: Run | undefined;
  let last: { ended: string; error?: string; at: string } | undefined;

  async function start(o: SchedulerOptions = {}) {
    if (run) return { ...status(), alreadyRunning: true };
    const settings = d.queue.internals.settingsWith({ ...d.flags, ...optionFlags(o) });
    const shown = {
      intervalMs: settings.watch.intervalMs,
      minBatch: settings.watch.minBatch,
      maxWaitMs: settings.watch.maxWaitMs,
      batchSize: settings.batchSize,
    };
    const { internals } = d.queue;
    const choice = await engineFor({ settings, env: internals.env, config: internals.config });
    const r: Run = {
      stop: new AbortController(),
      kill: new AbortController(),
      startedAt: new Date(internals.now()).toISOString(),
      settings: { ...shown, engine: choice.engine.name },
      checks: 0,
      batches: 0,
      sessions: 0,
      done: Promise.resolve() as unknown as Promise<WatchLoopResult>,
    };
    r.done = watchCommand({
      store: internals.store,
      settings,
      engine: choice.engine,
      fallback: choice.fallback,
      now: internals.now,
      sleep: d.sleep ?? sleepFor,
      stop: r.stop.signal,
      kill: r.kill.signal,
      shutdownTimeoutMs: d.shutdownTimeoutMs,
      warn: (m) => d.log("warn", m),
      onEvent: (e) => {
        if (e.type === "check") {
          r.checks++;
          r.lastCheckAt = new Date(internals.now()).toISOString();
        }
        if (e.type === "check-error") d.log("warn", `scheduler: ${e.error.message}`);
      },
      onBatch: (b) => {
        r.batches++;
        r.sessions += b.sessions;
        d.log("info", `scheduler: batch ${b.batch}: ${b.outcome}, ${b.sessions} session(s)`);
      },
    })
      .catch((err: unknown): WatchLoopResult => {
        const error = err instanceof Error ? err : new Error(String(err));
        return {
          ended: "failed",
          checks: r.checks,
          batches: r.batches,
          sessions: r.sessions,
          error,
        };
      })
      .then(async (result) => {
        await choice.close();
        last = {
          ended: result.ended,
          at: new Date(internals.now()).toISOString(),
          ...(result.error ? { error: result.error.message } : {}),
        };
        if (result.error)
          d.log(
            "warn",
            `scheduler stopped: ${result.error.message} (exit class ${exitCodeFor(result.error)})`,
          );
        if (run === r) run = undefined;
        return result;
      });
    run = r;
    d.log("info", `scheduler started: ${JSON.stringify(r.settings)}`);
    return status();
  }

  function status() {
    if (!run) return { running: false, ...(last ? { last } : {}) };
    const { stop: _s, kill: _k, done: _d, ...shown } = run;
    return { running: true, ...shown, ...(last ? { last } : {}) };
  }

  /** Graceful: no new batch; the one in flight finishes (or is released after the timeout). */
  async function stop() {
    const r = run;
    if (!r) return { ...status(), wasRunning: false };
    r.stop.abort();
    await r.done;
    return { ...status(), wasRunning: true };
  }

  return {
    start,
    stop,
    status,
    /** Second signal: release the batch in flight now. */
    kill: () => run?.kill.abort(),
    running: () => run !== undefined,
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
