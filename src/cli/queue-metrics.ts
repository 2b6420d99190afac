import type { QueueSummary } from "../queue/summary.js";
import { renderMetrics, writeMetricsFile } from "../ui/metrics.js";
import type { Context } from "./context.js";

/**
 * Writes `--metrics-file` from a summary. A metrics file that cannot be written is a warning,
 * never the reason a scoring run fails.
 */
export async function writeQueueMetrics(
  ctx: Context,
  path: string,
  summary?: QueueSummary,
): Promise<void> {
  try {
    const s = summary ?? (await ctx.store.summary(ctx.now()));
    const labels = { queue: ctx.store.path, ...ctx.metricsLabels };
    await writeMetricsFile(path, await renderMetrics(s, labels));
  } catch (err) {
    ctx.io.log("warn", (err as Error).message);
  }
}

/** For `watch`: writes in order, one at a time, from a synchronous event handler. */
export function metricsWriter(ctx: Context, path: string | undefined) {
  let chain: Promise<void> = Promise.resolve();
  return {
    write(summary?: QueueSummary) {
      if (path) chain = chain.then(() => writeQueueMetrics(ctx, path, summary));
    },
    flush: () => chain,
  };
}
