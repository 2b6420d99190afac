import { type FileHandle, open } from "node:fs/promises";
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
  const buf = Buffer.allocUnsafe(CHUNK);
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

/** Reads the one line that starts at `offset`. */
export async function readLineAt(fh: FileHandle, offset: number): Promise<string> {
  const parts: Buffer[] = [];
  let pos = offset;
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break;
    const nl = buf.subarray(0, bytesRead).indexOf(NEWLINE);
    if (nl >= 0) {
      parts.push(Buffer.from(buf.subarray(0, nl)));
      break;
    }
    parts.push(Buffer.from(buf.subarray(0, bytesRead)));
    pos += bytesRead;
  }
  return Buffer.concat(parts).toString("utf8");
}

/**
 * Appends whole lines and fsyncs them. If the write fails part-way (a full disk), the file is
 * cut back to `sizeBefore` so no partial line is left behind, and the error is rethrown.
 */
export async function appendDurably(path: string, text: string, sizeBefore: number) {
  const fh = await open(path, "a", 0o600);
  try {
    await fh.writeFile(text, "utf8");
    await fh.sync();
  } catch (err) {
    await fh.truncate(sizeBefore).catch(() => undefined);
    throw err;
  } finally {
    await fh.close();
  }
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
