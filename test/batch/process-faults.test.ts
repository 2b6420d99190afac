/**
 * Issue 4, "every fault switch": `process` run in-process against the fake Woodwide, with an
 * injected clock. Retryable faults put the batch back with full-jitter backoff (0 <= delay <
 * 2 s * 2^(attempt-1), never below Retry-After); non-retryable ones stop the run and burn nothing;
 * in every case each session ends with exactly one result.
 */
import { describe, expect, it } from "vitest";
import type { QueueEvent, RetryEvent } from "../../src/queue/events.js";
import { openQueueStore } from "../../src/queue/store.js";
import { useFakeServer } from "../support/fake-client.js";
import type { FaultSpec } from "../support/fake-faults.js";
import { DEFAULT_SETTINGS } from "../support/fake-state.js";
import {
  finalCounts,
  inProcessWorld,
  mixedSessions,
  woodwideEnv,
} from "../support/process-world.js";

const BASE_MS = 2_000; // DEFAULT_RETRY_BACKOFF.baseMs
const N = 6;
const IDS = Array.from({ length: N }, (_, i) => `s_${i}`);
const isBot = (i: number) => i % 3 === 0;

const server = useFakeServer({}, DEFAULT_SETTINGS);

type World = Awaited<ReturnType<typeof inProcessWorld>>;

async function queuedWorld(config: [string, string][] = []): Promise<World> {
  const w = await inProcessWorld(woodwideEnv(server.fake));
  for (const [key, value] of config)
    expect((await w.run(["config", "set", key, value])).code).toBe(0);
  expect((await w.run(["enqueue"], mixedSessions(N, isBot))).code).toBe(0);
  return w;
}

const retries = (events: QueueEvent[]) => events.filter((e): e is RetryEvent => e.t === "retry");

async function sessions(w: World) {
  const store = openQueueStore({ path: w.queue });
  try {
    const state = await store.refresh();
    return await Promise.all(
      IDS.map(async (id) => {
        const rec = state.sessions.get(id)!;
        return { ...rec, result: await store.readResult(rec) };
      }),
    );
  } finally {
    await store.close();
  }
}

/** After the fault: a healthy run scores every session exactly once, with Woodwide. */
async function recoversOnce(w: World, args: string[]) {
  server.fake.clearFaults();
  Object.assign(server.fake.settings, DEFAULT_SETTINGS);
  const due = retries(await w.events()).map((r) => r.notBefore);
  w.advanceTo(Math.max(0, ...due));
  const r = await w.run(["process", ...args, "--json"]);
  expect(r.stderr).not.toMatch(/stopped/);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ scored: N, retried: 0, dead: 0 });
  const counts = finalCounts(await w.events());
  expect([...counts.keys()].sort()).toEqual(IDS);
  expect([...counts.values()].every((c) => c === 1)).toBe(true);
  for (const s of await sessions(w)) {
    expect(s.status).toBe("scored");
    expect(s.result).toMatchObject({ source: "woodwide", isAnomaly: isBot(Number(s.id.slice(2))) });
  }
}

interface RetryableCase {
  name: string;
  fault?: FaultSpec;
  mode: "dataset" | "direct";
  kind: string;
  settings?: Partial<typeof DEFAULT_SETTINGS>;
  config?: [string, string][];
}

