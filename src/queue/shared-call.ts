/**
 * Concurrent callers share one run of `fn`, but only a run that started after they called
 * (issue 12: 64 concurrent `GET /result` share a freshness check, and a result written by
 * another process before a request arrived is still seen by it). A call arriving while a run
 * is in flight waits for the next run, which every such call shares: at most one run in flight
 * and one waiting, however many callers.
 */
export function sharedAfterCall<T>(fn: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  let next: Promise<T> | undefined;
  const start = (): Promise<T> => {
    const run = fn().finally(() => {
      if (current === run) current = undefined;
    });
    current = run;
    return run;
  };
  const ignore = () => undefined;
  return () => {
    if (!current) return start();
    next ??= current.then(ignore, ignore).then(() => {
      next = undefined;
      return start();
    });
    return next;
  };
}
