import { describe, expect, it } from "vitest";
import type { QueueEvent } from "../../src/queue/events.js";
import { applyEvent, emptyState, heldBy, isDue, type SessionRecord } from "../../src/queue/fold.js";
import { claim, enq } from "../support/queue-events.js";

function fold(events: QueueEvent[]) {
  const state = emptyState();
  events.forEach((e, i) => {
    if (!applyEvent(state, e, i * 100)) state.superseded++;
  });
  return state;
}

describe("foldJournal", () => {
  it.each([
    ["enqueue makes a queued session", [enq("a")], "a", "queued"],
    ["a duplicate enqueue is ignored", [enq("a", 1), enq("a", 2)], "a", "queued"],
    ["claim holds it", [enq("a"), claim(["a"], "b1", 50)], "a", "claimed"],
    [
      "a result of the holder scores it",
      [enq("a"), claim(["a"], "b1", 50), { t: "result", at: 5, batch: "b1", id: "a" }],
      "a",
      "scored",
    ],
    [
      "a result from a batch that lost the claim is ignored",
      [
        enq("a"),
        claim(["a"], "b1", 50),
        claim(["a"], "b2", 500, 60),
        { t: "result", at: 70, batch: "b1", id: "a" },
      ],
      "a",
      "claimed",
    ],
    [
      "retry puts it back",
      [
        enq("a"),
        claim(["a"], "b1", 50),
        { t: "retry", at: 5, batch: "b1", ids: ["a"], notBefore: 30, reason: "server" },
      ],
      "a",
      "queued",
    ],
    [
      "dead letters it",
      [
        enq("a"),
        claim(["a"], "b1", 50),
        { t: "dead", at: 5, batch: "b1", id: "a", reason: "5 attempts" },
      ],
      "a",
      "dead",
    ],
    [
      "a scored session cannot be claimed again",
      [
        enq("a"),
        claim(["a"], "b1", 50),
        { t: "result", at: 5, batch: "b1", id: "a" },
        claim(["a"], "b2", 90),
      ],
      "a",
      "scored",
    ],
  ] as [string, QueueEvent[], string, string][])("%s", (_name, events, id, status) => {
    expect(fold(events).sessions.get(id)?.status).toBe(status);
  });

  it("counts superseded events and removes sessions", () => {
    const s = fold([enq("a"), enq("a"), enq("b"), { t: "remove", at: 1, ids: ["a"] }]);
    expect(s.superseded).toBe(1);
    expect([...s.sessions.keys()]).toEqual(["b"]);
  });

  it("retry counts attempts and sets the backoff", () => {
    const s = fold([
      enq("a"),
      claim(["a"], "b1", 50),
      { t: "retry", at: 5, batch: "b1", ids: ["a"], notBefore: 30, reason: "server" },
      claim(["a"], "b2", 90, 31),
      { t: "retry", at: 40, batch: "b2", ids: ["a"], notBefore: 100, reason: "timeout" },
    ]);
    const a = s.sessions.get("a")!;
    expect(a.attempts).toBe(2);
    expect(a.lastError).toBe("timeout");
    expect(isDue(a, 99)).toBe(false);
    expect(isDue(a, 100)).toBe(true);
  });

  it("an expired lease makes a claimed session due again", () => {
    const a = fold([enq("a"), claim(["a"], "b1", 50)]).sessions.get("a")!;
    expect(isDue(a, 49)).toBe(false);
    expect(isDue(a, 50)).toBe(true);
  });

  it("dead-lettering counts the failure that exhausted the session", () => {
    const a = fold([
      enq("a"),
      claim(["a"], "b1", 50),
      { t: "retry", at: 5, batch: "b1", ids: ["a"], notBefore: 6, reason: "server" },
      claim(["a"], "b2", 90, 7),
      { t: "dead", at: 8, batch: "b2", id: "a", reason: "server" },
    ]).sessions.get("a")!;
    expect(a).toMatchObject({ status: "dead", attempts: 2, lastError: "server" });
  });

  it("release does not count an attempt", () => {
    const a = fold([
      enq("a"),
      claim(["a"], "b1", 50),
      { t: "release", at: 2, batch: "b1", ids: ["a"], reason: "shutdown" },
    ]).sessions.get("a")!;
    expect(a).toMatchObject({ status: "queued", attempts: 0 });
  });
});

