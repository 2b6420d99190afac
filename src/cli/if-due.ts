import { decideForQueue, type ScheduleDecision } from "../batch/schedule.js";
import { UsageError } from "../errors.js";
import type { Context } from "./context.js";

/**
 * `process --if-due`: one step of the `watch` rule, for cron. The last batch time is read from
 * the queue file, so cron runs and a watch on the same queue agree (issue 5).
 */
export async function ifDueStep(ctx: Context, maxBatches?: string): Promise<ScheduleDecision> {
  const { settings } = ctx;
  await ctx.store.boundLeases(ctx.now());
  const summary = await ctx.store.summary(ctx.now());
  const decision = decideForQueue(
    summary,
    {
      minBatch: settings.watch.minBatch,
      maxWaitMs: settings.watch.maxWaitMs,
      batchSize: settings.batchSize,
    },
    ctx.now(),
  );
  ctx.io.log("debug", `if-due: ${decision.reason}`, { ...decision });
  const cap = maxBatches === undefined ? Number.POSITIVE_INFINITY : Number(maxBatches);
  if (!(Number.isInteger(cap) || cap === Number.POSITIVE_INFINITY) || cap < 1)
    throw new UsageError(`--max-batches: expected a whole number >= 1, got ${maxBatches}`);
  return { ...decision, batches: Math.min(decision.batches, cap) };
}
