import { describe, expect, it } from "vitest";
import {
  batchesToTake,
  decideForQueue,
  decideSchedule,
  type ScheduleInput,
  SEED_SCHEDULE,
} from "../../src/batch/schedule.js";

const NOW = 1_700_000_000_000;
const MIN = 60_000;

type Row = [name: string, input: Partial<ScheduleInput>, process: boolean, batches: number];

// The seed's defaults: check every 30 s, min batch 10, max wait 5 min, batches of 50.
const seedRows: Row[] = [
  ["nothing due", { due: 0 }, false, 0],
  [
    "nothing due, even long after the last batch",
    { due: 0, lastBatchAt: NOW - 60 * MIN },
    false,
    0,
  ],
  ["9 due, last batch 1 min ago", { due: 9, lastBatchAt: NOW - MIN }, false, 0],
  ["10 due triggers min batch", { due: 10, lastBatchAt: NOW - 1_000 }, true, 1],
  ["1 due, last batch 4m59s ago", { due: 1, lastBatchAt: NOW - 5 * MIN + 1_000 }, false, 0],
  ["1 due, last batch exactly 5 min ago", { due: 1, lastBatchAt: NOW - 5 * MIN }, true, 1],
  ["9 due, last batch an hour ago", { due: 9, lastBatchAt: NOW - 60 * MIN }, true, 1],
  [
    "no batch ever: waits on the oldest due (4 min)",
    { due: 3, oldestDueAgeMs: 4 * MIN, lastBatchAt: undefined },
    false,
    0,
  ],
  [
    "no batch ever: oldest due waited 5 min",
    { due: 3, oldestDueAgeMs: 5 * MIN, lastBatchAt: undefined },
    true,
    1,
  ],
  [
    "a fresh session after an old batch goes at once (since the last batch)",
    { due: 1, oldestDueAgeMs: 0, lastBatchAt: NOW - 6 * MIN },
    true,
    1,
  ],
  ["last batch stamped in the future counts as now", { due: 2, lastBatchAt: NOW + MIN }, false, 0],
  ["exactly one full batch", { due: 50, lastBatchAt: NOW }, true, 1],
  ["50 + 9: the 9 wait for the next check", { due: 59, lastBatchAt: NOW }, true, 1],
  ["50 + 10: the 10 reach min batch", { due: 60, lastBatchAt: NOW }, true, 2],
  ["drain 105: two full batches, 5 wait", { due: 105, lastBatchAt: NOW }, true, 2],
  ["drain 120: 50, 50, 20", { due: 120, lastBatchAt: NOW }, true, 3],
  ["drain 1000: 20 full batches", { due: 1000, lastBatchAt: NOW }, true, 20],
  ["max wait with 9 due takes them in one batch", { due: 9, lastBatchAt: NOW - 10 * MIN }, true, 1],
];

describe("decideSchedule with the seed's defaults", () => {
  it.each(seedRows)("%s", (_name, input, process, batches) => {
    const d = decideSchedule(
      { due: 0, oldestDueAgeMs: undefined, lastBatchAt: undefined, now: NOW, ...input },
      SEED_SCHEDULE,
    );
    expect(d).toMatchObject({ process, batches });
    expect(d.reason).toBeTruthy();
  });

  it("the seed settings are 10 / 5 min / 50", () => {
    expect(SEED_SCHEDULE).toEqual({ minBatch: 10, maxWaitMs: 300_000, batchSize: 50 });
  });
});

describe("batchesToTake with other settings", () => {
  it.each([
    // [due, batchSize, minBatch, batches]
    [1, 50, 10, 1],
    [7, 5, 1, 2], // min batch 1: the remainder always goes
    [11, 5, 1, 3],
    [10, 5, 5, 2],
    [14, 5, 5, 2], // 5, 5 and 4 < min 5 waits
    [15, 5, 5, 3],
    [149, 50, 100, 2], // min above the batch size: drain full batches only, 49 wait
    [150, 50, 100, 3],
    [3, 1, 10, 3], // batch size 1: one batch per session
  ])("%i due, size %i, min %i -> %i batches", (due, batchSize, minBatch, batches) => {
    expect(batchesToTake(due, { batchSize, minBatch, maxWaitMs: 0 })).toBe(batches);
  });

  it("never takes a batch that would be empty", () => {
    for (let due = 1; due <= 300; due++) {
      const s = { batchSize: 50, minBatch: 10, maxWaitMs: 0 };
      const n = batchesToTake(due, s);
      expect((n - 1) * s.batchSize).toBeLessThan(due);
      // What is left after n batches is under min batch, or under one batch.
      expect(Math.max(0, due - n * s.batchSize)).toBeLessThan(s.minBatch);
    }
  });
});

