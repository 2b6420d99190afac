import { hostname } from "node:os";
import type { QueueBackend } from "../queue/backend.js";
import type { Watcher } from "../queue/events.js";

export interface HeartbeatOptions {
  store: QueueBackend;
  now: () => number;
  settings: Watcher["settings"];
  /** Told when a heartbeat cannot be written; a heartbeat never stops `watch`. */
  warn?: (message: string) => void;
  host?: string;
  pid?: number;
}

/**
 * A running `watch` announces itself in the queue after every check and batch (issue 9: the
 * original had /scheduler/status; `stats` and the metrics read it), and says goodbye on a
 * clean stop. Writes go one at a time, in order, from synchronous event handlers.
 */
export function heartbeat(o: HeartbeatOptions) {
  const host = o.host ?? hostname();
  const pid = o.pid ?? process.pid;
  const started = o.now();
  const id = `${host}:${pid}:${started}`;
  let chain: Promise<void> = Promise.resolve();
  const write = (nextCheck: number, stopped = false) => {
    const event = {
      t: "heartbeat" as const,
      at: o.now(),
      id,
      host,
      pid,
      started,
      nextCheck,
      settings: o.settings,
      ...(stopped ? { stopped } : {}),
    };
    chain = chain.then(() =>
      o.store
        .heartbeat(event)
        .catch((err: unknown) => o.warn?.(`heartbeat not written: ${(err as Error).message}`)),
    );
    return chain;
  };
  return {
    id,
    beat: (nextCheck: number) => write(nextCheck),
    stop: () => write(o.now(), true),
    flush: () => chain,
  };
}
