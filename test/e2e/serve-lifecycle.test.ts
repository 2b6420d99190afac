/**
 * Issue 12: `serve` under load and through its lifecycle, with the built binary: 100 concurrent
 * enqueue requests, SIGTERM in the middle of a batch, the scheduler's start/stop/status cycle.
 */
import { readFile } from "node:fs/promises";
import { afterEach, expect, it } from "vitest";
import { describeBackends, libraryView } from "../support/backends.js";
import { cliWorld } from "../support/cli.js";
import { eventually } from "../support/eventually.js";
import { type FakeWoodwide, startFakeWoodwide } from "../support/fake-woodwide.js";
import { woodwideEnv } from "../support/process-world.js";
import { type Served, startServe } from "../support/serve.js";
import { makeSession, ndjson } from "../support/sessions.js";

const TOKEN = "t0ken-for-serve-tests-0123456789";
const B = "/api/v1/batch";
let served: Served | undefined;
let fake: FakeWoodwide | undefined;
afterEach(async () => {
  await served?.close();
  await fake?.close();
  served = undefined;
  fake = undefined;
});

/** The id of every session the queue holds, through its backend. */
async function queuedIds(w: Awaited<ReturnType<typeof cliWorld>>) {
  const q = await libraryView(w.queue, w.env);
  const ids: string[] = [];
  for await (const f of q.internals.store.sessions()) ids.push(f.rec.id);
  return ids;
}

/** The ids of the journal's enqueue events (one per accepted session, never two). */
const enqueueEvents = async (queue: string) =>
  (await readFile(queue, "utf8"))
    .split("\n")
    .filter((l) => l.includes('"t":"enqueue"'))
    .map((l) => /"id":"([^"]+)"/.exec(l)?.[1]);

describeBackends("serve under load", (b) => {
  it("100 concurrent enqueue requests lose and duplicate nothing", async () => {
    const w = await cliWorld({ PLAYPROOF_API_TOKEN: TOKEN }, b);
    served = await startServe(w.env, ["--engine", "local"]);
    const s = served;
    // Each request: its own session, and one of 10 shared ones every tenth request also sends.
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        s.call("POST", `${B}/enqueue`, {
          token: TOKEN,
          type: "application/x-ndjson",
          body: `${JSON.stringify(makeSession(i))}\n${JSON.stringify(makeSession(1_000 + (i % 10), { prefix: "shared" }))}\n`,
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(200));
    const sum = (k: "accepted" | "duplicates" | "rejected") =>
      answers.reduce((n, a) => n + (a.json[k] as number), 0);
    expect([sum("accepted"), sum("duplicates"), sum("rejected")]).toEqual([110, 90, 0]);
    const expected = [
      ...Array.from({ length: 100 }, (_, i) => `s_${i}`),
      ...Array.from({ length: 10 }, (_, i) => `shared_${1_000 + i}`),
    ].sort();
    expect((await queuedIds(w)).sort()).toEqual(expected);
    if (b.kind === "file") {
      // The journal itself: one enqueue line per accepted session, never a second one.
      const ids = await enqueueEvents(w.queue);
      expect(ids.length).toBe(110);
      expect(new Set(ids).size).toBe(110);
      expect([...ids].sort()).toEqual(expected);
    }
    expect((await s.call("GET", `${B}/stats`)).json).toMatchObject({ sessions: 110, due: 110 });
  }, 60_000);
});

describeBackends("serve: SIGTERM", (b) => {
  it("mid-batch: stops accepting, finishes the request and the batch in flight, exits 0", async () => {
    fake = await startFakeWoodwide({ latencyMs: 2_000 });
    const f = fake;
    const w = await cliWorld({ PLAYPROOF_API_TOKEN: TOKEN, ...woodwideEnv(f) }, b);
    served = await startServe(w.env, ["--mode", "direct"]);
    const s = served;
    const put = await s.call("POST", `${B}/enqueue`, {
      token: TOKEN,
      type: "application/x-ndjson",
      body: ndjson(3),
    });
    expect(put.json.accepted).toBe(3);
    const processing = s.call("POST", `${B}/process`, { token: TOKEN });
    await eventually(
      async () => (f.requests.length > 0 ? true : undefined),
      10_000,
      "the batch to reach Woodwide",
    );
    s.child.kill("SIGTERM");
    const answer = await processing;
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ batches: 1, sessions: 3, scored: 3 });
    const ended = await s.child;
    expect(ended.exitCode).toBe(0);
    expect(s.stderr()).toMatch(
      /serve: stopping: no new connections; finishing 1 request\(s\) and the batch in flight/,
    );
    expect(s.stderr()).toMatch(/serve: stopped\n$/);
    const after = JSON.parse((await w.run(["stats", "--json"])).stdout);
    expect(after).toMatchObject({ sessions: 3, scored: 3, due: 0, inFlight: 0 });
  }, 60_000);

  it("mid-batch of the scheduler: the batch finishes, the loop stops, exit 0", async () => {
    fake = await startFakeWoodwide({ latencyMs: 1_500 });
    const f = fake;
    const w = await cliWorld({ PLAYPROOF_API_TOKEN: TOKEN, ...woodwideEnv(f) }, b);
    served = await startServe(w.env, [
      "--mode",
      "direct",
      "--interval",
      "200ms",
      "--min-batch",
      "1",
    ]);
    const s = served;
    await s.call("POST", `${B}/enqueue`, {
      token: TOKEN,
      type: "application/x-ndjson",
      body: ndjson(2),
    });
    expect((await s.call("POST", `${B}/scheduler/start`, { token: TOKEN })).status).toBe(200);
    await eventually(
      async () => (f.requests.length > 0 ? true : undefined),
      10_000,
      "the scheduler's batch",
    );
    s.child.kill("SIGTERM");
    expect((await s.child).exitCode).toBe(0);
    const after = JSON.parse((await w.run(["stats", "--json"])).stdout);
    expect(after).toMatchObject({ sessions: 2, scored: 2, inFlight: 0 });
  }, 60_000);
});

