import type { QueueBackend } from "../queue/backend.js";
import type { EnqueueItem } from "../queue/plans.js";

export interface AppendOutcome {
  accepted: string[];
  duplicates: string[];
}

export type AppendItems = (items: EnqueueItem[]) => Promise<AppendOutcome>;

interface Waiting {
  items: EnqueueItem[];
  resolve: (o: AppendOutcome) => void;
  reject: (err: unknown) => void;
}

/** A group stops growing past this many sessions (the CLI's chunk): the lock is held briefly. */
export const GROUP_MAX_ITEMS = 2_000;

/**
 * Enqueue appends of one handle, grouped (issue 12: 32 concurrent `POST /enqueue` each paid a
 * locked, fsynced append of its own). The first call appends at once; calls that arrive while
 * an append is in flight wait and go together in the next one: one lock, one write, one fsync.
 * Each call resolves only once the append holding its sessions is durable, with its own
 * sessions' outcome: accepted, or duplicate (already queued, or named earlier in the group:
 * the first call to name an id gets it). A failed append fails every call in its group, and
 * none of their sessions was queued.
 */
export function createCoalescedAppend(store: QueueBackend, now: () => number): AppendItems {
  const waiting: Waiting[] = [];
  let running = false;

  function nextGroup(): Waiting[] {
    let n = 0;
    let i = 0;
    while (i < waiting.length && (i === 0 || n + waiting[i]!.items.length <= GROUP_MAX_ITEMS))
      n += waiting[i++]!.items.length;
    return waiting.splice(0, i);
  }

  async function drain(): Promise<void> {
    running = true;
    while (waiting.length > 0) {
      const group = nextGroup();
      const items = group.flatMap((w) => w.items);
      try {
        const { accepted } = await store.enqueue(items, now());
        const first = new Set(accepted);
        for (const w of group) {
          const mine: AppendOutcome = { accepted: [], duplicates: [] };
          for (const item of w.items)
            (first.delete(item.id) ? mine.accepted : mine.duplicates).push(item.id);
          w.resolve(mine);
        }
      } catch (err) {
        for (const w of group) w.reject(err);
      }
    }
    running = false;
  }

  return (items) =>
    new Promise<AppendOutcome>((resolve, reject) => {
      waiting.push({ items, resolve, reject });
      if (!running) void drain();
    });
}
