import { Command, CommanderError, Option } from "commander";
import { ExitCode, exitCodeFor, UsageError } from "../errors.js";
import { type CommandTree, completionScript, SHELLS, type Shell } from "../ui/completion.js";
import { packageVersion } from "../version.js";
import { type CliDeps, closeContexts, reportFailure } from "./context.js";
import type { SetExit } from "./options.js";

/**
 * The commands, in help order. Each module under src/cli/ holds one command's flags, help and
 * adapter (`register`); only the module of the command being run is loaded (startup stays
 * near 0.1 s), all of them for help, completion or an unknown command.
 */
type Register = (program: Command, deps: CliDeps, setExit: SetExit) => void;
const COMMANDS: Record<string, () => Promise<{ register: Register }>> = {
  enqueue: () => import("./enqueue.js"),
  stats: () => import("./stats.js"),
  result: () => import("./result.js"),
  results: () => import("./results.js"),
  clear: () => import("./clear.js"),
  quarantine: () => import("./quarantine.js"),
  process: () => import("./process.js"),
  watch: () => import("./watch.js"),
  serve: () => import("./serve.js"),
  model: () => import("./model.js"),
  config: () => import("./config.js"),
  migrate: () => import("./migrate.js"),
};

/** Global options that take a value: their value is not the command name. */
const VALUED_GLOBALS = new Set(["--queue", "--log-format"]);

/** The command argv names, if it is one of COMMANDS. */
export function commandName(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (VALUED_GLOBALS.has(a)) i++;
    else if (!a.startsWith("-")) return Object.hasOwn(COMMANDS, a) ? a : undefined;
  }
  return undefined;
}

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

const TOP_LEVEL_HELP = `
Examples:
  zcat sessions.ndjson.gz | playproof-batch enqueue
  playproof-batch process --if-due --metrics-file /var/lib/node_exporter/playproof.prom
  playproof-batch watch                    # in a tmux pane
  playproof-batch stats
  playproof-batch results --decision fail --since 24h --format csv > fails.csv

Environment:
  PLAYPROOF_QUEUE      queue file (or redis:// URL)      WOODWIDE_API_KEY    Woodwide key
  PLAYPROOF_API_TOKEN  bearer token of serve
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

/** `--log-format json` anywhere in argv: commander's own usage errors become JSON lines too. */
function wantsJsonLogs(argv: string[]): boolean {
  return argv.some(
    (a, i) => a === "--log-format=json" || (a === "--log-format" && argv[i + 1] === "json"),
  );
}

export function buildProgram(
  deps: CliDeps,
  setExit: SetExit,
  registers: Register[],
  jsonLogs = false,
): Command {
  const program = new Command("playproof-batch")
    .description("Batch bot/human scoring of PlayProof sessions on a crash-safe JSON-lines queue")
    .version(packageVersion(), "-V, --version", "print the version")
    // Issue 9: a usage error prints itself and a pointer, not the whole help it scrolls under;
    // subcommand help lists the global options too.
    .showHelpAfterError(jsonLogs ? false : "(see --help)")
    .configureHelp({ showGlobalOptions: true })
    .addHelpText("after", TOP_LEVEL_HELP)
    .configureOutput({
      writeOut: (s) => deps.stdout.write(s),
      writeErr: (s) => deps.stderr.write(s),
      // Issue 9, item 10: with --log-format json every stderr line is JSON, usage errors too.
      outputError: (s, write) =>
        write(
          jsonLogs
            ? `${JSON.stringify({ time: new Date().toISOString(), level: "error", message: `${s.trim().replace(/^error: /, "")} (see --help)` })}\n`
            : s,
        ),
    })
    .exitOverride();
  globalOptions(program);

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

  for (const register of registers) register(program, deps, setExit);
  return program;
}

/** Runs the CLI; the one place that turns errors into exit codes (style.md rule 3). */
export async function run(argv: string[], deps: CliDeps): Promise<number> {
  let code: number = ExitCode.ok;
  const name = commandName(argv);
  const modules = await Promise.all(
    (name ? [name] : Object.keys(COMMANDS)).map((n) => COMMANDS[n]!()),
  );
  const program = buildProgram(
    deps,
    (c) => {
      code = c;
    },
    modules.map((m) => m.register),
    wantsJsonLogs(argv),
  );
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
