import type { Readable, Writable } from "node:stream";
import type { Command } from "commander";
import {
  type ConfigFile,
  type Env,
  openConfigFile,
  readConfigValues,
  resolveSettings,
  type Settings,
  type Values,
} from "./config.js";
import { UsageError } from "./errors.js";
import { openQueueStore, type QueueStore } from "./queue/store.js";
import { createIo, type Io, type IoOptions } from "./ui/io.js";

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
  config: () => Promise<ConfigFile>;
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
const openStores = new WeakMap<CliDeps, QueueStore[]>();

export async function closeContexts(deps: CliDeps): Promise<void> {
  const stores = openStores.get(deps) ?? [];
  openStores.delete(deps);
  lastIo.delete(deps);
  await Promise.all(stores.map((s) => s.close()));
}

/** What every queue command needs: settings by precedence, the queue store, the io. */
export function makeContext(cmd: Command, deps: CliDeps, flags: Values = {}): Context {
  const g = cmd.optsWithGlobals<GlobalFlags>();
  const io = makeIo(cmd, deps);
  const settings = resolveSettings(
    { ...flags, ...(g.queue ? { "queue.path": g.queue } : {}) },
    deps.env,
    readConfigValues(deps.env, (m) => io.log("warn", m)),
  );
  const now = deps.now ?? Date.now;
  const store = openQueueStore({
    path: settings.queuePath,
    now,
    archive: settings.archive,
    warn: (m) => io.log("warn", m),
  });
  openStores.set(deps, [...(openStores.get(deps) ?? []), store]);
  let file: Promise<ConfigFile> | undefined;
  const config = () => {
    file ??= openConfigFile(deps.env);
    return file;
  };
  return { io, settings, store, now, deps, config };
}
