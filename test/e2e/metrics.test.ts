/**
 * Issue 5: `--metrics-file` writes Prometheus text format that a strict reader accepts, and its
 * numbers are the ones `stats --json` reports, through a Woodwide failure and the recovery.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { describeBackends } from "../support/backends.js";
import { cliWorld } from "../support/cli.js";
import { eventually } from "../support/eventually.js";
import { type FakeWoodwide, startFakeWoodwide } from "../support/fake-woodwide.js";
import { expectMetricsMatchStats, stats } from "../support/metrics-check.js";
import { woodwideEnv } from "../support/process-world.js";
import { parsePromText, sample } from "../support/prom-text.js";
import { ndjson } from "../support/sessions.js";

let fake: FakeWoodwide | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe("the strict Prometheus text reader used below", () => {
  it.each([
    ["a sample before its TYPE", "x_total 1\n"],
    ["a bad metric name", "# TYPE 1x gauge\n1x 1\n"],
    ["an unquoted label", "# TYPE x gauge\nx{a=b} 1\n"],
    ["a value that is not a number", "# TYPE x gauge\nx one\n"],
    ["a repeated TYPE", "# TYPE x gauge\n# TYPE x gauge\n"],
    ["a duplicate sample", "# TYPE x gauge\nx 1\nx 2\n"],
    ["a stray line", "# TYPE x gauge\nx 1\nhello\n"],
  ])("rejects %s", (_name, text) => {
    expect(() => parsePromText(text)).toThrow(/line \d+/);
  });

  it("reads HELP, TYPE, labels and special values", () => {
    const m = parsePromText(
      '# HELP x Some x\n# TYPE x gauge\nx{a="1",b="q\\"t"} 2.5\nx{a="2"} +Inf\n\n# TYPE y_total counter\ny_total 3 1700000000000\n',
    );
    expect(sample(m, "x", '{a="1",b="q\\"t"}')).toBe(2.5);
    expect(sample(m, "x", '{a="2"}')).toBe(Number.POSITIVE_INFINITY);
    expect(m.get("y_total")).toMatchObject({ type: "counter" });
  });
});

describeBackends("--metrics-file (built binary, fake Woodwide)", (b) => {
  it("process writes parseable metrics matching stats --json, after a 503 and after the recovery", async () => {
    fake = await startFakeWoodwide();
    const w = await cliWorld(woodwideEnv(fake), b);
    const path = join(w.dir, "playproof.prom");
    expect((await w.run(["enqueue"], { input: ndjson(12, { points: 30 }) })).exitCode).toBe(0);
    // Retry-After 2 s: the sessions stay in backoff while metrics and stats are compared
    // (due and backoff depend on the time they are read at).
    // Issue 14: two 503s are retried in place; the third (with Retry-After) fails the attempt.
    fake.setFault({ kind: "server-error", on: "upload", times: 2 });
    fake.setFault({ kind: "server-error", on: "upload", times: 1, retryAfter: "2" });
    expect((await w.run(["process", "--metrics-file", path])).exitCode).toBe(69);
    const failed = await expectMetricsMatchStats(w, path);
    expect(failed).toMatchObject({
      backoff: 12,
      scored: 0,
      totals: { retries: 12, batches: 1, retriedCalls: { "503": 2 } },
    });
    expect(Object.values(failed.totals.failures)).toEqual([1]);

    await eventually(async () => ((await stats(w)).due === 12 ? true : undefined), 5_000, "due");
    expect((await w.run(["process", "--metrics-file", path])).exitCode).toBe(0);
    const ok = await expectMetricsMatchStats(w, path);
    expect(ok).toMatchObject({ scored: 12, due: 0, totals: { scored: 12, batches: 2 } });
    expect(ok.lastSuccess.at).toBeGreaterThan(0);
    expect(await readdir(w.dir)).not.toContainEqual(expect.stringMatching(/\.tmp$/));
  });

  it("an unwritable metrics path is a warning, not a failed run", async () => {
    const w = await cliWorld({}, b);
    expect((await w.run(["enqueue"], { input: ndjson(3) })).exitCode).toBe(0);
    const r = await w.run([
      "process",
      "--engine",
      "local",
      "--metrics-file",
      "/nonexistent/x.prom",
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/warning: could not write metrics to \/nonexistent\/x\.prom/);
  });
});