describeBackends("serve: the scheduler routes", (b) => {
  it("start, status, stop: runs watch's loop in-process with the options given", async () => {
    const w = await cliWorld({ PLAYPROOF_API_TOKEN: TOKEN }, b);
    served = await startServe(w.env, ["--engine", "local"]);
    const s = served;
    expect((await s.call("GET", `${B}/scheduler/status`)).json).toEqual({ running: false });
    const started = await s.call("POST", `${B}/scheduler/start`, {
      token: TOKEN,
      type: "application/json",
      body: JSON.stringify({ interval: "200ms", minBatch: 2, maxWait: "1h" }),
    });
    expect(started.status).toBe(200);
    expect(started.json).toMatchObject({
      running: true,
      settings: {
        intervalMs: 200,
        minBatch: 2,
        maxWaitMs: 3_600_000,
        batchSize: 50,
        engine: "local",
      },
    });
    const again = await s.call("POST", `${B}/scheduler/start`, { token: TOKEN });
    expect(again.json).toMatchObject({ running: true, alreadyRunning: true });
    expect((await s.call("GET", "/healthz")).json.scheduler).toBe(true);
    // Its heartbeat: `stats` lists it as a running watcher.
    await eventually(
      async () =>
        (await s.call("GET", `${B}/stats`)).json.watchers.length === 1 ? true : undefined,
      10_000,
      "the scheduler's heartbeat",
    );
    await s.call("POST", `${B}/enqueue`, {
      token: TOKEN,
      type: "application/x-ndjson",
      body: ndjson(2),
    });
    await eventually(
      async () =>
        (await s.call("GET", `${B}/result/s_1`)).json.status === "scored" ? true : undefined,
      10_000,
      "the scheduler to score the sessions",
    );
    const status = (await s.call("GET", `${B}/scheduler/status`)).json;
    expect(status).toMatchObject({ running: true, batches: 1, sessions: 2 });
    expect(status.checks).toBeGreaterThanOrEqual(1);
    const stopped = await s.call("POST", `${B}/scheduler/stop`, { token: TOKEN });
    expect(stopped.json).toMatchObject({
      running: false,
      wasRunning: true,
      last: { ended: "stopped" },
    });
    expect((await s.call("GET", `${B}/scheduler/status`)).json).toMatchObject({
      running: false,
      last: { ended: "stopped" },
    });
    const twice = await s.call("POST", `${B}/scheduler/stop`, { token: TOKEN });
    expect(twice.json).toMatchObject({ running: false, wasRunning: false });
  }, 60_000);
});
