import type { ProcessSummary } from "../batch/process-queue.js";
import {
  type ConfigFile,
  configFilePath,
  type Env,
  openConfigFile,
  readConfigValues,
  type Settings,
  type Values,
} from "../config.js";
import { type ConfigKeyName, isConfigKey } from "../config-keys.js";
import { parseDuration } from "../durations.js";
import { UsageError } from "../errors.js";
import { type ClearResult, clear } from "../ops/clear.js";
import { engineFor } from "../ops/engine.js";
import { enqueue } from "../ops/enqueue.js";
import { createReplayCheck, type ReplayCheck } from "../ops/enqueue-replay.js";
import { openQueueContext } from "../ops/open-queue.js";
import { processCommand, processStopError } from "../ops/process.js";
import { type ListedResult, lookupResults, result } from "../ops/result.js";
import { listResults } from "../ops/results.js";
import { parseResultsQuery, type ResultsQuery } from "../ops/results-filter.js";
import { type StatsResult, stats } from "../ops/stats.js";
import type { QueueStore } from "../queue/store.js";
import type { ScoreResult } from "../scoring/result.js";
import { type AppendItems, createCoalescedAppend } from "./coalesced-append.js";
import { type EnqueueInput, inputStream } from "./enqueue-input.js";
import { mapped, toPlayProofError } from "./errors.js";
import { createResultReader } from "./result-reader.js";
import { type ScoreSessionOptions, type ScoreSessionResult, scoreWith } from "./score-session.js";
import { sharedAfterCall } from "./shared-call.js";

export interface OpenQueueOptions {
  /** Environment the settings are read from (default `process.env`), as the CLI reads it. */
  env?: Env;
  /** Settings by config key, with a flag's precedence: `{ "process.batchSize": 20 }`. */
  settings?: Partial<Record<ConfigKeyName, string | number>>;
  /** Read the config file `playproof-batch config` writes (default true). */
  configFile?: boolean;
  /** Told about repairs, corrupt lines and other warnings (default: process.emitWarning). */
  onWarning?: (message: string) => void;
  now?: () => number;
}

export interface EnqueueOptions {
  /** Worker threads for parsing and features of a large input (default 0: inline). */
  workers?: number;
  /** Stop reading once aborted: what was appended stays, the report says `stopped`. */
  signal?: AbortSignal;
}

/** Per record (issue 12): accepted with its provisional result, duplicate, or rejected. */
export interface EnqueueReport {
  read: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  stopped?: boolean;
  records: {
    accepted: { sessionId: string; provisional: ScoreResult }[];
    duplicates: string[];
    /** `line`: the input line (object i of an array: line i + 1); `message` as the CLI says it. */
    rejected: { line: number; message: string }[];
  };
}

export interface ProcessOptions {
  maxBatches?: number;
  /** Take no new batch once aborted; the batch in flight finishes. */
  stop?: AbortSignal;
  /** Release the batch in flight now (its sessions are due again). */
  signal?: AbortSignal;
}

export interface ClearOptions {
  /** Only scored and dead-lettered sessions. */
  processed?: boolean;
  /** Only sessions older than this: a duration (`24h`) or milliseconds. */
  olderThan?: string | number;
}

export type SessionResult = ListedResult;
export type { ClearResult, ProcessSummary, ResultsQuery, StatsResult };

export interface Queue {
  readonly path: string;
  enqueue(input: EnqueueInput, options?: EnqueueOptions): Promise<EnqueueReport>;
  /** The current result: final once scored, else the provisional one. UnknownSessionError. */
  result(sessionId: string): Promise<SessionResult>;
  results(query?: ResultsQuery): AsyncIterable<SessionResult>;
  stats(): Promise<StatsResult>;
  /** Scores what is due; a run stopped by a failure throws (its summary on `summary`). */
  process(options?: ProcessOptions): Promise<ProcessSummary>;
  clear(options?: ClearOptions): Promise<ClearResult>;
  scoreSession(telemetry: unknown, options?: ScoreSessionOptions): Promise<ScoreSessionResult>;
  /** The batch verdict, or null while there is none (not scored yet, or unknown). */
  getSessionResult(sessionId: string): Promise<ScoreResult | null>;
  close(): Promise<void>;
  /** For `serve` and tests: the settings and store behind this queue. */
  readonly internals: QueueInternals;
}

