import { idHash } from "./checkpoint-format.js";
import type { IdBase } from "./id-base.js";

/**
 * Session ids by number, without a string or a Map entry per id (issue 10: a million ids as
 * strings in an array and a Map cost about 66 bytes of V8 heap each, and a heap that large
 * grows ahead of itself; here about 30 bytes, off the heap). The ids sit end to end as UTF-8 in
 * one growable buffer, each with its end offset and its idHash; an open-addressing table of id
 * numbers finds one. Numbers are given in order from 0 and never reused.
 *
 * A table may rest on a base (id-base.ts): the ids of a checkpoint, read from its file. Then
 * ids 0..base.count-1 are found and read there, and only the ids added since (the tail) have
 * bytes and table cells in memory: 8 bytes a checkpointed id (its end and its hash) plus the
 * base's filter, instead of about 30. `rebase` moves every id to a newer checkpoint's base.
 *
 * `live(n)` says whether id `n` can still be found: a table whose rows are emptied (the fold's
 * removed sessions) passes it, and emptied rows are skipped by `find` and left out of a rehash.
 */
export interface IdTable {
  /** Ids added (the next number). */
  readonly count: number;
  /** Appends `id` (not checked for a duplicate: `find` first) and returns its number. */
  add(id: string): number;
  /** The live number of `id`, or -1. */
  find(id: string): number;
  idAt(n: number): string;
  /** Orders two ids as JavaScript orders their strings (UTF-16 units): < 0, 0 or > 0. */
  compare(a: number, b: number): number;
  /** The UTF-8 bytes of id `n` (a view: valid until the next read of the table). */
  bytesAt(n: number): Uint8Array;
  /** Ids 0..baseCount-1 are in the base (a checkpoint's file); the rest were added since. */
  readonly baseCount: number;
  /** The idHash of id `n`, one added since the base (n >= baseCount): only those are held. */
  hashAt(n: number): number;
  /** The base's (hash, slot) pairs in hash order, in chunks (none without a base): IdBase.pairs. */
  basePairs(): Iterable<Uint32Array>;
  /** The UTF-8 bytes of ids 0..count-1 (in parts) and their end offsets (a checkpoint). */
  raw(): {
    byteLength: number;
    parts(): Iterable<Uint8Array>;
    ends: Uint32Array;
  };
  /** From now on ids 0..count-1 are read from `base`, which holds exactly them; the old one closes. */
  rebase(base: IdBase): void;
  /** Closes the base, if any (the table must not be used after). */
  close(): void;
  /** Bytes held in memory (issue 10: memory per session). */
  byteSize(): number;
}

/**
 * Orders the UTF-8 bytes x[xFrom, xTo) and y[yFrom, yTo) as JavaScript orders the strings they
 * encode (UTF-16 units): < 0, 0 or > 0.
 */
export function compareUtf8(
  x: Uint8Array,
  xFrom: number,
  xTo: number,
  y: Uint8Array,
  yFrom: number,
  yTo: number,
): number {
  const common = Math.min(xTo - xFrom, yTo - yFrom);
  for (let i = 0; i < common; i++) {
    const a = x[xFrom + i]!;
    const b = y[yFrom + i]!;
    if (a === b) continue;
    // Below 0x80 both encodings agree; two multi-byte characters may not (UTF-8 sorts by
    // code point, JavaScript by UTF-16 unit): compare those as strings. (The shortcut is speed:
    // the strings order alike there too.)
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: see above
    if (a < 0x80 || b < 0x80) return a - b;
    const sa = Buffer.from(x.buffer, x.byteOffset + xFrom, xTo - xFrom).toString("utf8");
    const sb = Buffer.from(y.buffer, y.byteOffset + yFrom, yTo - yFrom).toString("utf8");
    // Different bytes are different strings: never equal here.
    // Stryker disable next-line EqualityOperator,ConditionalExpression: see above
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  }
  return xTo - xFrom - (yTo - yFrom);
}

