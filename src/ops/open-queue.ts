import { statSync } from "node:fs";
import { join } from "node:path";
import {
  type ConfigSources,
  type Env,
  effectiveValue,
  resolveSettings,
  type Settings,
} from "../config.js";
import { looksLikeUrl } from "../config-keys.js";
import { CliError, ExitCode } from "../errors.js";
import type { QueueBackend } from "../queue/backend.js";
import { createFileBackend } from "../queue/file-backend.js";
import { createRedisBackend } from "../queue/redis-backend.js";
import { openQueueStore } from "../queue/store.js";

export interface OpenQueueContextOptions {
  /** Every source of settings, by precedence (flags > env > file > default). */
  sources: ConfigSources;
  /** How the caller names the path it was given, for messages (`--queue`, `openQueue()`). */
  flagName: string;
  /** A missing queue file is worth a warning only where nothing will create it. */
  readOnly: boolean;
  now: () => number;
  warn: (message: string) => void;
  /** A handle used for one command (the CLI's): see FileBackendOptions. */
  oneShot?: boolean;
}

export interface QueueContext {
  settings: Settings;
  store: QueueBackend;
}

/**
 * Settings and the queue store, as every entry point opens them (issue 12: the CLI, the
 * library and `serve` share this path, so they accept and refuse the same queues).
 */
export function openQueueContext(o: OpenQueueContextOptions): QueueContext {
  const { sources } = o;
  const settings = resolveSettings(sources.flags, sources.env, sources.file, sources.filePath);
  const settingName = queueSettingName(sources, o.flagName);
  if (looksLikeUrl(settings.queuePath)) {
    // Issue 11: a shared queue on Redis; the connection is made by the first command.
    const store = createRedisBackend({
      url: settings.queuePath,
      settingName,
      archive: settings.archive !== "off",
    });
    return { settings, store };
  }
  checkQueuePath(settings.queuePath, settingName, o.readOnly, o.warn);
  const journal = openQueueStore({
    path: settings.queuePath,
    now: o.now,
    archive: settings.archive,
    warn: o.warn,
    ...checkpointOption(sources.env),
  });
  return { settings, store: createFileBackend(journal, { oneShot: o.oneShot === true }) };
}

/**
 * PLAYPROOF_CHECKPOINT_BYTES: how far the journal may run past its checkpoint before a writer
 * refreshes it (issue 10; default 16 MiB, `Infinity` turns checkpoints off). For tests and
 * torture runs, which use it to make small queues write checkpoints often.
 */
function checkpointOption(env: Env): { checkpointBytes?: number } {
  const raw = env.PLAYPROOF_CHECKPOINT_BYTES;
  if (raw === undefined || raw === "") return {};
  const n = Number(raw);
  if (!(n >= 0))
    throw new CliError(
      `PLAYPROOF_CHECKPOINT_BYTES: expected bytes >= 0, got ${raw}`,
      ExitCode.config,
    );
  return { checkpointBytes: n };
}

/** How an operator names the queue setting that was used, for messages. */
function queueSettingName(sources: ConfigSources, flagName: string): string {
  const e = effectiveValue("queue.path", sources);
  if (e.origin === "flag") return flagName;
  if (e.origin === "env") return "PLAYPROOF_QUEUE";
  return e.origin === "file" ? `queue.path (in ${sources.filePath})` : "the queue path";
}

/**
 * A queue path that cannot be a queue file stops here with a message naming it, before any
 * store sees it (issue 9, item 13): a directory (EISDIR, 74). A missing file only warns, on
 * read-only commands.
 */
function checkQueuePath(
  path: string,
  name: string,
  readOnly: boolean,
  warn: (message: string) => void,
): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (readOnly && (code === "ENOENT" || code === "ENOTDIR"))
      warn(`no queue at ${path} yet (nothing was enqueued there: a typo in ${name}?)`);
    return; // other errors: the store reports them where it reads or writes
  }
  if (isDirectory) {
    throw new CliError(
      `${path} is a directory: ${name} takes a file path, e.g. ${join(path, "queue.jsonl")}`,
      ExitCode.io,
    );
  }
}
