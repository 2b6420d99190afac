// The sampling variants held-out humans are re-recorded through (issue 3; issue 13 adds real
// devices' quirks from scripts/generators/quirks.mjs): every one must still pass.
import { DEVICE_QUIRKS } from "./generators/quirks.mjs";

export const VARIANTS = {
  "4ms": { intervalMs: 4, jitterMs: 0.5 },
  "8ms-int": { intervalMs: 8, jitterMs: 1, integer: true },
  "33ms-dpr1.5": { intervalMs: 33, jitterMs: 2, scale: 1 / 1.5 },
  "100ms-int": { intervalMs: 100, jitterMs: 5, integer: true },
  "120ms": { intervalMs: 120, jitterMs: 5 },
};

/** What eval.mjs applies to held-out humans: the issue-3 variants and the device quirks. */
export const HUMAN_VARIANTS = { ...VARIANTS, ...DEVICE_QUIRKS };
