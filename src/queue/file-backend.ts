import { stat } from "node:fs/promises";
import type {
  ClaimedSession,
  FoundResult,
  MaintenanceReport,
  QueueBackend,
  SettleOutcome,
  StoredSession,
} from "./backend.js";
import { isExpired } from "./compact.js";
import type { OutgoingEvent, SessionPayload } from "./events.js";
import type { QueueState, SessionRecord } from "./fold.js";
import { boundRunawayLeases } from "./leases.js";
import {
  batchEvent,
  dueSessions,
  matchesRemoveFilter,
  planClaim,
  planEnqueue,
  planImport,
  planRelease,
  planRemove,
  planRenew,
  planResults,
  planRetry,
} from "./plans.js";
import { createResultReader } from "./result-reader.js";
import { sharedAfterCall } from "./shared-call.js";
import type { QueueStore } from "./store.js";

export interface FileBackend extends QueueBackend {
  readonly kind: "file";
  /** The journal itself: for what only a file has (quarantine) and for tests. */
  readonly journal: QueueStore;
}

export interface FileBackendOptions {
  /**
   * A handle used once (a CLI command) reads results off the checkpoint without folding
   * (issue 10); a long-lived one (default) folds once, keeps the fold fresh and reads result
   * lines through a cache (issue 12).
   */
  oneShot?: boolean;
}

/**
 * The JSON-lines journal as a queue backend: each operation is one planner (plans.ts) run under
 * the queue lock on the freshly folded state, its events appended and fsynced in one write.
 */
export function createFileBackend(store: QueueStore, o: FileBackendOptions = {}): FileBackend {
  // Reads that arrive while a refresh is in flight share the next one (issue 12).
  const refresh = sharedAfterCall(() => store.refresh());
  const reader = o.oneShot ? undefined : createResultReader(store);

  async function withPayloads(recs: SessionRecord[]): Promise<ClaimedSession[]> {
    const payloads = await Promise.all(recs.map((r) => store.readSession(r)));
    return recs.map((rec, i) => ({ rec, payload: payloads[i]! }));
  }

  async function found(rec: SessionRecord): Promise<StoredSession> {
    // A snapshot line (compaction, migrate) holds the final result beside the payload.
    const { result: _final, ...payload } = (await store.readSession(rec)) as SessionPayload & {
      result?: unknown;
    };
    const done = rec.status === "scored" || rec.status === "dead";
    const result = done ? await store.readResult(rec) : undefined;
    return { rec, payload, ...(result ? { result } : {}) };
  }

  return {
    kind: "file",
    path: store.path,
    journal: store,
    enqueue: (items, at) => store.transact((s) => planEnqueue(s, items, at)),
    import: (sessions, at) => store.transact((s) => planImport(s, sessions, at)),
    async claim(c) {
      const picked = await store.transact((s) => planClaim(s, c));
      // The records as the claim left them (the planner saw them before it).
      const claim = { batch: c.batch, lease: c.now + c.leaseMs, owner: c.owner, ttl: c.leaseMs };
      return withPayloads(picked.map((r) => ({ ...r, status: "claimed" as const, claim })));
    },
    renew: (batch, ids, now, leaseMs) =>
      store.transact((s) => planRenew(s, batch, ids, now, leaseMs)),
    settle: (t) =>
      store.transact((s: QueueState) => {
        const events: OutgoingEvent[] = [];
        const value: SettleOutcome = { recorded: [], lost: [], retried: [], released: [] };
        if (t.results) {
          const p = planResults(s, t.batch, t.results, t.now);
          events.push(...p.events);
          value.recorded = p.value.recorded;
          value.lost = p.value.lost;
        }
        for (const r of t.retries ?? []) {
          const p = planRetry(s, t.batch, r.ids, { now: t.now, ...r });
          events.push(...p.events);
          value.retried.push(...p.value);
        }
        if (t.release) {
          const p = planRelease(s, t.batch, t.release.ids, t.now, t.release.reason);
          events.push(...p.events);
          value.released = p.value;
        }
        events.push(batchEvent({ batch: t.batch, ...t.record }, t.now));
        return { events, value };
      }),
    boundLeases: (now) => boundRunawayLeases(store, now),
    heartbeat: (event) => store.transact(() => ({ events: [{ event }], value: undefined })),
    summary: (now) => store.summary(now),
    async find(id) {
      return (await reader?.read(id)) ?? store.find(id);
    },
    async findMany(ids) {
      const state = await refresh();
      const out = new Map<string, FoundResult>();
      for (const id of ids) {
        if (out.has(id)) continue;
        const rec = state.sessions.get(id);
        if (rec) out.set(id, await found(rec));
      }
      return out;
    },
    async *sessions(keep) {
      const state = await refresh();
      for (const rec of [...state.sessions.values()]) if (!keep || keep(rec)) yield found(rec);
    },
    async due(now, max) {
      return withPayloads(dueSessions(await refresh(), now).slice(0, max));
    },
    readArchive: () => store.readArchive(),
    fingerprints: () => store.fingerprints(),
    sharePrints: (holder) => store.sharePrints(holder),
    async countRemovable(f, now) {
      return planRemove(await refresh(), f, now).value.length;
    },
    async remove(f, now, retentionMs) {
      const report = await store.compact({
        now,
        retentionMs,
        drop: (rec) => matchesRemoveFilter(rec, f, now),
      });
      const remaining = (await refresh()).sessions.size;
      return { removed: report.removed, archived: report.archived, remaining };
    },
    async maintain(now, retentionMs): Promise<MaintenanceReport | undefined> {
      if (!compactionPays(await refresh(), now, retentionMs)) return undefined;
      const report = await store.compact({ now, retentionMs });
      return { ...report, sessionsAfter: (await refresh()).sessions.size };
    },
    bytes: () =>
      stat(store.path).then(
        (s) => s.size,
        () => 0,
      ),
    warnings: async () => [],
    async close() {
      await reader?.close();
      await store.close();
    },
  };
}

/**
 * Compaction rewrites the whole file under the lock, so `watch` only does it when it pays: some
 * result is past retention, or the journal holds over twice the lines its sessions need (each
 * session needs one after compaction; claims, results and batch lines pile up between).
 */
export function compactionPays(state: QueueState, now: number, retentionMs: number): boolean {
  if (state.lines > 2 * state.sessions.size + 100) return true;
  for (const rec of state.sessions.values()) if (isExpired(rec, now, retentionMs)) return true;
  return false;
}
