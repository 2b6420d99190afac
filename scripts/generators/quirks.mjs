// Real devices' sampling (issue 13, part 2): 125/500/1000 Hz mice, events coalesced to animation
// frames, whole-pixel coordinates, devicePixelRatio scaling. Applied to held-out humans (they
// must still pass) and to the generated bots (a bot that logs like real hardware).
import { resampleSession } from "../../dist/scoring/resample.js";

export const DEVICE_QUIRKS = {
  "125hz-int": { intervalMs: 8, jitterMs: 0.3, integer: true },
  "500hz": { intervalMs: 2, jitterMs: 0.2 },
  "1000hz-int": { intervalMs: 1, jitterMs: 0.1, integer: true },
  "coalesced-60fps": { intervalMs: 1000 / 60, jitterMs: 0 },
  dpr2: { intervalMs: 8, jitterMs: 0.5, scale: 1 / 2 },
  "dpr1.25-int": { intervalMs: 16, jitterMs: 1, scale: 1 / 1.25, integer: true },
};

export function withQuirk(s, name, seed) {
  return resampleSession(s, { ...DEVICE_QUIRKS[name], seed });
}
