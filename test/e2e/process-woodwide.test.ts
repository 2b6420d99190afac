/**
 * Issue 4 "Must show", through the built binary against the loopback fake Woodwide: shuffled
 * answers mapped to the right sessions in both modes, no identifiers uploaded, refusals that
 * burn nothing, a SIGKILLed processor whose batch is finished after its lease, two concurrent
 * processors, and a dry run that changes nothing.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { BATCH_COLUMNS } from "../../src/batch/csv.js";
import type { FoundResult } from "../../src/queue/backend.js";
import type { SessionRecord } from "../../src/queue/fold.js";
import { describeBackends, libraryView, queueDump, type TestBackend } from "../support/backends.js";
import { cliWorld } from "../support/cli.js";
import { useFakeServer } from "../support/fake-client.js";
import { DEFAULT_SETTINGS } from "../support/fake-state.js";
import { expectOneFinalEach, mixedSessions, woodwideEnv } from "../support/process-world.js";
import { makeSession } from "../support/sessions.js";

const isBot = (i: number) => i % 7 === 3;
const idsOf = (n: number) => Array.from({ length: n }, (_, i) => `s_${i}`);

const server = useFakeServer({}, DEFAULT_SETTINGS);

type World = Awaited<ReturnType<typeof cliWorld>>;

async function queued(
  b: TestBackend,
  n: number,
  env: Record<string, string> = woodwideEnv(server.fake),
) {
  const w = await cliWorld(env, b);
  const r = await w.run(["enqueue"], { input: mixedSessions(n, isBot) });
  expect(r.exitCode).toBe(0);
  return w;
}

/** Every session the queue holds (`keep`: those whose record passes), through the backend. */
async function sessions(w: World, keep?: (rec: SessionRecord) => boolean) {
  const q = await libraryView(w.queue, w.env);
  const out: FoundResult[] = [];
  for await (const f of q.internals.store.sessions(keep)) out.push(f);
  return out;
}

/** Claim order (design.md: oldest first), as both backends claim: by enqueue time, then id. */
const claimOrder = (a: SessionRecord, b: SessionRecord) =>
  a.enqueuedAt - b.enqueuedAt || (a.id < b.id ? -1 : 1);

/** What `stats --json` reports, read in-process through the library (the same code, no spawn). */
const stats = async (w: World) => (await libraryView(w.queue, w.env)).stats();

/** Each of `ids` scored exactly once, and nothing retried or dead-lettered. */
async function expectEachScoredOnce(w: World, ids: string[]) {
  const s = await stats(w);
  expectOneFinalEach(s, ids.length);
  expect(s).toMatchObject({ scored: ids.length, totals: { retries: 0, dead: 0 } });
  expect((await sessions(w)).map((f) => f.rec.id).sort()).toEqual([...ids].sort());
}

