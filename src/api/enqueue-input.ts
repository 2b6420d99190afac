import { Readable } from "node:stream";

/**
 * What `enqueue` takes (issue 12): session objects (one or an array), or text as the CLI reads
 * it (NDJSON, a JSON array or one JSON document; a string, bytes, or a stream of them).
 */
export type EnqueueInput =
  | Record<string, unknown>
  | readonly unknown[]
  | string
  | Uint8Array
  | AsyncIterable<string | Uint8Array>;

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return typeof (x as { [Symbol.asyncIterator]?: unknown })?.[Symbol.asyncIterator] === "function";
}

/**
 * NaN and Infinity would become JSON null, which reads as "absent" for optional numbers: kept
 * as their names, so the schema rejects them as it rejects `"NaN"` in a file (design.md).
 */
const nonFinite = (_key: string, v: unknown) =>
  typeof v === "number" && !Number.isFinite(v) ? String(v) : v;

/** One line of JSON per object; what JSON cannot hold becomes a record the schema rejects. */
function line(value: unknown): string {
  try {
    return `${JSON.stringify(value, nonFinite) ?? "null"}\n`;
  } catch (err) {
    return `${JSON.stringify(`unserializable record: ${(err as Error).message}`)}\n`;
  }
}

/**
 * The input as the byte stream `enqueue` reads, so objects pass the reader's limits and the
 * schema exactly as a file would: object i is line i + 1 (issue 12: same validation as the CLI).
 */
export function inputStream(input: EnqueueInput): Readable {
  if (typeof input === "string" || input instanceof Uint8Array) return Readable.from([input]);
  if (isAsyncIterable(input)) return Readable.from(input);
  const items: readonly unknown[] = Array.isArray(input) ? input : [input];
  // An object alone on the first line would not start with `[`: NDJSON, one record a line.
  return Readable.from(
    (function* () {
      for (const item of items) yield line(item);
    })(),
  );
}
