/**
 * Issue 11 "Must show": a processor killed mid-batch on the Redis queue. Its sessions stay
 * claimed until the lease runs out, then another `process` takes them over and scores each
 * once; the killed batch records nothing. And a processor that was only frozen (SIGSTOP) past
 * its lease: its late answer is dropped (`lost`), the sessions keep the one result of the
 * processor that took them over. Built binary, fake Woodwide, the shared test Redis.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { cliWorld } from "../support/cli.js";
import { useFakeServer } from "../support/fake-client.js";
import { DEFAULT_SETTINGS } from "../support/fake-state.js";
import { mixedSessions, woodwideEnv } from "../support/process-world.js";
import { describeRedis, queueUrl, redisClient, withRedisPrefix } from "../support/redis.js";

const server = useFakeServer({}, DEFAULT_SETTINGS);
const isBot = (i: number) => i % 7 === 3;
const idsOf = (n: number) => Array.from({ length: n }, (_, i) => `s_${i}`);

async function redisWorld(label: string, n: number) {
  const prefix = withRedisPrefix(label);
  const w = await cliWorld({ ...woodwideEnv(server.fake), PLAYPROOF_QUEUE: queueUrl(prefix) });
  const r = await w.run(["enqueue", "--quiet"], { input: mixedSessions(n, isBot) });
  expect(r.exitCode, r.stderr).toBe(0);
  const key = (k: string) => `{${prefix}}:${k}`;
  return { ...w, key, redis: redisClient() };
}

interface Line {
  sessionId: string;
  status: string;
  result?: { source: string };
}

/** `results --format ndjson`: one line per session held, with its final result. */
async function resultLines(w: Awaited<ReturnType<typeof redisWorld>>): Promise<Line[]> {
  const r = await w.run(["results", "--format", "ndjson", "--quiet"]);
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
}

/** When the last lease of `batch` ends (ms since the epoch), read from Redis. */
async function leaseEnd(w: Awaited<ReturnType<typeof redisWorld>>, batch: string) {
  const recs = await w.redis.hgetall(w.key("rec"));
  const leases = Object.values(recs)
    .map((j) => JSON.parse(j) as { b?: string; l?: number })
    .filter((r) => r.b === batch)
    .map((r) => r.l!);
  return Math.max(...leases);
}

/** The batches holding claims now, with how many sessions each. */
async function holders(w: Awaited<ReturnType<typeof redisWorld>>) {
  const recs = await w.redis.hgetall(w.key("rec"));
  const out = new Map<string, number>();
  for (const j of Object.values(recs)) {
    const r = JSON.parse(j) as { s: string; b?: string };
    if (r.s === "c") out.set(r.b!, (out.get(r.b!) ?? 0) + 1);
  }
  return out;
}

describeRedis("a processor killed or frozen mid-batch (Redis queue, built binary)", () => {
  it("SIGKILL mid-batch: its 10 sessions wait out the lease, then another process scores all 30 once", async () => {
    const w = await redisWorld("takeover-kill", 30);
    server.fake.setFault({ kind: "hang", on: "infer", times: 1 });
    // A lease long enough for the checks below on a busy machine (a CLI run takes ~1.5 s).
    const args = ["process", "--mode", "direct", "--lease", "6s", "--batch-size", "10"];
    const child = w.run(args);
    while (!server.fake.requests.some((q) => q.fault === "hang")) await sleep(20);
    child.kill("SIGKILL");
    expect((await child).signal).toBe("SIGKILL");

    const held = await holders(w);
    expect([...held.values()]).toEqual([10]);
    const [killed] = [...held.keys()];
    expect(await w.redis.zcard(w.key("lease"))).toBe(10);
    expect(await w.redis.zcard(w.key("ready"))).toBe(20);
    expect(await w.redis.hgetall(w.key("meta"))).toEqual({});

    // Before the lease ends, a second process leaves the killed batch alone.
    const early = await w.run([...args, "--max-batches", "2", "--json"]);
    expect(early.exitCode, early.stderr).toBe(0);
    expect(JSON.parse(early.stdout)).toMatchObject({ sessions: 20, scored: 20, lost: 0 });
    expect([...(await holders(w)).entries()]).toEqual([[killed, 10]]);

    await sleep(Math.max(0, (await leaseEnd(w, killed!)) - Date.now()) + 50);
    const r = await w.run([...args, "--json"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ batches: 1, sessions: 10, scored: 10, lost: 0 });

    const lines = await resultLines(w);
    expect(lines.map((l) => l.sessionId).sort()).toEqual(idsOf(30).sort());
    expect(lines.filter((l) => l.status !== "scored" || l.result?.source !== "woodwide")).toEqual(
      [],
    );
    const after = JSON.parse((await w.run(["stats", "--json"])).stdout);
    expect(after).toMatchObject({ sessions: 30, scored: 30, dead: 0, due: 0, inFlight: 0 });
    // Three batches recorded (20 + 10 by the later processes): none by the killed one.
    expect(after.totals).toEqual({ batches: 3, scored: 30, retries: 0, dead: 0 });
    expect(await w.redis.hget(w.key("meta"), "tscored")).toBe("30");
  }, 30_000);

  it("SIGSTOP past the lease: another process scores the batch; the frozen one's late answer is dropped", async () => {
    const w = await redisWorld("takeover-stop", 10);
    server.fake.settings.latencyMs = 2500;
    const frozen = w.run(["process", "--mode", "direct", "--lease", "1s", "--json"]);
    while (server.fake.requests.length === 0) await sleep(20);
    frozen.kill("SIGSTOP");
    server.fake.settings.latencyMs = 0; // for the processor that takes over
    const [batch] = [...(await holders(w)).keys()];
    await sleep(Math.max(0, (await leaseEnd(w, batch!)) - Date.now()) + 50);

    const r = await w.run(["process", "--mode", "direct", "--lease", "10s", "--json"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sessions: 10, scored: 10, lost: 0 });
    const firstResults = await resultLines(w);

    // Its answer has arrived by now (2.5 s); once it runs again it settles: every result lost.
    frozen.kill("SIGCONT");
    const late = await frozen;
    expect(late.exitCode, late.stderr).toBe(0);
    expect(JSON.parse(late.stdout)).toMatchObject({ sessions: 10, scored: 0, lost: 10 });

    const lines = await resultLines(w);
    expect(lines).toEqual(firstResults);
    expect(lines.map((l) => l.sessionId).sort()).toEqual(idsOf(10).sort());
    const stats = JSON.parse((await w.run(["stats", "--json"])).stdout);
    expect(stats).toMatchObject({ sessions: 10, scored: 10, due: 0, inFlight: 0 });
    // Both batches are on record; only the first recorded results.
    expect(stats.totals).toEqual({ batches: 2, scored: 10, retries: 0, dead: 0 });
  }, 30_000);
});
