import type { RedisOptions } from "ioredis";
import { redactUrl } from "../config-keys.js";
import { CliError, ExitCode } from "../errors.js";

/** Where a Redis queue lives, as `redis://[user:pass@]host:port[/db][?prefix=NAME]` says. */
export interface RedisTarget {
  /** The URL with its password hidden: for every message. */
  shown: string;
  /** host:port, as messages name the server. */
  address: string;
  /** Every key of the queue starts with `{prefix}:` (one hash tag: one cluster slot). */
  prefix: string;
  options: RedisOptions;
}

export const DEFAULT_PREFIX = "playproof";
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

const PARAMS = new Set(["prefix", "connectTimeout", "commandTimeout"]);

/**
 * Parses a queue URL into ioredis options. Only `prefix`, `connectTimeout` and `commandTimeout`
 * (milliseconds) may follow `?`; anything else is refused rather than silently ignored.
 */
export function parseRedisUrl(raw: string, settingName: string): RedisTarget {
  const shown = redactUrl(raw);
  const fail = (why: string): never => {
    throw new CliError(`${settingName} is ${shown}: ${why}`, ExitCode.config);
  };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail("not a URL (redis://[user:pass@]host:port[/db][?prefix=NAME])");
  }
  const tls = url.protocol === "rediss:";
  if (!tls && url.protocol !== "redis:") fail("expected redis:// or rediss://");
  if (url.hostname === "") fail("no host");
  const dbText = url.pathname.replace(/^\//, "");
  if (!/^\d*$/.test(dbText)) fail(`the database must be a number, got /${dbText}`);
  for (const key of url.searchParams.keys())
    if (!PARAMS.has(key)) fail(`unknown parameter ${key} (known: ${[...PARAMS].join(", ")})`);
  const prefix = url.searchParams.get("prefix") ?? DEFAULT_PREFIX;
  if (!/^[\w.:-]{1,64}$/.test(prefix))
    fail(`prefix must be 1-64 letters, digits, or . _ : -, got ${prefix}`);
  const ms = (name: string, dflt: number) => {
    const v = url.searchParams.get(name);
    if (v === null) return dflt;
    const n = Number(v);
    return Number.isInteger(n) && n > 0 ? n : fail(`${name} must be milliseconds > 0, got ${v}`);
  };
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = url.port === "" ? 6379 : Number(url.port);
  const options: RedisOptions = {
    host,
    port,
    db: dbText === "" ? 0 : Number(dbText),
    connectTimeout: ms("connectTimeout", DEFAULT_CONNECT_TIMEOUT_MS),
    commandTimeout: ms("commandTimeout", DEFAULT_COMMAND_TIMEOUT_MS),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(tls ? { tls: { servername: host } } : {}),
  };
  return { shown, address: `${url.hostname}:${port}`, prefix, options };
}
