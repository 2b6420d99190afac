import { parentPort } from "node:worker_threads";
import type { SessionPayload } from "../queue/events.js";
import type { RawText } from "../telemetry/read-records.js";
import { type PrepareOptions, prepareRecord } from "./enqueue-prepare.js";

/**
 * The payload without its features, which stay in the text (issue 10). The keys are copied by
 * name, never read through `features`: a prepared payload merges its features on first read.
 */
function withoutFeatures(payload: SessionPayload): Omit<SessionPayload, "features"> {
  const light: Record<string, unknown> = {};
  for (const key of Object.keys(payload)) {
    if (key !== "features") light[key] = payload[key as keyof SessionPayload];
  }
  return light as Omit<SessionPayload, "features">;
}

/** A prepare worker: records in as text, prepared records out, in the order received. */
parentPort?.on("message", (msg: { seq: number; records: RawText[]; options: PrepareOptions }) => {
  parentPort?.postMessage({
    seq: msg.seq,
    // Serialised here, on a worker, not on the main thread that appends (issue 10).
    prepared: msg.records.map((r) => {
      const p = prepareRecord(r, msg.options);
      if (!("payload" in p)) return p;
      const text = p.text ?? JSON.stringify(p.payload);
      return { line: p.line, id: p.id, text, light: withoutFeatures(p.payload) };
    }),
  });
});