// Issue 15: the reasons are what `watch -v` and `process --if-due -v` print; pin them exactly.
describe("decideSchedule: the reason it gives", () => {
  const at = (input: Partial<ScheduleInput>) =>
    decideSchedule(
      { due: 0, oldestDueAgeMs: undefined, lastBatchAt: undefined, now: NOW, ...input },
      SEED_SCHEDULE,
    );

  it.each([
    [{ due: 0 }, { process: false, batches: 0, reason: "nothing due" }],
    [{ due: -1 }, { process: false, batches: 0, reason: "nothing due" }],
    [
      { due: 12, lastBatchAt: NOW },
      { process: true, batches: 1, reason: "12 due >= min batch 10" },
    ],
    [
      { due: 4, lastBatchAt: NOW - 7 * MIN },
      { process: true, batches: 1, reason: "4 due, max wait passed since last batch" },
    ],
    [
      { due: 4, oldestDueAgeMs: 6 * MIN },
      { process: true, batches: 1, reason: "4 due, max wait passed since oldest due enqueued" },
    ],
    [
      { due: 4, lastBatchAt: NOW - 2 * MIN },
      { process: false, batches: 0, reason: "4 due < min batch 10; max wait in 180000ms" },
    ],
    [
      { due: 4, oldestDueAgeMs: 1 * MIN },
      { process: false, batches: 0, reason: "4 due < min batch 10; max wait in 240000ms" },
    ],
    // No batch and no age: the wait counts from 0, the whole max wait is left.
    [
      { due: 4 },
      { process: false, batches: 0, reason: "4 due < min batch 10; max wait in 300000ms" },
    ],
    // A last batch in the future waited 0, not a negative time.
    [
      { due: 4, lastBatchAt: NOW + 2 * MIN },
      { process: false, batches: 0, reason: "4 due < min batch 10; max wait in 300000ms" },
    ],
    // The last batch wins over the oldest due age when both are known.
    [
      { due: 4, oldestDueAgeMs: 60 * MIN, lastBatchAt: NOW - MIN },
      { process: false, batches: 0, reason: "4 due < min batch 10; max wait in 240000ms" },
    ],
  ])("%j -> %j", (input, expected) => {
    expect(at(input)).toEqual(expected);
  });
});

describe("decideForQueue reads the summary's due count, oldest age and last batch", () => {
  const lastBatch = {
    at: NOW - 6 * MIN,
    outcome: "failed",
    sessions: 3,
    durationMs: 10,
    engine: "local",
  } as const;

  it.each([
    [{ due: 0, oldestDueAgeMs: undefined, lastBatch: undefined }, false, "nothing due"],
    [
      { due: 2, oldestDueAgeMs: 10 * MIN, lastBatch: undefined },
      true,
      "2 due, max wait passed since oldest due enqueued",
    ],
    [{ due: 2, oldestDueAgeMs: 0, lastBatch }, true, "2 due, max wait passed since last batch"],
    [
      { due: 2, oldestDueAgeMs: 10 * MIN, lastBatch: { ...lastBatch, at: NOW - MIN } },
      false,
      "2 due < min batch 10; max wait in 240000ms",
    ],
    [{ due: 70, oldestDueAgeMs: 0, lastBatch }, true, "70 due >= min batch 10"],
  ])("%j", (summary, process, reason) => {
    expect(decideForQueue(summary, SEED_SCHEDULE, NOW)).toMatchObject({ process, reason });
  });
});

describe("batchesToTake edge settings", () => {
  it.each([
    // [due, batchSize, minBatch, batches]
    [0, 50, 10, 0],
    [-3, 50, 10, 0],
    [5, 0, 10, 5], // a batch size below 1 counts as 1
    [5, -2, 10, 5],
    [50, 50, 10, 1],
    [51, 50, 1, 2],
    [51, 50, 2, 1],
    [61, 50, 0, 2], // min batch 0: any remainder goes
    [100, 50, 0, 2], // ... but an empty remainder is no batch
  ])("%i due, size %i, min %i -> %i batches", (due, batchSize, minBatch, batches) => {
    expect(batchesToTake(due, { batchSize, minBatch, maxWaitMs: 0 })).toBe(batches);
  });
});
