import type { Readable, Writable } from "node:stream";
import { Command, CommanderError, Option } from "commander";
import { selectEngine } from "./batch/select-engine.js";
import { clear, previewClear } from "./commands/clear.js";
import { configGet, configList, configSet, configUnset } from "./commands/config.js";
import { enqueue } from "./commands/enqueue.js";
import { dryRun, processCommand } from "./commands/process.js";
import { result } from "./commands/result.js";
import { stats } from "./commands/stats.js";
import { type Env, openConfigFile, resolveSettings, type Settings } from "./config.js";
import type { ConfigKeyName } from "./config-keys.js";
import { parseDuration } from "./durations.js";
import { CliError, ExitCode, UsageError } from "./errors.js";
import { openQueueStore, type QueueStore } from "./queue/store.js";
import { createIo, type Io } from "./ui/io.js";
import { batchProgress } from "./ui/progress.js";
import { confirmOnTty } from "./ui/prompt.js";
import { renderConfig, renderResult, renderStats, renderSummary } from "./ui/tables.js";

export interface CliDeps {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: Env;
  now?: () => number;
  /** Where SIGINT/SIGTERM arrive (the process); absent in in-process tests. */
  signals?: NodeJS.EventEmitter;
}

interface GlobalFlags {
  queue?: string;
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  logFormat?: "human" | "json";
}

export interface Context {
  io: Io;
  settings: Settings;
  store: QueueStore;
  now: () => number;
  deps: CliDeps;
  config: () => ReturnType<typeof openConfigFile>;
}

function makeIo(cmd: Command, deps: CliDeps): Io {
  const g = cmd.optsWithGlobals<GlobalFlags>();
  return createIo({
    stdout: deps.stdout,
    stderr: deps.stderr,
    json: Boolean(g.json),
    quiet: Boolean(g.quiet),
    verbose: Boolean(g.verbose),
    logFormat: g.logFormat ?? "human",
  });
}

/** `config` works on the file alone, so a bad stored value can still be fixed or unset. */
function configContext(cmd: Command, deps: CliDeps) {
  return { io: makeIo(cmd, deps), file: openConfigFile(deps.env) };
}

/** Builds what every command needs: settings by precedence, the queue store, the io. */
function makeContext(
  cmd: Command,
  deps: CliDeps,
  flags: Partial<Record<ConfigKeyName, string | number>> = {},
): Context {
  const g = cmd.optsWithGlobals<GlobalFlags>();
  const io = makeIo(cmd, deps);
  let file: ReturnType<typeof openConfigFile> | undefined;
  const config = () => {
    file ??= openConfigFile(deps.env);
    return file;
  };
  const settings = resolveSettings(
    { ...flags, ...(g.queue ? { "queue.path": g.queue } : {}) },
    deps.env,
    config().store,
  );
  const now = deps.now ?? Date.now;
  const store = openQueueStore({ path: settings.queuePath, now, warn: (m) => io.log("warn", m) });
  return { io, settings, store, now, deps, config };
}

const durationOption = (value: string): string => {
  if (parseDuration(value) === undefined)
    throw new UsageError(`not a duration: ${value} (use 30s, 5m, 24h)`);
  return value;
};

function globalOptions(program: Command) {
  program
    .option("--queue <path>", "queue file (env PLAYPROOF_QUEUE; default in the XDG data dir)")
    .option("--json", "print one JSON document (or JSON lines when streaming) on stdout")
    .option("-v, --verbose", "more detail on stderr")
    .option("-q, --quiet", "only warnings and errors on stderr")
    .addOption(
      new Option("--log-format <format>", "log lines on stderr").choices(["human", "json"]),
    );
}

