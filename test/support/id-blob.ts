import type { IdTable } from "../../src/queue/id-table.js";

/** The UTF-8 bytes of every id of `t`, end to end (its parts copied as they come: a base reuses one buffer). */
export function blobOf(t: IdTable): Buffer {
  const parts: Buffer[] = [];
  for (const part of t.raw().parts()) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}