export interface QueueInternals {
  settings: Settings;
  store: QueueStore;
  env: Env;
  now: () => number;
  config: () => Promise<ConfigFile>;
  warn: (message: string) => void;
  /** Settings again with more flags (a scheduler started with its own options). */
  settingsWith(flags: Values): Settings;
  /**
   * A handle used once (a CLI command) reads results as issue 10's `store.find` does, off the
   * checkpoint without folding; a long-lived one (default) folds once and keeps the fold fresh.
   */
  oneShot?: boolean;
}

function settingFlags(settings: OpenQueueOptions["settings"] = {}): Values {
  for (const key of Object.keys(settings))
    if (!isConfigKey(key)) throw new UsageError(`openQueue: unknown setting ${key}`);
  return { ...settings };
}

/**
 * Opens a queue by path (or the configured one when `pathOrUrl` is undefined) with the same
 * settings, checks and store the CLI uses; a `redis://` URL is refused as the CLI refuses it
 * (ConfigError, exit code 78) until issue 11 brings that backend.
 */
export async function openQueue(
  pathOrUrl?: string,
  options: OpenQueueOptions = {},
): Promise<Queue> {
  return mapped(async () => openQueueSync(pathOrUrl, options));
}

function openQueueSync(pathOrUrl: string | undefined, options: OpenQueueOptions): Queue {
  const env = options.env ?? process.env;
  const warn = options.onWarning ?? ((m: string) => process.emitWarning(m, "PlayProofWarning"));
  const now = options.now ?? Date.now;
  const filePath = configFilePath(env);
  const file = options.configFile === false ? {} : readConfigValues(env, warn);
  const sourcesWith = (extra: Values) => ({
    flags: {
      ...settingFlags(options.settings),
      ...extra,
      ...(pathOrUrl === undefined ? {} : { "queue.path": pathOrUrl }),
    },
    env,
    file,
    filePath,
  });
  const { settings, store } = openQueueContext({
    sources: sourcesWith({}),
    flagName: "openQueue()'s path",
    readOnly: false,
    now,
    warn,
  });
  let configFile: Promise<ConfigFile> | undefined;
  return queueOf({
    settings,
    store,
    env,
    now,
    warn,
    config: () => {
      configFile ??= openConfigFile(env);
      return configFile;
    },
    settingsWith: (flags) =>
      openQueueContext({
        sources: sourcesWith(flags),
        flagName: "openQueue()'s path",
        readOnly: false,
        now,
        warn,
      }).settings,
  });
}

/** A queue handle over settings and a store already opened (the CLI's `serve` has its own). */
export function queueOf(internals: QueueInternals): Queue {
  const { now } = internals;
  const store = coalescedRefresh(internals.store);
  const reader = internals.oneShot ? undefined : createResultReader(internals.store, now);
  const resultOf = async (id: string) => (await reader?.read(id)) ?? result(store, id, now());
  const resultsFilter = (query: ResultsQuery) =>
    parseResultsQuery(query, now(), (field) => `results: ${field}`);
  const queue: Queue = {
    path: store.path,
    internals,
    enqueue: (input, o) => mapped(() => enqueueInput(internals, input, o)),
    result: (id) => mapped(() => resultOf(id)),
    results: (query = {}) => mappedIterable(() => listResults(store, resultsFilter(query), now())),
    stats: () => mapped(() => stats(store, now)),
    process: (o) => mapped(() => processQueue(internals, o)),
    clear: (o) => mapped(() => clearQueue(internals, o)),
    scoreSession: (telemetry, o) => mapped(() => scoreWith(queue, telemetry, o)),
    getSessionResult: (id) =>
      mapped(async () => {
        const r = (await reader?.read(id)) ?? (await lookupResults(store, [id], now())).get(id);
        return r && !r.provisional ? r.result : null;
      }),
    close: () =>
      mapped(async () => {
        await reader?.close();
        await store.close();
      }),
  };
  return queue;
}