export function buildProgram(deps: CliDeps, setExit: (code: number) => void): Command {
  const program = new Command("playproof-batch")
    .description("Batch bot/human scoring of PlayProof sessions on a crash-safe JSON-lines queue")
    .showHelpAfterError()
    .configureOutput({
      writeOut: (s) => deps.stdout.write(s),
      writeErr: (s) => deps.stderr.write(s),
    })
    .exitOverride();
  globalOptions(program);

  program
    .command("enqueue")
    .argument("[files...]", "NDJSON, a JSON array or one JSON document; stdin when none or -")
    .description("validate sessions, score them provisionally and append them to the queue")
    .addHelpText(
      "after",
      "\nExamples:\n  zcat sessions.ndjson.gz | playproof-batch enqueue\n  playproof-batch enqueue day1.ndjson day2.json --json > accepted.ndjson\n\nExit 65 when some records were rejected (the rest are queued).",
    )
    .action(async (files: string[], _o, cmd: Command) => {
      const ctx = makeContext(cmd, deps);
      const r = await enqueue({
        files,
        stdin: deps.stdin,
        store: ctx.store,
        thresholds: ctx.settings.thresholds,
        now: ctx.now,
        onRejected: (m) => ctx.io.log("error", m),
        onDuplicate: (m) => ctx.io.log("debug", m),
        ...(ctx.io.json
          ? {
              onAccepted: (sessionId, provisional) =>
                ctx.io.dataJson({ sessionId, ...provisional }),
            }
          : {}),
      });
      ctx.io.log(
        "info",
        `enqueue: ${r.accepted} accepted, ${r.duplicates} duplicates (ignored), ${r.rejected} rejected, to ${ctx.store.path}`,
      );
      setExit(r.rejected > 0 ? ExitCode.inputRejected : ExitCode.ok);
    });

  program
    .command("stats")
    .description("counts by state, oldest due age, last batch, retries and dead letters, file size")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch stats\n  playproof-batch stats --json | jq .due",
    )
    .action(async (_o, cmd: Command) => {
      const ctx = makeContext(cmd, deps);
      const s = await stats(ctx.store, ctx.now);
      if (ctx.io.json) ctx.io.dataJson(s);
      else ctx.io.data(renderStats(s, ctx.now()));
    });

  program
    .command("result")
    .argument("<sessionId>")
    .description(
      "the session's current result: final, or provisional while queued (exit 3 if unknown)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch result s_123\n  playproof-batch result s_123 --json | jq .result.decision",
    )
    .action(async (sessionId: string, _o, cmd: Command) => {
      const ctx = makeContext(cmd, deps);
      const r = await result(ctx.store, sessionId);
      if (ctx.io.json) ctx.io.dataJson(r);
      else ctx.io.data(renderResult(r));
    });

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
    .action(async (o: { processed?: boolean; olderThan?: string; yes?: boolean }, cmd: Command) => {
      const ctx = makeContext(cmd, deps);
      const opts = {
        store: ctx.store,
        now: ctx.now,
        retentionMs: ctx.settings.retentionMs,
        processedOnly: Boolean(o.processed),
        ...(o.olderThan ? { olderThanMs: parseDuration(o.olderThan)! } : {}),
      };
      if (!o.yes) {
        if (!deps.stdin.isTTY || !deps.stderr.isTTY) {
          throw new UsageError(
            "clear: refusing to remove sessions without a terminal to confirm on; pass --yes",
          );
        }
        const n = await previewClear(opts);
        if (!(await confirmOnTty(`Remove ${n} session(s) from ${ctx.store.path}?`))) {
          ctx.io.log("info", "clear: nothing removed");
          return;
        }
      }
      const r = await clear(opts);
      if (ctx.io.json) ctx.io.dataJson(r);
      ctx.io.log("info", `clear: removed ${r.removed} session(s), ${r.remaining} remain`);
    });

  program
    .command("process")
    .description("score everything due now, in batches, with Woodwide or the embedded model")
    .option("--engine <engine>", "woodwide or local (default: woodwide when configured)")
    .option("--mode <mode>", "Woodwide path: dataset (upload + infer-batch) or direct (/infer)")
    .option("--batch-size <n>", "sessions per batch (default 50)")
    .option("--max-batches <n>", "stop after this many batches")
    .option("--attempts <n>", "attempts before a session is dead-lettered (default 5)")
    .option("--lease <duration>", "claim lease of a batch in flight (default 10m)", durationOption)
    .option(
      "--dry-run",
      "print the CSV that would be sent (stdout) and the plan (stderr); change nothing",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch process --engine local\n  playproof-batch process --dry-run --max-batches 1 > batch.csv\n\nExit 1 when Woodwide refuses (401/402/403/422) or is unavailable; sessions stay queued.",
    )
    .action(async (o: ProcessFlags, cmd: Command) => {
      const ctx = makeContext(cmd, deps, processFlags(o));
      await runProcess(ctx, o, setExit);
    });

  const config = program
    .command("config")
    .description("persistent settings (secrets shown redacted)");
  config
    .command("get")
    .argument("<key>")
    .action((key: string, _o, cmd: Command) => {
      const ctx = configContext(cmd, deps);
      const e = configGet(ctx.file, key);
      if (ctx.io.json) ctx.io.dataJson(e);
      else if (e.value !== undefined) ctx.io.data(String(e.value));
    });
  config
    .command("set")
    .argument("<key>")
    .argument("<value>")
    .addHelpText(
      "after",
      '\nExamples:\n  playproof-batch config set woodwide.apiKey "$KEY"\n  playproof-batch config set process.batchSize 50',
    )
    .action((key: string, value: string, _o, cmd: Command) => {
      const ctx = configContext(cmd, deps);
      const e = configSet(ctx.file, key, value);
      ctx.io.log("info", `${e.key} = ${e.value}`);
    });
  config
    .command("unset")
    .argument("<key>")
    .action((key: string, _o, cmd: Command) => {
      const ctx = configContext(cmd, deps);
      configUnset(ctx.file, key);
      ctx.io.log("info", `${key} unset`);
    });
  config.command("list").action((_o, cmd: Command) => {
    const ctx = configContext(cmd, deps);
    const l = configList(ctx.file);
    if (ctx.io.json) ctx.io.dataJson(l);
    else ctx.io.data(renderConfig(l.path, l.entries));
  });
  return program;
}

