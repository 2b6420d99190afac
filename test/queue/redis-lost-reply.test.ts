/**
 * Issue 11: a connection that drops after a script ran but before its reply arrived. The
 * backend must not send the script again on the next connection (ioredis does by default): a
 * claim would run twice (the caller gets the second set; the first waits out its lease) and an
 * enqueue would report its own sessions as duplicates. It fails at once as "not confirmed"
 * (exit 69). The shared test Redis, behind a loopback TCP relay that can drop one reply.
 */
import { connect, createServer, type Server } from "node:net";
import { afterAll, expect, it } from "vitest";
import type { CliError } from "../../src/errors.js";
import type { QueueBackend } from "../../src/queue/backend.js";
import type { SessionPayload } from "../../src/queue/events.js";
import { createRedisBackend } from "../../src/queue/redis-backend.js";
import { describeRedis, REDIS_URL, redisClient, withRedisPrefix } from "../support/redis.js";

/** A relay to the test Redis; `dropNextReply()` cuts the connection instead of relaying a reply. */
async function relay() {
  const target = new URL(REDIS_URL);
  let drop = false;
  let dropped = 0;
  const server: Server = createServer((client) => {
    const up = connect(Number(target.port || 6379), target.hostname);
    client.on("data", (d) => up.write(d));
    up.on("data", (d) => {
      if (!drop) {
        client.write(d);
        return;
      }
      drop = false;
      dropped++;
      client.destroy();
      up.destroy();
    });
    for (const s of [client, up]) {
      s.on("error", () => undefined);
      s.on("close", () => {
        client.destroy();
        up.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  servers.push(server);
  return {
    url: (prefix: string) => `redis://127.0.0.1:${port}${target.pathname || "/0"}?prefix=${prefix}`,
    dropNextReply: () => {
      drop = true;
    },
    dropped: () => dropped,
  };
}

const servers: Server[] = [];
const backends: QueueBackend[] = [];
afterAll(async () => {
  for (const b of backends) await b.close();
  for (const s of servers) s.close();
});

const payload: SessionPayload = {
  features: {},
  meta: { gameType: "g", deviceType: "mouse" },
  provisional: {},
} as unknown as SessionPayload;
const items = Array.from({ length: 10 }, (_, i) => ({ id: `s${i}`, payload }));

async function setup(label: string) {
  const prefix = withRedisPrefix(label);
  const r = await relay();
  const store = createRedisBackend({ url: r.url(prefix), settingName: "--queue" });
  backends.push(store);
  await store.summary(Date.now()); // connected: the next reply dropped is a script's
  return { r, store, key: (k: string) => `{${prefix}}:${k}`, redis: redisClient() };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (err: CliError) => err,
  );

describeRedis("a reply lost with the connection (Redis backend)", () => {
  it("enqueue: fails as not confirmed (69), ran once; enqueued again, all are duplicates", async () => {
    const { r, store, key, redis } = await setup("lost-enqueue");
    // The first enqueue registers the payloads' feature names (redis-payload.ts): after it,
    // the next reply is the enqueue script's.
    await store.enqueue([{ id: "first", payload }], Date.now());
    r.dropNextReply();
    const err = await failure(store.enqueue(items, Date.now()));
    expect(r.dropped()).toBe(1);
    expect(err.exitCode).toBe(69);
    expect(err.message).toMatch(/did not answer \(enqueue\): Connection is closed/);
    expect(await redis.hlen(key("rec"))).toBe(11);
    const again = await store.enqueue(items, Date.now());
    expect(again).toEqual({ accepted: [], duplicates: items.map((i) => i.id) });
  });

  it("claim: fails as not confirmed (69), claimed once; the next claim takes the next sessions", async () => {
    const { r, store, key, redis } = await setup("lost-claim");
    await store.enqueue(items, 1_000);
    r.dropNextReply();
    const claim = (batch: string) =>
      store.claim({ now: Date.now(), max: 3, leaseMs: 60_000, owner: "o", batch });
    const err = await failure(claim("b-lost"));
    expect(r.dropped()).toBe(1);
    expect(err.exitCode).toBe(69);
    expect(err.message).toMatch(/did not answer \(claim a batch\): Connection is closed/);
    expect(await redis.zrange(key("lease"), "0", "-1")).toEqual(["s0", "s1", "s2"]);
    const next = await claim("b-next");
    expect(next.map((c) => c.rec.id)).toEqual(["s3", "s4", "s5"]);
    expect(await redis.zcard(key("lease"))).toBe(6);
  });
});
