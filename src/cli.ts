import { Command, CommanderError, Option } from "commander";
import type { ConfigVerb } from "./actions/config.js";
import type { ModelCalibrateFlags, ModelTrainFlags } from "./actions/model.js";
import type { ProcessFlags } from "./actions/process.js";
import type { RestoreFlags } from "./actions/quarantine.js";
import type { ClearFlags } from "./actions/queue-views.js";
import type { ResultsFlags } from "./actions/results.js";
import type { WatchFlags } from "./actions/watch.js";
import {
  type CliDeps,
  closeContexts,
  makeConfigContext,
  makeContext,
  reportFailure,
} from "./cli-context.js";
import { parseDuration } from "./durations.js";
import { ExitCode, exitCodeFor, UsageError } from "./errors.js";
import { type CommandTree, completionScript, SHELLS, type Shell } from "./ui/completion.js";
import { packageVersion } from "./version.js";

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

/** What `process` and `watch` share (design.md: watch takes every option of process). */
function scoringOptions(cmd: Command): Command {
  return cmd
    .option("--engine <engine>", "woodwide or local (default: woodwide when configured)")
    .option("--mode <mode>", "Woodwide path: dataset (upload + infer-batch) or direct (/infer)")
    .option("--batch-size <n>", "sessions per batch (default 50)")
    .option("--attempts <n>", "attempts before a session is dead-lettered (default 5)")
    .option("--lease <duration>", "claim lease of a batch in flight (default 10m)", durationOption)
    .option("--min-batch <n>", "scheduler: due sessions that trigger a batch (default 10)")
    .option(
      "--max-wait <duration>",
      "scheduler: longest wait after the last batch before a partial one (default 5m)",
      durationOption,
    )
    .option(
      "--metrics-file <path>",
      "write Prometheus text metrics there (temp file + rename; node_exporter textfile collector)",
    )
    .option(
      "--metrics-label <name=value...>",
      "a label on every metric (repeatable), beside queue=<path>",
    );
}

const TOP_LEVEL_HELP = `
Examples:
  zcat sessions.ndjson.gz | playproof-batch enqueue
  playproof-batch process --if-due --metrics-file /var/lib/node_exporter/playproof.prom
  playproof-batch watch                    # in a tmux pane
  playproof-batch stats
  playproof-batch results --decision fail --since 24h --format csv > fails.csv

Environment:
  PLAYPROOF_QUEUE      queue file (or redis:// URL)      WOODWIDE_API_KEY    Woodwide key
  WOODWIDE_BASE_URL    Woodwide API base URL             PLAYPROOF_MODEL_ID  Woodwide model id
  NO_COLOR, FORCE_COLOR, TERM=dumb   colour on stderr
  Precedence: flag > environment > config file (playproof-batch config list) > default.

Exit codes:
  0 ok (also: nothing to do)   1 a bug (please report)   2 usage   3 result: unknown session
  65 some input rejected        69 service unavailable (retried later)   74 local I/O
  77 refused (bad key, credits)  78 configuration   130 interrupted
  systemd: RestartPreventExitStatus=2 77 78`;

/** The command tree commander knows, for completion scripts (flags of parents apply below). */
function commandTree(cmd: Command, inherited: CommandTree["flags"] = []): CommandTree {
  const own = cmd.options
    .filter((o) => o.long && !o.hidden)
    .map((o) => ({ flag: o.long!, description: o.description }));
  const flags = [...own, ...inherited];
  return {
    name: cmd.name(),
    description: cmd.description(),
    flags,
    // Below the root, its flags apply too, except --version (the root's alone).
    subcommands: cmd.commands.map((c) =>
      commandTree(c, cmd.parent ? inherited : own.filter((f) => f.flag !== "--version")),
    ),
  };
}

