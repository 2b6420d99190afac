import type { Command } from "commander";
import { CliError, ExitCode, UsageError } from "../errors.js";
import { type ListedResult, resultRow } from "../ops/results.js";
import { renderResult, renderResultRows } from "../ui/tables.js";
import { type CliDeps, type Context, makeContext } from "./context.js";
import type { SetExit } from "./options.js";
import { drained, readIds } from "./results.js";

/** `result ID...` or `result -`: one session as before, many as JSON lines or rows. */
export async function resultAction(ctx: Context, args: string[]): Promise<void> {
  const ids = args.length === 1 && args[0] === "-" ? await readIds("-", ctx.deps.stdin) : args;
  if (ids.length === 0) throw new UsageError("result: name a session id, or - for ids on stdin");
  const found = await ctx.queue.resultsById(ids);
  const unknown = ids.filter((id) => found.get(id) === undefined);
  if (args.length === 1 && args[0] !== "-") {
    const r = found.get(ids[0]!);
    if (ctx.io.json) ctx.io.dataJson(r ?? { sessionId: ids[0], error: "unknown session" });
    else if (r) ctx.io.data(renderResult(r));
  } else {
    const rows: ListedResult[] = [];
    for (const id of ids) {
      const r = found.get(id);
      if (ctx.io.json) ctx.io.dataJson(r ?? { sessionId: id, error: "unknown session" });
      else if (r) rows.push(r);
      await drained(ctx);
    }
    if (!ctx.io.json && rows.length > 0) ctx.io.data(renderResultRows(rows.map(resultRow)));
  }
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 3).join(", ") + (unknown.length > 3 ? ", ..." : "");
    const count = ids.length > 1 ? `${unknown.length} of ${ids.length}; ` : "";
    throw new CliError(
      `unknown session${unknown.length > 1 ? "s" : ""}: ${shown} (${count}not in ${ctx.store.path} nor its archive)`,
      ExitCode.unknownSession,
    );
  }
}

/** `result ID...`: one or many sessions' results, from the queue or its archive. */
export function register(program: Command, deps: CliDeps, _setExit: SetExit): void {
  program
    .command("result")
    .argument("<sessionIds...>", "one or more session ids, or - to read ids from stdin")
    .description(
      "sessions' current results: final, or provisional while queued; the archive too (exit 3 if unknown)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch result s_123\n  playproof-batch result s_123 --json | jq .result.decision\n  cut -f1 ids.txt | playproof-batch result - --json > results.ndjson\n\nOne id prints one result (a JSON object with --json); several print a row each (JSON lines\nwith --json, an error object for an unknown id). Exit 3 when any id is unknown.",
    )
    .action(async (ids: string[], _o, cmd: Command) => {
      await resultAction(makeContext(cmd, deps), ids);
    });
}
