/**
 * Issue 8, defect 5: a lock directory whose mtime is in the future (its holder's clock ran
 * ahead, then it died) blocked every writer until the clock passed it.
 */
import { mkdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { withQueueLock } from "../../src/queue/lock.js";
import { tempDir } from "../support/temp.js";

const DAY = 86_400_000;

async function queueWithLock(mtime: number) {
  const queue = join(await tempDir(), "queue.jsonl");
  await writeFile(queue, "");
  await mkdir(`${queue}.lock`);
  await utimes(`${queue}.lock`, new Date(mtime), new Date(mtime));
  return queue;
}

describe("the queue lock", () => {
  it("takes over a lock left with a future mtime once it stayed unchanged for the stale time", async () => {
    const queue = await queueWithLock(Date.now() + DAY);
    const started = Date.now();
    const value = await withQueueLock(queue, async () => "got it", {
      staleMs: 2_000,
      waitMs: 30_000,
    });
    expect(value).toBe("got it");
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
  });

  it("does not take a lock from a live holder whose clock runs ahead (its mtime moves)", async () => {
    const queue = await queueWithLock(Date.now() + DAY);
    let t = Date.now() + DAY;
    const touch = setInterval(() => {
      t += 500;
      utimes(`${queue}.lock`, new Date(t), new Date(t)).catch(() => undefined);
    }, 500);
    try {
      await expect(
        withQueueLock(queue, async () => "stolen", { staleMs: 2_000, waitMs: 5_000 }),
      ).rejects.toThrow(/could not lock .*queue\.jsonl: Lock file is already being held/);
    } finally {
      clearInterval(touch);
    }
  });

  it("takes over a stale lock in the past at once, as proper-lockfile does", async () => {
    const queue = await queueWithLock(Date.now() - 60_000);
    expect(await withQueueLock(queue, async () => 1, { staleMs: 2_000, waitMs: 1_000 })).toBe(1);
  });
});