/** What a table is restored from: `ends.length` ids, from their bytes or from a base. */
export type IdRows =
  | {
      /** The ids' UTF-8 bytes. */
      bytes: Uint8Array;
      ends: Uint32Array;
      /** idHash of each id (of each live one at least: the others are never looked up). */
      hashes: Uint32Array;
    }
  | {
      /** A base that reads the ids and finds them by hash: it holds all `ends.length`. */
      base: IdBase;
      ends: Uint32Array;
    };

const EMPTY = 0;
const MIN_TABLE = 1024;
const RECENT = 4096;

export function createIdTable(live: (n: number) => boolean = () => true, from?: IdRows): IdTable {
  let count = from?.ends.length ?? 0;
  let ends = from?.ends ?? new Uint32Array(MIN_TABLE);
  let base = from && "base" in from ? from.base : undefined;
  /**
   * Ids below `first` are in the base; the rest in `bytes`, from blob offset `shift`, and their
   * hashes in `hashes`, from index `first` (issue 10: a base's hashes are in its file's index;
   * held, they were 4 bytes a session of `process`).
   */
  let first = base ? base.count : 0;
  if (base && first !== count) throw new Error("an id base must hold every restored id");
  let hashes = from && "hashes" in from ? from.hashes : new Uint32Array(MIN_TABLE);
  let used = count > 0 ? ends[count - 1]! : 0;
  let shift = base ? used : 0;
  let bytes = from && "bytes" in from ? from.bytes : new Uint8Array(16 * MIN_TABLE);
  /** id number + 1 in each cell; EMPTY marks a free one. Load at most 1/2. Tail ids only. */
  let table = new Int32Array(MIN_TABLE);
  let mask = table.length - 1;
  let inTable = 0;
  let view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scratch = { buf: Buffer.alloc(256) };
  let other = new Uint8Array(256);
  /**
   * Ids of the base read lately, by text: a batch's results name the ids its claim read (a
   * `process` would otherwise look each up in the file again). Bounded; emptied when full.
   */
  const recent = new Map<string, number>();

  function place(n: number): void {
    let i = hashes[n - first]! & mask;
    while (table[i] !== EMPTY) i = (i + 1) & mask;
    table[i] = n + 1;
    inTable++;
  }
  function rehash(minimum: number): void {
    let size = MIN_TABLE;
    while (size < 2 * minimum) size *= 2;
    table = new Int32Array(size);
    mask = size - 1;
    inTable = 0;
    for (let n = first; n < count; n++) if (live(n)) place(n);
  }
  rehash(count - first);

  const startOf = (n: number) => (n === 0 ? 0 : ends[n - 1]!);

  /** The bytes of id `n`: a view of the tail's buffer or of the base's read window. */
  function bytesOf(n: number): Uint8Array {
    const from = startOf(n);
    if (n >= first) return bytes.subarray(from - shift, ends[n]! - shift);
    return base!.bytes(from, ends[n]!);
  }

  /** The UTF-8 bytes of `id` in the scratch buffer; their length. */
  function encode(id: string): number {
    const most = 3 * id.length;
    if (scratch.buf.length < most) scratch.buf = Buffer.alloc(most);
    return scratch.buf.write(id, 0, "utf8");
  }

  /** True when id `n` is exactly `id`. ASCII is compared unit by unit; anything else as UTF-8. */
  function equals(n: number, id: string): boolean {
    const b = bytesOf(n);
    const length = b.length;
    let i = 0;
    for (; i < id.length; i++) {
      const c = id.charCodeAt(i);
      if (c >= 0x80) break;
      // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: past the stored bytes a match is refused anyway, by the length check below
      if (i >= length || b[i] !== c) return false;
    }
    if (i === id.length) return length === id.length;
    const k = encode(id);
    if (k !== length) return false;
    for (let j = i; j < k; j++) if (b[j] !== scratch.buf[j]) return false;
    return true;
  }

  function grow(minBytes: number): void {
    if (count === ends.length) {
      const e = new Uint32Array(Math.max(MIN_TABLE, ends.length * 2));
      e.set(ends);
      ends = e;
    }
    if (count - first === hashes.length) {
      const h = new Uint32Array(Math.max(MIN_TABLE, hashes.length * 2));
      h.set(hashes);
      hashes = h;
    }
    // Stryker disable next-line EqualityOperator,ArithmeticOperator: growing one byte early, or also when a base shifts the tail, is room only
    if (used - shift + minBytes > bytes.length) {
      const b = new Uint8Array(Math.max(bytes.length * 2, used - shift + minBytes));
      b.set(bytes.subarray(0, used - shift));
      bytes = b;
      view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
  }

  return {
    get count() {
      return count;
    },
    add(id) {
      const n = count;
      grow(3 * id.length);
      let at = used - shift;
      let ascii = true;
      for (let i = 0; i < id.length; i++) {
        const c = id.charCodeAt(i);
        if (c >= 0x80) {
          ascii = false;
          break;
        }
        bytes[at++] = c;
      }
      if (!ascii) at = used - shift + view.write(id, used - shift, "utf8");
      used = at + shift;
      ends[n] = used;
      hashes[n - first] = idHash(id);
      // The rehash places ids first..n-1 (those live); then n, live or not yet marked so.
      if (2 * (inTable + 1) > table.length) rehash(inTable + 1);
      count++;
      place(n);
      return n;
    },
    find(id) {
      const h = idHash(id);
      for (let i = h & mask; table[i] !== EMPTY; i = (i + 1) & mask) {
        const n = table[i]! - 1;
        // Stryker disable next-line ConditionalExpression: the hash check is speed (equals compares the ids)
        if (hashes[n - first] === h && live(n) && equals(n, id)) return n;
      }
      if (!base) return -1;
      const seen = recent.get(id);
      if (seen !== undefined && live(seen)) return seen;
      return base.findHash(h, (n) => live(n) && equals(n, id));
    },
    idAt(n) {
      if (n >= first) return view.toString("utf8", startOf(n) - shift, ends[n]! - shift);
      const b = bytesOf(n);
      const id = Buffer.from(b.buffer, b.byteOffset, b.length).toString("utf8");
      // Stryker disable next-line EqualityOperator: the bound one entry either way
      if (recent.size >= RECENT) recent.clear();
      recent.set(id, n);
      return id;
    },
    compare(a, b) {
      // The first id's bytes are copied: reading the second may move the base's window.
      const ba = bytesOf(a);
      if (other.length < ba.length) other = new Uint8Array(ba.length);
      other.set(ba);
      const y8 = bytesOf(b);
      return compareUtf8(other, 0, ba.length, y8, 0, y8.length);
    },
    bytesAt: bytesOf,
    get baseCount() {
      return first;
    },
    hashAt(n) {
      if (n < first) throw new Error("a checkpointed id's hash is in the checkpoint's index");
      return hashes[n - first]!;
    },
    basePairs: () => (base ? base.pairs() : []),
    raw: () => {
      const tail = bytes.subarray(0, used - shift);
      const inBase = base;
      return {
        byteLength: used,
        *parts() {
          if (inBase) yield* inBase.chunks();
          yield tail;
        },
        ends: ends.subarray(0, count),
      };
    },
    rebase(next) {
      if (next.count !== count) throw new Error("an id base must hold every id of its table");
      base?.close();
      base = next;
      first = count;
      shift = used;
      bytes = new Uint8Array(16 * MIN_TABLE);
      hashes = new Uint32Array(MIN_TABLE);
      view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      rehash(0);
    },
    close() {
      base?.close();
    },
    byteSize: () =>
      bytes.byteLength +
      ends.byteLength +
      hashes.byteLength +
      table.byteLength +
      (base?.byteSize ?? 0),
  };
}
