import type { Context } from "../cli-context.js";
import { listQuarantine, restoreQuarantine } from "../commands/quarantine.js";
import { CliError, ExitCode } from "../errors.js";
import { renderQuarantine } from "../ui/tables.js";

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
