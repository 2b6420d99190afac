/**
 * Issue 9, items 3 and 15: a running `watch` keeps a heartbeat in the queue that `stats` and the
 * metrics show; metrics carry a queue label (and --metrics-label), a zero series per failure
 * kind, playproof_build_info, and no blank lines.
 */
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { openQueue } from "../../src/api/queue.js";
import { describeBackends } from "../support/backends.js";
import { BIN, cliWorld, ROOT } from "../support/cli.js";
import { eventually } from "../support/eventually.js";
import { parsePromText, sample } from "../support/prom-text.js";
import { ndjson } from "../support/sessions.js";

const stats = async (w: Awaited<ReturnType<typeof cliWorld>>) =>
  JSON.parse((await w.run(["stats", "--json"])).stdout);

describeBackends("watch heartbeats", (b) => {
  it("stats and the metrics show a running watch as alive; a clean stop removes it", async () => {
    const w = await cliWorld({}, b);
    const watch = execa("node", [BIN, "watch", "--engine", "local", "--interval", "1s"], {
      env: w.env,
      reject: false,
    });
    const alive = await eventually(
      async () => (await stats(w)).watchers[0],
      20_000,
      "the watch's first heartbeat",
    );
    expect(alive).toMatchObject({
      host: hostname(),
      pid: watch.pid,
      state: "alive",
      settings: {
        intervalMs: 1000,
        minBatch: 10,
        maxWaitMs: 300_000,
        batchSize: 50,
        engine: "local",
      },
    });
    expect(alive.nextCheck).toBeGreaterThan(alive.lastCheck);
    const table = (await w.run(["stats"])).stdout;
    expect(table).toMatch(new RegExp(`watcher ${hostname()}:${watch.pid}\\s.*alive: last check`));

    const path = join(w.dir, "m.prom");
    expect((await w.run(["process", "--engine", "local", "--metrics-file", path])).exitCode).toBe(
      0,
    );
    const m = parsePromText(await readFile(path, "utf8"));
    const labels = `{host="${hostname()}",pid="${watch.pid}",queue="${w.queue}"}`;
    expect(
      sample(m, "playproof_watch_last_check_timestamp_seconds", labels),
    ).toBeGreaterThanOrEqual(alive.lastCheck / 1000);

    watch.kill("SIGTERM");
    expect((await watch).exitCode).toBe(0);
    expect((await stats(w)).watchers).toEqual([]);
    expect((await w.run(["stats"])).stdout).toMatch(/watchers\s+.*none/);
  });

  it("a watch that died without a goodbye turns stale a minute past its next check", async () => {
    const w = await cliWorld({}, b);
    expect((await w.run(["enqueue"], { input: ndjson(1) })).exitCode).toBe(0);
    const at = Date.now();
    // Read at `at` exactly: a CLI `stats` run a second later would see "new" stale too.
    const q = await openQueue(w.queue, { env: w.env, configFile: false, now: () => at });
    const beat = (id: string, nextCheck: number) => ({
      t: "heartbeat" as const,
      at,
      id,
      host: "h",
      pid: 7,
      started: at,
      nextCheck,
      settings: {},
    });
    try {
      await q.internals.store.heartbeat(beat("h:7:old", at - 61_000));
      await q.internals.store.heartbeat(beat("h:8:new", at - 59_000));
      const s = await q.stats();
      expect(s.watchers.map((x) => [x.id, x.state])).toEqual([
        ["h:7:old", "stale"],
        ["h:8:new", "alive"],
      ]);
    } finally {
      await q.close();
    }
    expect((await stats(w)).watchers.map((x: { id: string }) => x.id)).toEqual([
      "h:7:old",
      "h:8:new",
    ]);
    // Compaction keeps watchers (a week at most), as it keeps the last batch.
    expect((await w.run(["clear", "--processed", "--yes"])).exitCode).toBe(0);
    expect((await stats(w)).watchers).toHaveLength(2);
  });
});

describeBackends("metrics files side by side", (b) => {
  it("two queues' files in one directory read as one scrape: labelled, no blank lines", async () => {
    const dir = (await cliWorld({}, b)).dir;
    const files: string[] = [];
    const queues = { a: b.queue(dir, "a"), b: b.queue(dir, "b") };
    for (const name of ["a", "b"] as const) {
      const w = await cliWorld({ PLAYPROOF_QUEUE: queues[name] }, b);
      expect((await w.run(["enqueue"], { input: ndjson(3) })).exitCode).toBe(0);
      const path = join(dir, `${name}.prom`);
      const r = await w.run([
        "process",
        "--engine",
        "local",
        "--metrics-file",
        path,
        "--metrics-label",
        `site=${name}`,
      ]);
      expect(r.exitCode).toBe(0);
      files.push(await readFile(path, "utf8"));
    }
    for (const text of files) expect(text).not.toMatch(/\n\n/);
    // node_exporter merges a directory's files: the same series in two would be refused.
    const [ma, mb] = files.map((t) => parsePromText(t));
    for (const [name, family] of ma!) {
      const other = [...(mb!.get(name)?.samples.keys() ?? [])];
      for (const labels of family.samples.keys()) {
        expect(labels).toContain(`queue="${queues.a}",site="a"`);
        expect(other).not.toContain(labels);
      }
    }
    expect(
      sample(
        ma!,
        "playproof_batch_failures_total",
        `{kind="unreachable",queue="${queues.a}",site="a"}`,
      ),
    ).toBe(0);
    const version = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")).version;
    expect(
      sample(
        ma!,
        "playproof_build_info",
        `{version="${version}",node="${process.versions.node}",queue="${queues.a}",site="a"}`,
      ),
    ).toBe(1);
  });
});

// A usage error found before the queue is opened: one backend is enough.
describe("--metrics-label", () => {
  it("refuses a label that is not NAME=VALUE, or that would replace queue (exit 2)", async () => {
    const w = await cliWorld();
    for (const bad of ["site", "1x=y", "queue=other"]) {
      const r = await w.run(["process", "--engine", "local", "--metrics-label", bad]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`--metrics-label: expected NAME=VALUE`);
    }
  });
});
