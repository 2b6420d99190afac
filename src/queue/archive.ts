import { createReadStream } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { createInterface } from "node:readline";
import type { ScoreResult } from "../scoring/result.js";
import type { SessionMeta, SessionStatus } from "./events.js";
import { syncDir, truncateDurably } from "./journal-file.js";

/**
 * Results leaving the queue (retention, `clear`) are appended here first (design.md, "Results
 * beyond the queue"): JSON lines, fsynced, one file per month, beside the queue by default.
 */
export interface ArchiveRecord {
  sessionId: string;
  status: SessionStatus;
  enqueuedAt: number;
  doneAt?: number;
  attempts: number;
  lastError?: string;
  meta: SessionMeta;
  provisional: ScoreResult;
  result?: ScoreResult;
  archivedAt: number;
}

/** Where a queue archives: a directory (default: the queue's own), or nowhere. */
export type ArchiveSetting = { dir?: string } | "off";

/** The archive's end as the journal last knew it: anything past it is an unfinished write. */
export interface ArchivePointer {
  file: string;
  size: number;
}

function prefix(queueFile: string): string {
  return `${basename(queueFile)}.archive-`;
}

function dirOf(queueFile: string, setting: ArchiveSetting): string | undefined {
  if (setting === "off") return undefined;
  return setting.dir ?? dirname(queueFile);
}

/** This month's archive file, e.g. `queue.jsonl.archive-2026-11.jsonl`; none when off. */
export function archiveFileFor(queueFile: string, setting: ArchiveSetting, now: number) {
  const dir = dirOf(queueFile, setting);
  if (dir === undefined) return undefined;
  const month = new Date(now).toISOString().slice(0, 7);
  return join(dir, `${prefix(queueFile)}${month}.jsonl`);
}

/** Every archive file of the queue, oldest month first. */
export async function archiveFiles(queueFile: string, setting: ArchiveSetting): Promise<string[]> {
  const dir = dirOf(queueFile, setting);
  if (dir === undefined) return [];
  const names = await readdir(dir).catch(() => [] as string[]);
  const p = prefix(queueFile);
  return names
    .filter((n) => n.startsWith(p) && /^\d{4}-\d{2}\.jsonl$/.test(n.slice(p.length)))
    .sort()
    .map((n) => join(dir, n));
}

export async function fileSize(file: string): Promise<number> {
  return stat(file).then(
    (s) => s.size,
    () => 0,
  );
}

/**
 * A compaction that died after appending to the archive but before replacing the journal left
 * records of sessions that are still queued: cut them off, they are archived again now.
 */
export async function repairArchive(pointer: ArchivePointer | undefined): Promise<void> {
  if (!pointer) return;
  if ((await fileSize(pointer.file)) > pointer.size)
    await truncateDurably(pointer.file, pointer.size);
}

/** Appends whole lines and fsyncs; returns the file's new size. */
export async function appendArchive(file: string, records: ArchiveRecord[]): Promise<number> {
  const created = (await fileSize(file)) === 0;
  const fh = await open(file, "a", 0o600);
  try {
    await fh.writeFile(records.map((r) => `${JSON.stringify(r)}\n`).join(""), "utf8");
    await fh.sync();
    const { size } = await fh.stat();
    if (created) await syncDir(file);
    return size;
  } finally {
    await fh.close();
  }
}

/** Streams the archive's records, oldest first, in constant memory. */
export async function* readArchive(files: string[]): AsyncGenerator<ArchiveRecord> {
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === "") continue;
      try {
        yield JSON.parse(line) as ArchiveRecord;
      } catch {
        // A torn last line (the writer died mid-append) is cut off by the next compaction.
      }
    }
  }
}
