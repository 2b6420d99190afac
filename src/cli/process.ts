import type { Command } from "commander";
import type { ProcessSummary } from "../api/queue.js";
import { featureSetFor } from "../batch/model-record.js";
import type { Values } from "../config.js";
import { ExitCode, UsageError } from "../errors.js";
import { dryRun } from "../ops/process.js";
import { JSON_SCHEMA_VERSION } from "../ui/io.js";
import { batchProgress } from "../ui/progress.js";
import { renderSummary } from "../ui/tables.js";
import { type CliDeps, type Context, makeContext } from "./context.js";
import { ifDueStep } from "./if-due.js";
import { type SetExit, scoringOptions } from "./options.js";
import { writeQueueMetrics } from "./queue-metrics.js";

export interface ProcessFlags {
  engine?: string;
  mode?: string;
  batchSize?: string;
  maxBatches?: string;
  attempts?: string;
  lease?: string;
  dryRun?: boolean;
  /** Issue 5: apply the scheduler rule once (cron), with `--min-batch` and `--max-wait`. */
  ifDue?: boolean;
  minBatch?: string;
  maxWait?: string;
  metricsFile?: string;
}

export function processFlags(o: ProcessFlags): Values {
  const f: Values = {};
  if (o.engine) f["process.engine"] = o.engine;
  if (o.mode) f["woodwide.mode"] = o.mode;
  if (o.batchSize) f["process.batchSize"] = o.batchSize;
  if (o.attempts) f["process.attempts"] = o.attempts;
  if (o.lease) f["process.lease"] = o.lease;
  if (o.minBatch) f["watch.minBatch"] = o.minBatch;
  if (o.maxWait) f["watch.maxWait"] = o.maxWait;
  return f;
}

function positiveInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${name}: expected a whole number >= 1, got ${raw}`);
  return n;
}

export async function processAction(ctx: Context, o: ProcessFlags): Promise<number> {
  try {
    if (o.ifDue) {
      const step = await ifDueStep(ctx, o.maxBatches);
      if (!step.process) return ExitCode.ok; // cron: nothing to do prints nothing
      return await processOrDryRun(ctx, { ...o, maxBatches: String(step.batches) });
    }
    return await processOrDryRun(ctx, o);
  } finally {
    if (o.metricsFile) await writeQueueMetrics(ctx, o.metricsFile);
  }
}

async function processOrDryRun(ctx: Context, o: ProcessFlags): Promise<number> {
  const maxBatches = positiveInt("--max-batches", o.maxBatches);
  if (o.dryRun) {
    const ww = ctx.settings.woodwide;
    const batches = await dryRun({
      featureSet: await featureSetFor(ctx.deps.env, ww.modelId, ww.featureSet),
      store: ctx.store,
      settings: ctx.settings,
      now: ctx.now,
      ...(maxBatches ? { maxBatches } : {}),
    });
    if (ctx.io.json) ctx.io.dataJson({ engine: ctx.settings.engine, batches });
    else for (const b of batches) ctx.io.data(b.csv);
    ctx.io.log(
      "info",
      `dry run: ${batches.length} batch(es), ${batches.reduce((n, b) => n + b.sessions.length, 0)} sessions would be sent; nothing changed`,
    );
    return ExitCode.ok;
  }
  const controller = new AbortController();
  const stopSignals = onSignals(ctx.deps, () => controller.abort());
  const total = ctx.io.interactive ? await dueBatches(ctx, maxBatches) : undefined;
  const progress = batchProgress(ctx.io, ctx.now, total);
  try {
    // The library's run (issue 12); a run stopped by a failure throws with its summary, which
    // the CLI prints before it exits with the failure's code.
    let stopped: unknown;
    const summary = await ctx.queue
      .process({
        signal: controller.signal,
        ...(maxBatches ? { maxBatches } : {}),
        onStart: progress.onStart,
        onBatch: progress.onBatch,
      })
      .catch((err: unknown) => {
        const s = (err as { summary?: ProcessSummary }).summary;
        if (!s) throw err;
        stopped = err;
        return s;
      });
    progress.stop();
    // Issue 9, defect 16: "taken over" in the table, `takenOver` in JSON; `lost` stays as a
    // deprecated alias for scripts that read it. With --json an idle run prints its zero
    // summary (issue 9, item 11); without it, nothing (cron-friendly).
    if (ctx.io.json)
      ctx.io.dataJson({ schemaVersion: JSON_SCHEMA_VERSION, ...summary, takenOver: summary.lost });
    if (summary.batches === 0) return ExitCode.ok;
    // Issue 9, defect 10: -q is for cron, which mails whatever is printed; --json was asked for.
    if (!ctx.io.json && !ctx.io.quiet) ctx.io.data(renderSummary(summary));
    if (controller.signal.aborted) return ExitCode.interrupted;
    if (stopped) throw stopped;
    return ExitCode.ok;
  } finally {
    progress.stop();
    stopSignals();
  }
}

/** The batches due when the run starts (issue 9: the `N/total` of the progress line). */
async function dueBatches(ctx: Context, maxBatches: number | undefined): Promise<number> {
  const { due } = await ctx.queue.stats();
  const batches = Math.ceil(due / ctx.settings.batchSize);
  return maxBatches === undefined ? batches : Math.min(batches, maxBatches);
}

/** First SIGINT/SIGTERM: stop taking batches and release the one in flight. */
function onSignals(deps: CliDeps, stop: () => void): () => void {
  const target = deps.signals;
  if (!target) return () => undefined;
  const handler = () => stop();
  target.on("SIGINT", handler);
  target.on("SIGTERM", handler);
  return () => {
    target.off("SIGINT", handler);
    target.off("SIGTERM", handler);
  };
}

/** `process`: scores everything due now (or one scheduler step with --if-due). */
export function register(program: Command, deps: CliDeps, setExit: SetExit): void {
  scoringOptions(
    program
      .command("process")
      .description("score everything due now, in batches, with Woodwide or the embedded model"),
  )
    .option("--max-batches <n>", "stop after this many batches")
    .option(
      "--if-due",
      "apply the watch rule once (for cron): process only when --min-batch are due or --max-wait passed since the last batch; else print nothing",
    )
    .option(
      "--dry-run",
      "print the CSV that would be sent (stdout) and the plan (stderr); change nothing",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch process --engine local\n  playproof-batch process --dry-run --max-batches 1 > batch.csv\n  * * * * *  playproof-batch process --if-due --metrics-file /var/lib/node_exporter/playproof.prom\n\nExit 1 when Woodwide refuses (401/402/403/422) or is unavailable; sessions stay queued.",
    )
    .action(async (o: ProcessFlags, cmd: Command) => {
      setExit(await processAction(makeContext(cmd, deps, processFlags(o)), o));
    });
}
