import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { QueueSummary } from "../../src/queue/summary.js";
import { createIo } from "../../src/ui/io.js";
import { statusLine, watchStatus } from "../../src/ui/watch-status.js";

const NOW = 1_700_000_000_000;
const summary = (o: Partial<QueueSummary> = {}): QueueSummary => ({
  sessions: 40,
  due: 12,
  backoff: 3,
  inFlight: 0,
  expiredLeases: 0,
  scored: 20,
  dead: 1,
  retrying: 3,
  oldestDueAgeMs: 5_000,
  lastBatch: undefined,
  lastSuccess: undefined,
  totals: { batches: 2, scored: 20, retries: 3, dead: 1 },
  watchers: [],
  corruptLines: 0,
  ...o,
});
const last = {
  at: NOW - 65_000,
  outcome: "retry",
  sessions: 50,
  durationMs: 900,
  engine: "woodwide",
} as const;

describe("statusLine", () => {
  it.each([
    [{}, "reading the queue… │ no batch yet"],
    [
      { summary: summary(), nextCheckAt: NOW + 24_000 },
      "due 12 · scored 20 · retrying 3 · dead 1 │ next check in 24s │ no batch yet",
    ],
    [
      { summary: summary({ lastBatch: last }), nextCheckAt: NOW + 400 },
      "due 12 · scored 20 · retrying 3 · dead 1 │ next check in 400ms │ last batch 1m5s ago: retry 50",
    ],
    [
      { summary: summary(), activity: "batch 1/2: scoring with woodwide…", nextCheckAt: NOW },
      "batch 1/2: scoring with woodwide… │ due 12 · scored 20 · retrying 3 · dead 1 │ no batch yet",
    ],
  ])("%o", (view, line) => {
    expect(statusLine(view, NOW)).toBe(line);
  });
});

describe("watchStatus without a terminal", () => {
  it("logs decisions and batches, and the counts only when they change", () => {
    let text = "";
    const stderr = new Writable({
      write(chunk, _e, done) {
        text += String(chunk);
        done();
      },
    });
    const io = createIo({
      stdout: stderr,
      stderr,
      json: false,
      quiet: false,
      verbose: false,
      logFormat: "human",
      now: () => new Date(NOW),
    });
    const status = watchStatus(io, () => NOW, "local");
    const s = summary();
    status.onEvent({
      type: "check",
      summary: s,
      decision: { process: false, batches: 0, reason: "wait" },
    });
    status.onEvent({ type: "waiting", summary: s, nextCheckAt: NOW + 30_000 });
    status.onEvent({ type: "waiting", summary: s, nextCheckAt: NOW + 60_000 });
    status.onEvent({
      type: "check",
      summary: s,
      decision: { process: true, batches: 1, reason: "12 due >= min batch 10" },
    });
    status.onEvent({ type: "stopping", inFlight: true });
    status.stop();
    // Not a terminal: each line carries its time (issue 9, defect 10).
    const at = new Date(NOW).toISOString();
    expect(text.trim().split("\n")).toEqual([
      `${at} due 12 · scored 20 · retrying 3 · dead 1`,
      `${at} processing 1 batch(es): 12 due >= min batch 10`,
      `${at} stopping: finishing the batch in flight (Ctrl-C again to release it now)`,
    ]);
  });
});

describe("the live line's counts while a batch runs (issue 9, item 16)", () => {
  it("moves a claimed batch out of due, then into scored, dead and backoff", async () => {
    const { claimedInView, batchInView } = await import("../../src/ui/watch-status.js");
    const before = summary({ due: 80, inFlight: 0, scored: 20, dead: 1, backoff: 3, retrying: 3 });
    const during = claimedInView(before, 50);
    expect([during.due, during.inFlight]).toEqual([30, 50]);
    expect(claimedInView(summary({ due: 12 }), 50).due).toBe(0);
    const after = batchInView(during, {
      batch: "b",
      outcome: "retry",
      sessions: 50,
      scored: 40,
      retried: 8,
      dead: 2,
      lost: 0,
      durationMs: 5,
    });
    expect(after).toMatchObject({
      due: 30,
      inFlight: 0,
      scored: 60,
      dead: 3,
      backoff: 11,
      retrying: 11,
    });
  });
});
