import { lowerBound } from "./lower-bound.js";

/**
 * Replay fingerprints by slot, packed (issue 10/13): 64 bytes each in one growable buffer, slots
 * in increasing order, so a set costs 68 bytes a fingerprint and no object per session. Slots
 * must be added in increasing order (new sessions get increasing slots).
 */
export interface PrintSet {
  readonly size: number;
  add(slot: number, fp: Int8Array): void;
  get(slot: number): Int8Array | undefined;
  /** The largest slot held (the set must not be empty). */
  lastSlot(): number;
}

export const PRINT_BYTES = 64;

export function createPrintSet(): PrintSet {
  let slots = new Uint32Array(256);
  let bytes = new Int8Array(256 * PRINT_BYTES);
  let size = 0;
  const at = (i: number) => bytes.subarray(i * PRINT_BYTES, (i + 1) * PRINT_BYTES);
  return {
    get size() {
      return size;
    },
    add(slot, fp) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: with size 0, slots[-1] is undefined and slot <= undefined is false
      if (size > 0 && slot <= slots[size - 1]!) throw new Error("print set: slots must increase");
      if (size === slots.length) {
        const s = new Uint32Array(size * 2);
        s.set(slots);
        slots = s;
        const b = new Int8Array(size * 2 * PRINT_BYTES);
        b.set(bytes);
        bytes = b;
      }
      slots[size] = slot;
      bytes.set(fp, size * PRINT_BYTES);
      size++;
    },
    lastSlot: () => slots[size - 1]!,
    get(slot) {
      const i = indexOfSlot(slots, size, slot);
      return i < 0 ? undefined : at(i);
    },
  };
}

/** Slots in increasing order, 4 bytes each: which sessions' prints another holder keeps. */
export interface SlotList {
  readonly size: number;
  add(slot: number): void;
  has(slot: number): boolean;
}

export function createSlotList(): SlotList {
  let slots = new Uint32Array(256);
  let size = 0;
  return {
    get size() {
      return size;
    },
    add(slot) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: with size 0, slots[-1] is undefined and slot <= undefined is false
      if (size > 0 && slot <= slots[size - 1]!) throw new Error("slot list: slots must increase");
      if (size === slots.length) {
        const s = new Uint32Array(size * 2);
        s.set(slots);
        slots = s;
      }
      slots[size++] = slot;
    },
    has: (slot) => indexOfSlot(slots, size, slot) >= 0,
  };
}

/** Where `slot` is among the first `size` of increasing `slots` (a binary search), or -1. */
function indexOfSlot(slots: Uint32Array, size: number, slot: number): number {
  const lo = lowerBound(slots, slot, size);
  return lo < size && slots[lo] === slot ? lo : -1;
}
