import { idHash } from "./checkpoint-format.js";

/**
 * Session ids by number, without a string or a Map entry per id (issue 10: a million ids as
 * strings in an array and a Map cost about 66 bytes of V8 heap each, and a heap that large
 * grows ahead of itself; here about 30 bytes, off the heap). The ids sit end to end as UTF-8 in
 * one growable buffer, each with its end offset and its idHash; an open-addressing table of id
 * numbers finds one. Numbers are given in order from 0 and never reused.
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
  hashAt(n: number): number;
  /** Views of the UTF-8 bytes of ids 0..count-1 and their end offsets (for a checkpoint). */
  raw(): { bytes: Uint8Array; ends: Uint32Array; hashes: Uint32Array };
  /** Bytes held by the buffers (issue 10: memory per session). */
  byteSize(): number;
}

/** What a table is restored from: `ends.length` ids, hashes known for the live ones. */
export interface IdRows {
  bytes: Uint8Array;
  ends: Uint32Array;
  /** idHash of each id (of each live one at least: the others are never looked up). */
  hashes: Uint32Array;
}

const EMPTY = 0;
const MIN_TABLE = 1024;

export function createIdTable(live: (n: number) => boolean = () => true, from?: IdRows): IdTable {
  let count = from?.ends.length ?? 0;
  let ends = from?.ends ?? new Uint32Array(MIN_TABLE);
  let hashes = from?.hashes ?? new Uint32Array(MIN_TABLE);
  let bytes = from?.bytes ?? new Uint8Array(16 * MIN_TABLE);
  let used = count > 0 ? ends[count - 1]! : 0;
  /** id number + 1 in each cell; EMPTY marks a free one. Load at most 1/2. */
  let table = new Int32Array(MIN_TABLE);
  let mask = table.length - 1;
  let inTable = 0;
  let view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scratch = { buf: Buffer.alloc(256) };

  function place(n: number): void {
    let i = hashes[n]! & mask;
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
    for (let n = 0; n < count; n++) if (live(n)) place(n);
  }
  rehash(count);

  const startOf = (n: number) => (n === 0 ? 0 : ends[n - 1]!);

  /** The UTF-8 bytes of `id` in the scratch buffer; their length. */
  function encode(id: string): number {
    const most = 3 * id.length;
    if (scratch.buf.length < most) scratch.buf = Buffer.alloc(most);
    return scratch.buf.write(id, 0, "utf8");
  }

  /** True when id `n` is exactly `id`. ASCII is compared unit by unit; anything else as UTF-8. */
  function equals(n: number, id: string): boolean {
    const from = startOf(n);
    const length = ends[n]! - from;
    let i = 0;
    for (; i < id.length; i++) {
      const c = id.charCodeAt(i);
      if (c >= 0x80) break;
      // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: past the stored bytes a match is refused anyway, by the length check below
      if (i >= length || bytes[from + i] !== c) return false;
    }
    if (i === id.length) return length === id.length;
    const k = encode(id);
    if (k !== length) return false;
    for (let j = i; j < k; j++) if (bytes[from + j] !== scratch.buf[j]) return false;
    return true;
  }

  function grow(minBytes: number): void {
    if (count === ends.length) {
      const e = new Uint32Array(Math.max(MIN_TABLE, ends.length * 2));
      e.set(ends);
      ends = e;
      const h = new Uint32Array(e.length);
      h.set(hashes);
      hashes = h;
    }
    if (used + minBytes > bytes.length) {
      const b = new Uint8Array(Math.max(bytes.length * 2, used + minBytes));
      b.set(bytes.subarray(0, used));
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
      let at = used;
      let ascii = true;
      for (let i = 0; i < id.length; i++) {
        const c = id.charCodeAt(i);
        if (c >= 0x80) {
          ascii = false;
          break;
        }
        bytes[at++] = c;
      }
      if (!ascii) at = used + view.write(id, used, "utf8");
      used = at;
      ends[n] = used;
      hashes[n] = idHash(id);
      // The rehash places ids 0..n-1 (those live); then n, live or not yet marked so.
      if (2 * (inTable + 1) > table.length) rehash(inTable + 1);
      count++;
      place(n);
      return n;
    },
    find(id) {
      const h = idHash(id);
      for (let i = h & mask; table[i] !== EMPTY; i = (i + 1) & mask) {
        const n = table[i]! - 1;
        if (hashes[n] === h && live(n) && equals(n, id)) return n;
      }
      return -1;
    },
    idAt: (n) => view.toString("utf8", startOf(n), ends[n]!),
    compare(a, b) {
      const fa = startOf(a);
      const fb = startOf(b);
      const la = ends[a]! - fa;
      const lb = ends[b]! - fb;
      const common = Math.min(la, lb);
      for (let i = 0; i < common; i++) {
        const x = bytes[fa + i]!;
        const y = bytes[fb + i]!;
        if (x === y) continue;
        // Below 0x80 both encodings agree; two multi-byte characters may not (UTF-8 sorts by
        // code point, JavaScript by UTF-16 unit): compare those as strings.
        if (x < 0x80 || y < 0x80) return x - y;
        const sa = view.toString("utf8", fa, ends[a]!);
        const sb = view.toString("utf8", fb, ends[b]!);
        return sa < sb ? -1 : sa > sb ? 1 : 0;
      }
      return la - lb;
    },
    hashAt: (n) => hashes[n]!,
    raw: () => ({
      bytes: bytes.subarray(0, used),
      ends: ends.subarray(0, count),
      hashes: hashes.subarray(0, count),
    }),
    byteSize: () => bytes.byteLength + ends.byteLength + hashes.byteLength + table.byteLength,
  };
}
