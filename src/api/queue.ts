import type { Readable } from "node:stream";
import type { BatchReport } from "../batch/process-batch.js";
import type { ProcessSummary } from "../batch/process-queue.js";
import {
  type ConfigFile,
  type ConfigSources,
  configFilePath,
  type Env,
  openConfigFile,
  readConfigValues,
  resolveSettings,
  type Settings,
  type Values,
} from "../config.js";
import { type ConfigKeyName, isConfigKey } from "../config-keys.js";
import { parseDuration } from "../durations.js";
import { UsageError } from "../errors.js";
import { type ClearResult, clear, previewClear } from "../ops/clear.js";
import type { EnqueueOptions as EnqueueRunOptions } from "../ops/enqueue.js";
import type { ReplayCheck } from "../ops/enqueue-replay.js";
import { openQueueContext } from "../ops/open-queue.js";
import { type ListedResult, lookupResults, result } from "../ops/result.js";
import { listResults } from "../ops/results.js";
import { type FieldName, parseResultsQuery, type ResultsQuery } from "../ops/results-filter.js";
import { type StatsResult, stats } from "../ops/stats.js";
import type { QueueBackend } from "../queue/backend.js";
import type { ScoreResult } from "../scoring/result.js";
import type { AppendItems } from "./coalesced-append.js";
import type { EnqueueInput } from "./enqueue-input.js";
import { mapped, toPlayProofError } from "./errors.js";
import type { ScoreSessionOptions, ScoreSessionResult } from "./score-session.js";

/**
 * What only enqueue, process and scoreSession need (the schema, the engines, the Woodwide
 * client and its HTTP stack) is loaded when first used: `result` and `stats` on a CLI start in
 * a fraction of the time (issue 10: `result ID` at a million sessions within 0.3 s).
 */
const lazy = {
  enqueue: () => import("../ops/enqueue.js"),
  replay: () => import("../ops/enqueue-replay.js"),
  append: () => import("./coalesced-append.js"),
  input: () => import("./enqueue-input.js"),
  engine: () => import("../ops/engine.js"),
  process: () => import("../ops/process.js"),
  score: () => import("./score-session.js"),
};

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
  /** Progress: a batch starts (numbered from 1), scored by `engine` (its name). */
  onStart?: (batchNumber: number, engine: string) => void;
  /** Progress: a batch ended (scored, retried, released or dead-lettered). */
  onBatch?: (report: BatchReport) => void;
}

export interface ClearOptions {
  /** Only scored and dead-lettered sessions. */
  processed?: boolean;
  /** Only sessions older than this: a duration (`24h`) or milliseconds. */
  olderThan?: string | number;
  /** Count what would be removed (`removed`), change nothing (`archived` 0). */
  dryRun?: boolean;
}

export type SessionResult = ListedResult;
export type { ClearResult, ProcessSummary, ResultsQuery, StatsResult };

export interface Queue {
  readonly path: string;
  enqueue(input: EnqueueInput, options?: EnqueueOptions): Promise<EnqueueReport>;
  /** The current result: final once scored, else the provisional one. UnknownSessionError. */
  result(sessionId: string): Promise<SessionResult>;
  /** Results of many ids in one pass, by id; undefined for an id neither queue nor archive has. */
  resultsById(sessionIds: readonly string[]): Promise<Map<string, SessionResult | undefined>>;
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
  store: QueueBackend;
  env: Env;
  now: () => number;
  config: () => Promise<ConfigFile>;
  warn: (message: string) => void;
  /** How messages name a results query field (default `results: since`; the CLI's `--since`). */
  fieldName?: FieldName;
  /** Told what the engine does (Woodwide's calls), for a verbose log. */
  debug?: (message: string, event: Record<string, unknown>) => void;
  /** Settings again with more flags (a scheduler started with its own options). */
  settingsWith(flags: Values): Settings;
}

function settingFlags(settings: OpenQueueOptions["settings"] = {}): Values {
  for (const key of Object.keys(settings))
    if (!isConfigKey(key)) throw new UsageError(`openQueue: unknown setting ${key}`);
  return { ...settings };
}

/**
 * Opens a queue by path or `redis://` / `rediss://` URL (or the configured one when
 * `pathOrUrl` is undefined) with the same settings, checks and backend the CLI uses (issue 11:
 * a Redis queue connects on its first call).
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
  const file = options.configFile === false ? {} : readConfigValues(env, warn);
  const flags = {
    ...settingFlags(options.settings),
    ...(pathOrUrl === undefined ? {} : { "queue.path": pathOrUrl }),
  };
  let configFile: Promise<ConfigFile> | undefined;
  return openQueueWith({
    sources: { flags, env, file, filePath: configFilePath(env) },
    flagName: "openQueue()'s path",
    readOnly: false,
    now: options.now ?? Date.now,
    warn,
    config: () => {
      configFile ??= openConfigFile(env);
      return configFile;
    },
  });
}

/** What the CLI (and openQueue) open a handle with: where settings come from, its io hooks. */
export interface QueueSources {
  /** Every source of settings; `flags` are the caller's flags (the CLI's) or `settings`. */
  sources: ConfigSources;
  /** How the caller names the queue path it was given, for messages (`--queue`). */
  flagName: string;
  /** A missing queue file is worth a warning only where nothing will create it. */
  readOnly: boolean;
  now: () => number;
  warn: (message: string) => void;
  debug?: QueueInternals["debug"];
  fieldName?: FieldName;
  config: () => Promise<ConfigFile>;
  /** A handle for one command (the CLI's, but `serve`): reads without keeping a fold. */
  oneShot?: boolean;
}