// Issue 15: what the fold must get right for a second processor and for stats and metrics.
describe("applyEvent: renewals, takeovers and totals", () => {
  it("a renewal by the holder moves the lease and records its length", () => {
    const s = fold([enq("a"), claim(["a"], "b1", 600, 0)]);
    expect(applyEvent(s, { t: "renew", at: 500, batch: "b1", ids: ["a"], lease: 1_500 }, 7)).toBe(
      true,
    );
    const a = s.sessions.get("a")!;
    expect(a.claim).toEqual({ batch: "b1", lease: 1_500, owner: "test", ttl: 1_000 });
    expect(isDue(a, 1_499)).toBe(false); // a second processor cannot take a live batch
    expect(isDue(a, 1_500)).toBe(true);
  });

  it("a renewal from a batch that lost the session changes nothing", () => {
    const s = fold([enq("a"), claim(["a"], "b1", 600), claim(["a"], "b2", 2_000, 700)]);
    expect(applyEvent(s, { t: "renew", at: 800, batch: "b1", ids: ["a"], lease: 5_000 }, 9)).toBe(
      false,
    );
    expect(s.sessions.get("a")!.claim).toEqual({
      batch: "b2",
      lease: 2_000,
      owner: "test",
      ttl: 1_300,
    });
  });

  it("claims neither a scored nor a dead session, and reports that nothing changed", () => {
    const s = fold([
      enq("s"),
      enq("d"),
      claim(["s", "d"], "b1", 50),
      { t: "result", at: 5, batch: "b1", id: "s" },
      { t: "dead", at: 5, batch: "b1", id: "d", reason: "x" },
    ]);
    expect(applyEvent(s, claim(["s", "d"], "b2", 500, 60), 9)).toBe(false);
    expect([s.sessions.get("s")!.status, s.sessions.get("d")!.status]).toEqual(["scored", "dead"]);
    expect(s.sessions.get("d")!.claim).toBeUndefined();
  });

  it("a result records when and where, and forgets the claim and an old error", () => {
    const s = fold([
      enq("a"),
      claim(["a"], "b1", 50),
      { t: "retry", at: 5, batch: "b1", ids: ["a"], notBefore: 6, reason: "server" },
      claim(["a"], "b2", 90, 7),
    ]);
    expect(applyEvent(s, { t: "result", at: 8, batch: "b2", id: "a" }, 4_242)).toBe(true);
    expect(s.sessions.get("a")).toEqual({
      id: "a",
      status: "scored",
      enqueuedAt: 0,
      attempts: 1,
      notBefore: 6,
      doneAt: 8,
      ref: 0,
      resultRef: 4_242,
      claim: undefined,
    });
  });

  it("counts scored, retries, dead and batches; a failed batch is the last batch, not a success", () => {
    const scored = {
      at: 10,
      outcome: "scored",
      sessions: 2,
      durationMs: 5,
      engine: "local",
    } as const;
    const failed = {
      at: 20,
      outcome: "failed",
      sessions: 1,
      durationMs: 7,
      engine: "woodwide",
      message: "503",
      kind: "server",
    } as const;
    const s = fold([
      enq("a"),
      enq("b"),
      enq("c"),
      claim(["a", "b", "c"], "b1", 50),
      { t: "result", at: 5, batch: "b1", id: "a" },
      { t: "dead", at: 5, batch: "b1", id: "b", reason: "x" },
      { t: "retry", at: 5, batch: "b1", ids: ["c"], notBefore: 9, reason: "server" },
      { t: "batch", batch: "b1", ...scored },
      { t: "batch", batch: "b2", ...failed },
      { t: "batch", batch: "b3", ...failed, at: 30, retriedCalls: { "503": 2 } },
      {
        t: "batch",
        batch: "b4",
        ...failed,
        at: 40,
        kind: "timeout",
        retriedCalls: { "503": 1, network: 4 },
      },
    ]);
    expect(s.totals).toEqual({
      batches: 4,
      scored: 1,
      retries: 1,
      dead: 1,
      failures: { server: 2, timeout: 1 },
      retriedCalls: { "503": 3, network: 4 },
    });
    expect(s.lastBatch).toEqual({
      ...failed,
      at: 40,
      kind: "timeout",
      retriedCalls: { "503": 1, network: 4 },
    });
    expect(s.lastSuccess).toEqual(scored);
  });

  it("a meta line restores last batch, last success and totals by value", () => {
    const totals = { batches: 3, scored: 5, retries: 2, dead: 1, failures: { server: 1 } };
    const last = { at: 9, outcome: "retry", sessions: 1, durationMs: 1, engine: "local" } as const;
    const s = fold([
      { t: "meta", at: 10, totals, lastBatch: last, lastSuccess: { ...last, outcome: "scored" } },
      {
        t: "batch",
        at: 11,
        batch: "b",
        outcome: "failed",
        sessions: 1,
        durationMs: 1,
        engine: "local",
        kind: "server",
      },
    ]);
    expect(s.totals).toEqual({
      batches: 4,
      scored: 5,
      retries: 2,
      dead: 1,
      failures: { server: 2 },
    });
    expect(totals.failures).toEqual({ server: 1 }); // the event itself is not changed
    expect(s.lastSuccess).toEqual({ ...last, outcome: "scored" });
  });

  it("a snapshot restores a session as compaction wrote it", () => {
    const s = fold([
      enq("x"),
      {
        t: "snapshot",
        at: 50,
        id: "a",
        status: "scored",
        enqueuedAt: 3,
        attempts: 2,
        notBefore: 4,
        doneAt: 40,
        lastError: "server",
      },
      {
        t: "snapshot",
        at: 50,
        id: "q",
        status: "queued",
        enqueuedAt: 5,
        attempts: 0,
        notBefore: 0,
      },
    ]);
    expect(s.sessions.get("a")).toEqual({
      id: "a",
      status: "scored",
      enqueuedAt: 3,
      attempts: 2,
      notBefore: 4,
      doneAt: 40,
      lastError: "server",
      ref: 100, // fold() puts event i at offset i * 100
      resultRef: 100,
    });
    const q = s.sessions.get("q")!;
    expect([q.ref, q.resultRef]).toEqual([200, undefined]);
  });

  it("removing an unknown id changes nothing", () => {
    const s = emptyState();
    expect(applyEvent(s, { t: "remove", at: 1, ids: ["nope"] }, 0)).toBe(false);
    expect(applyEvent(s, enq("a"), 0)).toBe(true);
    expect(applyEvent(s, { t: "remove", at: 1, ids: ["nope", "a"] }, 0)).toBe(true);
    expect(s.sessions.size).toBe(0);
  });
});

