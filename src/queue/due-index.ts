/**
 * Which sessions are due, without looking at all of them (issue 10: a drain of a million
 * sessions filtered and sorted every session per batch, which made drains grow with n²).
 *
 * Two binary heaps of slots. `waiting` orders sessions by the time they become due (a retry's
 * notBefore, a claim's lease); `ready` orders those whose time has come oldest first, as claims
 * take them (enqueuedAt, then id). Entries go stale when a session changes (claimed, scored,
 * renewed): they are dropped when they reach the top, because every change that gives a session
 * a new due time pushes a new entry. So a claim looks at the sessions it takes plus the stale
 * entries it sweeps, each swept once: its cost does not grow with the queue.
 *
 * A lease's entry goes stale as soon as its batch is scored, but reaches the top only when the
 * lease would have run out (10 minutes on): a drain of a million sessions in three minutes left
 * a million of them, 16 bytes each. So once the waiting entries double past those found live
 * at the last sweep, the stale ones are swept out of the middle too (a whole pass over the
 * waiting entries, at most two entries looked at per push over time).
 */
export interface DueIndex {
  /** Slot `slot` becomes due at `at` (0: at once). */
  push(slot: number, at: number): void;
  /**
   * Up to `max` slots due at `now`, in claim order, left in the index (a claim that fails to
   * reach the disk must find them again). `isDue` is the fold's truth for one slot.
   */
  peek(now: number, max: number, isDue: (slot: number) => boolean): number[];
  /** Entries looked at by the last `peek` (the claim-work test counts these). */
  readonly examined: number;
  /** Entries waiting for their time, stale ones included (issue 10: bounded by the sweep). */
  readonly waiting: number;
  /** Waiting entries looked at by sweeps so far (at most two per push over time). */
  readonly swept: number;
  /** Bytes of the arrays the index holds (issue 10: memory per session). */
  readonly bytes: number;
}

/** The waiting entries are swept for stale ones from this many on. */
export const SWEEP_FROM = 1024;

/**
 * A growable binary min-heap of slots under `before(a, b)`; `initial`, whose items are in
 * `before` order (so a heap already), is its array to start with.
 */
function createHeap(before: (a: number, b: number) => boolean, initial?: Int32Array) {
  let items = initial?.length ? initial : new Int32Array(1024);
  let size = initial?.length ?? 0;
  function swap(i: number, j: number) {
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return {
    get size() {
      return size;
    },
    get bytes() {
      return items.buffer.byteLength; // the claim order's whole array when it started as part of it
    },
    top: () => items[0]!,
    /** Empties the heap (into a smaller array) and returns the items `keep` accepts. */
    takeOnly(keep: (item: number) => boolean): number[] {
      const kept: number[] = [];
      // Stryker disable next-line EqualityOperator: one look past the end finds a leftover entry number: kept, it is one more copy of an entry, and a slot is taken once however many it has
      for (let i = 0; i < size; i++) if (keep(items[i]!)) kept.push(items[i]!);
      // Stryker disable next-line ArithmeticOperator,MethodExpression: the room only (push grows a full heap)
      items = new Int32Array(Math.max(1024, 2 * kept.length));
      size = 0;
      return kept;
    },
    push(slot: number) {
      if (size === items.length) {
        const grown = new Int32Array(size * 2);
        grown.set(items);
        items = grown;
      }
      let i = size++;
      items[i] = slot;
      // Stryker disable next-line EqualityOperator: at i = 0 the parent is items[-1], undefined, never before
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!before(items[i]!, items[parent]!)) break;
        swap(i, parent);
        i = parent;
      }
    },
    pop(): number {
      const top = items[0]!;
      items[0] = items[--size]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < size && before(items[l]!, items[m]!)) m = l;
        if (r < size && before(items[r]!, items[m]!)) m = r;
        if (m === i) return top;
        swap(i, m);
        i = m;
      }
    },
  };
}

/**
 * `older(a, b)`: slot a is claimed before slot b (enqueuedAt, then id). `dueTimeOf(slot)`: when
 * the session is due now (Infinity: never), so an entry whose time is not that one is stale.
 */
