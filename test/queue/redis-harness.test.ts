/**
 * Issue 11's Redis test harness itself: a private redis-server that answers, hangs under SIGSTOP
 * (a client with a 200 ms command timeout times out) and recovers on SIGCONT, keeps an
 * appendfsync-always write across SIGKILL and restart (and loses it without AOF), and takes
 * passwords and ACL users; on the shared test Redis, a prefix's cleanup removes exactly its keys.
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import {
  cleanupPrefix,
  describeRedis,
  queueUrl,
  REDIS_URL,
  redisClient,
  uniquePrefix,
  withRedisPrefix,
} from "../support/redis.js";
import {
  describeRedisServer,
  type PrivateRedis,
  rawPing,
  startRedisServer,
} from "../support/redis-server.js";

const clients: Redis[] = [];
/** A client to a private server: no retries, so a dead server rejects at once. */
const client = (url: string, commandTimeout?: number) => {
  const c = new Redis(url, {
    commandTimeout,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  c.on("error", () => {});
  clients.push(c);
  return c;
};
afterAll(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

describe("prefixes and URLs", () => {
  it("uniquePrefix keeps [a-z0-9-] of the label and never repeats", () => {
    const shape = new RegExp(`^t-my-label-x--${process.pid}-(\\d+)-[0-9a-z]+$`);
    const a = shape.exec(uniquePrefix("My label{x}"));
    const b = shape.exec(uniquePrefix("My label{x}"));
    expect(a).not.toBe(null);
    expect(b).not.toBe(null);
    expect(Number(b![1])).toBe(Number(a![1]) + 1);
    expect(b![0].slice(b![0].lastIndexOf("-"))).toBe(a![0].slice(a![0].lastIndexOf("-")));
  });

  it("queueUrl adds database 0 unless the base names one, and the prefix", () => {
    expect(queueUrl("p1", "redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379/0?prefix=p1");
    expect(queueUrl("p1", "redis://127.0.0.1:6379/")).toBe("redis://127.0.0.1:6379/0?prefix=p1");
    expect(queueUrl("p-2", "redis://u:pw@10.0.0.5:7000/3")).toBe(
      "redis://u:pw@10.0.0.5:7000/3?prefix=p-2",
    );
  });
});

describeRedisServer("a private redis-server", () => {
  let plain: PrivateRedis;

  it("starts on its own port and answers PING", async () => {
    plain = await startRedisServer();
    expect(plain.port).not.toBe(6379);
    expect(await rawPing(plain.port)).toBe("+PONG");
    const c = client(plain.url());
    expect(await c.set("k", "v1")).toBe("OK");
    expect(await c.get("k")).toBe("v1");
    expect(await c.config("GET", "save")).toEqual(["save", ""]);
    expect(await c.config("GET", "appendonly")).toEqual(["appendonly", "no"]);
  });

  it("under SIGSTOP a command times out after 200 ms; after SIGCONT the same client works", async () => {
    const c = client(plain.url(), 200);
    expect(await c.set("paused", "before")).toBe("OK");
    plain.stop();
    const t0 = performance.now();
    await expect(c.get("paused")).rejects.toThrow("Command timed out");
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(waited).toBeLessThan(1_000);
    plain.resume();
    expect(await c.set("paused", "after")).toBe("OK");
    expect(await c.get("paused")).toBe("after");
  });

  it("kill + restart: appendfsync always keeps the write; without AOF it is gone", async () => {
    const aof = await startRedisServer({ appendonly: true, appendfsync: "always" });
    const c1 = client(aof.url());
    expect(await c1.set("durable", "written-before-kill")).toBe("OK");
    const pid1 = aof.pid;
    await aof.kill();
    expect(aof.pid).toBe(undefined);
    await expect(rawPing(aof.port)).rejects.toThrow("ECONNREFUSED");
    await aof.restart();
    expect(aof.pid).not.toBe(pid1);
    const c2 = client(aof.url());
    expect(await c2.get("durable")).toBe("written-before-kill");
    expect(await c2.config("GET", "appendfsync")).toEqual(["appendfsync", "always"]);

    // The control: the plain server (no AOF, no RDB) forgets its keys across the same restart.
    const c3 = client(plain.url());
    expect(await c3.get("k")).toBe("v1");
    await plain.kill();
    await plain.restart();
    const c4 = client(plain.url());
    expect(await c4.get("k")).toBe(null);
    expect(await c4.dbsize()).toBe(0);
    await aof.shutdown();
  });

  it("requirepass and an ACL user: refused without credentials, accepted with either", async () => {
    const s = await startRedisServer({
      requirepass: "default-secret",
      aclUser: { name: "queue", pass: "queue secret" },
    });
    expect(await rawPing(s.port)).toBe("-NOAUTH Authentication required.");
    expect(await rawPing(s.port, { pass: "wrong" })).toBe(
      "-WRONGPASS invalid username-password pair or user is disabled.\r\n-NOAUTH Authentication required.",
    );
    // ioredis 6 opens with HELLO, so its refusal names HELLO.
    await expect(client(s.url()).ping()).rejects.toThrow(/^NOAUTH HELLO must be called/);
    expect(await client(s.url(undefined, { pass: "default-secret" })).acl("WHOAMI")).toBe(
      "default",
    );
    const asUser = client(s.url("p", { user: "queue", pass: "queue secret" }));
    expect(await asUser.acl("WHOAMI")).toBe("queue");
    expect(s.url("p", { user: "queue", pass: "queue secret" })).toBe(
      `redis://queue:queue%20secret@127.0.0.1:${s.port}/0?prefix=p`,
    );
    await s.shutdown();
  });
});

describeRedis(`the shared test Redis (${REDIS_URL})`, () => {
  it("cleanupPrefix removes exactly the keys that start with {prefix}", async () => {
    const r = redisClient();
    const prefix = uniquePrefix("cleanup");
    const inside = [`{${prefix}}:a`, `{${prefix}}:b:c`, `{${prefix}}:hash`];
    const outside = [`${prefix}:a`, `{${prefix}0}:a`, `x{${prefix}}:a`];
    onTestFinished(async () => {
      await r.del(...inside, ...outside); // also when an assertion below fails
    });
    for (const k of [...inside, ...outside]) await r.set(k, "1");
    expect(await cleanupPrefix(prefix)).toBe(3);
    expect(await r.exists(...inside)).toBe(0);
    expect(await r.exists(...outside)).toBe(3);
    expect(await cleanupPrefix(prefix)).toBe(0);
  });

  it("cleanupPrefix takes glob characters in a prefix literally", async () => {
    const r = redisClient();
    const prefix = `${uniquePrefix("glob")}*?[a]`;
    const inside = `{${prefix}}:k`;
    const outside = `{${prefix.slice(0, -5)}x?a}:k`; // what `*?[a]` would match as a glob
    onTestFinished(async () => {
      await r.del(inside, outside);
    });
    await r.set(inside, "1");
    await r.set(outside, "1");
    expect(await cleanupPrefix(prefix)).toBe(1);
    expect(await r.exists(inside, outside)).toBe(1);
    expect(await r.get(outside)).toBe("1");
  });

  let left = "";
  it("withRedisPrefix gives a fresh prefix per test ...", async () => {
    const r = redisClient();
    left = withRedisPrefix("harness");
    expect(withRedisPrefix("harness")).not.toBe(left);
    await r.set(`{${left}}:kept-until-the-test-ends`, "1");
    await r.hset(`{${left}}:h`, "f", "v");
    expect(await r.exists(`{${left}}:kept-until-the-test-ends`, `{${left}}:h`)).toBe(2);
  });

  it("... and deletes its keys when the test finishes", async () => {
    const r = redisClient();
    expect(left).not.toBe("");
    expect(await r.keys(`{${left}}*`)).toEqual([]);
  });
});