/**
 * The handle every entry point works through (issue 12: the CLI is a user of this API, not a
 * twin): `openQueue` for the library, the CLI's commands with their flags and io.
 */
export function openQueueWith(o: QueueSources): Queue {
  const { settings, store } = openQueueContext(o);
  const { sources } = o;
  return queueOf({
    settings,
    store,
    env: sources.env,
    now: o.now,
    warn: o.warn,
    config: o.config,
    ...(o.debug ? { debug: o.debug } : {}),
    ...(o.fieldName ? { fieldName: o.fieldName } : {}),
    settingsWith: (more) =>
      resolveSettings({ ...sources.flags, ...more }, sources.env, sources.file, sources.filePath),
  });
}

/** A queue handle over settings and a store already opened (`serve`: its command's, long-lived). */
export function queueOf(internals: QueueInternals): Queue {
  const { now, store } = internals;
  const resultsById = async (ids: readonly string[]) => {
    const found = await lookupResults(store, [...ids], now());
    return new Map(ids.map((id) => [id, found.get(id)]));
  };
  const fieldName = internals.fieldName ?? ((field) => `results: ${field}`);
  const resultsFilter = (query: ResultsQuery) => parseResultsQuery(query, now(), fieldName);
  const queue: Queue = {
    path: store.path,
    internals,
    enqueue: (input, o) => mapped(() => enqueueInput(internals, input, o)),
    result: (id) => mapped(() => result(store, id, now())),
    resultsById: (ids) => mapped(() => resultsById(ids)),
    results: (query = {}) => mappedIterable(() => listResults(store, resultsFilter(query), now())),
    stats: () => mapped(() => stats(store, now)),
    process: (o) => mapped(() => processQueue(internals, o)),
    clear: (o) => mapped(() => clearQueue(internals, o)),
    scoreSession: (telemetry, o) =>
      mapped(async () => (await lazy.score()).scoreWith(queue, telemetry, o)),
    getSessionResult: (id) =>
      mapped(async () => {
        const r = (await lookupResults(store, [id], now())).get(id);
        return r && !r.provisional ? r.result : null;
      }),
    close: () => mapped(() => store.close()),
  };
  return queue;
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
  const r = await enqueueRun(q, {
    files: [],
    stdin: (await lazy.input()).inputStream(input),
    workers: o.workers ?? 0,
    ...(o.signal ? { stop: o.signal } : {}),
    onRejected: (message, line) => records.rejected.push({ line, message }),
    onDuplicate: (_m, sessionId) => records.duplicates.push(sessionId),
    onAccepted: (sessionId, provisional) => records.accepted.push({ sessionId, provisional }),
  });
  return { ...r, records };
}

/** What the CLI's `enqueue` gives a handle: files or stdin, and its streaming reports. */
export type EnqueueSources = Omit<
  EnqueueRunOptions,
  "store" | "thresholds" | "now" | "replays" | "append"
> & { stdin: Readable };

/**
 * Enqueue on a handle from named files or stdin, reporting each record as it goes (the CLI's
 * `enqueue`, issue 12): the same validation, replay index and grouped appends as
 * `queue.enqueue`, which reads its input through this too.
 */
export function enqueueFrom(queue: Queue, o: EnqueueSources) {
  return mapped(() => enqueueRun(queue.internals, o));
}

async function enqueueRun(q: QueueInternals, o: EnqueueSources) {
  const { enqueue } = await lazy.enqueue();
  return enqueue({
    ...o,
    store: q.store,
    thresholds: q.settings.thresholds,
    now: q.now,
    replays: await replayCheckOf(q),
    append: await appendOf(q),
  });
}

const appends = new WeakMap<QueueInternals, AppendItems>();

/** One coalescing appender per handle: concurrent enqueue calls share appends (issue 12). */
async function appendOf(q: QueueInternals): Promise<AppendItems> {
  const { createCoalescedAppend } = await lazy.append();
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

async function replayCheckOf(q: QueueInternals): Promise<ReplayCheck> {
  const { createReplayCheck } = await lazy.replay();
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
  const [{ engineFor }, { processCommand, processStopError }] = await Promise.all([
    lazy.engine(),
    lazy.process(),
  ]);
  const choice = await engineFor({
    settings: q.settings,
    env: q.env,
    config: q.config,
    ...(q.debug ? { debug: q.debug } : {}),
  });
  const { onStart, onBatch } = o;
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
      ...(onStart ? { onStart: (n: number) => onStart(n, choice.engine.name) } : {}),
      ...(onBatch ? { onBatch } : {}),
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
  const opts = {
    store: q.store,
    now: q.now,
    retentionMs: q.settings.retentionMs,
    processedOnly: Boolean(o.processed),
    ...(olderThanMs === undefined ? {} : { olderThanMs }),
  };
  if (!o.dryRun) return clear(opts);
  const removed = await previewClear(opts);
  const { sessions } = await q.store.summary(q.now());
  return { removed, archived: 0, remaining: sessions - removed };
}
