import { setTimeout as delay } from "node:timers/promises";
import type { Command } from "commander";
import type { Sleep } from "../batch/watch-loop.js";
import type { Values } from "../config.js";
import { formatDuration, parseDuration } from "../durations.js";
import { CliError, ExitCode, exitCodeFor } from "../errors.js";
import { watchCommand } from "../ops/watch.js";
import { JSON_SCHEMA_VERSION } from "../ui/io.js";
import { watchStatus } from "../ui/watch-status.js";
import type { Context } from "./context.js";
import { type CliDeps, makeContext } from "./context.js";
import { engineFor } from "./engine.js";
import { durationOption, type SetExit, scoringOptions } from "./options.js";
import { type ProcessFlags, processFlags } from "./process.js";
import { metricsWriter } from "./queue-metrics.js";
import { loadWithoutSignalListeners, shutdownSignals } from "./shutdown-signals.js";

export interface WatchFlags extends ProcessFlags {
  interval?: string;
  shutdownTimeout?: string;
}

export function watchFlags(o: WatchFlags): Values {
  return { ...processFlags(o), ...(o.interval ? { "watch.interval": o.interval } : {}) };
}

const sleep: Sleep = (ms, signal) =>
  delay(ms, undefined, signal ? { signal } : {}).catch(() => undefined);

export async function watchAction(ctx: Context, o: WatchFlags): Promise<number> {
  const { io, settings, store, now } = ctx;
  const choice = await engineFor(ctx);
  const w = settings.watch;
  io.log(
    "info",
    `watching ${store.path} every ${formatDuration(w.intervalMs)}: a batch when ${w.minBatch} are due or ${formatDuration(w.maxWaitMs)} after the last batch; batches of ${settings.batchSize} with ${choice.engine.name}`,
  );
  // Woodwide saves its dataset id through conf: load it now, without its signal re-raising.
  if (choice.engine.name === "woodwide")
    await loadWithoutSignalListeners(ctx.deps.signals, ctx.config);
  const signals = shutdownSignals(ctx.deps.signals);
  const status = watchStatus(io, now, choice.engine.name, settings.batchSize);
  const metrics = metricsWriter(ctx, o.metricsFile);
  try {
    const result = await watchCommand({
      store,
      settings,
      engine: choice.engine,
      fallback: choice.fallback,
      now,
      sleep,
      stop: signals.stop,
      kill: signals.kill,
      shutdownTimeoutMs: parseDuration(o.shutdownTimeout ?? "30s") ?? 30_000,
      onBatchStart: status.onBatchStart,
      onBatch: (r) => {
        status.onBatch(r);
        // Issue 9, item 11: with --json, a JSON line per batch on stdout (stderr keeps the talk).
        if (io.json) {
          const { error, ...report } = r;
          io.dataJson({
            schemaVersion: JSON_SCHEMA_VERSION,
            type: "batch",
            ...report,
            ...(error ? { error: error.message } : {}),
          });
        }
      },
      onEvent: (e) => {
        status.onEvent(e);
        if (e.type === "waiting") metrics.write(e.summary);
      },
    });
    status.stop();
    metrics.write();
    await metrics.flush();
    const ran = `${result.batches} batch(es), ${result.sessions} session(s) in ${result.checks} check(s)`;
    if (result.ended === "failed")
      throw new CliError(
        `watch stopped: ${result.error?.message} (${ran})`,
        result.error ? exitCodeFor(result.error) : ExitCode.runtime,
      );
    io.log("info", `watch stopped: ${ran}`, { ...result });
    if (io.json) {
      const { error: _e, ...ended } = result;
      io.dataJson({ schemaVersion: JSON_SCHEMA_VERSION, type: "stopped", ...ended });
    }
    return result.ended === "killed" ? ExitCode.interrupted : ExitCode.ok;
  } finally {
    status.stop();
    signals.dispose();
    await choice.close();
    await store.close();
  }
}

/** `watch`: the scheduler loop in the foreground. */
export function register(program: Command, deps: CliDeps, setExit: SetExit): void {
  scoringOptions(
    program
      .command("watch")
      .description(
        "the scheduler in the foreground: every --interval, process when enough are due or --max-wait passed; compacts on a schedule",
      ),
  )
    .option("--interval <duration>", "time between checks (default 30s)", durationOption)
    .option(
      "--shutdown-timeout <duration>",
      "on SIGINT/SIGTERM, how long the batch in flight may finish before it is released (default 30s)",
      durationOption,
    )
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch watch\n  playproof-batch watch --interval 10s --min-batch 50 --max-wait 2m --metrics-file /var/lib/node_exporter/playproof.prom\n  playproof-batch watch --log-format json 2>> watch.log\n\nCtrl-C (or SIGTERM): no new batch, the one in flight finishes (or is released after --shutdown-timeout), exit 0. Ctrl-C again: release it now, exit 130.",
    )
    .action(async (o: WatchFlags, cmd: Command) => {
      setExit(await watchAction(makeContext(cmd, deps, watchFlags(o)), o));
    });
}
