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
import { openQueueStore, type QueueStore } from "./queue/store.js";
import { createIo, type Io } from "./ui/io.js";

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

export function makeIo(cmd: Command, deps: CliDeps): Io {
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

/** Stores opened for one `run()`, closed when it ends (in-process callers outlive a command). */
const openStores = new WeakMap<CliDeps, QueueStore[]>();

export async function closeContexts(deps: CliDeps): Promise<void> {
  const stores = openStores.get(deps) ?? [];
  openStores.delete(deps);
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
  const store = openQueueStore({ path: settings.queuePath, now, warn: (m) => io.log("warn", m) });
  openStores.set(deps, [...(openStores.get(deps) ?? []), store]);
  let file: Promise<ConfigFile> | undefined;
  const config = () => {
    file ??= openConfigFile(deps.env);
    return file;
  };
  return { io, settings, store, now, deps, config };
}
