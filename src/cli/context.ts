import type { Readable, Writable } from "node:stream";
import type { Command } from "commander";
import { openQueueWith, type Queue } from "../api/queue.js";
import {
  type ConfigFile,
  type ConfigSources,
  configFilePath,
  type Env,
  openConfigFile,
  readConfigValues,
  type Settings,
  type Values,
} from "../config.js";
import { UsageError } from "../errors.js";
import type { QueueBackend } from "../queue/backend.js";
import { createIo, type Io, type IoOptions } from "../ui/io.js";
import { parseMetricsLabels } from "../ui/metrics-labels.js";

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
  /**
   * The library's queue handle (issue 12: the CLI is a user of the API, not a twin): commands
   * with a library counterpart go through it; `settings` and `store` are its own.
   */
  queue: Queue;
  settings: Settings;
  store: QueueBackend;
  now: () => number;
  deps: CliDeps;
  config: () => Promise<ConfigFile>;
  /** `--metrics-label k=v` of process and watch, parsed (issue 9). */
  metricsLabels: Record<string, string>;
  /** Where the settings came from (serve resolves them again with a scheduler's options). */
  sources: ConfigSources;
}

/** The io of the command running for these deps: its flags also shape the final error line. */
const lastIo = new WeakMap<CliDeps, Io>();

export function makeIo(cmd: Command, deps: CliDeps): Io {
  const g = cmd.optsWithGlobals<GlobalFlags>();
  const io = ioFor(deps, {
    json: Boolean(g.json),
    quiet: Boolean(g.quiet),
    verbose: Boolean(g.verbose),
    logFormat: g.logFormat ?? "human",
  });
  // Issue 9, defect 16: "say less" and "say more" at once is a mistake, not a preference.
  if (g.quiet && g.verbose)
    throw new UsageError("-q/--quiet and -v/--verbose contradict each other: pick one");
  return io;
}

function ioFor(deps: CliDeps, o: Pick<IoOptions, "json" | "quiet" | "verbose" | "logFormat">): Io {
  const io = createIo({ stdout: deps.stdout, stderr: deps.stderr, env: deps.env, ...o });
  lastIo.set(deps, io);
  return io;
}

/**
 * The line a failed command ends with, in the command's log format (issue 9, defect 10: with
 * `--log-format json` it is a JSON line too). An error found while parsing, before any command
 * made its io, reads the flag from argv.
 */
export function reportFailure(deps: CliDeps, argv: string[], message: string): void {
  const io =
    lastIo.get(deps) ??
    ioFor(deps, {
      logFormat: argv.some(
        (a, i) => a === "--log-format=json" || (a === "--log-format" && argv[i + 1] === "json"),
      )
        ? "json"
        : "human",
      json: false,
      quiet: false,
      verbose: false,
    });
  io.fatal(message);
}

/** Stores opened for one `run()`, closed when it ends (in-process callers outlive a command). */
const openStores = new WeakMap<CliDeps, QueueBackend[]>();

export async function closeContexts(deps: CliDeps): Promise<void> {
  const stores = openStores.get(deps) ?? [];
  openStores.delete(deps);
  lastIo.delete(deps);
  await Promise.all(stores.map((s) => s.close()));
}

/** Every source of settings for this command: its flags (and --queue), env, config file. */
function configSources(cmd: Command, deps: CliDeps, io: Io, flags: Values = {}): ConfigSources {
  const g = cmd.optsWithGlobals<GlobalFlags>();
  return {
    flags: { ...flags, ...(g.queue ? { "queue.path": g.queue } : {}) },
    env: deps.env,
    file: readConfigValues(deps.env, (m) => io.log("warn", m)),
    filePath: configFilePath(deps.env),
  };
}

/** What `config` needs: reads never construct conf, which creates its directory (issue 9). */
export interface ConfigContext {
  io: Io;
  sources: ConfigSources;
  stdin: CliDeps["stdin"];
  stderr: CliDeps["stderr"];
  /** conf, for `set` and `unset` only. */
  openFile: () => Promise<ConfigFile>;
}

export function makeConfigContext(cmd: Command, deps: CliDeps): ConfigContext {
  const io = makeIo(cmd, deps);
  return {
    io,
    sources: configSources(cmd, deps, io),
    stdin: deps.stdin,
    stderr: deps.stderr,
    openFile: () => openConfigFile(deps.env),
  };
}

/**
 * Commands that only read the queue: a queue file that does not exist is worth a warning there
 * (issue 9, item 13: a crontab typo in --queue showed an all-zero `stats` and exit 0).
 */
const READ_ONLY_COMMANDS = new Set(["stats", "result", "results", "quarantine list"]);

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * What every queue command needs: settings by precedence, the queue store, the io. Settings
 * are checked as they are read (config.ts), so a bad value only stops a command that uses it.
 */
export function makeContext(cmd: Command, deps: CliDeps, flags: Values = {}): Context {
  const io = makeIo(cmd, deps);
  const sources = configSources(cmd, deps, io, flags);
  const now = deps.now ?? Date.now;
  let file: Promise<ConfigFile> | undefined;
  const config = () => {
    file ??= openConfigFile(deps.env);
    return file;
  };
  const queue = openQueueWith({
    sources,
    flagName: "--queue",
    readOnly: READ_ONLY_COMMANDS.has(commandPath(cmd)),
    now,
    warn: (m) => io.log("warn", m),
    debug: (m, e) => io.log("debug", m, e),
    fieldName: (field) => `--${field}`,
    config,
    // One command, one read: results off the checkpoint without a fold (issue 10); `serve`
    // lives long and keeps its fold fresh for GET /result (issue 12).
    oneShot: commandPath(cmd) !== "serve",
  });
  const { settings, store } = queue.internals;
  openStores.set(deps, [...(openStores.get(deps) ?? []), store]);
  let metricsLabels: Record<string, string>;
  try {
    metricsLabels = parseMetricsLabels(
      cmd.optsWithGlobals<{ metricsLabel?: string[] }>().metricsLabel,
    );
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return { io, queue, settings, store, now, deps, config, metricsLabels, sources };
}
