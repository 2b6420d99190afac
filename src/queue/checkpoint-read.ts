import { closeSync, fstatSync, openSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { idLayout, markHolds, parseCheckpointHead } from "./checkpoint.js";
import {
  assertLittleEndian,
  type CheckpointHeader,
  type ClaimsSection,
  COLUMN_NAMES,
  idHash,
  MAGIC,
  type SectionName,
} from "./checkpoint-format.js";
import { type Claim, emptyState, type QueueState, type SessionRecord } from "./fold.js";
import { type IdBase, openIdBase } from "./id-base.js";
import { PAGE_ROWS } from "./lazy-column.js";
import { lowerBound } from "./lower-bound.js";
import {
  type ColumnArrays,
  type Columns,
  createSessionTable,
  PAGED_COLUMNS,
  pagedColumns,
  STATUSES,
} from "./session-table.js";

/**
 * Reads a checkpoint a piece at a time (issue 10): `stats` streams its columns and `result`
 * finds one id by a binary search, so neither holds the queue in memory.
 */
export interface CheckpointReader {
  header: CheckpointHeader;
  /** `count` rows of a section of `bytesPer`-byte values, from row `from`, read into `into`. */
  rows(
    name: SectionName,
    from: number,
    count: number,
    bytesPer: number,
    into: Uint8Array,
  ): Promise<Uint8Array>;
  section(name: SectionName): Promise<Buffer>;
  claims(): Promise<Map<number, Claim>>;
  /** The slot holding `id`, or -1. */
  slotOf(id: string): Promise<number>;
  /** The slots of many ids at once (the hash index read whole): ids not found are absent. */
  slotsOf(ids: Iterable<string>): Promise<Map<string, number>>;
  /** Last errors of these slots (the sorted error slots read whole). */
  errorsOf(slots: Iterable<number>): Promise<Map<number, string>>;
  idAt(slot: number): Promise<string>;
  /** A descriptor of this very file (not of one renamed over it since), or undefined. */
  ownDescriptor(file: string): Promise<number | undefined>;
  /** File offset where the sections start (after the header line). */
  dataAt: number;
  recordAt(slot: number, id: string, claims: ReadonlyMap<number, Claim>): Promise<SessionRecord>;
  close(): Promise<void>;
}

const BYTES_PER: Record<(typeof COLUMN_NAMES)[number], number> = {
  status: 1,
  attempts: 2,
  enqueuedAt: 8,
  notBefore: 8,
  doneAt: 8,
  ref: 8,
  resultRef: 8,
};

/** The header line, read in growing pieces (it names the sections; the rest stays on disk). */
async function readHead(fh: FileHandle) {
  for (let want = 64 * 1024; want <= 64 * 1024 * 1024; want *= 4) {
    const buf = Buffer.alloc(want);
    const { bytesRead } = await fh.read(buf, 0, want, 0);
    const head = parseCheckpointHead(buf.subarray(0, bytesRead));
    if (head || bytesRead < want || buf.indexOf(0x0a, MAGIC.length) >= 0) return head;
  }
  return undefined;
}

/** A reader of `file` if it is a whole checkpoint of the journal open as `journal`. */
export async function openCheckpoint(
  file: string,
  journal: FileHandle,
  ino: number,
): Promise<CheckpointReader | undefined> {
  assertLittleEndian();
  const fh = await open(file, "r").catch(() => undefined);
  if (!fh) return undefined;
  try {
    const head = await readHead(fh);
    if (!head) throw new Error("not a checkpoint");
    const { header, base } = head;
    const end = Math.max(...Object.values(header.sections).map(([o, l]) => base + o + l));
    if ((await fh.stat()).size !== end || !(await markHolds(journal, ino, header.journal)))
      throw new Error("stale checkpoint");
    return readerOf(fh, header, base);
  } catch {
    await fh.close();
    return undefined;
  }
}

function readerOf(fh: FileHandle, header: CheckpointHeader, base: number): CheckpointReader {
  async function bytes(name: SectionName, offset: number, length: number): Promise<Buffer> {
    const [at, len] = header.sections[name];
    const n = Math.max(0, Math.min(length, len - offset));
    const buf = Buffer.alloc(n);
    if (n > 0) await fh.read(buf, 0, n, base + at + offset);
    return buf;
  }
  async function bytesInto(name: SectionName, offset: number, into: Uint8Array) {
    const [at, len] = header.sections[name];
    const n = Math.max(0, Math.min(into.length, len - offset));
    if (n > 0) await fh.read(into, 0, n, base + at + offset);
    return into.subarray(0, n);
  }
  const u32At = async (name: SectionName, i: number) =>
    (await bytes(name, 4 * i, 4)).readUInt32LE(0);
  const reader: CheckpointReader = {
    header,
    rows: (name, from, count, bytesPer, into) =>
      bytesInto(name, from * bytesPer, into.subarray(0, count * bytesPer)),
    section: (name) => bytes(name, 0, header.sections[name][1]),
    async ownDescriptor(file) {
      let fd: number;
      try {
        fd = openSync(file, "r");
      } catch {
        return undefined;
      }
      const [mine, theirs] = [await fh.stat(), fstatSync(fd)];
      if (mine.ino === theirs.ino && mine.dev === theirs.dev) return fd;
      closeSync(fd);
      return undefined;
    },
    dataAt: base,
    async claims() {
      const list = JSON.parse((await reader.section("claims")).toString("utf8")) as ClaimsSection;
      return new Map(list);
    },
    async idAt(slot) {
      const from = slot === 0 ? 0 : await u32At("idEnds", slot - 1);
      const to = await u32At("idEnds", slot);
      return (await bytes("idBytes", from, to - from)).toString("utf8");
    },
    async slotOf(id) {
      const want = idHash(id);
      const pairAt = async (i: number) => {
        const b = await bytes("byHash", 8 * i, 8);
        return [b.readUInt32LE(0), b.readUInt32LE(4)] as const;
      };
      let lo = 0;
      let hi = header.live;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((await pairAt(mid))[0] < want) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < header.live; i++) {
        const [hash, slot] = await pairAt(i);
        if (hash !== want) break;
        if ((await reader.idAt(slot)) === id) return slot;
      }
      return -1;
    },
    async slotsOf(ids) {
      const pairs = u32s(await reader.section("byHash"));
      const ends = u32s(await reader.section("idEnds"));
      const found = new Map<string, number>();
      for (const id of ids) {
        const want = idHash(id);
        let lo = 0;
        let hi = pairs.length / 2;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (pairs[2 * mid]! < want) lo = mid + 1;
          else hi = mid;
        }
        for (let i = lo; 2 * i < pairs.length && pairs[2 * i] === want; i++) {
          const slot = pairs[2 * i + 1]!;
          const from = slot === 0 ? 0 : ends[slot - 1]!;
          if ((await bytes("idBytes", from, ends[slot]! - from)).toString("utf8") === id) {
            found.set(id, slot);
            break;
          }
        }
      }
      return found;
    },
    async errorsOf(slots) {
      const withError = u32s(await reader.section("errSlots"));
      const out = new Map<number, string>();
      for (const slot of slots) {
        const lo = lowerBound(withError, slot);
        if (lo < withError.length && withError[lo] === slot) out.set(slot, await errorText(lo));
      }
      return out;
    },
    async recordAt(slot, id, claims) {
      const col = async (name: (typeof COLUMN_NAMES)[number]) => {
        const b = await bytes(name, slot * BYTES_PER[name], BYTES_PER[name]);
        if (name === "status") return b.readUInt8(0);
        return name === "attempts" ? b.readUInt16LE(0) : b.readDoubleLE(0);
      };
      const rec: SessionRecord = {
        id,
        status: STATUSES[(await col("status")) - 1]!,
        enqueuedAt: await col("enqueuedAt"),
        attempts: await col("attempts"),
        notBefore: await col("notBefore"),
        ref: await col("ref"),
      };
      const claim = claims.get(slot);
      if (claim) rec.claim = claim;
      const doneAt = await col("doneAt");
      if (!Number.isNaN(doneAt)) rec.doneAt = doneAt;
      const error = await errorOf(slot);
      if (error !== undefined) rec.lastError = error;
      const resultRef = await col("resultRef");
      if (resultRef >= 0) rec.resultRef = resultRef;
      return rec;
    },
    close: () => fh.close(),
  };
  /** The last error of `slot`: a binary search over the sorted slots that have one. */
  async function errorOf(slot: number): Promise<string | undefined> {
    let lo = 0;
    let hi = header.sections.errSlots[1] / 4;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((await u32At("errSlots", mid)) < slot) lo = mid + 1;
      else hi = mid;
    }
    if (lo * 4 >= header.sections.errSlots[1] || (await u32At("errSlots", lo)) !== slot)
      return undefined;
    return errorText(lo);
  }
  async function errorText(i: number): Promise<string> {
    const from = i === 0 ? 0 : await u32At("errEnds", i - 1);
    const to = await u32At("errEnds", i);
    return (await bytes("errBytes", from, to - from)).toString("utf8");
  }
  return reader;
}

