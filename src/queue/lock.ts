import lockfile from "proper-lockfile";

/**
 * The queue's inter-process lock (design.md: every write takes it briefly). proper-lockfile
 * keeps a `<queue>.lock` directory fresh while held; a holder that died leaves it stale after
 * `stale` ms and the next writer takes over.
 */
const LOCK_OPTIONS = {
  realpath: false,
  stale: 10_000,
  update: 2_000,
  retries: { retries: 2_000, factor: 1.3, minTimeout: 2, maxTimeout: 100, randomize: true },
};

function lockPath(queuePath: string): string {
  return `${queuePath}.lock`;
}

export async function withQueueLock<T>(
  queuePath: string,
  fn: (assertHeld: () => void) => Promise<T>,
): Promise<T> {
  let compromised: Error | undefined;
  const release = await lockfile
    .lock(queuePath, {
      ...LOCK_OPTIONS,
      lockfilePath: lockPath(queuePath),
      onCompromised: (err) => {
        compromised = err;
      },
    })
    .catch((err: unknown) => {
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
