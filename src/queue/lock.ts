import { stat, utimes } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type lockfileModule from "proper-lockfile";
import { lazyModule } from "../lazy-module.js";

/** Loaded by the first lock taken: readers (`stats`, `result`) never take one. */
const lockfile = lazyModule<typeof lockfileModule>("proper-lockfile");

/**
 * The queue's inter-process lock (design.md: every write takes it briefly). proper-lockfile
 * keeps a `<queue>.lock` directory fresh while held; a holder that died leaves it stale after
 * `stale` ms and the next writer takes over.
 */
const STALE_MS = 10_000;
const UPDATE_MS = 2_000;
/** How long a writer waits for a held lock before giving up (about as long as before). */
const WAIT_MS = 200_000;

export interface QueueLockOptions {
  staleMs?: number;
  waitMs?: number;
  now?: () => number;
}

function lockPath(queuePath: string): string {
  return `${queuePath}.lock`;
}

/**
 * proper-lockfile never finds a lock stale whose mtime is in the future (a holder whose clock
 * ran ahead, then died): every writer would wait until the clock passed it (issue 8, defect 5).
 * A future mtime that stays the same for the stale time, measured from when this process first
 * saw it, is from a dead holder (a live one touches it every `update` ms): move it into the past
 * so proper-lockfile's own stale takeover applies.
 */
function futureMtimeWatch(path: string, staleMs: number, now: () => number) {
  let seen: { mtimeMs: number; at: number } | undefined;
  return async function ageIfAbandoned(): Promise<void> {
    const st = await stat(path).catch(() => undefined);
    if (!st || st.mtimeMs <= now() + UPDATE_MS) {
      seen = undefined;
      return;
    }
    if (seen?.mtimeMs !== st.mtimeMs) {
      seen = { mtimeMs: st.mtimeMs, at: now() };
      return;
    }
    if (now() - seen.at < staleMs) return;
    const past = new Date(now() - 2 * staleMs);
    await utimes(path, past, past).catch(() => undefined);
    seen = undefined;
  };
}

async function acquire(
  queuePath: string,
  o: Required<QueueLockOptions>,
  onCompromised: (e: Error) => void,
) {
  const target = lockPath(queuePath);
  const ageIfAbandoned = futureMtimeWatch(target, o.staleMs, o.now);
  const started = o.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await lockfile().lock(queuePath, {
        realpath: false,
        stale: o.staleMs,
        update: UPDATE_MS,
        retries: 0,
        lockfilePath: target,
        onCompromised,
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ELOCKED" || o.now() - started >= o.waitMs)
        throw err;
    }
    await ageIfAbandoned();
    // Short, jittered waits: writers hold the lock for milliseconds.
    await sleep(Math.min(100, 2 * 1.3 ** attempt) * (0.5 + Math.random() / 2));
  }
}

export async function withQueueLock<T>(
  queuePath: string,
  fn: (assertHeld: () => void) => Promise<T>,
  opts: QueueLockOptions = {},
): Promise<T> {
  let compromised: Error | undefined;
  const o = { staleMs: STALE_MS, waitMs: WAIT_MS, now: Date.now, ...opts };
  const release = await acquire(queuePath, o, (err) => {
    compromised = err;
  }).catch((err: unknown) => {
    throw new Error(`could not lock ${queuePath}: ${(err as Error).message}`, { cause: err });
  });
  const assertHeld = () => {
    if (compromised) {
      throw new Error(`lost the lock on ${queuePath}: ${compromised.message}`, {
        cause: compromised,
      });
    }
  };
  try {
    return await fn(assertHeld);
  } finally {
    if (!compromised) await release().catch(() => undefined);
  }
}
