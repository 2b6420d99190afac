import type { Command } from "commander";
import type { ClearOptions } from "../api/queue.js";
import { UsageError } from "../errors.js";
import { type CliDeps, type Context, makeContext } from "./context.js";
import { durationOption, type SetExit } from "./options.js";

export interface ClearFlags {
  processed?: boolean;
  olderThan?: string;
  yes?: boolean;
}

export async function clearAction(ctx: Context, o: ClearFlags): Promise<void> {
  const opts: ClearOptions = {
    processed: Boolean(o.processed),
    ...(o.olderThan ? { olderThan: o.olderThan } : {}),
  };
  if (!o.yes) {
    if (!ctx.deps.stdin.isTTY || !ctx.deps.stderr.isTTY) {
      throw new UsageError(
        "clear: refusing to remove sessions without a terminal to confirm on; pass --yes",
      );
    }
    const n = (await ctx.queue.clear({ ...opts, dryRun: true })).removed;
    if (n === 0) {
      ctx.io.log("info", "clear: nothing matches; nothing removed");
      return;
    }
    const { confirmOnTty } = await import("../ui/prompt.js");
    if (!(await confirmOnTty(`Remove ${n} session(s) from ${ctx.store.path}?`, ctx.io.color))) {
      ctx.io.log("info", "clear: nothing removed");
      return;
    }
  }
  const r = await ctx.queue.clear(opts);
  if (ctx.io.json) ctx.io.dataJson(r);
  ctx.io.log(
    "info",
    `clear: removed ${r.removed} session(s) (${r.archived} archived), ${r.remaining} remain`,
  );
}

/** `clear`: removes sessions (archived first), asking on a terminal. */
export function register(program: Command, deps: CliDeps, _setExit: SetExit): void {
  program
    .command("clear")
    .description("remove sessions from the queue (asks first on a terminal)")
    .option("--processed", "only scored and dead-lettered sessions")
    .option("--older-than <duration>", "only sessions older than this (e.g. 24h)", durationOption)
    .option("-y, --yes", "do not ask (required when not on a terminal)")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch clear --processed --older-than 24h --yes\n  playproof-batch clear            # asks for confirmation",
    )
    .action(async (o: ClearFlags, cmd: Command) => {
      await clearAction(makeContext(cmd, deps), o);
    });
}
