import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import type { QueueBackend, Settlement } from "../../src/queue/backend.js";
import type { HeartbeatEvent } from "../../src/queue/events.js";
import { createFileBackend } from "../../src/queue/file-backend.js";
import type { EnqueueItem } from "../../src/queue/plans.js";
import { createRedisBackend } from "../../src/queue/redis-backend.js";
import { encodeFingerprint } from "../../src/scoring/replay-fingerprint.js";
import { fakePayload, fakeResult } from "../support/payload.js";
import { describeRedis, queueUrl, withRedisPrefix } from "../support/redis.js";
import { trackedStore } from "../support/stores.js";
import { tempDir } from "../support/temp.js";

/**
 * Issue 11: one contract, both backends. Every step the commands use is run on the journal and
 * on Redis with the same inputs and clock, and must give the same answers, exactly.
 */
type Make = () => Promise<QueueBackend>;

const T0 = 1_800_000_000_000;
const LEASE = 60_000;

const items = (...ids: string[]): EnqueueItem[] =>
  ids.map((id, i) => ({ id, payload: fakePayload(i + 1) }));

const record = (outcome: Settlement["record"]["outcome"], sessions: number) => ({
  outcome,
  sessions,
  durationMs: 5,
  engine: "local",
});

function contract(make: Make) {
  async function open(): Promise<QueueBackend> {
    const b = await make();
    onTestFinished(() => b.close());
    return b;
  }
  const claim = (b: QueueBackend, batch: string, now: number, max = 10, owner = "h:1") =>
    b.claim({ now, max, leaseMs: LEASE, owner, batch });

  it("enqueue is idempotent by id: the first of a repeated id wins, queued ids are duplicates", async () => {
    const b = await open();
    expect(await b.enqueue(items("a", "b", "a"), T0)).toEqual({
      accepted: ["a", "b"],
      duplicates: ["a"],
    });
    expect(await b.enqueue(items("b", "c"), T0 + 1)).toEqual({
      accepted: ["c"],
      duplicates: ["b"],
    });
    const s = await b.summary(T0 + 1_000);
    expect([s.sessions, s.due, s.inFlight, s.scored]).toEqual([3, 3, 0, 0]);
    expect(s.oldestDueAgeMs).toBe(1_000);
  });

  it("claims oldest first under a lease, with payloads; nothing twice while the lease runs", async () => {
    const b = await open();
    await b.enqueue(items("z"), T0);
    await b.enqueue(items("y", "x"), T0 + 10);
    const first = await claim(b, "b1", T0 + 100, 2);
    expect(first.map((c) => c.rec.id)).toEqual(["z", "x"]);
    expect(first[0]!.rec).toMatchObject({
      status: "claimed",
      attempts: 0,
      claim: { batch: "b1", lease: T0 + 100 + LEASE, owner: "h:1", ttl: LEASE },
    });
    expect(first[1]!.payload).toEqual(fakePayload(2));
    expect((await claim(b, "b2", T0 + 200)).map((c) => c.rec.id)).toEqual(["y"]);
    expect(await claim(b, "b3", T0 + 300)).toEqual([]);
    const s = await b.summary(T0 + 300);
    expect([s.sessions, s.due, s.inFlight, s.expiredLeases]).toEqual([3, 0, 3, 0]);
  });

  it("an expired lease is taken over; the late holder's result is dropped, the new one's kept", async () => {
    const b = await open();
    await b.enqueue(items("a", "b"), T0);
    await claim(b, "old", T0, 2);
    const after = T0 + LEASE + 1;
    const s = await b.summary(after);
    expect([s.due, s.inFlight, s.expiredLeases]).toEqual([2, 0, 2]);
    expect((await claim(b, "new", after, 1)).map((c) => c.rec.id)).toEqual(["a"]);
    const late = await b.settle({
      batch: "old",
      now: after + 5,
      results: [
        { id: "a", result: fakeResult("local", 1) },
        { id: "b", result: fakeResult("local", 2) },
      ],
      record: record("scored", 2),
    });
    // b was never taken over: its holder's lease ran out, but it still holds the claim.
    expect(late).toEqual({ recorded: ["b"], lost: ["a"], retried: [], released: [] });
    const mine = await b.settle({
      batch: "new",
      now: after + 6,
      results: [{ id: "a", result: fakeResult("woodwide", 3) }],
      record: record("scored", 1),
    });
    expect(mine.recorded).toEqual(["a"]);
    const a = await b.find("a");
    expect(a?.result).toEqual(fakeResult("woodwide", 3));
    expect(a?.rec).toMatchObject({ status: "scored", doneAt: after + 6, attempts: 0 });
    const t = await b.summary(after + 10);
    expect([t.scored, t.totals.scored, t.totals.batches]).toEqual([2, 2, 2]);
  });

  it("renew keeps a live batch's claim past its first lease", async () => {
    const b = await open();
    await b.enqueue(items("a"), T0);
    await claim(b, "b1", T0, 1);
    expect(await b.renew("b1", ["a"], T0 + LEASE - 1, LEASE)).toBe(1);
    expect(await b.renew("other", ["a"], T0 + LEASE - 1, LEASE)).toBe(0);
    expect(await claim(b, "b2", T0 + LEASE + 1)).toEqual([]);
    expect((await b.find("a"))?.rec.claim?.lease).toBe(T0 + 2 * LEASE - 1);
  });

  it("retry backs off, counts attempts and retries; release makes sessions due at once", async () => {
    const b = await open();
    await b.enqueue(items("a", "b", "c"), T0);
    await claim(b, "b1", T0, 3);
    const out = await b.settle({
      batch: "b1",
      now: T0 + 10,
      retries: [{ ids: ["a", "b"], notBefore: T0 + 5_000, reason: "server: 503" }],
      release: { ids: ["c"], reason: "interrupted" },
      record: { ...record("retry", 3), kind: "server", retriedCalls: { "503": 2 } },
    });
    expect(out).toEqual({ recorded: [], lost: [], retried: ["a", "b"], released: ["c"] });
    const s = await b.summary(T0 + 20);
    expect([s.due, s.backoff, s.retrying, s.inFlight]).toEqual([1, 2, 2, 0]);
    expect(s.totals).toEqual({
      batches: 1,
      scored: 0,
      retries: 2,
      dead: 0,
      failures: { server: 1 },
      retriedCalls: { "503": 2 },
    });
    expect(s.lastBatch).toEqual({
      at: T0 + 10,
      ...record("retry", 3),
      kind: "server",
      retriedCalls: { "503": 2 },
    });
    expect(s.lastSuccess).toBeUndefined();
    expect((await b.find("a"))?.rec).toMatchObject({
      status: "queued",
      attempts: 1,
      notBefore: T0 + 5_000,
      lastError: "server: 503",
    });
    expect((await b.find("c"))?.rec).toMatchObject({ attempts: 0, lastError: "interrupted" });
    expect((await claim(b, "b2", T0 + 4_999)).map((c) => c.rec.id)).toEqual(["c"]);
    const later = await claim(b, "b3", T0 + 5_000);
    expect(later.map((c) => c.rec.id)).toEqual(["a", "b"]);
    const t = await b.summary(T0 + 5_000);
    expect([t.due, t.backoff, t.retrying, t.inFlight]).toEqual([0, 0, 0, 3]);
  });

  it("dead-letters with the reason, counts the attempt, keeps the fallback result", async () => {
    const b = await open();
    await b.enqueue(items("a"), T0);
    await claim(b, "b1", T0, 1);
    const out = await b.settle({
      batch: "b1",
      now: T0 + 7,
      results: [{ id: "a", result: fakeResult("fallback", 1.5), dead: "timeout: gave up" }],
      record: { ...record("dead", 1), kind: "timeout" },
    });
    expect(out.recorded).toEqual(["a"]);
    const a = await b.find("a");
    expect(a?.rec).toMatchObject({
      status: "dead",
      attempts: 1,
      doneAt: T0 + 7,
      lastError: "timeout: gave up",
    });
    expect(a?.result).toEqual(fakeResult("fallback", 1.5));
    const s = await b.summary(T0 + 8);
    expect([s.dead, s.totals.dead, s.totals.failures?.timeout]).toEqual([1, 1, 1]);
  });

  it("finds many at once, lists every session with its result, and says what is due", async () => {
    const b = await open();
    await b.enqueue(items("a", "b", "c"), T0);
    await claim(b, "b1", T0, 1);
    await b.settle({
      batch: "b1",
      now: T0 + 1,
      results: [{ id: "a", result: fakeResult("local", 0.5) }],
      record: record("scored", 1),
    });
    const many = await b.findMany(["c", "nope", "a"]);
    expect([...many.keys()].sort()).toEqual(["a", "c"]);
    expect(many.get("a")?.result).toEqual(fakeResult("local", 0.5));
    expect(many.get("c")?.result).toBeUndefined();
    expect(many.get("c")?.payload.provisional).toEqual(fakePayload(3).provisional);
    const listed: string[] = [];
    for await (const s of b.sessions((rec) => rec.status !== "scored")) listed.push(s.rec.id);
    expect(listed).toEqual(["b", "c"]);
    expect((await b.due(T0 + 2, 10)).map((d) => d.rec.id)).toEqual(["b", "c"]);
    expect((await b.due(T0 + 2, 1)).map((d) => d.payload)).toEqual([fakePayload(2)]);
    // due() claims nothing.
    expect((await claim(b, "b2", T0 + 3)).length).toBe(2);
  });

  it("clear: processed and older-than filters, archived first, then read from the archive", async () => {
    const b = await open();
    await b.enqueue(items("old"), T0);
    await b.enqueue(items("mid", "new"), T0 + 60_000);
    await claim(b, "b1", T0 + 60_000, 2);
    await b.settle({
      batch: "b1",
      now: T0 + 61_000,
      results: [{ id: "old", result: fakeResult("local", 0.25) }],
      release: { ids: ["mid"], reason: "interrupted" },
      record: record("scored", 1),
    });
    const now = T0 + 120_000;
    const processed = { processedOnly: true };
    expect(await b.countRemovable(processed, now)).toBe(1);
    expect(await b.countRemovable({ processedOnly: false, olderThanMs: 90_000 }, now)).toBe(1);
    expect(await b.countRemovable({ processedOnly: false, olderThanMs: 30_000 }, now)).toBe(3);
    expect(await b.remove(processed, now, 24 * 3_600_000)).toEqual({
      removed: 1,
      archived: 1,
      remaining: 2,
    });
    expect(await b.find("old")).toBeUndefined();
    const archived = [];
    for await (const a of b.readArchive()) archived.push(a);
    expect(archived).toEqual([
      {
        sessionId: "old",
        status: "scored",
        enqueuedAt: T0,
        doneAt: T0 + 61_000,
        attempts: 0,
        meta: fakePayload(1).meta,
        provisional: fakePayload(1).provisional,
        result: fakeResult("local", 0.25),
        archivedAt: now,
      },
    ]);
    expect(await b.remove({ processedOnly: false }, now, 24 * 3_600_000)).toEqual({
      removed: 2,
      archived: 2,
      remaining: 0,
    });
    const s = await b.summary(now);
    expect([s.sessions, s.due, s.scored, s.retrying]).toEqual([0, 0, 0, 0]);
    // A session can come back after it left.
    expect((await b.enqueue(items("old"), now)).accepted).toEqual(["old"]);
  });

  it("retention: results past it leave (archived); fresher ones and unfinished sessions stay", async () => {
    const b = await open();
    await b.enqueue(items("a", "b", "c"), T0);
    await claim(b, "b1", T0, 2);
    await b.settle({
      batch: "b1",
      now: T0 + 1_000,
      results: [
        { id: "a", result: fakeResult("local", 0) },
        { id: "b", result: fakeResult("local", 0) },
      ],
      record: record("scored", 2),
    });
    expect(await b.maintain(T0 + 1_500, 1_000)).toBeUndefined();
    const report = await b.maintain(T0 + 2_000, 1_000);
    expect(report).toMatchObject({ removed: 2, archived: 2, sessionsAfter: 1 });
    expect(await b.find("a")).toBeUndefined();
    expect((await b.find("c"))?.rec.status).toBe("queued");
    expect((await b.summary(T0 + 2_000)).scored).toBe(0);
  });

  it("bounds a lease stamped by a clock running ahead to now + its length", async () => {
    const b = await open();
    await b.enqueue(items("a"), T0);
    const ahead = T0 + 24 * 3_600_000;
    await claim(b, "fast", ahead, 1);
    expect(await b.boundLeases(T0)).toBe(1);
    expect((await b.find("a"))?.rec.claim?.lease).toBe(T0 + LEASE);
    expect(await b.boundLeases(T0)).toBe(0);
    expect((await claim(b, "next", T0 + LEASE)).map((c) => c.rec.id)).toEqual(["a"]);
  });

  it("heartbeats: a watcher is listed until it says it stopped", async () => {
    const b = await open();
    const beat: HeartbeatEvent = {
      t: "heartbeat",
      at: T0,
      id: "h:1:1",
      host: "h",
      pid: 1,
      started: T0 - 5,
      nextCheck: T0 + 30_000,
      settings: { intervalMs: 30_000 },
    };
    await b.heartbeat(beat);
    expect((await b.summary(T0 + 1)).watchers).toEqual([
      {
        id: "h:1:1",
        host: "h",
        pid: 1,
        started: T0 - 5,
        nextCheck: T0 + 30_000,
        settings: { intervalMs: 30_000 },
        lastCheck: T0,
        state: "alive",
      },
    ]);
    expect((await b.summary(T0 + 30_000 + 60_001)).watchers[0]?.state).toBe("stale");
    await b.heartbeat({ ...beat, at: T0 + 2, stopped: true });
    expect((await b.summary(T0 + 3)).watchers).toEqual([]);
  });

  it("keeps every queued session's fingerprint, and forgets it when the session leaves", async () => {
    const b = await open();
    const fp = Int8Array.from({ length: 64 }, (_, i) => (i % 7) - 3);
    const withPrint = { id: "p", payload: { ...fakePayload(1), fp: encodeFingerprint(fp) } };
    await b.enqueue([withPrint, ...items("q")], T0);
    expect(await b.fingerprints()).toEqual([["p", fp]]);
    await b.remove({ processedOnly: false }, T0 + 1, 1_000);
    expect(await b.fingerprints()).toEqual([]);
  });
}

describe("queue backend contract: file", () => {
  contract(async () =>
    createFileBackend(trackedStore({ path: join(await tempDir("ppb-contract-"), "q.jsonl") })),
  );
});

describeRedis("queue backend contract: redis", () => {
  contract(async () =>
    createRedisBackend({ url: queueUrl(withRedisPrefix("contract")), settingName: "test" }),
  );
});
