import type { QueueEvent } from "../../src/queue/events.js";

/** Journal events for fold and planner tests. */
export const enq = (id: string, at = 0): QueueEvent => ({ t: "enqueue", at, id });

export const claim = (ids: string[], batch: string, lease: number, at = 0): QueueEvent => ({
  t: "claim",
  at,
  batch,
  ids,
  lease,
  owner: "test",
});