export function buildProgram(deps: CliDeps, setExit: (code: number) => void): Command {
  const program = new Command("playproof-batch")
    .description("Batch bot/human scoring of PlayProof sessions on a crash-safe JSON-lines queue")
    .version(packageVersion(), "-V, --version", "print the version")
    // Issue 9: a usage error prints itself and a pointer, not the whole help it scrolls under;
    // subcommand help lists the global options too.
    .showHelpAfterError("(see --help)")
    .configureHelp({ showGlobalOptions: true })
    .addHelpText("after", TOP_LEVEL_HELP)
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
      const { enqueueAction } = await import("./actions/enqueue.js");
      setExit(await enqueueAction(makeContext(cmd, deps), files));
    });

  program
    .command("stats")
    .description("counts by state, oldest due age, last batch, retries and dead letters, file size")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch stats\n  playproof-batch stats --json | jq .due",
    )
    .action(async (_o, cmd: Command) => {
      const { statsAction } = await import("./actions/queue-views.js");
      await statsAction(makeContext(cmd, deps));
    });

  program
    .command("result")
    .argument("<sessionIds...>", "one or more session ids, or - to read ids from stdin")
    .description(
      "sessions' current results: final, or provisional while queued; the archive too (exit 3 if unknown)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch result s_123\n  playproof-batch result s_123 --json | jq .result.decision\n  cut -f1 ids.txt | playproof-batch result - --json > results.ndjson\n\nOne id prints one result (a JSON object with --json); several print a row each (JSON lines\nwith --json, an error object for an unknown id). Exit 3 when any id is unknown.",
    )
    .action(async (ids: string[], _o, cmd: Command) => {
      const { resultAction } = await import("./actions/results.js");
      await resultAction(makeContext(cmd, deps), ids);
    });

  program
    .command("results")
    .description("list or export many results, from the queue and its archive (streaming)")
    .option(
      "--state <states...>",
      "scored, dead, due, in-flight, waiting (backoff), removed (cleared before scoring)",
    )
    .option("--decision <decisions...>", "pass, review, fail")
    .option("--source <sources...>", "heuristic, local, woodwide, fallback")
    .option("--since <time>", "results at or after: an ISO date, or a duration ago (24h)")
    .option("--until <time>", "results before: an ISO date, or a duration ago")
    .option("--ids <file>", "only these session ids, one per line (- for stdin)")
    .addOption(
      new Option(
        "--format <format>",
        "table, ndjson or csv (default table; ndjson with --json)",
      ).choices(["table", "ndjson", "csv"]),
    )
    .option("--no-archive", "the queue only")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch results --state dead\n  playproof-batch results --decision fail --since 24h --format csv > fails.csv\n  playproof-batch results --ids ids.txt --json\n\nThe time filters apply to when a session was scored or dead-lettered (enqueued, while unscored).",
    )
    .action(async (o: ResultsFlags, cmd: Command) => {
      const { resultsAction } = await import("./actions/results.js");
      await resultsAction(makeContext(cmd, deps), o);
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
    .action(async (o: ClearFlags, cmd: Command) => {
      const { clearAction } = await import("./actions/queue-views.js");
      await clearAction(makeContext(cmd, deps), o);
    });

  program
    .command("completion")
    .argument("<shell>", "bash, zsh or fish")
    .description("print a shell completion script generated from the command tree")
    .addHelpText(
      "after",
      "\nExamples:\n  source <(playproof-batch completion bash)      # in ~/.bashrc\n  source <(playproof-batch completion zsh)       # in ~/.zshrc\n  playproof-batch completion fish > ~/.config/fish/completions/playproof-batch.fish",
    )
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell))
        throw new UsageError(`completion: expected one of ${SHELLS.join(", ")}, got ${shell}`);
      deps.stdout.write(completionScript(shell as Shell, commandTree(program)));
    });

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
      const { quarantineListAction } = await import("./actions/quarantine.js");
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
      const { quarantineRestoreAction } = await import("./actions/quarantine.js");
      await quarantineRestoreAction(makeContext(cmd, deps), ids, o);
    });

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
      const { processAction, processFlags } = await import("./actions/process.js");
      setExit(await processAction(makeContext(cmd, deps, processFlags(o)), o));
    });

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
      const { watchAction, watchFlags } = await import("./actions/watch.js");
      setExit(await watchAction(makeContext(cmd, deps, watchFlags(o)), o));
    });

  const model = program.command("model").description("Woodwide models");
  model
    .command("train")
    .description("upload a human baseline, train an anomaly model, wait until ready, save its id")
    .requiredOption(
      "--baseline <file>",
      "CSV of feature rows (e.g. fixtures/baseline/human-baseline.csv) or sessions (NDJSON/JSON)",
    )
    .option("--name <name>", "model name (default playproof-YYYY-MM-DD)")
    .option(
      "--feature-set <name>",
      "feature definitions: playproof-1 (PlayProof's own, default) or playproof-batch-1; recorded with the model",
    )
    .option(
      "--no-calibrate",
      "save the model without calibrating it (it then decides by is_anomaly alone)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch model train --baseline fixtures/baseline/human-baseline.csv\n  zcat humans.ndjson.gz > humans.ndjson && playproof-batch model train --baseline humans.ndjson",
    )
    .action(async (o: ModelTrainFlags, cmd: Command) => {
      const { modelTrainAction } = await import("./actions/model.js");
      await modelTrainAction(makeContext(cmd, deps), o);
    });
  model
    .command("calibrate")
    .description("redo calibration for an existing model on the baseline's held-back humans")
    .requiredOption("--baseline <file>", "the baseline the model was trained on")
    .option("--model <id>", "the model (default woodwide.modelId); saved as woodwide.modelId")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch model calibrate --baseline fixtures/baseline/human-baseline.csv\n  playproof-batch model calibrate --model 3f2a... --baseline fixtures/baseline/human-baseline.csv",
    )
    .action(async (o: ModelCalibrateFlags, cmd: Command) => {
      const { modelCalibrateAction } = await import("./actions/model.js");
      await modelCalibrateAction(makeContext(cmd, deps), o);
    });

  const config = program
    .command("config")
    .description("persistent settings (secrets shown redacted)")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch config list\n  playproof-batch config set woodwide.mode direct",
    );
  const configVerb =
    (verb: ConfigVerb) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const [key, value] = args.slice(0, -2) as string[];
      const { configAction } = await import("./actions/config.js");
      await configAction(makeConfigContext(cmd, deps), verb, key, value);
    };
  config
    .command("get")
    .argument("<key>")
    .description("print a setting's effective value (-v: where it came from)")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch config get woodwide.modelId\n  playproof-batch config get woodwide.apiKey   # redacted",
    )
    .action(configVerb("get"));
  config
    .command("set")
    .argument("<key>")
    .argument("<value>", "the value, or - to read it from stdin (a prompt on a terminal)")
    .description("store a setting (validated)")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch config set woodwide.apiKey -   # asks without echoing; or pipe the key in\n  playproof-batch config set process.batchSize 50",
    )
    .action(configVerb("set"));
  config
    .command("unset")
    .argument("<key>")
    .description("remove a setting")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch config unset woodwide.datasetId   # the next batch creates a new dataset",
    )
    .action(configVerb("unset"));
  config
    .command("list")
    .description("every setting's effective value, its origin (flag, env, file, default), meaning")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch config list\n  playproof-batch config list --json | jq '.[] | select(.origin == \"env\")'",
    )
    .action(configVerb("list"));
  return program;
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
    return reportError(err, (message) => reportFailure(deps, argv, message));
  } finally {
    await closeContexts(deps);
  }
}

function reportError(err: unknown, report: (message: string) => void): number {
  if (err instanceof CommanderError) {
    const ok =
      err.code === "commander.helpDisplayed" ||
      err.code === "commander.version" ||
      err.code === "commander.help";
    return ok ? ExitCode.ok : ExitCode.usage;
  }
  const code = exitCodeFor(err);
  const message = (err as Error)?.message ?? String(err);
  // design.md: 1 is for bugs only, and its message says so.
  report(
    code === ExitCode.runtime
      ? `internal error: ${message} (this is a bug in playproof-batch: please report it with the command that failed)`
      : message,
  );
  return code;
}
