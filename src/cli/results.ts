import { once } from "node:events";
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { type Command, Option } from "commander";
import type { ResultsQuery } from "../api/queue.js";
import { lazyModule } from "../lazy-module.js";
import { type ListedResult, RESULT_COLUMNS, type ResultRow, resultRow } from "../ops/results.js";
import { renderResultRows } from "../ui/tables.js";
import type { Context } from "./context.js";
import { type CliDeps, makeContext } from "./context.js";
import type { SetExit } from "./options.js";

/** Session ids, one per line, from a file or `-` (stdin); blank lines skipped. */
export async function readIds(source: string, stdin: Readable): Promise<string[]> {
  const input = source === "-" ? stdin : createReadStream(source);
  const ids: string[] = [];
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    const id = line.trim();
    if (id) ids.push(id);
  }
  return ids;
}

/** Waits while stdout's buffer is full, so a large export streams in constant memory. */
export async function drained(ctx: Context): Promise<void> {
  const out = ctx.deps.stdout;
  if (!out.writableNeedDrain || ctx.io.closed.aborted) return;
  const gone = once(ctx.io.closed, "abort");
  await Promise.race([once(out, "drain"), gone]);
}

export interface ResultsFlags {
  state?: string[];
  decision?: string[];
  source?: string[];
  since?: string;
  until?: string;
  ids?: string;
  format?: "table" | "ndjson" | "csv";
  archive?: boolean;
}

/** The flags as the library's query (its messages name the flags: `--since`). */
export async function resultsQuery(ctx: Context, o: ResultsFlags): Promise<ResultsQuery> {
  return {
    ...(o.state ? { state: o.state } : {}),
    ...(o.decision ? { decision: o.decision } : {}),
    ...(o.source ? { source: o.source } : {}),
    ...(o.since ? { since: o.since } : {}),
    ...(o.until ? { until: o.until } : {}),
    ...(o.ids ? { ids: await readIds(o.ids, ctx.deps.stdin) } : {}),
    archive: o.archive !== false,
  };
}

/** Loaded by the first CSV written: `result` and `results --json` write none. */
const csvStringify = lazyModule<typeof import("csv-stringify/sync")>("csv-stringify/sync");

/** RFC 4180 lines (csv-stringify), header first; booleans as true/false, not "" for false. */
export function csvLines(rows: ResultRow[], header: boolean): string {
  const columns = [...RESULT_COLUMNS];
  if (rows.length === 0) return header ? columns.join(",") : "";
  const cast = { boolean: (v: boolean) => String(v) };
  return csvStringify().stringify(rows, { header, columns, cast }).trimEnd();
}

/** `results`: lists or exports many results, streaming (issue 9). */
export async function resultsAction(ctx: Context, o: ResultsFlags): Promise<void> {
  const format = o.format ?? (ctx.io.json ? "ndjson" : "table");
  const query = await resultsQuery(ctx, o);
  let n = 0;
  let batch: ListedResult[] = [];
  const flush = async () => {
    if (batch.length === 0 && !(format === "csv" && n === 0)) return;
    const rows = batch.map(resultRow);
    if (format === "csv") ctx.io.data(csvLines(rows, n === batch.length));
    else if (format === "table") ctx.io.data(renderResultRows(rows, n === batch.length));
    batch = [];
    await drained(ctx);
  };
  for await (const r of ctx.queue.results(query)) {
    if (ctx.io.closed.aborted) break;
    n++;
    if (format === "ndjson") {
      ctx.io.dataJson(r);
      if (n % 500 === 0) await drained(ctx);
      continue;
    }
    batch.push(r);
    if (batch.length >= 500) await flush();
  }
  if (format !== "ndjson") await flush();
  ctx.io.log("info", `results: ${n} session(s)`);
}

/** `results`: lists or exports many results, streaming. */
export function register(program: Command, deps: CliDeps, _setExit: SetExit): void {
  program
    .command("results")
    .description("list or export many results, from the queue and its archive (streaming)")
    .option(
      "--state <states...>",
      "scored, dead, due, in-flight, waiting (backoff), removed (cleared before scoring)",
    )
    .option("--decision <decisions...>", "pass, review, fail")
    .option("--source <sources...>", "heuristic, local, woodwide, fallback")
    .option("--since <time>", "results at or after: an ISO date, or a duration ago (24h)")
    .option("--until <time>", "results before: an ISO date, or a duration ago")
    .option("--ids <file>", "only these session ids, one per line (- for stdin)")
    .addOption(
      new Option(
        "--format <format>",
        "table, ndjson or csv (default table; ndjson with --json)",
      ).choices(["table", "ndjson", "csv"]),
    )
    .option("--no-archive", "the queue only")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch results --state dead\n  playproof-batch results --decision fail --since 24h --format csv > fails.csv\n  playproof-batch results --ids ids.txt --json\n\nThe time filters apply to when a session was scored or dead-lettered (enqueued, while unscored).",
    )
    .action(async (o: ResultsFlags, cmd: Command) => {
      await resultsAction(makeContext(cmd, deps), o);
    });
}
