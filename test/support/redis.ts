/**
 * The shared test Redis (issue 11): 127.0.0.1:6379 unless PLAYPROOF_TEST_REDIS says otherwise.
 * `.ci/run` starts one when none answers; a test owns the keys under its own prefix and deletes
 * them afterwards. Suites that need it use `describeRedis`: without a reachable Redis they fail
 * in CI (`CI=true`) and are skipped elsewhere with a line saying why.
 */
import { Redis, type RedisOptions } from "ioredis";
import { afterAll, describe, it, onTestFinished } from "vitest";

export const REDIS_URL = process.env.PLAYPROOF_TEST_REDIS || "redis://127.0.0.1:6379";

export interface Availability {
  ok: boolean;
  /** Why not, when not ok: a sentence naming what is missing and the error. */
  why?: string;
}

const probes = new Map<string, Promise<Availability>>();

/** One PING with a 1 s connect timeout and no retries; the answer is cached per URL. */
export function redisStatus(url = REDIS_URL): Promise<Availability> {
  let probe = probes.get(url);
  if (!probe) {
    probe = (async (): Promise<Availability> => {
      const client = new Redis(url, {
        lazyConnect: true,
        connectTimeout: 1_000,
        commandTimeout: 1_000,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      });
      // The socket's error (ECONNREFUSED, ETIMEDOUT) comes as an event; connect() then only
      // rejects with "Connection is closed.".
      let socketError: string | undefined;
      client.on("error", (err: Error) => {
        socketError ??= err.message;
      });
      const no = (why: string) => ({ ok: false, why: `Redis not reachable at ${url}: ${why}` });
      try {
        await client.connect();
        const pong = await client.ping();
        return pong === "PONG" ? { ok: true } : no(`PING answered ${pong}`);
      } catch (err) {
        return no(socketError ?? ((err as Error).message || String(err)));
      } finally {
        client.disconnect();
      }
    })();
    probes.set(url, probe);
  }
  return probe;
}

/** Whether the test Redis answers PING (cached). */
export async function redisAvailable(url = REDIS_URL): Promise<boolean> {
  return (await redisStatus(url)).ok;
}

const warned = new Set<string>();

/**
 * `describe`, gated on `status` (what the suite needs, e.g. "a reachable Redis"). When it is not
 * ok, in CI (`CI=true`) the suite is one failing test, `needs <need>`, whose error is the reason;
 * elsewhere the suite's tests are collected as skipped under `skipped: <reason>` and a warning
 * line is printed once per reason. The status is awaited while vitest collects the suite (vitest
 * awaits an async suite factory), so a test file needs no top-level await.
 */
export function describeWhen(
  status: () => Promise<Availability>,
  need: string,
  name: string,
  fn: () => void,
): void {
  describe(name, async () => {
    const s = await status();
    if (s.ok) return fn();
    const reason = s.why ?? `no ${need}`;
    if (process.env.CI === "true") {
      it(`needs ${need}`, () => {
        throw new Error(`${reason} (CI=true: failing, not skipping)`);
      });
      return;
    }
    if (!warned.has(reason)) {
      warned.add(reason);
      console.warn(
        `SKIPPED (not CI): ${reason}; the tests that need it are skipped (CI fails them)`,
      );
    }
    describe.skip(`skipped: ${reason}`, fn);
  });
}

/** A suite that needs the test Redis at REDIS_URL (see `describeWhen`). */
export function describeRedis(name: string, fn: () => void): void {
  describeWhen(() => redisStatus(REDIS_URL), `a reachable Redis at ${REDIS_URL}`, name, fn);
}

let counter = 0;
// Unique per process start without randomness: wall-clock ms and the monotonic clock's
// sub-millisecond ns, beside the pid and a counter.
const started = (BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n)).toString(
  36,
);

/**
 * A key prefix no other test (or run sharing the Redis) uses: `t-<label>-<pid>-<n>-<start>`.
 * Only [a-z0-9-] survive from the label, so the prefix is safe inside a `{hash tag}` and a URL.
 */
export function uniquePrefix(label: string): string {
  const clean = label.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
  counter += 1;
  return `t-${clean}-${process.pid}-${counter}-${started}`;
}

/** The queue URL for `prefix` on `base`: database 0 unless `base` names one, `?prefix=<prefix>`. */
export function queueUrl(prefix: string, base = REDIS_URL): string {
  const url = new URL(base);
  if (url.pathname === "" || url.pathname === "/") url.pathname = "/0";
  url.searchParams.set("prefix", prefix);
  return url.toString();
}

const clients: Redis[] = [];

/** A client for the test itself (not the backend's), disconnected after the file's tests. */
export function redisClient(url = REDIS_URL, options: RedisOptions = {}): Redis {
  const client = new Redis(url, { connectTimeout: 1_000, maxRetriesPerRequest: 1, ...options });
  client.on("error", () => {}); // commands reject with the error; no unhandled 'error' events
  clients.push(client);
  return client;
}

/** One client per URL for cleanupPrefix. */
const admins = new Map<string, Redis>();

afterAll(() => {
  admins.clear();
  for (const c of clients.splice(0)) c.disconnect();
});

/** Glob-escapes `s` for SCAN MATCH. */
const globEscape = (s: string) => s.replace(/[*?[\]\\]/g, "\\$&");

/**
 * Deletes (UNLINK) every key whose name starts with `{<prefix>}` (the backend's keys are
 * `{prefix}:...`) in the database `url` names; returns how many there were.
 */
export async function cleanupPrefix(prefix: string, url = REDIS_URL): Promise<number> {
  let client = admins.get(url);
  if (!client) {
    client = redisClient(url);
    admins.set(url, client);
  }
  let cursor = "0";
  let removed = 0;
  do {
    const [next, keys] = await client.scan(
      cursor,
      "MATCH",
      `${globEscape(`{${prefix}}`)}*`,
      "COUNT",
      1000,
    );
    cursor = next;
    if (keys.length > 0) removed += await client.unlink(...keys);
  } while (cursor !== "0");
  return removed;
}

/**
 * Inside a test: a fresh prefix whose keys are deleted when the test finishes (passed or not).
 */
export function withRedisPrefix(label = "test"): string {
  const prefix = uniquePrefix(label);
  onTestFinished(async () => {
    await cleanupPrefix(prefix);
  });
  return prefix;
}
