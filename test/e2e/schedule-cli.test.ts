/**
 * Issue 5 through the built binary: `process --if-due` as cron runs it (silent when idle; a shell
 * loop every second while another process enqueues: each session scored once), and `watch`
 * without a terminal (JSON log lines, metrics, a second SIGINT releasing the batch: exit 130).
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, expect, it } from "vitest";
import { describeBackends } from "../support/backends.js";
import { BIN, cliWorld } from "../support/cli.js";
import { eventually } from "../support/eventually.js";
import { type FakeWoodwide, startFakeWoodwide } from "../support/fake-woodwide.js";
import { expectMetricsMatchStats, stats } from "../support/metrics-check.js";
import { expectOneFinalEach, woodwideEnv } from "../support/process-world.js";
import { ndjson } from "../support/sessions.js";

let fake: FakeWoodwide | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describeBackends("process --if-due (cron)", (b) => {
  it("prints nothing and exits 0 when the rule says wait, or the queue is empty", async () => {
    const w = await cliWorld({}, b);
    const idle = await w.run(["process", "--if-due", "--engine", "local"]);
    expect([idle.exitCode, idle.stdout, idle.stderr]).toEqual([0, "", ""]);
    expect((await w.run(["enqueue"], { input: ndjson(9) })).exitCode).toBe(0);
    const metrics = join(w.dir, "m.prom");
    const wait = await w.run([
      "process",
      "--if-due",
      "--engine",
      "local",
      "--metrics-file",
      metrics,
    ]);
    expect([wait.exitCode, wait.stdout, wait.stderr]).toEqual([0, "", ""]);
    expect(await expectMetricsMatchStats(w, metrics)).toMatchObject({ due: 9, scored: 0 });
    const go = await w.run([
      "process",
      "--if-due",
      "--engine",
      "local",
      "--min-batch",
      "9",
      "--json",
    ]);
    expect(go.exitCode).toBe(0);
    expect(JSON.parse(go.stdout)).toMatchObject({ batches: 1, scored: 9 });
  });

  it("a shell loop every second (max wait 1s) while another process enqueues: every session scored once", async () => {
    fake = await startFakeWoodwide({ latencyMs: 150 });
    const w = await cliWorld(woodwideEnv(fake), b);
    const total = 60;
    for (let i = 0; i < 6; i++)
      await writeFile(join(w.dir, `part${i}.ndjson`), ndjson(10, { points: 30 }, i * 10));
    const script = [
      "set -u",
      // The enqueuer: 10 sessions every 0.4 s.
      `( for i in 0 1 2 3 4 5; do node ${BIN} enqueue part$i.ndjson 2>/dev/null; sleep 0.4; done ) &`,
      // The cron: one --if-due run a second, never waiting for the previous one.
      "for n in 1 2 3 4 5 6; do",
      `  ( date +%s%3N > start.$n; node ${BIN} process --if-due --max-wait 1s > out.$n 2> err.$n; echo $? > rc.$n; date +%s%3N > end.$n ) &`,
      "  sleep 1",
      "done",
      "wait",
    ].join("\n");
    const r = await execa("sh", ["-c", script], { cwd: w.dir, env: w.env, reject: false });
    expect(r.exitCode).toBe(0);
    for (let n = 1; n <= 6; n++) {
      expect(await readFile(join(w.dir, `rc.${n}`), "utf8")).toBe("0\n");
      const out = await readFile(join(w.dir, `out.${n}`), "utf8");
      const err = await readFile(join(w.dir, `err.${n}`), "utf8");
      if (out === "") expect(err).toBe(""); // nothing to do: nothing printed
    }
    // The tail that arrived after the last cron step is still waiting for its max wait: one more.
    await new Promise((res) => setTimeout(res, 1_000));
    const last = await w.run(["process", "--if-due", "--max-wait", "1s"]);
    expect(last.exitCode).toBe(0);
    const s = await stats(w);
    expect(s).toMatchObject({ sessions: total, scored: total, due: 0, inFlight: 0 });
    expectOneFinalEach(s, total);
    // No session was ever sent twice: the uploaded rows add up to the sessions.
    const uploaded = fake.requests
      .filter((q) => q.endpoint === "upload" && q.status === 200)
      .reduce((n, q) => n + (q.csv?.trim().split("\n").length ?? 1) - 1, 0);
    expect(uploaded).toBe(total);
    // And the cron runs really overlapped: two processors on the queue at once, no harm. (Which
    // of them finds sessions due is timing: the batches themselves need not overlap.)
    const spans: { from: number; to: number }[] = [];
    for (let n = 1; n <= 6; n++) {
      const at = async (f: string) => Number(await readFile(join(w.dir, `${f}.${n}`), "utf8"));
      spans.push({ from: await at("start"), to: await at("end") });
    }
    const overlaps = spans.filter((a, i) =>
      spans.some((b, j) => i !== j && b.from > a.from && b.from < a.to),
    );
    expect(overlaps.length).toBeGreaterThanOrEqual(1);
  }, 90_000); // 6 cron steps, batches of ~3 s, CLI starts: ~17 s alone, twice that on a loaded machine
});

describeBackends("watch without a terminal", (b) => {
  it("logs JSON lines, writes metrics, and a second SIGINT releases the batch in flight (exit 130)", async () => {
    fake = await startFakeWoodwide();
    const w = await cliWorld(woodwideEnv(fake), b);
    const metrics = join(w.dir, "watch.prom");
    const args = [
      "watch",
      "--interval",
      "200ms",
      "--log-format",
      "json",
      "--metrics-file",
      metrics,
    ];
    const child = execa("node", [BIN, ...args], { env: w.env, reject: false, stdin: "ignore" });
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += String(d);
    });
    expect((await w.run(["enqueue"], { input: ndjson(12, { points: 30 }) })).exitCode).toBe(0);
    await eventually(
      async () => ((await stats(w)).scored === 12 ? true : undefined),
      8_000,
      "12 scored",
    );
    fake.settings.latencyMs = 2_000;
    expect((await w.run(["enqueue"], { input: ndjson(10, { points: 30 }, 12) })).exitCode).toBe(0);
    await eventually(
      async () => (/processing 1 batch\(es\): 10 due/.test(stderr) ? true : undefined),
      5_000,
      "a batch",
    );
    child.kill("SIGINT");
    await eventually(
      async () => (/"stopping: finishing/.test(stderr) ? true : undefined),
      3_000,
      "stopping",
    );
    const second = Date.now();
    child.kill("SIGINT");
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(Date.now() - second).toBeLessThan(1_500); // at once, not after the 2 s answer
    expect(r.stdout).toBe("");
    const lines = stderr
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    for (const l of lines)
      expect(l).toMatchObject({ time: expect.any(String), level: expect.any(String) });
    expect(lines.map((l) => l.message)).toContainEqual(
      expect.stringMatching(/scored, 12 sessions/),
    );
    expect(lines.find((l) => l.inFlight === 0 && l.scored === 12)).toBeTruthy();
    const s = await expectMetricsMatchStats(w, metrics);
    expect(s).toMatchObject({ scored: 12, due: 10, inFlight: 0, retrying: 0 });
    expect(s.lastBatch).toMatchObject({ outcome: "released", message: "interrupted" });
  }, 30_000);
});
