import type { Command } from "commander";
import { CliError, ExitCode } from "../errors.js";
import { listQuarantine, restoreQuarantine } from "../ops/quarantine.js";
import { renderQuarantine } from "../ui/tables.js";
import type { Context } from "./context.js";
import { type CliDeps, makeContext } from "./context.js";
import type { SetExit } from "./options.js";

export async function quarantineListAction(ctx: Context): Promise<void> {
  const listing = await listQuarantine(ctx.store);
  if (ctx.io.json) ctx.io.dataJson(listing);
  else if (listing.items.length === 0)
    ctx.io.log("info", `nothing quarantined for ${listing.queue}`);
  else ctx.io.data(renderQuarantine(listing));
}

export interface RestoreFlags {
  all?: boolean;
}

export async function quarantineRestoreAction(
  ctx: Context,
  ids: string[],
  o: RestoreFlags,
): Promise<void> {
  if (ids.length === 0 && !o.all)
    throw new CliError("quarantine restore: name session ids, or pass --all", ExitCode.usage);
  const r = await restoreQuarantine({
    store: ctx.store,
    now: ctx.now,
    ...(ids.length > 0 ? { ids } : {}),
  });
  if (ctx.io.json) ctx.io.dataJson(r);
  for (const s of r.skipped) ctx.io.log("warn", `not restored: ${s.sessionId}: ${s.why}`);
  ctx.io.log("info", `quarantine: restored ${r.restored.length} session(s) to ${ctx.store.path}`);
  // Already in the queue is what a restore wants: running it twice is not a failure.
  const failed = r.skipped.filter((s) => s.why !== "in queue");
  if (ids.length > 0 && failed.length > 0) {
    throw new CliError(
      `quarantine restore: ${failed.length} of ${ids.length} session(s) not restored`,
      ExitCode.inputRejected,
    );
  }
}

/** `quarantine list|restore`: the lines readers could not use, and the sessions they hold. */
export function register(program: Command, deps: CliDeps, _setExit: SetExit): void {
  const quarantine = program
    .command("quarantine")
    .description("see and restore journal lines that could not be read (corrupt or torn)");
  quarantine
    .command("list")
    .description("every quarantined line: why, where from, and whether its session can come back")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch quarantine list\n  playproof-batch quarantine list --json",
    )
    .action(async (_o, cmd: Command) => {
      await quarantineListAction(makeContext(cmd, deps));
    });
  quarantine
    .command("restore")
    .argument("[sessionIds...]", "sessions to put back in the queue")
    .option("--all", "every restorable session")
    .description("enqueue again the sessions whole quarantined lines still hold (idempotent)")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch quarantine restore s_123\n  playproof-batch quarantine restore --all\n\nExit 65 when a named session could not be restored.",
    )
    .action(async (ids: string[], o: RestoreFlags, cmd: Command) => {
      await quarantineRestoreAction(makeContext(cmd, deps), ids, o);
    });
}
