/**
 * Bounded waiting on Woodwide's asynchronous work. Readiness is only ever learned by polling
 * (woodwide-api.md, "Jobs"): the old PlayProof code slept a fixed time and inferred on a dataset
 * that was not ingested yet.
 */
import { setTimeout as delay } from "node:timers/promises";
import { ServiceError } from "../errors.js";
import { pollDelay } from "./backoff.js";
import type { CallOptions, Job, Model, ResultsBody, WoodwideClient } from "./types.js";

export interface PollProgress {
  status: string;
  progress?: number;
  attempt: number;
  elapsedMs: number;
}

export interface PollOptions {
  signal?: AbortSignal | undefined;
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  now?: (() => number) | undefined;
  maxWaitMs?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Transient poll failures (5xx, 429, network, timeout, malformed) tolerated in a row. */
  maxPollErrors?: number;
  onProgress?: ((p: PollProgress) => void) | undefined;
  /** Passed to every call the poll makes: the attempt's deadline, the retry hook, rows. */
  call?: Omit<CallOptions, "signal"> | undefined;
}

const callOf = (opts: PollOptions): CallOptions => ({ ...opts.call, signal: opts.signal });

export const DEFAULT_POLL = {
  maxWaitMs: 10 * 60_000,
  initialDelayMs: 250,
  maxDelayMs: 5_000,
  maxPollErrors: 3,
};

const FAILED = new Set(["failed", "canceled", "cancelled", "rejected", "error"]);

/** Polls GET /jobs/{id} until `succeeded`; a terminal failure throws "job-failed". */
export function waitForJob(client: WoodwideClient, jobId: string, opts: PollOptions = {}) {
  return pollUntil<Job>(`job ${jobId}`, opts, async (attempt, elapsedMs) => {
    const job = await client.getJob(jobId, callOf(opts));
    opts.onProgress?.({ status: job.status, ...withProgress(job.progress), attempt, elapsedMs });
    if (job.status === "succeeded") return job;
    if (FAILED.has(job.status)) throw jobFailed(`job ${jobId} (${job.type ?? "?"})`, job);
    return undefined;
  });
}

/** Polls GET /models/{id} until `ready`, and the train job too: the model's failure value is unconfirmed. */
export function waitForModel(
  client: WoodwideClient,
  modelId: string,
  opts: PollOptions & { trainJobId?: string } = {},
) {
  return pollUntil<Model>(`model ${modelId}`, opts, async (attempt, elapsedMs) => {
    const model = await client.getModel(modelId, callOf(opts));
    if (model.status === "ready") return model;
    if (FAILED.has(model.status)) throw jobFailed(`training model ${modelId}`, model);
    const job = opts.trainJobId ? await client.getJob(opts.trainJobId, callOf(opts)) : undefined;
    if (job && FAILED.has(job.status)) throw jobFailed(`training model ${modelId}`, job);
    opts.onProgress?.({ status: model.status, ...withProgress(job?.progress), attempt, elapsedMs });
    return undefined;
  });
}

/** GET /jobs/{id}/results; a 404 right after `succeeded` means "not yet available": keep polling. */
export function waitForResults(client: WoodwideClient, jobId: string, opts: PollOptions = {}) {
  return pollUntil<ResultsBody>(`results of job ${jobId}`, opts, async () => {
    try {
      return await client.getJobResults(jobId, callOf(opts));
    } catch (err) {
      if (err instanceof ServiceError && err.kind === "not-found") return undefined;
      throw err;
    }
  });
}

async function pollUntil<T>(
  label: string,
  opts: PollOptions,
  step: (attempt: number, elapsedMs: number) => Promise<T | undefined>,
): Promise<T> {
  const o = { ...DEFAULT_POLL, ...definedOnly(opts) };
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
  const start = now();
  let errors = 0;
  for (let attempt = 0; ; attempt++) {
    opts.signal?.throwIfAborted();
    let wait = pollDelay(attempt, o);
    try {
      const done = await step(attempt, now() - start);
      if (done !== undefined) return done;
      errors = 0;
    } catch (err) {
      if (!isTransient(err) || ++errors > o.maxPollErrors) throw err;
      wait = Math.max(wait, err.retryAfterMs ?? 0);
    }
    const left = start + o.maxWaitMs - now();
    if (left <= 0) {
      throw new ServiceError(`Woodwide ${label} not done after ${o.maxWaitMs} ms`, {
        kind: "timeout",
        retryable: true,
      });
    }
    await sleep(Math.min(wait, left), opts.signal);
  }
}

function isTransient(err: unknown): err is ServiceError {
  return (
    err instanceof ServiceError &&
    err.retryable &&
    !["job-failed", "id-mismatch"].includes(err.kind)
  );
}

function jobFailed(what: string, state: { status: string; errorMessage?: string }): ServiceError {
  const reason = state.errorMessage ?? "no error_message";
  // A job that failed for lack of credits will fail again: stop instead of burning attempts.
  const credits = /credit/i.test(reason);
  return new ServiceError(`Woodwide ${what} ended ${state.status}: ${reason}`, {
    kind: credits ? "credits" : "job-failed",
    retryable: !credits,
  });
}

function withProgress(progress: number | undefined) {
  return progress === undefined ? {} : { progress };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
