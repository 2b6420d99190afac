import { Buffer } from "node:buffer";
import { pipeline, Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { LIMITS } from "./schema.js";

/** One top-level value of the input; `line` is the 1-based line where it starts. */
export type RawRecord = { line: number; value: unknown } | { line: number; error: string };

/** A record's text before JSON.parse, for callers that parse elsewhere (enqueue's workers). */
export type RawText = { line: number; text: string } | { line: number; error: string };

export type ReadRecordsOptions = { maxRecordBytes?: number };

const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** `line 17 (s_123): movements[3].timestamp: expected a number` (design.md, "Input"). */
export function formatRejection(line: number, error: string, sessionId?: string): string {
  return sessionId === undefined
    ? `line ${line}: ${error}`
    : `line ${line} (${sessionId}): ${error}`;
}

export function formatBytes(n: number): string {
  const MiB = 1024 * 1024;
  if (n % MiB === 0) return `${n / MiB} MiB`;
  return n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`;
}

// V8 messages quote a short snippet of the input; keep the line bounded and free of control
// characters whatever the record holds.
function jsonError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const clean = message.replace(/[\u0000-\u001f\u007f]/g, " ");
  return `invalid JSON (${clean.length > 120 ? `${clean.slice(0, 117)}...` : clean})`;
}

/** JSON.parse with the reader's error wording. */
export function parseRecordText(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return { error: jsonError(err) };
  }
}

const isSpace = (b: number | undefined) => b === SPACE || b === NL || b === CR || b === TAB;

type Mode = "top" | "line" | "array" | "element" | "object";

/*
 * A push parser over bytes. Working on bytes, not decoded text, makes the size cap exact and
 * multi-byte UTF-8 split across chunks harmless: every byte the scanner looks at is ASCII, and
 * bytes of a multi-byte character are never ASCII, so a record is only decoded once whole.
 *
 * Format rule (decided per input, documented in README):
 * - the first non-blank character is `[`: a JSON array, each element one record (its line is
 *   the element's first line); what follows the closing `]` is read as below;
 * - otherwise one record per line (NDJSON), except that a line holding only `{` opens a
 *   pretty-printed object that runs to its matching `}` (JSON.stringify(x, null, 2), jq).
 *   Any other line is one record on its own, so a malformed line costs only itself; a `{` line
 *   whose next token is not a key (say a stray `{` before NDJSON) is rejected alone too.
 */
function createParser(maxBytes: number, parse: boolean) {
  let out: (RawRecord | RawText)[] = [];
  let mode: Mode = "top";
  let line = 1;
  let recordLine = 1;
  let arrayLine = 1;
  let seenContent = false;
  let pieces: Buffer[] = [];
  let size = 0;
  let oversize = false;
  // Scanner state for "element" and "object".
  let depth = 0;
  let inString = false;
  let escaped = false;
  let expectKey = false;
  // "array" state between elements, to report `[,1]`, `[1,,2]` and `[1,]`.
  let afterOpen = false;
  let afterComma = false;

  function begin(at: number): void {
    recordLine = at;
    pieces = [];
    size = 0;
    oversize = false;
  }

  // Keeps the record's bytes until it ends; past the cap, keeps nothing and reports the record
  // at once (issue 8: a line that never ends printed nothing until it ended), then its bytes are
  // skipped to its end.
  function keep(chunk: Buffer, start: number, end: number): void {
    if (oversize || end <= start) return;
    size += end - start;
    if (size > maxBytes) {
      oversize = true;
      pieces = [];
      out.push({ line: recordLine, error: `record is larger than ${formatBytes(maxBytes)}` });
    } else pieces.push(chunk.subarray(start, end));
  }

  function text(): string {
    return pieces.length === 1
      ? pieces[0]!.toString("utf8")
      : Buffer.concat(pieces, size).toString("utf8");
  }

  function finish(): void {
    if (!oversize) {
      const raw = text();
      // JSON.parse would accept the CR of a CRLF line, but V8 quotes it in its error messages.
      const json = mode === "line" && raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      out.push(
        parse ? { line: recordLine, ...parseRecordText(json) } : { line: recordLine, text: json },
      );
    }
    pieces = [];
  }

  function opensObject(): boolean {
    return !oversize && size <= 8 && text().trim() === "{";
  }

  // Scans an array element or a pretty object from `i`; returns where it stopped.
  function scan(chunk: Buffer, i: number): number {
    const start = i;
    const n = chunk.length;
    for (; i < n; i++) {
      const b = chunk[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
        else if (b === NL) line++;
        continue;
      }
      if (expectKey) {
        if (b === QUOTE || b === CLOSE_BRACE) expectKey = false;
        else if (!isSpace(b)) {
          // Not a pretty object after all: reject its `{` line alone and read on from here.
          out.push({
            line: recordLine,
            error: `invalid JSON (expected a property name on line ${line})`,
          });
          pieces = [];
          expectKey = false;
          mode = "top";
          return i;
        }
      }
      if (b === QUOTE) inString = true;
      else if (b === NL) line++;
      else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
      else if (b === CLOSE_BRACKET && depth === 0 && mode === "element") break;
      else if (b === COMMA && depth === 0 && mode === "element") break;
      else if (b === COMMA && depth === 1 && mode === "object") expectKey = true;
      else if ((b === CLOSE_BRACE || b === CLOSE_BRACKET) && depth > 0) {
        depth--;
        if (depth === 0 && mode === "object") {
          keep(chunk, start, i + 1);
          finish();
          mode = "top";
          return i + 1;
        }
      }
    }
    keep(chunk, start, i);
    if (i < n) {
      finish();
      mode = "array";
    }
    return i;
  }

  function top(chunk: Buffer, i: number): number {
    const b = chunk[i]!;
    if (b === NL) line++;
    if (isSpace(b)) return i + 1;
    begin(line);
    if (b === OPEN_BRACKET && !seenContent) {
      arrayLine = line;
      afterOpen = true;
      afterComma = false;
      mode = "array";
      i++;
    } else mode = "line";
    seenContent = true;
    return i;
  }

  function inLine(chunk: Buffer, i: number): number {
    const nl = chunk.indexOf(NL, i);
    keep(chunk, i, nl === -1 ? chunk.length : nl);
    if (nl === -1) return chunk.length;
    line++;
    if (opensObject()) {
      mode = "object";
      depth = 1;
      inString = false;
      escaped = false;
      expectKey = true;
    } else {
      finish();
      mode = "top";
    }
    return nl + 1;
  }

  function inArray(chunk: Buffer, i: number): number {
    const b = chunk[i]!;
    if (b === NL) line++;
    if (isSpace(b)) return i + 1;
    if (b === COMMA || b === CLOSE_BRACKET) {
      if (afterComma || (afterOpen && b === COMMA)) {
        out.push({ line, error: "invalid JSON (empty array element)" });
      }
      afterOpen = false;
      afterComma = b === COMMA;
      if (b === CLOSE_BRACKET) mode = "top";
      return i + 1;
    }
    begin(line);
    afterOpen = false;
    afterComma = false;
    mode = "element";
    depth = 0;
    inString = false;
    escaped = false;
    return i;
  }

  return {
    push(chunk: Buffer): (RawRecord | RawText)[] {
      out = [];
      let i = 0;
      while (i < chunk.length) {
        if (mode === "top") i = top(chunk, i);
        else if (mode === "line") i = inLine(chunk, i);
        else if (mode === "array") i = inArray(chunk, i);
        else i = scan(chunk, i);
      }
      return out;
    },
    end(): (RawRecord | RawText)[] {
      out = [];
      // A complete element of an unclosed array is still a record; a cut one fails JSON.parse.
      if (mode === "line" || mode === "element" || mode === "object") finish();
      if (mode === "array" || mode === "element") {
        out.push({ line: arrayLine, error: 'invalid JSON (the array is never closed with "]")' });
      }
      return out;
    },
  };
}

function toBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  return Buffer.isBuffer(chunk)
    ? chunk
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Strips a UTF-8 byte order mark, even one split across the first chunks. */
async function* withoutBom(input: AsyncIterable<Uint8Array | string>): AsyncGenerator<Buffer> {
  let head: Buffer | undefined = Buffer.alloc(0);
  for await (const raw of input) {
    const chunk = toBuffer(raw);
    if (head === undefined) {
      yield chunk;
      continue;
    }
    head = Buffer.concat([head, chunk]);
    if (head.length < BOM.length && BOM.subarray(0, head.length).equals(head)) continue;
    yield head.subarray(0, BOM.length).equals(BOM) ? head.subarray(BOM.length) : head;
    head = undefined;
  }
  if (head !== undefined && head.length > 0) yield head;
}

/**
 * Decompresses gzip input, told by its magic bytes (1f 8b), not by a file name, so a `.gz` file
 * and a gzip pipe on stdin both work (issue 8: a gzip file gave 9 "invalid JSON" errors). Neither
 * byte can start JSON text or a BOM, so plain input is never taken for gzip. Streams: memory stays
 * constant whatever the input expands to (the record cap still applies after it).
 */
async function* gunzipIfCompressed(
  input: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<Buffer> {
  const source = input[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  while (head.length < GZIP_MAGIC.length) {
    const next = await source.next();
    if (next.done) break;
    head = Buffer.concat([head, toBuffer(next.value)]);
  }
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    for (let next = await source.next(); !next.done; next = await source.next()) {
      yield toBuffer(next.value);
    }
  }
  if (!head.subarray(0, GZIP_MAGIC.length).equals(GZIP_MAGIC)) {
    yield* rest();
    return;
  }
  const gunzip = createGunzip();
  pipeline(Readable.from(rest()), gunzip, () => {});
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (err) {
    const zlib = String((err as { code?: unknown }).code ?? "").startsWith("Z_");
    if (!zlib) throw err;
    throw new Error(`gzip input: ${(err as Error).message}`, { cause: err });
  } finally {
    gunzip.destroy();
  }
}

/**
 * Streams the records of NDJSON, a JSON array or pretty-printed objects, plain or gzip, in
 * constant memory: at most one record (capped at maxRecordBytes) is held. Errors carry no "line N:" prefix; the
 * caller adds it with formatRejection.
 */
export function readRecords(
  input: AsyncIterable<Uint8Array | string>,
  opts: ReadRecordsOptions = {},
): AsyncGenerator<RawRecord> {
  return read(input, opts, true) as AsyncGenerator<RawRecord>;
}

/** The same records as readRecords, left as text for the caller to JSON.parse. */
export function readRecordTexts(
  input: AsyncIterable<Uint8Array | string>,
  opts: ReadRecordsOptions = {},
): AsyncGenerator<RawText> {
  return read(input, opts, false) as AsyncGenerator<RawText>;
}

/**
 * readRecordTexts a chunk of input at a time: the records each chunk completes, in order, as one
 * array (issue 10: enqueue's main thread resumed two async generators per record).
 */
export function readRecordTextBatches(
  input: AsyncIterable<Uint8Array | string>,
  opts: ReadRecordsOptions = {},
): AsyncGenerator<RawText[]> {
  return batches(input, opts, false) as AsyncGenerator<RawText[]>;
}

async function* read(
  input: AsyncIterable<Uint8Array | string>,
  opts: ReadRecordsOptions,
  parse: boolean,
): AsyncGenerator<RawRecord | RawText> {
  for await (const batch of batches(input, opts, parse)) yield* batch;
}

async function* batches(
  input: AsyncIterable<Uint8Array | string>,
  opts: ReadRecordsOptions,
  parse: boolean,
): AsyncGenerator<(RawRecord | RawText)[]> {
  const parser = createParser(opts.maxRecordBytes ?? LIMITS.maxRecordBytes, parse);
  for await (const chunk of withoutBom(gunzipIfCompressed(input))) {
    const records = parser.push(chunk);
    if (records.length > 0) yield records;
  }
  const last = parser.end();
  if (last.length > 0) yield last;
}