const RETRYABLE: RetryableCase[] = [
  { name: "5xx on upload", fault: { kind: "server-error" }, mode: "dataset", kind: "server" },
  {
    name: "502 on /infer",
    fault: { kind: "server-error", status: 502 },
    mode: "direct",
    kind: "server",
  },
  {
    name: "empty body",
    fault: { kind: "empty-body", on: "upload" },
    mode: "dataset",
    kind: "malformed",
  },
  { name: "malformed JSON", fault: { kind: "malformed-json" }, mode: "direct", kind: "malformed" },
  { name: "missing row id", fault: { kind: "missing-id" }, mode: "dataset", kind: "id-mismatch" },
  {
    name: "duplicated row id",
    fault: { kind: "duplicate-id" },
    mode: "direct",
    kind: "id-mismatch",
  },
  { name: "unknown row id", fault: { kind: "unknown-id" }, mode: "dataset", kind: "id-mismatch" },
  {
    name: "a failed ingest job",
    fault: { kind: "job-failed", on: "job" },
    mode: "dataset",
    kind: "job-failed",
  },
  {
    name: "a hanging request (woodwide.timeout 1s)",
    fault: { kind: "hang", on: "upload" },
    mode: "dataset",
    kind: "timeout",
    config: [["woodwide.timeout", "1s"]],
  },
  { name: "connection reset", fault: { kind: "reset" }, mode: "direct", kind: "network" },
  {
    // Issue 8, defect 7: the cap for 6 rows is 1 MiB + 24 KiB; the fake streams 32 MiB.
    name: "an oversized results body",
    fault: { kind: "oversized", on: "results", bytes: 32 * 2 ** 20 },
    mode: "dataset",
    kind: "malformed",
  },
  {
    name: "slow ingest past woodwide.jobTimeout",
    settings: { ingestPolls: 1_000 },
    mode: "dataset",
    kind: "timeout",
    config: [["woodwide.jobTimeout", "1s"]],
  },
];

describe("retryable faults: the batch goes back with full-jitter backoff, then scores once", () => {
  it.each(RETRYABLE)("$name ($mode mode) -> $kind", async (c) => {
    const w = await queuedWorld(c.config);
    if (c.fault) server.fake.setFault(c.fault);
    Object.assign(server.fake.settings, c.settings);
    const args = ["--mode", c.mode, "--attempts", "3"];
    const r = await w.run(["process", ...args, "--json"]);
    expect(r.code).toBe(69); // design.md: a service unavailable; sessions wait
    expect(r.stderr).toMatch(/process stopped: .*\(sessions will be retried after their backoff\)/);
    expect(JSON.parse(r.stdout)).toMatchObject({
      batches: 1,
      scored: 0,
      retried: N,
      dead: 0,
      stoppedBy: { outcome: "retry", retryable: true },
    });
    const events = await w.events();
    expect(events.filter((e) => e.t === "result" || e.t === "dead")).toEqual([]);
    const [retry, ...more] = retries(events);
    expect(more).toEqual([]);
    expect(retry?.ids).toEqual(IDS);
    expect(retry?.reason.startsWith(`${c.kind}: `)).toBe(true);
    const delay = retry!.notBefore - retry!.at;
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThan(BASE_MS);
    for (const s of await sessions(w)) expect(s).toMatchObject({ status: "queued", attempts: 1 });
    await recoversOnce(w, ["--mode", c.mode]);
    for (const s of await sessions(w)) expect(s.attempts).toBe(1);
  });

  it("transient poll failures are absorbed by the poll: no attempt burned", async () => {
    const w = await queuedWorld();
    server.fake.setFault({ kind: "server-error", on: "job", times: 2 });
    const r = await w.run(["process", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ scored: N, retried: 0 });
    expect(server.fake.faults[0]?.hits).toBe(2);
    expect(retries(await w.events())).toEqual([]);
  });

  it("slow ingest: infer-batch waits until the ingest job has succeeded", async () => {
    const w = await queuedWorld();
    server.fake.settings.ingestPolls = 2;
    const r = await w.run(["process", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ scored: N });
    const log = server.fake.requests.map(
      (q) => `${q.endpoint}${q.jobStatus ? `:${q.jobStatus}` : ""}`,
    );
    expect(log.slice(0, 5)).toEqual([
      "upload",
      "job:running",
      "job:running",
      "job:succeeded",
      "infer",
    ]);
    expect(finalCounts(await w.events()).size).toBe(N);
  });

  it("413: the batch is split (no attempt counted) and every session is scored once", async () => {
    const w = await queuedWorld();
    server.fake.setFault({ kind: "too-large", on: "upload", times: 1 });
    const r = await w.run(["process", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ batches: 3, scored: N, retried: 0 });
    const uploads = server.fake.requests.filter((q) => q.endpoint === "upload");
    expect(uploads.map((q) => q.csv?.trim().split("\n").length)).toEqual([N + 1, 4, 4]);
    const counts = finalCounts(await w.events());
    expect([...counts.values()]).toEqual(Array(N).fill(1));
    for (const s of await sessions(w)) expect(s.attempts).toBe(0);
  });
});