/**
 * Reads that arrive while a refresh is in flight share the next one instead of queueing one
 * each (issue 12: many concurrent reads on one handle); it starts after they called, so each
 * sees every line appended before it was called.
 */
function coalescedRefresh(store: QueueStore): QueueStore {
  return { ...store, refresh: sharedAfterCall(() => store.refresh()) };
}

async function* mappedIterable<T>(make: () => AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* make();
  } catch (err) {
    throw toPlayProofError(err);
  }
}

export async function enqueueInput(
  q: QueueInternals,
  input: EnqueueInput,
  o: EnqueueOptions = {},
): Promise<EnqueueReport> {
  const records: EnqueueReport["records"] = { accepted: [], duplicates: [], rejected: [] };
  const r = await enqueue({
    files: [],
    stdin: inputStream(input),
    store: q.store,
    thresholds: q.settings.thresholds,
    now: q.now,
    workers: o.workers ?? 0,
    replays: replayCheckOf(q),
    append: appendOf(q),
    ...(o.signal ? { stop: o.signal } : {}),
    onRejected: (message, line) => records.rejected.push({ line, message }),
    onDuplicate: (_m, sessionId) => records.duplicates.push(sessionId),
    onAccepted: (sessionId, provisional) => records.accepted.push({ sessionId, provisional }),
  });
  return { ...r, records };
}

const appends = new WeakMap<QueueInternals, AppendItems>();

/** One coalescing appender per handle: concurrent enqueue calls share appends (issue 12). */
function appendOf(q: QueueInternals): AppendItems {
  let append = appends.get(q);
  if (!append) {
    append = createCoalescedAppend(q.store, q.now);
    appends.set(q, append);
  }
  return append;
}

/**
 * One replay index per handle, rebuilt every REPLAY_INDEX_TTL_MS: building it reads every queued
 * payload, which a handle enqueuing one session per call must not repeat per call (issue 12),
 * and a rebuild forgets sessions compaction removed, as a CLI run would (issue 13's window).
 */
export const REPLAY_INDEX_TTL_MS = 10 * 60_000;
const replayChecks = new WeakMap<QueueInternals, { check: ReplayCheck; builtAt: number }>();

function replayCheckOf(q: QueueInternals): ReplayCheck {
  const kept = replayChecks.get(q);
  if (kept && q.now() - kept.builtAt < REPLAY_INDEX_TTL_MS) return kept.check;
  const check = createReplayCheck(q.store, q.settings.thresholds);
  replayChecks.set(q, { check, builtAt: q.now() });
  return check;
}

async function processQueue(q: QueueInternals, o: ProcessOptions = {}): Promise<ProcessSummary> {
  const maxBatches = o.maxBatches;
  if (maxBatches !== undefined && !(Number.isInteger(maxBatches) && maxBatches >= 1))
    throw new UsageError(`process: maxBatches: expected a whole number >= 1, got ${maxBatches}`);
  const choice = await engineFor({ settings: q.settings, env: q.env, config: q.config });
  try {
    const summary = await processCommand({
      store: q.store,
      settings: q.settings,
      engine: choice.engine,
      fallback: choice.fallback,
      now: q.now,
      ...(maxBatches === undefined ? {} : { maxBatches }),
      ...(o.stop ? { stop: o.stop } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const stopped = processStopError(summary);
    if (stopped) throw Object.assign(toPlayProofError(stopped), { summary });
    return summary;
  } finally {
    await choice.close();
  }
}

async function clearQueue(q: QueueInternals, o: ClearOptions = {}): Promise<ClearResult> {
  let olderThanMs: number | undefined;
  if (o.olderThan !== undefined) {
    olderThanMs = typeof o.olderThan === "number" ? o.olderThan : parseDuration(o.olderThan);
    if (olderThanMs === undefined || !Number.isFinite(olderThanMs) || olderThanMs < 0)
      throw new UsageError(`clear: olderThan: not a duration: ${o.olderThan} (use 30s, 5m, 24h)`);
  }
  return clear({
    store: q.store,
    now: q.now,
    retentionMs: q.settings.retentionMs,
    processedOnly: Boolean(o.processed),
    ...(olderThanMs === undefined ? {} : { olderThanMs }),
  });
}