export function createDueIndex(
  older: (a: number, b: number) => boolean,
  dueTimeOf: (slot: number) => number,
  /**
   * Slots due at once, in claim order, and how many slots there are: the ready heap takes the
   * array as its own (issue 10: at a million sessions, pushing them one by one grew a second
   * array of 4 MB by doubling, beside the claim order it was built from).
   */
  start: { ready: Int32Array; slots: number },
): DueIndex {
  // A waiting entry is a pair (due time, slot); the heap holds entry numbers.
  let dueAt = new Float64Array(1024);
  let slotOf = new Int32Array(1024);
  const free: number[] = [];
  let entries = 0;
  // Stryker disable next-line EqualityOperator: entries due at the same time may come out in either order
  const waiting = createHeap((a, b) => dueAt[a]! < dueAt[b]!);
  const ready = createHeap(older, start.ready);
  /** 1 while a slot has an entry in `ready`: one entry each there. */
  // Stryker disable next-line MethodExpression: the room only (toReady grows it for a slot past it)
  let inReady = new Uint8Array(Math.max(1024, start.slots));
  for (const slot of start.ready) inReady[slot] = 1;
  let examined = 0;

  function toReady(slot: number) {
    if (slot >= inReady.length) {
      const grown = new Uint8Array(Math.max(slot + 1, inReady.length * 2));
      grown.set(inReady);
      inReady = grown;
    }
    if (inReady[slot]) return;
    inReady[slot] = 1;
    ready.push(slot);
  }

  /** Live waiting entries at the last sweep: the next comes when twice as many wait. */
  let liveAtSweep = 0;
  let swept = 0;
  /** Drops the waiting entries whose slot is no longer due at their time; renumbers the rest. */
  function sweep() {
    swept += waiting.size;
    const live = waiting.takeOnly((e) => dueTimeOf(slotOf[e]!) === dueAt[e]!);
    const oldDueAt = dueAt;
    const oldSlotOf = slotOf;
    // Room for as many entries as wait when the next sweep comes (newEntry relies on it).
    dueAt = new Float64Array(Math.max(SWEEP_FROM, 2 * live.length));
    slotOf = new Int32Array(dueAt.length);
    free.length = 0;
    entries = live.length;
    live.forEach((e, k) => {
      dueAt[k] = oldDueAt[e]!;
      slotOf[k] = oldSlotOf[e]!;
      waiting.push(k);
    });
    liveAtSweep = live.length;
  }

  function newEntry(slot: number, at: number): number {
    const e = free.pop() ?? entries++;
    // Not reached while sweeps come as they do: a new number is taken only when none is free, so
    // entries = waiting entries, and the sweep comes when those fill the arrays it sized. Kept so
    // that a change there cannot drop entries (a typed array ignores a write past its end).
    // Stryker disable all: see above (no test reaches it)
    if (e === dueAt.length) {
      const d = new Float64Array(e * 2);
      d.set(dueAt);
      dueAt = d;
      const s = new Int32Array(e * 2);
      s.set(slotOf);
      slotOf = s;
    }
    // Stryker restore all
    dueAt[e] = at;
    slotOf[e] = slot;
    return e;
  }

  return {
    push(slot, at) {
      if (at <= 0) toReady(slot);
      else {
        waiting.push(newEntry(slot, at));
        if (waiting.size >= SWEEP_FROM && waiting.size >= 2 * liveAtSweep) sweep();
      }
    },
    peek(now, max, isDue) {
      examined = 0;
      while (waiting.size > 0 && dueAt[waiting.top()]! <= now) {
        const e = waiting.pop();
        free.push(e);
        examined++;
        // Stryker disable next-line ConditionalExpression: a slot that is not due is dropped again when popped
        if (isDue(slotOf[e]!)) toReady(slotOf[e]!);
      }
      const taken: number[] = [];
      while (taken.length < max && ready.size > 0) {
        const slot = ready.pop();
        examined++;
        if (isDue(slot)) taken.push(slot);
        else inReady[slot] = 0; // stale: its newer due time has an entry of its own
      }
      for (const slot of taken) ready.push(slot);
      return taken;
    },
    get examined() {
      return examined;
    },
    get waiting() {
      return waiting.size;
    },
    get swept() {
      return swept;
    },
    get bytes() {
      return (
        ready.bytes + waiting.bytes + inReady.byteLength + dueAt.byteLength + slotOf.byteLength
      );
    },
  };
}
