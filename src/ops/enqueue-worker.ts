import { parentPort } from "node:worker_threads";
import type { RawText } from "../telemetry/read-records.js";
import { type PrepareOptions, prepareRecord } from "./enqueue-prepare.js";

/** A prepare worker: records in as text, prepared records out, in the order received. */
parentPort?.on("message", (msg: { seq: number; records: RawText[]; options: PrepareOptions }) => {
  parentPort?.postMessage({
    seq: msg.seq,
    prepared: msg.records.map((r) => prepareRecord(r, msg.options)),
  });
});
