import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { RawText } from "../telemetry/read-records.js";
import type { Prepared, PrepareOptions } from "./enqueue-prepare.js";

/**
 * Worker threads that prepare records in parallel (parse, validate, features): on two cores this
 * is what keeps enqueue near the speed of merely reading and parsing its input (issue 2 bench).
 * Records travel as text, which is cheap to copy; results come back small.
 */
export interface PreparePool {
  submit(records: RawText[], options: PrepareOptions): Promise<Prepared[]>;
  /** Every worker has loaded its modules (until then, work sent to one waits for it). */
  readonly ready: boolean;
  close(): Promise<void>;
}

const WORKER = new URL("./enqueue-worker.js", import.meta.url);

/** Workers run the built JavaScript; run from TypeScript sources (vitest), enqueue works inline. */
export function workersAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER));
}

export function createPreparePool(size: number): PreparePool {
  const url = WORKER;
  const workers = Array.from({ length: size }, () => new Worker(url));
  const waiting = new Map<
    number,
    { resolve: (p: Prepared[]) => void; reject: (e: Error) => void }
  >();
  let seq = 0;
  let started = 0;
  for (const w of workers) {
    w.on("message", (m: { seq: number; prepared: Prepared[] } | { ready: true }) => {
      if ("ready" in m) {
        started++;
        return;
      }
      waiting.get(m.seq)?.resolve(m.prepared);
      waiting.delete(m.seq);
    });
    w.on("error", (err) => {
      for (const p of waiting.values()) p.reject(err);
      waiting.clear();
    });
  }
  return {
    submit(records, options) {
      const id = seq++;
      const worker = workers[id % workers.length]!;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ seq: id, records, options });
      });
    },
    get ready() {
      return started === workers.length;
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
