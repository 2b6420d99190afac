import { type FileHandle, open, stat } from "node:fs/promises";
import { LRUCache } from "lru-cache";
import type { ScoreResult } from "../scoring/result.js";
import type { FoundResult } from "./backend.js";
import { parseHeader, parsePayload, type SessionPayload } from "./events.js";
import type { QueueState } from "./fold.js";
import { NEWLINE, readLineAt } from "./journal-file.js";
import { sharedAfterCall } from "./shared-call.js";
import type { QueueStore } from "./store.js";

/** Parsed payloads and final results kept per handle (about 1 KB each). */
export const RESULT_CACHE_ENTRIES = 4096;
/** One read covers a session line of a 30- or 300-point session (1-2 KB) and its newline. */
const READ_BYTES = 4096;

export interface ResultReader {
  /**
   * The session's result from this handle's fold, or undefined when the fold does not hold it
   * or its line moved (a compaction): the caller then takes the store's full path.
   */
  read(id: string): Promise<FoundResult | undefined>;
  close(): Promise<void>;
}

type Shown = Pick<SessionPayload, "meta" | "provisional">;

interface OpenJournal {
  fd: FileHandle;
  ino: number;
  payloads: LRUCache<number, Shown>;
  finals: LRUCache<number, ScoreResult>;
}

const emptyCaches = () => ({
  payloads: new LRUCache<number, Shown>({ max: RESULT_CACHE_ENTRIES }),
  finals: new LRUCache<number, ScoreResult>({ max: RESULT_CACHE_ENTRIES }),
});

/**
 * `result(id)` for a long-lived handle (issue 12: `GET /result/:id` p99 < 20 ms under 64
 * concurrent clients on a 100k queue). Per request it costs one shared `stat` of the journal
 * (the store folds the new tail only when the file changed), one read of the session line and
 * one of the result line (4 KB each, on a handle kept open), or none for the lines kept in an
 * LRU by (file, offset). A line is used only if it starts at a line boundary and its header
 * names the session, as the store checks its own reads.
 *
 * Freshness: every call waits for a `stat` that started after the call, so a result another
 * process appended (and fsynced) before the request arrived is seen; there is no staleness
 * window beyond that.
 */
export function createResultReader(store: QueueStore): ResultReader {
  const path = store.path;
  let seen: string | undefined;
  let state: QueueState | undefined;
  // Offsets are offsets of one file: a compaction's new file gets a new handle and new caches
  // (a read begun on the old file fills the old caches).
  let file: OpenJournal | undefined;
  const fresh = sharedAfterCall(async (): Promise<QueueState> => {
    const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return undefined;
      throw err;
    });
    // Appends change the size, a compaction or a new file the inode, a repair the size.
    const key = st ? `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : "none";
    if (key !== seen || !state) {
      state = await store.refresh();
      seen = key;
    }
    if (st && st.ino !== file?.ino) {
      await file?.fd.close();
      file = undefined;
      const fd = await open(path, "r").catch(() => undefined);
      if (fd) file = { fd, ino: (await fd.stat()).ino, ...emptyCaches() };
    }
    return state;
  });

  async function payloadAt(
    handle: FileHandle,
    offset: number,
    id: string,
  ): Promise<Record<string, unknown> | undefined> {
    const from = offset > 0 ? offset - 1 : 0;
    const buf = Buffer.allocUnsafe(READ_BYTES);
    try {
      const { bytesRead } = await handle.read(buf, 0, READ_BYTES, from);
      const skip = offset - from;
      if (bytesRead <= skip || (skip === 1 && buf[0] !== NEWLINE)) return undefined;
      const nl = buf.subarray(0, bytesRead).indexOf(NEWLINE, skip);
      const line = nl >= 0 ? buf.toString("utf8", skip, nl) : await readLineAt(handle, offset);
      const header = parseHeader(line);
      if (!header || !("id" in header) || header.id !== id) return undefined;
      return parsePayload(line) as Record<string, unknown>;
    } catch {
      // The handle closed under us (a compaction's new file) or a corrupt line: the store's
      // own path reads again and reports what is wrong.
      return undefined;
    }
  }

  async function shown(f: OpenJournal, ref: number, id: string): Promise<Shown | undefined> {
    const kept = f.payloads.get(ref);
    if (kept) return kept;
    const p = (await payloadAt(f.fd, ref, id)) as unknown as SessionPayload | undefined;
    if (!p) return undefined;
    const s: Shown = { meta: p.meta, provisional: p.provisional };
    f.payloads.set(ref, s);
    return s;
  }

  async function final(f: OpenJournal, resultRef: number, id: string) {
    const kept = f.finals.get(resultRef);
    if (kept) return kept;
    const r = (await payloadAt(f.fd, resultRef, id))?.result as ScoreResult | undefined;
    if (r) f.finals.set(resultRef, r);
    return r;
  }

  return {
    async read(id) {
      const rec = (await fresh()).sessions.get(id);
      const f = file;
      if (!rec || !f) return undefined;
      const done = rec.status === "scored" || rec.status === "dead";
      const [payload, result] = await Promise.all([
        shown(f, rec.ref, id),
        done && rec.resultRef !== undefined ? final(f, rec.resultRef, id) : undefined,
      ]);
      if (!payload || (done && !result)) return undefined;
      return { rec, payload, ...(result ? { result } : {}) };
    },
    async close() {
      await file?.fd.close();
      file = undefined;
    },
  };
}