describe("heldBy and isDue", () => {
  const rec = (patch: Partial<SessionRecord>): SessionRecord => ({
    id: "a",
    status: "queued",
    enqueuedAt: 0,
    attempts: 0,
    notBefore: 10,
    ref: 0,
    ...patch,
  });

  it.each([
    [rec({}), 9, false],
    [rec({}), 10, true],
    [rec({ status: "claimed", claim: { batch: "b", lease: 20, owner: "o" } }), 19, false],
    [rec({ status: "claimed", claim: { batch: "b", lease: 20, owner: "o" } }), 20, true],
    [rec({ status: "claimed" }), 99, false], // no claim recorded: nothing to expire
    [rec({ status: "scored" }), 99, false],
    [rec({ status: "dead" }), 99, false],
  ])("isDue(%j, %i) = %s", (r, now, due) => {
    expect(isDue(r, now)).toBe(due);
  });

  it("holds only a claimed session, for its own batch", () => {
    const claimed = rec({ status: "claimed", claim: { batch: "b", lease: 20, owner: "o" } });
    expect(heldBy(claimed, "b")).toBe(true);
    expect(heldBy(claimed, "c")).toBe(false);
    expect(heldBy({ ...claimed, status: "queued" }, "b")).toBe(false);
    expect(heldBy(undefined, "b")).toBe(false);
  });
});

