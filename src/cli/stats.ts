import type { Command } from "commander";
import { JSON_SCHEMA_VERSION } from "../ui/io.js";
import { renderStats } from "../ui/tables.js";
import { type CliDeps, type Context, makeContext } from "./context.js";
import type { SetExit } from "./options.js";

export async function statsAction(ctx: Context): Promise<void> {
  const s = await ctx.queue.stats();
  // Issue 11: with -v, what the operator should know about where the queue lives (durability).
  if (ctx.io.verbose) for (const w of await ctx.store.warnings()) ctx.io.log("warn", w);
  // Issue 9, item 11: every key present (null when unknown), and the document's version.
  if (ctx.io.json)
    ctx.io.dataJson({
      schemaVersion: JSON_SCHEMA_VERSION,
      ...s,
      oldestDueAgeMs: s.oldestDueAgeMs ?? null,
      lastBatch: s.lastBatch ?? null,
      lastSuccess: s.lastSuccess ?? null,
    });
  else ctx.io.data(renderStats(s, ctx.now()));
}

/** `stats`: counts by state, last batch, watchers (a table, or JSON). */
export function register(program: Command, deps: CliDeps, _setExit: SetExit): void {
  program
    .command("stats")
    .description("counts by state, oldest due age, last batch, retries and dead letters, file size")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch stats\n  playproof-batch stats --json | jq .due",
    )
    .action(async (_o, cmd: Command) => {
      await statsAction(makeContext(cmd, deps));
    });
}
