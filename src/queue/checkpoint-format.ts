import { endianness } from "node:os";
import { hashString } from "../scoring/random.js";
import type { LastBatch, Totals, Watcher } from "./events.js";
import type { Claim } from "./fold.js";
import type { Columns } from "./session-table.js";

/**
 * The checkpoint file's layout (issue 10): a cache of the folded queue, so readers fold only
 * the journal's tail. One magic line, one JSON header line, then binary sections: the session
 * columns as they sit in memory (little-endian typed arrays), the ids as one UTF-8 blob with
 * end offsets, and every live session's (id hash, slot) sorted by hash, so one id is found by
 * a binary search without loading the rest. Claims and last errors are sparse: JSON sections.
 */
export const MAGIC = "playproof-checkpoint 2\n";

export const COLUMN_NAMES = [
  "status",
  "attempts",
  "enqueuedAt",
  "notBefore",
  "doneAt",
  "ref",
  "resultRef",
] as const satisfies readonly (keyof Columns)[];

export type SectionName =
  | (typeof COLUMN_NAMES)[number]
  | "idBytes"
  | "idEnds"
  | "byHash"
  | "claims"
  | "errSlots"
  | "errEnds"
  | "errBytes"
  | "fpSlots"
  | "fpBytes";

/** Which journal this checkpoint folds, and how far: checked before it is trusted. */
export interface JournalMark {
  ino: number;
  /** Bytes of the journal folded (a line boundary). */
  end: number;
  /** sha256 of the journal's first and last (up to) 4 KiB before `end`. */
  head: string;
  tail: string;
}

export interface CheckpointHeader {
  journal: JournalMark;
  /** Rows in the columns (live and emptied slots). */
  slots: number;
  /** Live sessions (rows of byHash). */
  live: number;
  lines: number;
  superseded: number;
  totals: Totals;
  lastBatch?: LastBatch;
  lastSuccess?: LastBatch;
  watchers: Watcher[];
  archive?: { file: string; size: number };
  /** Byte ranges [offset, length] after the header line. */
  sections: Record<SectionName, [number, number]>;
}

/** Sessions in flight: few, so JSON. */
export type ClaimsSection = [number, Claim][];

/** Texts by row, as one UTF-8 blob and end offsets (ids by slot; last errors by sorted slot). */
export function packTexts(texts: readonly string[]): { bytes: Buffer; ends: Uint32Array } {
  const ends = new Uint32Array(texts.length);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    at += Buffer.byteLength(texts[i]!);
    ends[i] = at;
  }
  return { bytes: Buffer.from(texts.join(""), "utf8"), ends };
}

export const MARK_BYTES = 4096;

export function assertLittleEndian(): void {
  if (endianness() !== "LE") throw new Error("checkpoints are written on little-endian machines");
}

/**
 * FNV-1a over the UTF-16 units (scoring/random.ts's hashString): cheap, and only a first filter
 * (ids are compared after). The checkpoint's id index is sorted by it: changing it changes the
 * file format.
 */
export const idHash = hashString;