describe("backoff, Retry-After and dead-lettering", () => {
  it("429 with a Retry-After beyond the in-place limit (30 s): the sessions are not due before it, then score once", async () => {
    const w = await queuedWorld();
    server.fake.setFault({ kind: "rate-limit", retryAfter: "45", on: "upload", times: 1 });
    const r = await w.run(["process"]);
    expect(r.code).toBe(69);
    const [retry] = retries(await w.events());
    expect(retry!.reason).toMatch(/^rate-limited: .*HTTP 429/);
    const delay = retry!.notBefore - retry!.at;
    expect(delay).toBeGreaterThanOrEqual(45_000);
    expect(delay).toBeLessThan(45_000 + BASE_MS);
    // 5 s early: the world's clock runs on with the wall clock, and a slow machine spends more
    // than 100 ms (the margin this had) starting `process` before it claims.
    w.advanceTo(retry!.notBefore - 5_000);
    const early = await w.run(["process"]);
    expect(early).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(server.fake.requests.filter((q) => q.endpoint === "upload")).toHaveLength(1);
    await recoversOnce(w, []);
  });

  it("Retry-After as an HTTP date (on a 503) is honoured too", async () => {
    const w = await queuedWorld();
    const at = new Date(Date.now() + 60_000).toUTCString();
    server.fake.setFault({ kind: "server-error", retryAfter: at, on: "upload", times: 1 });
    expect((await w.run(["process"])).code).toBe(69);
    const [retry] = retries(await w.events());
    expect(retry!.notBefore - retry!.at).toBeGreaterThan(57_000);
    expect(retry!.notBefore - retry!.at).toBeLessThanOrEqual(60_000);
    await recoversOnce(w, []);
  });

  it("--attempts 3: two backoffs growing 2 s then 4 s caps, then a fallback result with its reason", async () => {
    const w = await queuedWorld();
    server.fake.setFault({ kind: "server-error", on: "upload" });
    const args = ["process", "--attempts", "3", "--json"];
    for (const attempt of [1, 2]) {
      const r = await w.run(args);
      expect(r.code).toBe(69);
      const retry = retries(await w.events()).at(-1)!;
      expect(retry.ids).toEqual(IDS);
      const delay = retry.notBefore - retry.at;
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(BASE_MS * 2 ** (attempt - 1));
      for (const s of await sessions(w))
        expect(s).toMatchObject({ status: "queued", attempts: attempt });
      w.advanceTo(retry.notBefore);
    }
    const last = await w.run(args);
    expect(last.code).toBe(0);
    expect(JSON.parse(last.stdout)).toMatchObject({ dead: N, retried: 0, scored: 0 });
    // Issue 14: three tries in place per attempt (a 503 says "not processed"), then the attempt
    // fails; three attempts, nine uploads.
    expect(server.fake.requests.filter((q) => q.endpoint === "upload")).toHaveLength(9);
    for (const s of await sessions(w)) {
      expect(s.status).toBe("dead");
      expect(s.result?.source).toBe("fallback");
      expect(s.result?.fallbackReason).toMatch(
        /^gave up after 3 attempts: server: Woodwide POST \/datasets answered HTTP 503/,
      );
    }
    const shown = await w.run(["result", "s_0", "--json"]);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      status: "dead",
      provisional: false,
      result: { source: "fallback", fallbackReason: expect.stringMatching(/gave up after 3/) },
    });
    server.fake.clearFaults();
    w.advance(3_600_000);
    expect(await w.run(["process"])).toEqual({ code: 0, stdout: "", stderr: "" });
    const events = await w.events();
    expect(events.filter((e) => e.t === "result")).toEqual([]);
    expect([...finalCounts(events).values()]).toEqual(Array(N).fill(1));
  });

  it("a batch mixing attempt counts dead-letters only the exhausted sessions", async () => {
    const w = await queuedWorld();
    server.fake.setFault({ kind: "server-error", on: "upload" });
    expect((await w.run(["process", "--batch-size", "3"])).code).toBe(69);
    w.advanceTo(retries(await w.events())[0]!.notBefore);
    const r = await w.run(["process", "--attempts", "2", "--json"]);
    expect(r.code).toBe(69);
    expect(JSON.parse(r.stdout)).toMatchObject({ sessions: N, dead: 3, retried: 3 });
    const byId = new Map((await sessions(w)).map((s) => [s.id, s]));
    for (const id of ["s_0", "s_1", "s_2"])
      expect(byId.get(id)).toMatchObject({ status: "dead", result: { source: "fallback" } });
    for (const id of ["s_3", "s_4", "s_5"])
      expect(byId.get(id)).toMatchObject({ status: "queued", attempts: 1 });
  });
});