interface ProcessFlags {
  engine?: string;
  mode?: string;
  batchSize?: string;
  maxBatches?: string;
  attempts?: string;
  lease?: string;
  dryRun?: boolean;
}

function processFlags(o: ProcessFlags): Partial<Record<ConfigKeyName, string | number>> {
  const f: Partial<Record<ConfigKeyName, string | number>> = {};
  if (o.engine) f["process.engine"] = o.engine;
  if (o.mode) f["woodwide.mode"] = o.mode;
  if (o.batchSize) f["process.batchSize"] = o.batchSize;
  if (o.attempts) f["process.attempts"] = o.attempts;
  if (o.lease) f["process.lease"] = o.lease;
  return f;
}

function positiveInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${name}: expected a whole number >= 1, got ${raw}`);
  return n;
}

async function runProcess(ctx: Context, o: ProcessFlags, setExit: (code: number) => void) {
  const maxBatches = positiveInt("--max-batches", o.maxBatches);
  if (o.dryRun) {
    const batches = await dryRun({
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
    return;
  }
  const choice = selectEngine({
    settings: ctx.settings,
    saveDatasetId: (id) => ctx.config().set("woodwide.datasetId", id),
    log: (e) => ctx.io.log("debug", `woodwide: ${JSON.stringify(e)}`, e),
  });
  const controller = new AbortController();
  const stopSignals = onSignals(ctx.deps, () => controller.abort());
  const progress = batchProgress(ctx.io, choice.engine.name);
  try {
    const summary = await processCommand({
      store: ctx.store,
      settings: ctx.settings,
      engine: choice.engine,
      fallback: choice.fallback,
      now: ctx.now,
      signal: controller.signal,
      ...(maxBatches ? { maxBatches } : {}),
      onStart: progress.onStart,
      onBatch: progress.onBatch,
    });
    progress.stop();
    if (summary.batches === 0) return; // nothing to do: print nothing (cron-friendly)
    if (ctx.io.json) ctx.io.dataJson(summary);
    else ctx.io.data(renderSummary(summary));
    if (controller.signal.aborted) setExit(ExitCode.interrupted);
    else if (summary.stoppedBy) {
      throw new CliError(
        `process stopped: ${summary.stoppedBy.message}${summary.stoppedBy.retryable ? " (sessions will be retried after their backoff)" : " (sessions left queued)"}`,
        ExitCode.runtime,
      );
    }
  } finally {
    progress.stop();
    stopSignals();
    await choice.close();
  }
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

/** Runs the CLI; the one place that turns errors into exit codes (style.md rule 3). */
export async function run(argv: string[], deps: CliDeps): Promise<number> {
  let code: number = ExitCode.ok;
  const program = buildProgram(deps, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (err) {
    return reportError(err, deps.stderr);
  }
}

function reportError(err: unknown, stderr: Writable): number {
  if (err instanceof CommanderError) {
    const ok =
      err.code === "commander.helpDisplayed" ||
      err.code === "commander.version" ||
      err.code === "commander.help";
    return ok ? ExitCode.ok : ExitCode.usage;
  }
  if (err instanceof CliError) {
    stderr.write(`playproof-batch: ${err.message}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  stderr.write(`playproof-batch: ${e?.message ?? String(err)}\n`);
  return ExitCode.runtime;
}
