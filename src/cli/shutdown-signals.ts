/**
 * SIGINT/SIGTERM for `watch` (issue 5): the first asks for a graceful stop (no new batch, the one
 * in flight finishes or is released after the shutdown timeout); the second releases the batch
 * in flight at once and the command exits 130; a third removes our handlers, so the process
 * dies on the spot (an unreleased claim just expires with its lease).
 */
export interface ShutdownSignals {
  stop: AbortSignal;
  kill: AbortSignal;
  dispose(): void;
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

export function shutdownSignals(target: NodeJS.EventEmitter | undefined): ShutdownSignals {
  const stop = new AbortController();
  const kill = new AbortController();
  let received = 0;
  const handler = () => {
    received++;
    if (received === 1) stop.abort();
    else if (received === 2) kill.abort();
    else dispose();
  };
  const dispose = () => {
    for (const s of SIGNALS) target?.off(s, handler);
  };
  for (const s of SIGNALS) target?.on(s, handler);
  return { stop: stop.signal, kill: kill.signal, dispose };
}

/**
 * conf (through atomically's when-exit) installs SIGINT/SIGTERM listeners that re-raise the
 * signal whatever else listens, turning one Ctrl-C into two (seen in tmux: `watch` exited 130 on
 * a single Ctrl-C). Loading it before our handlers and dropping the signal listeners it added
 * keeps one signal one signal; its `exit` hook, which cleans up temp files, stays.
 */
export async function loadWithoutSignalListeners<T>(
  target: NodeJS.EventEmitter | undefined,
  load: () => Promise<T>,
): Promise<T> {
  const before = new Map(SIGNALS.map((s) => [s, new Set(target?.listeners(s))]));
  const value = await load();
  for (const s of SIGNALS) {
    for (const l of target?.listeners(s) ?? []) {
      if (!before.get(s)?.has(l)) target?.off(s, l as (...args: unknown[]) => void);
    }
  }
  return value;
}
