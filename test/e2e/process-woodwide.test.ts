/**
 * Issue 4 "Must show", through the built binary against the loopback fake Woodwide: shuffled
 * answers mapped to the right sessions in both modes, no identifiers uploaded, refusals that
 * burn nothing, a SIGKILLed processor whose batch is finished after its lease, two concurrent
 * processors, and a dry run that changes nothing.
 */
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { BATCH_COLUMNS } from "../../src/batch/csv.js";
import type { ClaimEvent, QueueEvent } from "../../src/queue/events.js";
import { openQueueStore } from "../../src/queue/store.js";
import { summarize } from "../../src/queue/summary.js";
import { cliWorld } from "../support/cli.js";
import { useFakeServer } from "../support/fake-client.js";
import { DEFAULT_SETTINGS } from "../support/fake-state.js";
import {
  finalCounts,
  journalEvents,
  mixedSessions,
  woodwideEnv,
} from "../support/process-world.js";
import { makeSession } from "../support/sessions.js";

const isBot = (i: number) => i % 7 === 3;
const idsOf = (n: number) => Array.from({ length: n }, (_, i) => `s_${i}`);
const claims = (events: QueueEvent[]) => events.filter((e): e is ClaimEvent => e.t === "claim");

const server = useFakeServer({}, DEFAULT_SETTINGS);

async function queued(n: number, env: Record<string, string> = woodwideEnv(server.fake)) {
  const w = await cliWorld(env);
  const r = await w.run(["enqueue"], { input: mixedSessions(n, isBot) });
  expect(r.exitCode).toBe(0);
  return w;
}

async function finalResults(queue: string) {
  const store = openQueueStore({ path: queue });
  try {
    const state = await store.refresh();
    return await Promise.all(
      [...state.sessions.values()].map(async (rec) => ({
        id: rec.id,
        status: rec.status,
        result: await store.readResult(rec),
      })),
    );
  } finally {
    await store.close();
  }
}

function expectEachScoredOnce(events: QueueEvent[], ids: string[]) {
  const counts = finalCounts(events);
  expect([...counts.keys()].sort()).toEqual([...ids].sort());
  expect([...counts.values()].filter((c) => c !== 1)).toEqual([]);
  expect(events.filter((e) => e.t === "dead" || e.t === "retry")).toEqual([]);
}

describe.each(["dataset", "direct"] as const)("process --mode %s (built binary)", (mode) => {
  it("120 sessions: one woodwide result each, exactly the flagged ones anomalous, no ids uploaded", async () => {
    const n = 120;
    const w = await queued(n);
    const r = await w.run(["process", "--mode", mode, "--json"]);
    expect(r.stderr).not.toMatch(/warning|error/);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      engine: "woodwide",
      batches: 3,
      sessions: n,
      scored: n,
      retried: 0,
      dead: 0,
    });
    const events = await journalEvents(w.queue);
    expectEachScoredOnce(events, idsOf(n));
    const results = await finalResults(w.queue);
    expect(results).toHaveLength(n);
    for (const { id, status, result } of results) {
      expect(status).toBe("scored");
      expect(result).toMatchObject({
        source: "woodwide",
        isAnomaly: isBot(Number(id.slice(2))),
        model: { id: server.fake.defaultModelId },
        jobId: expect.any(String),
      });
    }
    expect(results.filter((x) => x.result?.isAnomaly)).toHaveLength(17);
    for (const id of ["s_3", "s_4"]) {
      const shown = await w.run(["result", id, "--json"]);
      expect(JSON.parse(shown.stdout)).toMatchObject({
        status: "scored",
        provisional: false,
        result: { source: "woodwide", isAnomaly: id === "s_3" },
      });
    }

    // What left the machine: the training header, feature values, and never an identifier.
    const sent = server.fake.requests.filter((q) => q.csv !== undefined);
    expect(sent.map((q) => q.endpoint)).toEqual(
      Array(3).fill(mode === "dataset" ? "upload" : "infer"),
    );
    const secrets = new Set(
      idsOf(n).flatMap((_, i) => [makeSession(i).sessionId, makeSession(i).userId]),
    );
    const batches = claims(events);
    for (const [k, q] of sent.entries()) {
      const [header, ...rows] = parse(q.csv!) as string[][];
      expect(header).toEqual([...BATCH_COLUMNS]);
      for (const cell of rows.flat()) expect(secrets.has(cell)).toBe(false);
      expect(q.csv).not.toMatch(/\b[su]_\d+\b/);
      // Row j of the upload is session j of the claim: the bots sit exactly where they should.
      const speed = header!.indexOf("avgSpeed");
      const claimed = batches[k]!.ids;
      expect(rows).toHaveLength(claimed.length);
      expect(rows.map((row) => Number(row[speed]) > 5000)).toEqual(
        claimed.map((id) => isBot(Number(id.slice(2)))),
      );
    }
    expect(sent.reduce((a, q) => a + q.csv!.trim().split("\n").length - 1, 0)).toBe(n);
    if (mode === "dataset") {
      // One persistent dataset: the first batch creates it, the next ones add versions.
      const [first, ...rest] = sent;
      expect(first?.fields?.dataset_name).toBeTruthy();
      const datasetId = (await w.run(["config", "get", "woodwide.datasetId"])).stdout.trim();
      expect(datasetId).toMatch(/^[0-9a-f-]{36}$/);
      for (const q of rest) expect(q.fields?.dataset_id).toBe(datasetId);
    }
  });
});

