import { describe, expect, it } from "vitest";
import { createPrintSet, createSlotList, PRINT_BYTES } from "../../src/queue/print-set.js";

const print = (k: number) =>
  Int8Array.from({ length: PRINT_BYTES }, (_, i) => ((i + k) % 255) - 127);

describe("packed fingerprints by slot (issue 10)", () => {
  it("keeps 300 fingerprints (past its first growth) and finds each by slot", () => {
    const set = createPrintSet();
    for (let k = 0; k < 300; k++) set.add(3 * k + 1, print(k));
    expect(set.size).toBe(300);
    expect(set.lastSlot()).toBe(898);
    expect(set.get(1)).toEqual(print(0));
    expect(set.get(898)).toEqual(print(299));
    expect(set.get(451)).toEqual(print(150));
    expect([0, 2, 899, 900].map((s) => set.get(s))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(set.get(22)).toEqual(print(7));
  });

  it("refuses a slot that does not increase", () => {
    const set = createPrintSet();
    set.add(5, print(1));
    expect(() => set.add(5, print(2))).toThrow("print set: slots must increase");
    expect(() => set.add(4, print(2))).toThrow("print set: slots must increase");
  });
});

describe("slot list (issue 10: which prints a holder keeps)", () => {
  it("holds 600 increasing slots (past two growths), finds each, and no slot between them", () => {
    const list = createSlotList();
    const slots = Array.from({ length: 600 }, (_, k) => 3 * k + 1);
    for (const slot of slots) list.add(slot);
    expect(list.size).toBe(600);
    expect(slots.every((slot) => list.has(slot))).toBe(true);
    expect([0, 2, 3, 900, 1_798, 1_800].map((slot) => list.has(slot))).toEqual([
      false,
      false,
      false,
      false,
      true,
      false,
    ]);
    expect(() => list.add(1_798)).toThrow("slots must increase");
    expect(createSlotList().has(0)).toBe(false);
  });
});
