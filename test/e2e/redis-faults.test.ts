/**
 * Issue 11 "Must show", Redis faults through the built binary, each on a private redis-server
 * (test/support/redis-server.ts): unreachable at start (exit 69 naming host:port, the password
 * never printed), a refused password (77), an ACL user, a server frozen by SIGSTOP mid-batch
 * (the command fails within its commandTimeout with 69; after SIGCONT and the lease every
 * session is scored once), a server killed mid-batch and restarted from its append-only file
 * (the claim survives; each session one final result), and `watch` through a 10 s outage.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { expect, it } from "vitest";
import { cliWorld } from "../support/cli.js";
import { useFakeServer } from "../support/fake-client.js";
import { DEFAULT_SETTINGS } from "../support/fake-state.js";
import { mixedSessions, woodwideEnv } from "../support/process-world.js";
import { redisClient } from "../support/redis.js";
import {
  describeRedisServer,
  freePort,
  type PrivateRedis,
  startRedisServer,
} from "../support/redis-server.js";

const server = useFakeServer({}, DEFAULT_SETTINGS);
const isBot = (i: number) => i % 7 === 3;
const PREFIX = "faults";
const key = (k: string) => `{${PREFIX}}:${k}`;

/** A CLI world on `url`, with the fake Woodwide configured (direct mode: one call a batch). */
async function world(url: string) {
  return cliWorld({ ...woodwideEnv(server.fake), PLAYPROOF_QUEUE: url });
}

async function enqueue(w: Awaited<ReturnType<typeof world>>, n: number, start = 0) {
  const r = await w.run(["enqueue", "--quiet"], { input: mixedSessions(n, isBot, start) });
  expect(r.exitCode, r.stderr).toBe(0);
}

