/**
 * A manual clock for loop tests: `sleep` only ends when the test `advance`s time (or its signal
 * aborts), so a test walks a 5-minute schedule in microseconds and never really waits.
 */
interface Timer {
  at: number;
  ms: number;
  wake: () => void;
}

export function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  const timers = new Set<Timer>();
  const waiters = new Set<{ ms: number | undefined; resolve: () => void }>();
  const notify = () => {
    for (const w of waiters) {
      if ([...timers].some((tm) => w.ms === undefined || tm.ms === w.ms)) {
        waiters.delete(w);
        w.resolve();
      }
    }
  };
  return {
    now: () => t,
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const timer: Timer = {
          at: t + ms,
          ms,
          wake: () => {
            timers.delete(timer);
            signal?.removeEventListener("abort", timer.wake);
            resolve();
          },
        };
        timers.add(timer);
        signal?.addEventListener("abort", timer.wake, { once: true });
        notify();
      });
    },
    /** Resolves once a sleep of `ms` (any, when omitted) is pending: the loop is waiting. */
    waitForSleep(ms?: number): Promise<void> {
      return new Promise<void>((resolve) => {
        waiters.add({ ms, resolve });
        notify();
      });
    },
    /** Moves time forward and wakes every sleep that ends by then, earliest first. */
    advance(ms: number) {
      t += ms;
      for (const tm of [...timers].sort((a, b) => a.at - b.at)) if (tm.at <= t) tm.wake();
    },
    pending: () => [...timers].map((tm) => tm.ms),
  };
}

/**
 * Yields (no timer) until `cond` holds, so promise chains and file IO progress; bounded by wall
 * time so that a bug fails fast instead of hanging.
 */
export async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition never held within ${ms} ms`);
    await new Promise((r) => setImmediate(r));
  }
}
