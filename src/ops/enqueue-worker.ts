import { parentPort } from "node:worker_threads";
import type { RawText } from "../telemetry/read-records.js";
import { type PrepareOptions, prepareRecord } from "./enqueue-prepare.js";

/** A prepare worker: records in as text, prepared records out, in the order received. */
parentPort?.on("message", (msg: { seq: number; records: RawText[]; options: PrepareOptions }) => {
  parentPort?.postMessage({
    seq: msg.seq,
    // Serialised here, on a worker, not on the main thread that appends (issue 10).
    prepared: msg.records.map((r) => {
      const p = prepareRecord(r, msg.options);
      if (!("payload" in p)) return p;
      const { features: _f, ...light } = p.payload;
      return { line: p.line, id: p.id, text: p.text ?? JSON.stringify(p.payload), light };
    }),
  });
});
