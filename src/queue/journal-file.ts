import { type FileHandle, open, stat } from "node:fs/promises";
import { dirname } from "node:path";

export const NEWLINE = 0x0a;
const CHUNK = 1 << 20;

/** One complete line of the journal (without its newline) and where it starts. */
export interface JournalLine {
  text: string;
  offset: number;
}

/**
 * Reads complete lines from `start` to the end of the file. Returns the offset just past the
 * last newline: bytes after it are an unterminated (torn) tail that readers ignore.
 */
export async function scanLines(
  fh: FileHandle,
  start: number,
  onLine: (line: JournalLine) => void,
): Promise<{ end: number; size: number }> {
  const { size } = await fh.stat();
  let pos = start;
  let pending: Buffer | undefined;
  let pendingStart = start;
  // Sized to what is there (issue 10: a megabyte per call, most often to read a few lines or
  // none, kept V8 collecting its whole heap every few batches).
  const buf = Buffer.allocUnsafe(Math.max(0, Math.min(CHUNK, size - start)));
  while (pos < size) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, size - pos), pos);
    if (bytesRead === 0) break;
    let chunk = buf.subarray(0, bytesRead);
    let chunkStart = pos;
    if (pending) {
      chunk = Buffer.concat([pending, chunk]);
      chunkStart = pendingStart;
    }
    let lineStart = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, lineStart)) {
      onLine({ text: chunk.toString("utf8", lineStart, nl), offset: chunkStart + lineStart });
      lineStart = nl + 1;
    }
    pending = lineStart < chunk.length ? Buffer.from(chunk.subarray(lineStart)) : undefined;
    pendingStart = chunkStart + lineStart;
    pos += bytesRead;
  }
  return { end: pending ? pendingStart : pos, size };
}

/**
 * A line's first read: under half of Buffer.poolSize, so it is a slice of Node's shared pool
 * and not an ArrayBuffer of its own (issue 10: a fresh 64 KiB buffer per payload read made V8
 * collect its whole heap every few batches once the fold had left that heap).
 */
const FIRST_READ = 4_000;

/** Reads the one line that starts at `offset`. */
export async function readLineAt(fh: FileHandle, offset: number): Promise<string> {
  let buf = Buffer.allocUnsafe(FIRST_READ);
  let have = 0;
  for (;;) {
    const { bytesRead } = await fh.read(buf, have, buf.length - have, offset + have);
    if (bytesRead === 0) return buf.toString("utf8", 0, have);
    const nl = buf.subarray(0, have + bytesRead).indexOf(NEWLINE, have);
    if (nl >= 0) return buf.toString("utf8", 0, nl);
    have += bytesRead;
    if (have === buf.length) {
      const grown = Buffer.allocUnsafe(4 * buf.length);
      buf.copy(grown, 0, 0, have);
      buf = grown;
    }
  }
}

/**
 * Appends whole lines and fsyncs them; returns the file's size after them. If the write fails
 * part-way (a full disk), the file is cut back to `sizeBefore` so no partial line is left behind,
 * and the error is rethrown. If `path` names another file once the lines are on disk, they went
 * into a journal a compaction replaced (this writer lost the lock to a stale takeover while it
 * was starved): that is an error too (JournalReplacedError), and the old file is left as it is,
 * for the compaction to carry the lines over (compact.ts) or not.
 */
export async function appendDurably(path: string, text: string | Uint8Array, sizeBefore: number) {
  const fh = await open(path, "a", 0o600);
  try {
    try {
      await fh.writeFile(text, "utf8");
      await fh.sync();
    } catch (err) {
      await fh.truncate(sizeBefore).catch(() => undefined);
      throw err;
    }
    const written = await fh.stat();
    await assertStillNamed(path, written);
    return written.size;
  } finally {
    await fh.close();
  }
}

/** Lines were appended to a journal that `path` no longer names. */
export class JournalReplacedError extends Error {
  override name = "JournalReplacedError";
}

/**
 * Throws JournalReplacedError unless `path` still names the file `written` describes (issue 10
 * fencing: the check a writer makes after its fsync, when a stale takeover may have replaced it).
 */
export async function assertStillNamed(
  path: string,
  written: { ino: number; dev: number },
): Promise<void> {
  const named = await stat(path).catch(() => undefined);
  if (named?.ino === written.ino && named.dev === written.dev) return;
  throw new JournalReplacedError(
    `${path} was replaced while this process appended to it (it had lost the queue lock to another process while it was starved); what it appended may not be in the queue`,
  );
}

/** Cuts the file to `size` (dropping a torn tail) and fsyncs. */
export async function truncateDurably(path: string, size: number) {
  const fh = await open(path, "r+");
  try {
    await fh.truncate(size);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsync a directory so a create or rename inside it survives a power cut. */
export async function syncDir(path: string) {
  const fh = await open(dirname(path), "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