describe("refusals burn nothing (built binary)", () => {
  it("a wrong API key (401): exit 77, a clear message without the key, every session still due", async () => {
    const w = await queued(5, {
      ...woodwideEnv(server.fake),
      WOODWIDE_API_KEY: "ww_wrong_key_4242",
    });
    const r = await w.run(["process"]);
    expect(r.exitCode).toBe(77);
    expect(r.stderr).toMatch(
      /process stopped: Woodwide POST \/datasets answered HTTP 401: .*\(check WOODWIDE_API_KEY/,
    );
    expect(r.stderr).toMatch(/\(sessions left queued\)/);
    expect(r.stderr + r.stdout).not.toContain("ww_wrong_key_4242");
    expect(await readFile(w.queue, "utf8")).not.toContain("ww_wrong_key_4242");
    await expectIntact(w, 5);
  });

  it("credits exhausted (402): exit 77, a clear message, every session still due", async () => {
    const w = await queued(5);
    server.fake.setFault({ kind: "payment-required", on: "infer" });
    const r = await w.run(["process", "--mode", "direct"]);
    expect(r.exitCode).toBe(77);
    expect(r.stderr).toMatch(/HTTP 402: Insufficient credits \(Woodwide credits exhausted/);
    await expectIntact(w, 5);
  });

  async function expectIntact(w: Awaited<ReturnType<typeof cliWorld>>, n: number) {
    const stats = await w.run(["stats", "--json"]);
    expect(JSON.parse(stats.stdout)).toMatchObject({ sessions: n, due: n, scored: 0, dead: 0 });
    const events = await journalEvents(w.queue);
    expect(events.filter((e) => ["retry", "result", "dead"].includes(e.t))).toEqual([]);
    const shown = await w.run(["result", "s_0", "--json"]);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      status: "queued",
      attempts: 0,
      provisional: true,
    });
  }
});

describe("crash and concurrency (built binary)", () => {
  it("SIGKILL mid-batch: the batch waits out its lease, then another process finishes it once", async () => {
    const w = await queued(30);
    server.fake.setFault({ kind: "hang", on: "upload", times: 1 });
    const child = w.run(["process", "--lease", "3s", "--batch-size", "10"]);
    while (!server.fake.requests.some((q) => q.fault === "hang")) await sleep(20);
    child.kill("SIGKILL");
    expect((await child).signal).toBe("SIGKILL");
    const killed = claims(await journalEvents(w.queue));
    expect(killed).toHaveLength(1);
    // Read in-process at once: the lease (renewed every second) still holds the batch.
    const store = openQueueStore({ path: w.queue });
    const held = summarize(await store.refresh(), Date.now());
    await store.close();
    expect(held).toMatchObject({ inFlight: 10, due: 20, scored: 0 });

    const leases = (await journalEvents(w.queue))
      .filter((e) => (e.t === "claim" || e.t === "renew") && e.batch === killed[0]!.batch)
      .map((e) => (e as ClaimEvent).lease);
    await sleep(Math.max(0, Math.max(...leases) - Date.now()) + 50);
    const r = await w.run(["process", "--lease", "3s", "--batch-size", "10", "--json"]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sessions: 30, scored: 30, lost: 0 });
    const events = await journalEvents(w.queue);
    expectEachScoredOnce(events, idsOf(30));
    const [, retaken] = claims(events);
    expect(retaken?.ids).toEqual(killed[0]!.ids);
    expect(retaken?.owner).not.toBe(killed[0]!.owner);
  });

  it("two processes at once on one queue score disjoint batches, every session once", async () => {
    const w = await queued(120);
    // 15 batches of ~200 ms: long enough that both processes are surely running at once.
    server.fake.settings.latencyMs = 200;
    const args = ["process", "--mode", "direct", "--batch-size", "8", "--json"];
    const runs = await Promise.all([w.run(args), w.run(args)]);
    for (const r of runs) expect(r.exitCode).toBe(0);
    const summaries = runs.map((r) => JSON.parse(r.stdout) as { scored: number; lost: number });
    expect(summaries.map((s) => s.scored).reduce((a, b) => a + b)).toBe(120);
    expect(summaries.map((s) => s.lost)).toEqual([0, 0]);
    const events = await journalEvents(w.queue);
    expectEachScoredOnce(events, idsOf(120));
    const byOwner = new Map<string, string[]>();
    for (const c of claims(events))
      byOwner.set(c.owner, [...(byOwner.get(c.owner) ?? []), ...c.ids]);
    expect(byOwner.size).toBe(2);
    const [a, b] = [...byOwner.values()];
    expect(a!.length).toBeGreaterThan(0);
    expect(b!.length).toBeGreaterThan(0);
    expect(a!.filter((id) => b!.includes(id))).toEqual([]);
    expect(a!.length + b!.length).toBe(120);
  });
});

describe("process --dry-run (built binary)", () => {
  it("prints the CSV it would send and changes nothing", async () => {
    const w = await queued(5);
    const before = await readFile(w.queue);
    const r = await w.run(["process", "--dry-run"]);
    expect(r.exitCode).toBe(0);
    const [header, ...rows] = parse(r.stdout) as string[][];
    expect(header).toEqual([...BATCH_COLUMNS]);
    expect(rows).toHaveLength(5);
    expect(r.stdout).not.toMatch(/\b[su]_\d+\b/);
    expect(r.stderr).toMatch(/dry run: 1 batch\(es\), 5 sessions would be sent; nothing changed/);
    const json = await w.run(["process", "--dry-run", "--batch-size", "2", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      batches: [{ sessions: ["s_0", "s_1"] }, { sessions: ["s_2", "s_3"] }, { sessions: ["s_4"] }],
    });
    expect(Buffer.compare(await readFile(w.queue), before)).toBe(0);
    expect(server.fake.requests).toEqual([]);
    const stats = await w.run(["stats", "--json"]);
    expect(JSON.parse(stats.stdout)).toMatchObject({ due: 5, scored: 0 });
  });
});
