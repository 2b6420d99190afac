import { parentPort } from "node:worker_threads";
import type { RawText } from "../telemetry/read-records.js";
import { type PrepareOptions, prepareText } from "./enqueue-prepare.js";

/** A prepare worker: records in as text, prepared records out, in the order received. */
parentPort?.postMessage({ ready: true }); // its modules are loaded: enqueue may send it work
parentPort?.on("message", (msg: { seq: number; records: RawText[]; options: PrepareOptions }) => {
  parentPort?.postMessage({
    seq: msg.seq,
    // Serialised here, on a worker, not on the main thread that appends (issue 10).
    prepared: msg.records.map((r) => prepareText(r, msg.options)),
  });
});
