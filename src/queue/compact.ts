import { open, rename, rm } from "node:fs/promises";
import { type OutgoingEvent, parsePayload, serializeEvent } from "./events.js";
import type { QueueState, SessionRecord } from "./fold.js";
import { scanLines, syncDir } from "./journal-file.js";
import { appendQuarantine, type QuarantineEntry } from "./quarantine.js";

export interface CompactOptions {
  now: number;
  /** Scored and dead sessions older than this (since scoring) are dropped. */
  retentionMs: number;
}

export interface CompactReport {
  bytesBefore: number;
  bytesAfter: number;
  kept: number;
  expired: number;
  quarantined: number;
}

/** A session is kept unless it was finished longer than the retention period ago. */
export function isExpired(rec: SessionRecord, now: number, retentionMs: number): boolean {
  return rec.doneAt !== undefined && rec.doneAt + retentionMs <= now;
}

/**
 * Rewrites the journal as one snapshot line per kept session (write temp, fsync, rename, fsync
 * dir). Must run under the queue lock on a freshly folded `state`. Corrupt lines go to the
 * quarantine file first, so nothing leaves the journal without a copy.
 */
export async function compactJournal(
  path: string,
  state: QueueState,
  opts: CompactOptions,
): Promise<CompactReport> {
  const kept = [...state.sessions.values()].filter(
    (r) => !isExpired(r, opts.now, opts.retentionMs),
  );
  const wanted = new Set<number>();
  for (const rec of kept) {
    wanted.add(rec.ref);
    if (rec.resultRef !== undefined) wanted.add(rec.resultRef);
  }
  const quarantine: QuarantineEntry[] = state.corrupt.map((c) => ({
    ...c,
    reason: "corrupt line",
  }));
  const payloads = new Map<number, Record<string, unknown>>();
  const src = await open(path, "r");
  let bytesBefore = 0;
  try {
    const scanned = await scanLines(src, 0, ({ text, offset }) => {
      if (!wanted.has(offset)) return;
      try {
        payloads.set(offset, parsePayload(text) as Record<string, unknown>);
      } catch {
        quarantine.push({ offset, reason: "corrupt payload", text });
      }
    });
    bytesBefore = scanned.size;
  } finally {
    await src.close();
  }
  const out: string[] = [
    serializeEvent({
      event: {
        t: "meta",
        at: opts.now,
        lastBatch: state.lastBatch,
        lastSuccess: state.lastSuccess,
        totals: state.totals,
      },
    }),
  ];
  let written = 0;
  for (const rec of kept) {
    const line = snapshotLine(rec, payloads, opts.now);
    if (line) {
      out.push(line);
      written++;
    }
  }
  await appendQuarantine(path, quarantine);
  const text = out.join("");
  const tmp = `${path}.compact-${process.pid}`;
  const fh = await open(tmp, "w", 0o600);
  try {
    await fh.writeFile(text, "utf8");
    await fh.sync();
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await syncDir(path);
  return {
    bytesBefore,
    bytesAfter: Buffer.byteLength(text),
    kept: written,
    expired: state.sessions.size - kept.length,
    quarantined: quarantine.length,
  };
}

function snapshotLine(
  rec: SessionRecord,
  payloads: Map<number, Record<string, unknown>>,
  now: number,
): string | undefined {
  const session = payloads.get(rec.ref);
  if (!session) return undefined;
  const result = rec.resultRef === undefined ? undefined : payloads.get(rec.resultRef)?.result;
  const { ref: _r, resultRef: _rr, ...fields } = rec;
  const event: OutgoingEvent = {
    event: { t: "snapshot", at: now, ...fields },
    payload: {
      features: session.features,
      meta: session.meta,
      provisional: session.provisional,
      ...(result === undefined ? {} : { result }),
    },
  };
  return serializeEvent(event);
}
