import { afterAll, expect, it } from "vitest";
import { createRedisBackend } from "../../src/queue/redis-backend.js";
import { cliWorld } from "../support/cli.js";
import {
  describeRedisServer,
  type PrivateRedis,
  type RedisServerOptions,
  startRedisServer,
} from "../support/redis-server.js";

/**
 * Issue 11, item 4: `stats -v` says what the server does with acknowledged writes, from CONFIG
 * or, where a managed service disables CONFIG, from INFO persistence.
 */
const servers: PrivateRedis[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.shutdown()));
});

async function warningsOf(o: RedisServerOptions): Promise<{ port: number; warnings: string[] }> {
  const server = await startRedisServer(o);
  servers.push(server);
  const b = createRedisBackend({ url: server.url("durability"), settingName: "test" });
  try {
    return { port: server.port, warnings: await b.warnings() };
  } finally {
    await b.close();
  }
}

describeRedisServer("Redis persistence warnings", () => {
  it("a server that persists nothing is named as losing the whole queue on restart", async () => {
    const { port, warnings } = await warningsOf({ appendonly: false, save: "" });
    expect(warnings).toEqual([
      `Redis at 127.0.0.1:${port} persists nothing (appendonly no, no save points): a restart loses the whole queue; set appendonly yes`,
    ]);
  });

  it("snapshots only: what was written since the last one is lost", async () => {
    const { port, warnings } = await warningsOf({ appendonly: false, save: "900 1" });
    expect(warnings).toEqual([
      `Redis at 127.0.0.1:${port}: appendonly no (snapshots only: "900 1"): a restart loses what was written since the last snapshot; set appendonly yes`,
    ]);
  });

  it("appendfsync everysec can lose the last second; always loses nothing and says nothing", async () => {
    const everysec = await warningsOf({ appendonly: true, appendfsync: "everysec" });
    expect(everysec.warnings).toEqual([
      `Redis at 127.0.0.1:${everysec.port}: appendonly yes with appendfsync everysec: a crash of its host can lose up to the last second of queue writes (appendfsync always loses none)`,
    ]);
    expect((await warningsOf({ appendonly: true, appendfsync: "always" })).warnings).toEqual([]);
  });

  it("with CONFIG disabled (managed Redis), INFO persistence tells whether AOF is on", async () => {
    const off = await warningsOf({ appendonly: false, extra: ['rename-command CONFIG ""'] });
    expect(off.warnings).toEqual([
      `Redis at 127.0.0.1:${off.port}: appendonly no, and its save points cannot be read (CONFIG is disabled): a restart may lose queued sessions; the no-loss guarantee needs appendonly yes`,
    ]);
    const on = await warningsOf({
      appendonly: true,
      appendfsync: "always",
      extra: ['rename-command CONFIG ""'],
    });
    expect(on.warnings).toEqual([
      `Redis at 127.0.0.1:${on.port}: appendonly yes with appendfsync (unknown: CONFIG is disabled): a crash of its host can lose up to the last second of queue writes (appendfsync always loses none)`,
    ]);
  });

  it("`stats -v` prints the warning on stderr; plain `stats` does not", async () => {
    const server = await startRedisServer({ appendonly: false, save: "" });
    servers.push(server);
    const { run } = await cliWorld({ PLAYPROOF_QUEUE: server.url("durability-cli") });
    const warning = ` warning: Redis at 127.0.0.1:${server.port} persists nothing (appendonly no, no save points): a restart loses the whole queue; set appendonly yes`;
    const verbose = await run(["stats", "-v", "--json"]);
    expect(verbose.exitCode).toBe(0);
    expect(verbose.stderr.split("\n").filter((l) => l.includes("persists nothing"))).toHaveLength(
      1,
    );
    expect(verbose.stderr).toContain(warning);
    expect(JSON.parse(verbose.stdout)).toMatchObject({ backend: "redis", sessions: 0 });
    const plain = await run(["stats", "--json"]);
    expect(plain.stderr).not.toContain("persists nothing");
  });
});