describe("non-retryable answers stop the run and burn nothing", () => {
  const CASES: { name: string; fault: FaultSpec; message: RegExp; code: number }[] = [
    {
      name: "401",
      fault: { kind: "unauthorized", on: "upload" },
      message: /HTTP 401: Invalid API key: Bearer \[redacted\] \(check WOODWIDE_API_KEY/,
      code: 77,
    },
    {
      name: "402",
      fault: { kind: "payment-required", on: "upload" },
      message: /HTTP 402: Insufficient credits \(Woodwide credits exhausted: top up/,
      code: 77,
    },
    { name: "403", fault: { kind: "forbidden", on: "infer" }, message: /HTTP 403/, code: 77 },
    {
      name: "422",
      fault: { kind: "unprocessable", on: "infer" },
      message: /HTTP 422: body.dataset_version_id: Field required/,
      code: 78,
    },
    {
      name: "400",
      fault: { kind: "bad-request", on: "upload" },
      message: /HTTP 400: Bad request/,
      code: 78,
    },
    {
      name: "404",
      fault: { kind: "not-found", on: "infer" },
      message: /HTTP 404: Not found/,
      code: 78,
    },
    {
      name: "400 mentioning credits",
      fault: { kind: "credits-in-body", on: "upload" },
      message: /credits exhausted/,
      code: 77,
    },
  ];

  it.each(CASES)(
    "$name: exit $code (77 refused, 78 configuration), a clear message, every session still due with 0 attempts",
    async (c) => {
      const w = await queuedWorld();
      server.fake.setFault(c.fault);
      const r = await w.run(["process", "--batch-size", "3"]);
      expect(r.code).toBe(c.code);
      expect(r.stderr).toMatch(c.message);
      expect(r.stderr).toMatch(/process stopped: .*\(sessions left queued\)$/m);
      expect(r.stderr).not.toContain(server.fake.apiKey);
      const events = await w.events();
      // The run stopped after the first batch: the second was never claimed.
      expect(events.filter((e) => e.t === "claim")).toHaveLength(1);
      expect(events.filter((e) => ["retry", "result", "dead"].includes(e.t))).toEqual([]);
      for (const s of await sessions(w))
        expect(s).toMatchObject({ status: "queued", attempts: 0, notBefore: 0 });
      const stats = await w.run(["stats", "--json"]);
      expect(JSON.parse(stats.stdout)).toMatchObject({ due: N, scored: 0, dead: 0 });
      await recoversOnce(w, []);
    },
  );
});