describeBackends("process (built binary)", (b) => {
  describe.each(["dataset", "direct"] as const)("process --mode %s (built binary)", (mode) => {
    it("120 sessions: one woodwide result each, exactly the flagged ones anomalous, no ids uploaded", async () => {
      const n = 120;
      const w = await queued(b, n);
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
      await expectEachScoredOnce(w, idsOf(n));
      const results = (await sessions(w)).map(({ rec, result }) => ({
        id: rec.id,
        status: rec.status,
        result,
      }));
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
      // The claims, in order: each batch takes the next sessions in claim order, and its
      // sessions share the Woodwide job that scored them (no other session has it).
      const inClaimOrder = (await sessions(w)).sort((x, y) => claimOrder(x.rec, y.rec));
      const jobOf = (f: FoundResult) => (f.result as { jobId?: string } | undefined)?.jobId;
      let taken = 0;
      const jobs = new Set<string | undefined>();
      for (const [k, q] of sent.entries()) {
        const [header, ...rows] = parse(q.csv!) as string[][];
        expect(header).toEqual([...BATCH_COLUMNS]);
        for (const cell of rows.flat()) expect(secrets.has(cell)).toBe(false);
        expect(q.csv).not.toMatch(/\b[su]_\d+\b/);
        // Row j of the upload is session j of the claim: the bots sit exactly where they should.
        const speed = header!.indexOf("avgSpeed");
        const batch = inClaimOrder.slice(taken, taken + rows.length);
        taken += rows.length;
        const job = jobOf(batch[0]!);
        expect([k, ...new Set(batch.map(jobOf))]).toEqual([k, job]);
        expect(jobs.has(job)).toBe(false);
        jobs.add(job);
        const claimed = batch.map((f) => f.rec.id);
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
      const w = await queued(b, 5, {
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
      expect(await queueDump(w.queue)).not.toContain("ww_wrong_key_4242");
      await expectIntact(w, 5);
    });

    it("credits exhausted (402): exit 77, a clear message, every session still due", async () => {
      const w = await queued(b, 5);
      server.fake.setFault({ kind: "payment-required", on: "infer" });
      const r = await w.run(["process", "--mode", "direct"]);
      expect(r.exitCode).toBe(77);
      expect(r.stderr).toMatch(/HTTP 402: Insufficient credits \(Woodwide credits exhausted/);
      await expectIntact(w, 5);
    });

    async function expectIntact(w: World, n: number) {
      // No attempt burnt: nothing retried, scored or dead-lettered, ever.
      expect(await stats(w)).toMatchObject({
        sessions: n,
        due: n,
        scored: 0,
        dead: 0,
        totals: { retries: 0, scored: 0, dead: 0 },
      });
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
      const w = await queued(b, 30);
      server.fake.setFault({ kind: "hang", on: "upload", times: 1 });
      const child = w.run(["process", "--lease", "3s", "--batch-size", "10"]);
      while (!server.fake.requests.some((q) => q.fault === "hang")) await sleep(20);
      child.kill("SIGKILL");
      expect((await child).signal).toBe("SIGKILL");
      // Read in-process at once: the lease (renewed every second) still holds the batch.
      const q = await libraryView(w.queue, w.env);
      expect(await q.stats()).toMatchObject({ inFlight: 10, due: 20, scored: 0 });
      // One claim: ten sessions under one batch and owner, its latest renewal their lease.
      const killed = (await sessions(w, (rec) => rec.status === "claimed")).map((f) => f.rec);
      expect(killed).toHaveLength(10);
      expect(new Set(killed.map((rec) => `${rec.claim?.batch} ${rec.claim?.owner}`)).size).toBe(1);
      const lease = Math.max(...killed.map((rec) => rec.claim!.lease));
      await sleep(Math.max(0, lease - Date.now()) + 50);
      const r = await w.run(["process", "--lease", "3s", "--batch-size", "10", "--json"]);
      expect(r.exitCode).toBe(0);
      // This process (another owner) scored all 30: the killed batch's ten too.
      expect(JSON.parse(r.stdout)).toMatchObject({ sessions: 30, scored: 30, lost: 0 });
      await expectEachScoredOnce(w, idsOf(30));
      // The killed batch was retaken whole, as the first batch: its ten share one job.
      const after = await sessions(w);
      const jobOf = (id: string) =>
        (after.find((f) => f.rec.id === id)?.result as { jobId?: string } | undefined)?.jobId;
      const retaken = after.filter((f) => jobOf(f.rec.id) === jobOf(killed[0]!.id));
      expect(retaken.map((f) => f.rec.id).sort()).toEqual(killed.map((rec) => rec.id).sort());
      const scoredAt = (fs: FoundResult[]) => fs.map((f) => f.result!.scoredAt).sort();
      const others = after.filter((f) => !retaken.includes(f));
      expect(scoredAt(retaken).at(-1)! < scoredAt(others)[0]!).toBe(true);
    });

    it("two processes at once on one queue score disjoint batches, every session once", async () => {
      const w = await queued(b, 120);
      // 15 batches of ~200 ms: long enough that both processes are surely running at once.
      server.fake.settings.latencyMs = 200;
      const args = ["process", "--mode", "direct", "--batch-size", "8", "--json"];
      const runs = await Promise.all([w.run(args), w.run(args)]);
      for (const r of runs) expect(r.exitCode).toBe(0);
      const summaries = runs.map((r) => JSON.parse(r.stdout) as { scored: number; lost: number });
      expect(summaries.map((s) => s.scored).reduce((a, b) => a + b)).toBe(120);
      expect(summaries.map((s) => s.lost)).toEqual([0, 0]);
      // Both took part, and what each scored adds up to 120 sessions scored once each: disjoint.
      expect(summaries.map((s) => s.scored > 0)).toEqual([true, true]);
      await expectEachScoredOnce(w, idsOf(120));
    });
  });

  describe("process --dry-run (built binary)", () => {
    it("prints the CSV it would send and changes nothing", async () => {
      const w = await queued(b, 5);
      const before = await queueDump(w.queue);
      const r = await w.run(["process", "--dry-run"]);
      expect(r.exitCode).toBe(0);
      const [header, ...rows] = parse(r.stdout) as string[][];
      expect(header).toEqual([...BATCH_COLUMNS]);
      expect(rows).toHaveLength(5);
      expect(r.stdout).not.toMatch(/\b[su]_\d+\b/);
      expect(r.stderr).toMatch(/dry run: 1 batch\(es\), 5 sessions would be sent; nothing changed/);
      const json = await w.run(["process", "--dry-run", "--batch-size", "2", "--json"]);
      expect(JSON.parse(json.stdout)).toMatchObject({
        batches: [
          { sessions: ["s_0", "s_1"] },
          { sessions: ["s_2", "s_3"] },
          { sessions: ["s_4"] },
        ],
      });
      expect(await queueDump(w.queue)).toBe(before);
      expect(server.fake.requests).toEqual([]);
      const stats = await w.run(["stats", "--json"]);
      expect(JSON.parse(stats.stdout)).toMatchObject({ due: 5, scored: 0 });
    });
  });
});
