import { join } from "node:path";
import { expect, it, onTestFinished } from "vitest";
import { migrate } from "../../src/ops/migrate.js";
import type { QueueBackend } from "../../src/queue/backend.js";
import { createFileBackend } from "../../src/queue/file-backend.js";
import { createRedisBackend } from "../../src/queue/redis-backend.js";
import { fakePayload, fakeResult } from "../support/payload.js";
import { describeRedis, queueUrl, withRedisPrefix } from "../support/redis.js";
import { trackedStore } from "../support/stores.js";
import { tempDir } from "../support/temp.js";

const T0 = 1_800_000_000_000;

async function fileQueue(): Promise<QueueBackend> {
  return createFileBackend(trackedStore({ path: join(await tempDir("ppb-migrate-"), "q.jsonl") }));
}

function redisQueue(): QueueBackend {
  const b = createRedisBackend({ url: queueUrl(withRedisPrefix("migrate")), settingName: "test" });
  onTestFinished(() => b.close());
  return b;
}

/** A queue holding one session in each state: scored, dead, retrying, in flight, due. */
async function fill(b: QueueBackend): Promise<void> {
  const ids = ["scored", "dead", "retry", "flight", "due"];
  // One at a time, so claim order (oldest first) is this order.
  for (const [i, id] of ids.entries())
    await b.enqueue([{ id, payload: fakePayload(i + 1) }], T0 + i);
  await b.claim({ now: T0, max: 4, leaseMs: 60_000, owner: "h:1", batch: "b1" });
  await b.settle({
    batch: "b1",
    now: T0 + 10,
    results: [
      { id: "scored", result: fakeResult("local", 0.5) },
      { id: "dead", result: fakeResult("fallback", 3), dead: "timeout: gave up" },
    ],
    retries: [{ ids: ["retry"], notBefore: T0 + 90_000, reason: "server: 503" }],
    record: { outcome: "retry", sessions: 4, durationMs: 10, engine: "woodwide" },
  });
}

async function snapshot(b: QueueBackend) {
  const out: unknown[] = [];
  for await (const s of b.sessions()) {
    // Offsets into a journal say where, not what.
    const { ref: _r, resultRef: _rr, ...rec } = s.rec;
    out.push({ rec, payload: s.payload, result: s.result });
  }
  return out.sort((a, b) =>
    (a as { rec: { id: string } }).rec.id < (b as { rec: { id: string } }).rec.id ? -1 : 1,
  );
}

async function roundTrip(from: QueueBackend, to: QueueBackend) {
  await fill(from);
  expect(await migrate(from, to, { now: () => T0 + 20, dryRun: true })).toEqual({
    read: 5,
    copied: 0,
    present: 0,
    byStatus: { queued: 2, claimed: 1, scored: 1, dead: 1 },
  });
  expect((await to.summary(T0 + 20)).sessions).toBe(0);
  expect(await migrate(from, to, { now: () => T0 + 20 })).toMatchObject({
    read: 5,
    copied: 5,
    present: 0,
  });
  // Again: nothing new to copy.
  expect(await migrate(from, to, { now: () => T0 + 30 })).toMatchObject({ copied: 0, present: 5 });
  const s = await to.summary(T0 + 40);
  // The in-flight session arrives queued and due; the retrying one keeps its backoff.
  expect([s.sessions, s.due, s.backoff, s.inFlight, s.scored, s.dead, s.retrying]).toEqual([
    5, 2, 1, 0, 1, 1, 1,
  ]);
  const moved = (await snapshot(to)) as { rec: { id: string; status: string; claim?: unknown } }[];
  const source = (await snapshot(from)) as typeof moved;
  expect(moved.map((m) => m.rec.id)).toEqual(["dead", "due", "flight", "retry", "scored"]);
  for (const [i, m] of moved.entries()) {
    const { claim: _c, ...rec } = source[i]!.rec;
    expect(m).toEqual({
      ...source[i],
      rec: { ...rec, status: rec.status === "claimed" ? "queued" : rec.status },
    });
  }
  expect(
    (await to.claim({ now: T0 + 100_000, max: 9, leaseMs: 1, owner: "x", batch: "b2" })).map(
      (c) => c.rec.id,
    ),
  ).toEqual(["retry", "flight", "due"]);
}

it("migrate copies a file queue into another file, state and all, idempotently", async () => {
  await roundTrip(await fileQueue(), await fileQueue());
});

describeRedis("migrate to and from Redis", () => {
  it("file -> Redis", async () => {
    await roundTrip(await fileQueue(), redisQueue());
  });
  it("Redis -> file", async () => {
    await roundTrip(redisQueue(), await fileQueue());
  });
});