describe("applyEvent: what each event reports, and totals kept by value", () => {
  it("starts empty", () => {
    const s = emptyState();
    expect([s.sessions.size, s.corrupt, s.lines, s.superseded, s.totals]).toEqual([
      0,
      [],
      0,
      0,
      { batches: 0, scored: 0, retries: 0, dead: 0 },
    ]);
  });

  it("snapshot, batch, archiving and meta lines always count as a change", () => {
    const s = emptyState();
    const snapshot = {
      t: "snapshot",
      at: 1,
      id: "a",
      status: "queued",
      enqueuedAt: 0,
      attempts: 0,
      notBefore: 0,
    } as const;
    const batch = {
      t: "batch",
      at: 2,
      batch: "b",
      outcome: "retry",
      sessions: 1,
      durationMs: 1,
      engine: "local",
    } as const;
    expect(applyEvent(s, snapshot, 0)).toBe(true);
    expect(applyEvent(s, batch, 1)).toBe(true);
    expect(applyEvent(s, { t: "archiving", at: 3, file: "2026-11.jsonl", size: 42 }, 2)).toBe(true);
    expect(s.archive).toEqual({ file: "2026-11.jsonl", size: 42 });
    expect(
      applyEvent(
        s,
        { t: "meta", at: 4, totals: { batches: 9, scored: 1, retries: 0, dead: 0 } },
        3,
      ),
    ).toBe(true);
    expect(s.totals).toEqual({ batches: 9, scored: 1, retries: 0, dead: 0 }); // no empty failures map
    expect(s.archive).toBeUndefined();
  });

  it("a meta line's retried calls are copied, so later batches do not change the event", () => {
    const totals = { batches: 1, scored: 0, retries: 0, dead: 0, retriedCalls: { "503": 1 } };
    const s = emptyState();
    applyEvent(s, { t: "meta", at: 1, totals }, 0);
    applyEvent(
      s,
      {
        t: "batch",
        at: 2,
        batch: "b",
        outcome: "scored",
        sessions: 1,
        durationMs: 1,
        engine: "woodwide",
        retriedCalls: { "503": 2 },
      },
      1,
    );
    expect(s.totals.retriedCalls).toEqual({ "503": 3 });
    expect(totals.retriedCalls).toEqual({ "503": 1 });
  });

  it("ignores a retried-call count that is not a number (a hand-edited journal)", () => {
    const s = emptyState();
    const retriedCalls = { "503": "2", network: 1 } as unknown as Record<string, number>;
    applyEvent(
      s,
      {
        t: "batch",
        at: 2,
        batch: "b",
        outcome: "failed",
        sessions: 1,
        durationMs: 1,
        engine: "woodwide",
        retriedCalls,
      },
      0,
    );
    expect(s.totals.retriedCalls).toEqual({ network: 1 });
  });

  it("a scored or dead record is never due, even with a stale claim; a claimed one needs its claim", () => {
    const claim = { batch: "b", lease: 5, owner: "o" };
    const base = { id: "a", enqueuedAt: 0, attempts: 0, notBefore: 0, ref: 0 };
    expect(isDue({ ...base, status: "scored", claim }, 99)).toBe(false);
    expect(isDue({ ...base, status: "dead", claim }, 99)).toBe(false);
    expect(heldBy({ ...base, status: "claimed" }, "b")).toBe(false);
  });
});

describe("applyEvent: watch heartbeats", () => {
  const beat = (id: string, at: number, stopped?: boolean): QueueEvent => ({
    t: "heartbeat",
    at,
    id,
    host: "h",
    pid: 7,
    started: 1,
    nextCheck: at + 30,
    settings: { interval: "30s" },
    ...(stopped ? { stopped } : {}),
  });

  it("keeps each watcher's last check; a clean stop forgets it; meta restores the live ones", () => {
    const s = fold([beat("w1", 10), beat("w2", 20), beat("w1", 40), beat("w2", 50, true)]);
    expect([...s.watchers.values()]).toEqual([
      {
        id: "w1",
        host: "h",
        pid: 7,
        started: 1,
        nextCheck: 70,
        settings: { interval: "30s" },
        lastCheck: 40,
      },
    ]);
    expect(applyEvent(s, beat("w3", 60), 9)).toBe(true);
    const w1 = s.watchers.get("w1")!;
    applyEvent(s, { t: "meta", at: 70, totals: s.totals, watchers: [w1] }, 10);
    expect([...s.watchers.keys()]).toEqual(["w1"]);
    applyEvent(s, { t: "meta", at: 80, totals: s.totals }, 11);
    expect(s.watchers.size).toBe(0);
  });
});
