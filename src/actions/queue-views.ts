import type { Context } from "../cli-context.js";
import { clear, previewClear } from "../commands/clear.js";
import { stats } from "../commands/stats.js";
import { parseDuration } from "../durations.js";
import { UsageError } from "../errors.js";
import { renderStats } from "../ui/tables.js";

export async function statsAction(ctx: Context): Promise<void> {
  const s = await stats(ctx.store, ctx.now);
  if (ctx.io.json) ctx.io.dataJson(s);
  else ctx.io.data(renderStats(s, ctx.now()));
}

export interface ClearFlags {
  processed?: boolean;
  olderThan?: string;
  yes?: boolean;
}

export async function clearAction(ctx: Context, o: ClearFlags): Promise<void> {
  const opts = {
    store: ctx.store,
    now: ctx.now,
    retentionMs: ctx.settings.retentionMs,
    processedOnly: Boolean(o.processed),
    ...(o.olderThan ? { olderThanMs: parseDuration(o.olderThan)! } : {}),
  };
  if (!o.yes) {
    if (!ctx.deps.stdin.isTTY || !ctx.deps.stderr.isTTY) {
      throw new UsageError(
        "clear: refusing to remove sessions without a terminal to confirm on; pass --yes",
      );
    }
    const n = await previewClear(opts);
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
  const r = await clear(opts);
  if (ctx.io.json) ctx.io.dataJson(r);
  ctx.io.log(
    "info",
    `clear: removed ${r.removed} session(s) (${r.archived} archived), ${r.remaining} remain`,
  );
}
