// Reading the labelled dev-set files, shared by build-baseline.mjs and eval.mjs.
import { createReadStream, existsSync, readdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { pipeline } from "node:stream";
import { fileURLToPath } from "node:url";
import { createGunzip } from "node:zlib";

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_EVAL_DIR = resolve(PACKAGE_ROOT, "../shared/eval");

/** human-*.ndjson(.gz) -> "human", bot-* -> "bot"; anything else is not labelled. */
export function labelOf(file) {
  const name = basename(file);
  if (name.startsWith("human-")) return "human";
  if (name.startsWith("bot-")) return "bot";
  return undefined;
}

export function datasetName(file) {
  return basename(file).replace(/\.ndjson(\.gz)?$/, "");
}

/** Files given, or every labelled NDJSON file in the default directory, sorted by name. */
export function listFiles(args, dir = DEFAULT_EVAL_DIR) {
  if (args.length > 0) return args.map((f) => resolve(f));
  if (!existsSync(dir)) throw new Error(`no eval directory at ${dir}: pass FILES explicitly`);
  return readdirSync(dir)
    .filter((f) => /\.ndjson(\.gz)?$/.test(f) && labelOf(f))
    .sort()
    .map((f) => join(dir, f));
}

/** Yields the non-blank lines of an NDJSON file (gzip when the name ends in .gz). */
export async function* readLines(file) {
  const input = createReadStream(file);
  // pipe() does not forward errors: without this an unreadable file crashes the process.
  const stream = file.endsWith(".gz") ? pipeline(input, createGunzip(), () => {}) : input;
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line.trim()) yield line;
  }
}

/** Yields parsed JSON records one line at a time. */
export async function* readRecords(file) {
  for await (const line of readLines(file)) yield JSON.parse(line);
}
