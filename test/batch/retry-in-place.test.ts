/**
 * Issue 14 through `process` (in-process, fake Woodwide): a call that answers "not processed"
 * is retried in place and costs no attempt; the in-place retries are recorded per batch in the
 * journal, folded into totals, and exported as playproof_woodwide_retried_calls_total{status},
 * apart from failed attempts; -v logs one line per retry. Issue 8, defect 7: an oversized
 * answer is malformed (retryable) and the client stops reading it.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BatchEvent, QueueEvent } from "../../src/queue/events.js";
import { useFakeServer } from "../support/fake-client.js";
import { DEFAULT_SETTINGS } from "../support/fake-state.js";
import { withoutQueueLabel } from "../support/metrics-check.js";
import {
  finalCounts,
  inProcessWorld,
  mixedSessions,
  woodwideEnv,
} from "../support/process-world.js";
import { parsePromText, sample } from "../support/prom-text.js";

const N = 6;
const server = useFakeServer({}, DEFAULT_SETTINGS);
const batches = (events: QueueEvent[]) => events.filter((e): e is BatchEvent => e.t === "batch");

async function queued() {
  const w = await inProcessWorld(woodwideEnv(server.fake));
  expect(
    (
      await w.run(
        ["enqueue"],
        mixedSessions(N, (i) => i % 3 === 0),
      )
    ).code,
  ).toBe(0);
  return w;
}

describe("in-place retries through process", () => {
  it.each(["dataset", "direct"] as const)(
    "%s mode: 503s and a 502 are retried in place, no attempt spent, counted by status",
    async (mode) => {
      const w = await queued();
      const on = mode === "dataset" ? "upload" : "infer";
      server.fake.setFault({ kind: "server-error", on, times: 1 });
      server.fake.setFault({ kind: "server-error", status: 502, on, times: 1 });
      const metrics = join(w.dir, "m.prom");
      const r = await w.run(["process", "--mode", mode, "-v", "--metrics-file", metrics, "--json"]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ batches: 1, scored: N, retried: 0, dead: 0 });
      expect(server.fake.requests.filter((q) => q.endpoint === on)).toHaveLength(3);
      // One verbose line per in-place retry, naming the call and the status.
      const lines = r.stderr.split("\n").filter((l) => l.includes('"event":"woodwide.retry"'));
      expect(lines.map((l) => /"status":"(\d+)"/.exec(l)?.[1])).toEqual(["503", "502"]);
      const path = mode === "dataset" ? "POST /datasets" : "POST /models/";
      expect(lines.every((l) => l.includes(path))).toBe(true);
      const events = await w.events();
      expect(events.filter((e) => e.t === "retry")).toEqual([]);
      expect(batches(events).map((b) => [b.outcome, b.retriedCalls])).toEqual([
        ["scored", { "503": 1, "502": 1 }],
      ]);
      const stats = JSON.parse((await w.run(["stats", "--json"])).stdout);
      expect(stats.totals).toMatchObject({ retries: 0, retriedCalls: { "503": 1, "502": 1 } });
      expect(stats.totals.failures).toBeUndefined();
      const prom = parsePromText(withoutQueueLabel(await readFile(metrics, "utf8"), w.queue));
      const name = "playproof_woodwide_retried_calls_total";
      expect(sample(prom, name, '{status="503"}')).toBe(1);
      expect(sample(prom, name, '{status="502"}')).toBe(1);
      expect(sample(prom, "playproof_batch_retries_total")).toBe(0);
    },
  );

  it("retries exhausted in place: the attempt fails, and its retried calls are still counted", async () => {
    const w = await queued();
    server.fake.setFault({ kind: "server-error", on: "upload" });
    const r = await w.run(["process", "--json"]);
    expect(r.code).toBe(69);
    expect(JSON.parse(r.stdout)).toMatchObject({ scored: 0, retried: N });
    expect(server.fake.requests.filter((q) => q.endpoint === "upload")).toHaveLength(3);
    const [batch] = batches(await w.events());
    expect(batch).toMatchObject({ outcome: "retry", kind: "server", retriedCalls: { "503": 2 } });
    const stats = JSON.parse((await w.run(["stats", "--json"])).stdout);
    expect(stats.totals).toMatchObject({
      retries: N,
      failures: { server: 1 },
      retriedCalls: { "503": 2 },
    });
  });

  it("the totals survive compaction (kept by the meta event)", async () => {
    const w = await queued();
    server.fake.setFault({ kind: "rate-limit", retryAfter: "0", on: "upload", times: 1 });
    expect((await w.run(["process"])).code).toBe(0);
    expect((await w.run(["clear", "--processed", "--yes"])).code).toBe(0);
    const events = await w.events();
    expect(events.filter((e) => e.t === "batch")).toEqual([]);
    const stats = JSON.parse((await w.run(["stats", "--json"])).stdout);
    expect(stats.totals.retriedCalls).toEqual({ "429": 1 });
  });

  it("an oversized answer: the client stops reading at the cap, and the attempt is malformed (retryable)", async () => {
    const w = await queued();
    // The cap for 6 rows is 1 MiB + 6 x 4 KiB; the fake offers 700 MB, generated as it is read.
    // The results poll tries a malformed answer again (a GET: harmless); every try is oversized.
    server.fake.setFault({ kind: "oversized", on: "results" });
    const r = await w.run(["process", "--json"]);
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(
      /GET \/jobs\/[^ ]+\/results answered a body over 1073152 bytes \(the cap for 6 rows\); stopped reading it/,
    );
    const [retry] = (await w.events()).filter((e) => e.t === "retry");
    expect(retry).toMatchObject({
      ids: expect.any(Array),
      reason: expect.stringMatching(/^malformed: /),
    });
    const oversized = server.fake.requests.filter((q) => q.fault === "oversized");
    expect(oversized).toHaveLength(4); // DEFAULT_POLL.maxPollErrors + 1
    // Socket buffers hold a few MB at most: far from the 700 MB offered.
    for (const q of oversized) expect(q.sentBytes).toBeLessThan(16 * 2 ** 20);
    server.fake.clearFaults();
    w.advance(60_000);
    const again = await w.run(["process", "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ scored: N });
    expect([...finalCounts(await w.events()).values()]).toEqual(Array(N).fill(1));
  });
});
