import type { ScoreResult } from "../scoring/result.js";
import type { ArchiveRecord } from "./archive.js";
import type { CompactReport } from "./compact.js";
import type { HeartbeatEvent, SessionPayload } from "./events.js";
import type { SessionRecord } from "./fold.js";
import type { BatchRecord, ClaimOptions, EnqueueItem, RemoveFilter } from "./plans.js";
import type { PrintHolder } from "./store.js";
import type { QueueSummary } from "./summary.js";

/**
 * A queue as every command sees it (issue 11): the JSON-lines journal (file-backend.ts) or a
 * shared Redis queue (redis-backend.ts). Each operation is one atomic step on its backend: a
 * locked, fsynced append on a file, one Lua script on Redis. Commands never learn which one
 * they hold; the guarantees of design.md (leases, scored once, idempotent enqueue, nothing
 * lost, retention) hold on both.
 */
export interface QueueBackend {
  readonly kind: "file" | "redis";
  /** For messages: the file path, or the URL with its password hidden. */
  readonly path: string;
  /** Queues the sessions whose ids it does not hold yet; the first of a repeated id wins. */
  enqueue(items: EnqueueItem[], at: number): Promise<EnqueueOutcome>;
  /** Claims up to `max` due sessions (oldest first) under a lease, with their payloads. */
  claim(o: ClaimOptions): Promise<ClaimedSession[]>;
  /** Extends the lease of the sessions `batch` still holds; returns how many. */
  renew(batch: string, ids: string[], now: number, leaseMs: number): Promise<number>;
  /**
   * Ends (part of) a batch in one step: results recorded, retries and releases applied, for
   * the sessions the batch still holds (others were taken over: `lost`), with its batch record.
   */
  settle(s: Settlement): Promise<SettleOutcome>;
  /** Bounds leases stamped by a clock running ahead (plans.ts, planBoundLeases). */
  boundLeases(now: number): Promise<number>;
  /** A running `watch` says it is alive (or, `stopped`, that it ended). */
  heartbeat(event: HeartbeatEvent): Promise<void>;
  summary(now: number): Promise<QueueSummary>;
  /** One session's record, what `result` shows of its payload, and its final result. */
  find(id: string): Promise<FoundResult | undefined>;
  /** Many at once; ids the queue does not hold are absent from the map. */
  findMany(ids: readonly string[]): Promise<Map<string, FoundResult>>;
  /** Every session in queue order, skipping (without reading its payload) what `keep` refuses. */
  sessions(keep?: (rec: SessionRecord) => boolean): AsyncGenerator<StoredSession>;
  /**
   * `migrate`: takes sessions as another queue holds them, state and all (a claimed one comes
   * as queued: its holder works on the other queue); ids it holds already are left alone.
   */
  import(sessions: StoredSession[], now: number): Promise<EnqueueOutcome>;
  /** What the next claims would take now, oldest first, without claiming (`--dry-run`). */
  due(now: number, max: number): Promise<ClaimedSession[]>;
  /** Streams the archive of sessions that left this queue, oldest first. */
  readArchive(): AsyncGenerator<ArchiveRecord>;
  /** Every queued session's replay fingerprint (issue 13), by id. */
  fingerprints(): Promise<[string, Int8Array][]>;
  /**
   * The queue file's store keeps no second copy of the prints `holder` keeps (store.ts); a
   * backend without such a copy (Redis) has no need of it.
   */
  sharePrints?(holder: PrintHolder): void;
  /** How many sessions `remove` would take out now. */
  countRemovable(f: RemoveFilter, now: number): Promise<number>;
  /** `clear`: removes the matching sessions at once, archived first; applies retention. */
  remove(f: RemoveFilter, now: number, retentionMs: number): Promise<RemoveOutcome>;
  /** Housekeeping (`watch`): results past retention leave, archived; undefined: nothing to do. */
  maintain(now: number, retentionMs: number): Promise<MaintenanceReport | undefined>;
  /** The bytes the queue takes where it lives (the journal's size; Redis: its keys' memory). */
  bytes(): Promise<number>;
  /** What an operator should know about where the queue lives (`stats -v`), e.g. durability. */
  warnings(): Promise<string[]>;
  close(): Promise<void>;
}

export interface EnqueueOutcome {
  accepted: string[];
  duplicates: string[];
}

export interface ClaimedSession {
  rec: SessionRecord;
  payload: SessionPayload;
}

/** A session whole: record, payload and final result. */
export interface StoredSession extends ClaimedSession {
  result?: ScoreResult;
}

/** What `result` shows of a session. */
export interface FoundResult {
  rec: SessionRecord;
  payload: Pick<SessionPayload, "meta" | "provisional">;
  result?: ScoreResult;
}

export interface SettledResult {
  id: string;
  result: ScoreResult;
  /** Dead-lettered with this reason (the result is the fallback's). */
  dead?: string;
}

export interface Settlement {
  batch: string;
  now: number;
  results?: SettledResult[];
  retries?: { ids: string[]; notBefore: number; reason: string }[];
  release?: { ids: string[]; reason: string };
  /** The batch's own record (last batch, totals, failures). */
  record: Omit<BatchRecord, "batch">;
}

export interface SettleOutcome {
  recorded: string[];
  /** Results dropped: another batch holds the session now (its lease had expired). */
  lost: string[];
  retried: string[];
  released: string[];
}

export interface RemoveOutcome {
  removed: number;
  /** Of the removed sessions, how many were archived first (0 when archiving is off). */
  archived: number;
  remaining: number;
}

/** What housekeeping did: CompactReport's figures (Redis: no bytes rewritten, 0 and 0). */
export interface MaintenanceReport extends CompactReport {
  sessionsAfter: number;
}