/** A section's bytes as 32-bit words (copied: a Buffer's offset need not be aligned). */
export function u32s(buf: Buffer): Uint32Array {
  const out = new Uint32Array(buf.length / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/**
 * Reads the columns in chunks of `rows` rows into buffers it reuses (issue 10: streaming a
 * million rows must not leave a million rows of garbage behind either).
 */
export function columnChunks(reader: CheckpointReader, rows: number) {
  const names = COLUMN_NAMES;
  const buffers = Object.fromEntries(
    names.map((n) => [n, new ArrayBuffer(rows * BYTES_PER[n])]),
  ) as Record<(typeof names)[number], ArrayBuffer>;
  return async function chunk(from: number, count: number): Promise<ColumnArrays> {
    for (const name of names)
      await reader.rows(name, from, count, BYTES_PER[name], new Uint8Array(buffers[name]));
    return {
      status: new Uint8Array(buffers.status, 0, count),
      attempts: new Uint16Array(buffers.attempts, 0, count),
      notBefore: new Float64Array(buffers.notBefore, 0, count),
      enqueuedAt: new Float64Array(buffers.enqueuedAt, 0, count),
      doneAt: new Float64Array(buffers.doneAt, 0, count),
      ref: new Float64Array(buffers.ref, 0, count),
      resultRef: new Float64Array(buffers.resultRef, 0, count),
    };
  };
}

/**
 * The state a checkpoint holds, if it is whole and folds this very journal (same inode, same
 * bytes at both ends of what it folded); else undefined, and the caller folds from byte 0.
 * Each section is read straight into the array that keeps it (issue 10: reading the file whole
 * first held a second copy of the queue's state, fingerprints included, at every start).
 */
export async function loadCheckpoint(
  file: string,
  journal: FileHandle,
  ino: number,
): Promise<{ state: QueueState; end: number } | undefined> {
  const opened = await openCheckpoint(file, journal, ino);
  if (!opened) return undefined;
  const reader: CheckpointReader = opened;
  let base: IdBase | undefined;
  try {
    const { header } = reader;
    async function read<T extends ArrayBufferView>(
      name: SectionName,
      bytesPer: number,
      make: (n: number) => T,
    ): Promise<T> {
      const rows = header.sections[name][1] / bytesPer;
      const out = make(rows);
      const into = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      const got = await reader.rows(name, 0, rows, bytesPer, into);
      if (got.length !== into.length) throw new Error(`checkpoint section ${name} is short`);
      return out;
    }
    const u32 = (name: SectionName) => read(name, 4, (n) => new Uint32Array(n));
    for (const name of COLUMN_NAMES) {
      if (header.sections[name][1] !== header.slots * BYTES_PER[name])
        throw new Error(`checkpoint column ${name} does not hold ${header.slots} rows`);
    }
    const paged = pagedColumns();
    // A page at a time: a page of defaults is never allocated, times and offsets are packed
    // (lazy-column.ts).
    const page = new Uint8Array(PAGE_ROWS * 8);
    for (const name of PAGED_COLUMNS) {
      const col = paged[name];
      for (let from = 0, index = 0; from < header.slots; from += PAGE_ROWS, index++) {
        const count = Math.min(PAGE_ROWS, header.slots - from);
        const into = page.subarray(0, count * col.bytesPerRow);
        const got = await reader.rows(name, from, count, col.bytesPerRow, into);
        if (got.length !== into.length) throw new Error(`checkpoint section ${name} is short`);
        col.restorePage(index, into);
      }
    }
    const cols: Columns = {
      status: await read("status", 1, (n) => new Uint8Array(n)),
      ...paged,
    };
    const ends = await u32("idEnds");
    // The ids' bytes stay in the file (id-base.ts), read through a descriptor of our own.
    const fd = await reader.ownDescriptor(file);
    if (fd === undefined) throw new Error("the checkpoint was replaced while it was read");
    // The ids' hashes stay in the file too: in its index, which the next checkpoint merges.
    base = openIdBase(fd, idLayout(header, reader.dataAt));
    const blob = header.slots > 0 ? ends[header.slots - 1] : 0;
    if (ends.length !== header.slots || blob !== header.sections.idBytes[1])
      throw new Error("checkpoint ids do not end where their bytes do");
    const errorSlots = await u32("errSlots");
    const errorEnds = await u32("errEnds");
    const errorBytes = await reader.section("errBytes");
    const errors = Array.from(errorSlots, (slot, i): [number, string] => [
      slot,
      errorBytes.toString("utf8", i === 0 ? 0 : errorEnds[i - 1]!, errorEnds[i]!),
    ]);
    const claims = await reader.claims();
    const sessions = createSessionTable({ cols, ids: { base, ends }, claims, errors });
    const state = emptyState(sessions); // its due index is built from the table when first asked
    state.lines = header.lines;
    state.superseded = header.superseded;
    state.totals = header.totals;
    state.lastBatch = header.lastBatch;
    state.lastSuccess = header.lastSuccess;
    state.watchers = new Map(header.watchers.map((w) => [w.id, w]));
    state.archive = header.archive;
    return { state, end: header.journal.end };
  } catch (err) {
    base?.close();
    throw err;
  } finally {
    await reader.close();
  }
}
