import type { QueueBackend } from "../queue/backend.js";
import type { FileBackend } from "../queue/file-backend.js";
import {
  markRestored,
  type QuarantineEntry,
  readQuarantine,
  recoverSession,
} from "../queue/quarantine.js";

export type QuarantineStatus = "restorable" | "in queue" | "restored" | "not restorable";

export interface QuarantineItem {
  /** 1-based position among the file's entries. */
  entry: number;
  at: string;
  reason: string;
  /** Byte offset of the line in the journal it was taken from. */
  offset: number;
  bytes: number;
  sessionId?: string;
  status: QuarantineStatus;
  why?: string;
}

export interface QuarantineListing {
  queue: string;
  items: QuarantineItem[];
}

interface Listed extends QuarantineItem {
  recovery: ReturnType<typeof recoverSession>;
}

/** Only a journal has lines to quarantine: a Redis queue's scripts write whole records. */
const journalOf = (b: QueueBackend) => (b.kind === "file" ? (b as FileBackend).journal : undefined);

async function inspect(backend: QueueBackend): Promise<Listed[]> {
  const store = journalOf(backend);
  if (!store) return [];
  const state = await store.refresh();
  const records = await readQuarantine(await store.resolvePath());
  const restored = new Set<string>();
  for (const r of records) if ("restored" in r) for (const id of r.restored) restored.add(id);
  const entries = records.filter((r): r is QuarantineEntry & { at: string } => "text" in r);
  return entries.map((e, i) => {
    const recovery = recoverSession(e.text);
    const id = recovery.id;
    let status: QuarantineStatus = recovery.ok ? "restorable" : "not restorable";
    if (recovery.ok && state.sessions.has(recovery.id)) status = "in queue";
    else if (recovery.ok && restored.has(recovery.id)) status = "restored";
    return {
      entry: i + 1,
      at: e.at,
      reason: e.reason,
      offset: e.offset,
      bytes: Buffer.byteLength(e.text),
      ...(id === undefined ? {} : { sessionId: id }),
      status,
      ...(recovery.ok ? {} : { why: recovery.why }),
      recovery,
    };
  });
}

/** `quarantine list`: every quarantined line, and whether its session can be put back. */
export async function listQuarantine(store: QueueBackend): Promise<QuarantineListing> {
  const items = (await inspect(store)).map(({ recovery: _r, ...item }) => item);
  return { queue: store.path, items };
}

export interface RestoreOptions {
  store: QueueBackend;
  now: () => number;
  /** Session ids to restore; all restorable ones when absent. */
  ids?: string[];
}

export interface RestoreResult {
  restored: string[];
  skipped: { sessionId: string; why: string }[];
}

/**
 * `quarantine restore`: enqueues again the sessions whole quarantined lines still hold (issue 8:
 * one flipped byte in an event type used to lose a complete session). Idempotent: a session
 * already in the queue is skipped, and a restore is noted in the quarantine file.
 */
export async function restoreQuarantine(o: RestoreOptions): Promise<RestoreResult> {
  const listed = await inspect(o.store);
  const wanted = o.ids ? new Set(o.ids) : undefined;
  const skipped: RestoreResult["skipped"] = [];
  const items = new Map<string, Extract<Listed["recovery"], { ok: true }>>();
  for (const l of listed) {
    if (wanted && (l.sessionId === undefined || !wanted.has(l.sessionId))) continue;
    if (l.recovery.ok && l.status !== "in queue") items.set(l.recovery.id, l.recovery);
    else if (wanted && l.sessionId !== undefined && !items.has(l.sessionId))
      skipped.push({ sessionId: l.sessionId, why: l.why ?? l.status });
  }
  for (const id of wanted ?? []) {
    if (!listed.some((l) => l.sessionId === id))
      skipped.push({ sessionId: id, why: "not in the quarantine file" });
  }
  const journal = journalOf(o.store);
  if (!journal || items.size === 0) return { restored: [], skipped };
  const { accepted, duplicates } = await o.store.enqueue(
    [...items.values()].map((r) => ({ id: r.id, payload: r.payload })),
    o.now(),
  );
  for (const id of duplicates) skipped.push({ sessionId: id, why: "in queue" });
  await markRestored(await journal.resolvePath(), accepted, o.now());
  return { restored: accepted, skipped: skipped.filter((s) => !accepted.includes(s.sessionId)) };
}
