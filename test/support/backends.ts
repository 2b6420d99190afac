/**
 * Issue 11: an end-to-end suite run on both queue backends. `describeBackends(name, fn)` declares
 * the suite twice, `name [file]` and `name [redis]`; the Redis one is gated as `describeRedis`
 * gates (fails in CI without a reachable Redis, skipped visibly elsewhere). Inside a test,
 * `b.queue()` is a fresh queue location: a file path in a temp directory, or a Redis URL with a
 * key prefix of its own whose keys are deleted when the test finishes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, onTestFinished } from "vitest";
import { openQueue, type Queue } from "../../src/api/queue.js";
import type { QueueBackend } from "../../src/queue/backend.js";
import { describeRedis, queueUrl, redisClient, withRedisPrefix } from "./redis.js";

export type BackendKind = QueueBackend["kind"];

export interface TestBackend {
  kind: BackendKind;
  /**
   * A fresh queue for the running test: `<dir>/<name>.jsonl` (dir: a new temp directory, removed
   * after the test, when not given), or `redis://…/0?prefix=<unique>` (dir unused).
   */
  queue(dir?: string, name?: string): string;
}

export const fileBackend: TestBackend = {
  kind: "file",
  queue(dir, name = "queue") {
    let where = dir;
    if (where === undefined) {
      const made = mkdtempSync(join(tmpdir(), "ppb-q-"));
      onTestFinished(() => rmSync(made, { recursive: true, force: true }));
      where = made;
    }
    return join(where, `${name}.jsonl`);
  },
};

/**
 * Redis queues whose prefixes start with (the first 24 characters of) `label`, readable in
 * `redis-cli --scan`; uniquePrefix adds some 30 more, within the backend's 64.
 */
export function redisBackend(label: string): TestBackend {
  return {
    kind: "redis",
    queue: (_dir, name = "queue") =>
      queueUrl(withRedisPrefix(`${label.slice(0, 24)}-${name.slice(0, 8)}`)),
  };
}

/** `fn`'s suite on the file backend, then on Redis (see the file's comment). */
export function describeBackends(name: string, fn: (b: TestBackend) => void): void {
  describe(`${name} [file]`, () => fn(fileBackend));
  describeRedis(`${name} [redis]`, () => fn(redisBackend(name)));
}

/**
 * The queue at `location` through the library, as another process on the host would open it
 * (no config file; `env` for HOME and the like), closed when the test finishes. Tests read what
 * they check through it (`internals.store` is the backend: records, payloads, leases) instead
 * of reading a journal file, so the same check holds on Redis.
 */
export async function libraryView(
  location: string,
  env: Record<string, string> = {},
): Promise<Queue> {
  const q = await openQueue(location, { env, configFile: false, onWarning: () => undefined });
  onTestFinished(() => q.close());
  return q;
}

/**
 * Everything the queue at `location` holds, as text: the journal file's bytes, or each of the
 * Redis queue's keys (sorted) with its type and contents in a stable order. For checks that
 * must hold of the stored queue whatever the backend: "nothing changed", "the key is not in it".
 */
export async function queueDump(location: string): Promise<string> {
  if (!location.startsWith("redis://")) return readFile(location, "utf8");
  const url = new URL(location);
  const prefix = url.searchParams.get("prefix");
  if (!prefix) throw new Error(`queueDump: no prefix in ${location}`);
  url.search = "";
  const client = redisClient(url.toString());
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, page] = await client.scan(cursor, "MATCH", `{${prefix}}:*`, "COUNT", 1000);
    cursor = next;
    keys.push(...page);
  } while (cursor !== "0");
  const out: string[] = [];
  for (const key of keys.sort()) {
    const type = await client.type(key);
    let body: string[];
    if (type === "hash") {
      const h = await client.hgetall(key);
      body = Object.keys(h)
        .sort()
        .map((f) => `${f}\t${h[f]}`);
    } else if (type === "zset") body = await client.zrange(key, "0", "-1", "WITHSCORES");
    else if (type === "string") body = [(await client.get(key)) ?? ""];
    else throw new Error(`queueDump: ${key} is a ${type}`);
    out.push(`${key} (${type})`, ...body);
  }
  return out.join("\n");
}
