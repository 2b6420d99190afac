import type { IdTable } from "../../src/queue/id-table.js";

/** The UTF-8 bytes of every id of `t`, end to end (its parts joined). */
export function blobOf(t: IdTable): Buffer {
  return Buffer.concat([...t.raw().parts()]);
}