/** Until `probe` holds, polling every 50 ms; fails after `ms`. */
async function until(probe: () => Promise<boolean> | boolean, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** When the last live claim's lease ends (0 when none). */
async function lastLease(redis: Redis): Promise<number> {
  const top = await redis.zrevrange(key("lease"), 0, 0, "WITHSCORES");
  return top.length === 0 ? 0 : Number(top[1]);
}

/**
 * Every session of the queue in one final state, each recorded once: as many records as
 * sessions, all scored, one result each, the script-kept counts and lifetime totals agreeing.
 */
async function expectScoredOnce(redis: Redis, n: number) {
  const recs = Object.values(await redis.hgetall(key("rec"))).map(
    (j) => JSON.parse(j) as { s: string },
  );
  expect(recs.map((r) => r.s)).toEqual(Array(n).fill("s"));
  expect(await redis.hlen(key("r"))).toBe(n);
  expect(await redis.zcard(key("done"))).toBe(n);
  expect(await redis.zcard(key("lease"))).toBe(0);
  expect(await redis.hget(key("n"), "scored")).toBe(String(n));
  expect(await redis.hget(key("meta"), "tscored")).toBe(String(n));
  expect(await redis.hget(key("meta"), "tdead")).toBe(null);
}

const PASSWORD = "pw-Never-Printed-4417";

describeRedisServer("Redis faults (private redis-server, built binary)", () => {
  it("unreachable at start: every command exits 69 naming host:port, never printing the password", async () => {
    const port = await freePort();
    const w = await world(`redis://ppuser:${PASSWORD}@127.0.0.1:${port}/0?prefix=${PREFIX}`);
    const runs = await Promise.all([
      w.run(["enqueue"], { input: mixedSessions(2, isBot) }),
      w.run(["process", "--engine", "local"]),
      w.run(["stats"]),
    ]);
    for (const r of runs) {
      expect(r.exitCode, r.stderr).toBe(69);
      expect(r.stderr).toContain(`Redis at 127.0.0.1:${port} is unreachable`);
      expect(r.stderr).toContain("ECONNREFUSED");
      expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    }
  });

  it("a wrong or missing password exits 77; an ACL user with its password works", async () => {
    const acl = { name: "ppuser", pass: "acl-Pass-8812" };
    const redis = await startRedisServer({ requirepass: PASSWORD, aclUser: acl });
    const refused = [
      redis.url(PREFIX, { pass: "wrong-Secret-1" }),
      redis.url(PREFIX, { user: acl.name, pass: "wrong-Secret-1" }),
      redis.url(PREFIX),
    ];
    const runs = await Promise.all(
      refused.map(async (url) =>
        (await world(url)).run(["enqueue"], { input: mixedSessions(2, isBot) }),
      ),
    );
    for (const r of runs) {
      expect(r.exitCode, r.stderr).toBe(77);
      expect(r.stderr).toContain(`Redis at 127.0.0.1:${redis.port} refused the credentials`);
      expect(r.stdout + r.stderr).not.toContain("wrong-Secret-1");
    }
    const w = await world(redis.url(PREFIX, { user: acl.name, pass: acl.pass }));
    await enqueue(w, 6);
    const p = await w.run(["process", "--engine", "local", "--json"]);
    expect(p.exitCode, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ sessions: 6, scored: 6 });
    expect(p.stdout + p.stderr).not.toContain(acl.pass);
    // The default user with the server's password sees the same queue.
    const admin = redisClient(redis.url(undefined, { pass: PASSWORD }));
    await expectScoredOnce(admin, 6);
    await redis.shutdown();
  });

  it("SIGSTOP mid-batch: the process exits 69 within its commandTimeout; after SIGCONT and the lease, every session is scored once", async () => {
    const redis = await startRedisServer();
    const admin = redisClient(redis.url());
    const w = await world(`${redis.url(PREFIX)}&commandTimeout=1000`);
    await enqueue(w, 20);
    server.fake.settings.latencyMs = 1500;
    const args = ["process", "--mode", "direct", "--batch-size", "10", "--lease", "4s"];
    const child = w.run(args);
    await until(() => server.fake.requests.length > 0, 15_000, "the first Woodwide call");
    redis.stop();
    const stopped = Date.now();
    const r = await child;
    expect(r.exitCode, r.stderr).toBe(69);
    const failed = new RegExp(
      `^(\\S+) playproof-batch: Redis at 127\\.0\\.0\\.1:${redis.port} did not answer \\(record a batch\\): Command timed out`,
      "m",
    ).exec(r.stderr);
    expect(failed, r.stderr).not.toBe(null);
    // Printed on the way out: the rest of the answer (<= 1.5 s), then three commands timing out
    // after 1 s each (the results, their release, QUIT). With the default commandTimeout (10 s)
    // it would be 30 s or more.
    expect(Date.parse(failed![1]!) - stopped).toBeLessThan(7_000);

    redis.resume();
    server.fake.settings.latencyMs = 0;
    // What the frozen server had already received runs now; the claim itself is still held.
    await sleep(Math.max(0, (await lastLease(admin)) - Date.now()) + 50);
    const again = await w.run([...args, "--json"]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ lost: 0 });
    await expectScoredOnce(admin, 20);
    await redis.shutdown();
  });

  it("killed mid-batch and restarted from its append-only file: the claim survives, the batch is recorded, each session scored once", async () => {
    const redis = await startRedisServer({ appendonly: true, appendfsync: "always" });
    const admin = redisClient(redis.url());
    const w = await world(`${redis.url(PREFIX)}&commandTimeout=2000`);
    await enqueue(w, 20);
    server.fake.settings.latencyMs = 2500;
    const child = w.run([
      "process",
      "--mode",
      "direct",
      "--batch-size",
      "10",
      "--lease",
      "20s",
      "--json",
    ]);
    await until(() => server.fake.requests.length > 0, 15_000, "the first Woodwide call");
    await redis.restart(); // SIGKILL, then the same port and dir: the AOF is loaded again
    expect(await admin.zcard(key("lease"))).toBe(10);
    server.fake.settings.latencyMs = 0;
    const r = await child;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sessions: 20, scored: 20, lost: 0 });
    await expectScoredOnce(admin, 20);
    await redis.shutdown();
  });

  it("killed mid-batch and still down when the batch ends: exit 69; restarted, the claim runs out and another process scores it once", async () => {
    const redis = await startRedisServer({ appendonly: true, appendfsync: "always" });
    const admin = redisClient(redis.url());
    const w = await world(`${redis.url(PREFIX)}&commandTimeout=1000&connectTimeout=1000`);
    await enqueue(w, 20);
    server.fake.settings.latencyMs = 1000;
    const args = ["process", "--mode", "direct", "--batch-size", "10", "--lease", "3s"];
    const child = w.run(args);
    await until(() => server.fake.requests.length > 0, 15_000, "the first Woodwide call");
    await redis.kill();
    const r = await child;
    expect(r.exitCode, r.stderr).toBe(69);
    expect(r.stderr).toContain(`Redis at 127.0.0.1:${redis.port}`);

    await redis.restart();
    expect(await admin.zcard(key("lease"))).toBe(10);
    expect(await admin.zcard(key("ready"))).toBe(10);
    server.fake.settings.latencyMs = 0;
    await sleep(Math.max(0, (await lastLease(admin)) - Date.now()) + 50);
    const again = await w.run([...args, "--json"]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ sessions: 20, scored: 20, lost: 0 });
    await expectScoredOnce(admin, 20);
    await redis.shutdown();
  });

  it("watch runs through a 10 s outage and scores what is enqueued after Redis returns", async () => {
    const redis: PrivateRedis = await startRedisServer({
      appendonly: true,
      appendfsync: "always",
    });
    const admin = redisClient(redis.url());
    const scored = async () => Number((await admin.hget(key("n"), "scored")) ?? 0);
    const w = await world(`${redis.url(PREFIX)}&commandTimeout=1000&connectTimeout=1000`);
    const watch = w.run([
      "watch",
      "--engine",
      "local",
      "--interval",
      "1s",
      "--min-batch",
      "1",
      "--lease",
      "5s",
      "--log-format",
      "json",
    ]);
    let log = "";
    watch.stderr?.on("data", (d: Buffer) => {
      log += d.toString();
    });
    await enqueue(w, 5);
    await until(async () => (await scored()) === 5, 20_000, "watch to score the first 5");

    await redis.kill();
    const down = Date.now();
    const offline = await w.run(["enqueue", "--quiet"], { input: mixedSessions(2, isBot, 100) });
    expect(offline.exitCode).toBe(69);
    await sleep(Math.max(0, down + 10_000 - Date.now()));
    expect(watch.exitCode).toBe(null);
    const errorsWhileDown = log.split("\n").filter((l) => l.includes(`127.0.0.1:${redis.port}`));
    expect(errorsWhileDown.length).toBeGreaterThan(3);

    await redis.restart();
    await enqueue(w, 5, 5);
    await until(async () => (await scored()) === 10, 20_000, "watch to score the next 5");
    expect(watch.exitCode).toBe(null);
    watch.kill("SIGTERM");
    const ended = await watch;
    expect(ended.exitCode, log).toBe(0);
    await expectScoredOnce(admin, 10);
    await redis.shutdown();
  }, 60_000);
});
