import { describe, expect, it } from "vitest";
import type { QueueEvent } from "../../src/queue/events.js";
import { applyEvent, emptyState, isDue } from "../../src/queue/fold.js";

function fold(events: QueueEvent[]) {
  const state = emptyState();
  events.forEach((e, i) => {
    if (!applyEvent(state, e, i * 100)) state.superseded++;
  });
  return state;
}

const enq = (id: string, at = 0): QueueEvent => ({ t: "enqueue", at, id });
const claim = (ids: string[], batch: string, lease: number, at = 0): QueueEvent => ({
  t: "claim",
  at,
  batch,
  ids,
  lease,
  owner: "test",
});

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
